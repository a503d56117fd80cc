import { defineConfig } from "vitest/config";

// The browser end-to-end tests start the real gateway, worker (and Redis when REDIS_URL is unset).
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
