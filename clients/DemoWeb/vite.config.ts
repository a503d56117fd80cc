import { defineConfig } from "vite";

// The Gateway serves the built page from its wwwroot, so the build goes straight there.
export default defineConfig({
  base: "./",
  build: {
    outDir: "../../services/Gateway/wwwroot",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
});
