/**
 * Starts the real system for the browser tests: Redis (unless REDIS_URL names one), the built
 * gateway and worker, each isolated by its own key prefix, queue stream and job-id secret.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const resultsDir = resolve(repoRoot, "clients/DemoWeb/test-results");
export const testImages = resolve(repoRoot, "../shared/testdata/images");

const gatewayDir = join(repoRoot, "services/Gateway");
const gatewayDll = join(gatewayDir, "bin/Release/net10.0/SaliencySlider.Gateway.dll");
const workerDir = join(repoRoot, "services/ExplainerWorker");
const workerDll = join(workerDir, "bin/Release/net10.0/SaliencySlider.ExplainerWorker.dll");
const cliDll = join(repoRoot, "clients/Cli/bin/Release/net10.0/saliency.dll");

interface Service {
  readonly name: string;
  readonly child: ChildProcess;
}

export interface RunningSystem {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function startSystem(): Promise<RunningSystem> {
  for (const dll of [gatewayDll, workerDll]) {
    if (!existsSync(dll)) throw new Error(`${dll} is missing: build first (dotnet build SaliencySlider.slnx -c Release)`);
  }
  if (!existsSync(join(gatewayDir, "wwwroot/index.html"))) {
    throw new Error("services/Gateway/wwwroot/index.html is missing: run `npm run build` in clients/DemoWeb first");
  }
  mkdirSync(resultsDir, { recursive: true });
  const processes: Service[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(processes.reverse().map(stopProcess));
  };
  try {
    const redisUrl = process.env.REDIS_URL ?? (await startRedis(processes));
    const httpPort = await freePort();
    const grpcPort = await freePort();
    const isolation = `e2e-${randomUUID().slice(0, 8)}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DOTNET_CLI_TELEMETRY_OPTOUT: "1",
      DOTNET_NOLOGO: "1",
      Redis__Configuration: redisUrl,
      Redis__KeyPrefix: `saliency-${isolation}`,
      Queue__Stream: `saliency:${isolation}:jobs`,
      Queue__DeadLetterStream: `saliency:${isolation}:dead`,
      Jobs__IdSecret: isolation,
      Models__Directory: process.env.SALIENCY_MODELS_DIR ?? fetchModelSet(resolve(repoRoot, ".data/models")),
      Models__ManifestDirectory: join(repoRoot, "models"),
      Gateway__HttpPort: String(httpPort),
      Gateway__GrpcPort: String(grpcPort),
      Gateway__ExamplesDirectory: testImages,
      // Any free port for the worker's /metrics, so that runs beside other workers never collide on 9090.
      Worker__MetricsPort: "0",
    };
    // Each runs in its project folder (its content root: appsettings.json, and the gateway's
    // wwwroot where the page was built); every path passed above is absolute.
    processes.push(launch("gateway", gatewayDll, gatewayDir, env));
    processes.push(launch("worker", workerDll, workerDir, env));
    const baseUrl = `http://127.0.0.1:${httpPort}`;
    await waitUntilHealthy(`${baseUrl}/healthz`, processes);
    return { baseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The served model set, as scripts/run serves it: scripts/fetch-models copies the ImageNet model from
 * ../shared/models and converts the iNaturalist bird and insect models once (later runs keep them).
 */
function fetchModelSet(destination: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.SALIENCY_MODEL_SET;
  delete env.SALIENCY_MODELS_URL;
  if (existsSync(cliDll)) env.SALIENCY_CLI = `dotnet ${cliDll}`;
  const result = spawnSync("sh", [join(repoRoot, "scripts/fetch-models"), destination], { env, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`scripts/fetch-models ${destination} failed (${result.status ?? result.signal ?? result.error}):\n${result.stderr}`);
  }
  return destination;
}

function launch(name: string, dll: string, cwd: string, env: NodeJS.ProcessEnv): Service {
  const child = spawn("dotnet", [dll], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const log = createWriteStream(join(resultsDir, `${name}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.once("exit", (code, signal) => log.write(`\n[${name} exited: code ${code}, signal ${signal}]\n`));
  return { name, child };
}

async function startRedis(processes: Service[]): Promise<string> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "demoweb-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  processes.push({ name: "redis-server", child });
  await new Promise<void>((ready, reject) => {
    const timer = setTimeout(() => reject(new Error("redis-server did not start within 10 s")), 10_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`redis-server exited with code ${code}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready to accept connections")) {
        clearTimeout(timer);
        ready();
      }
    });
  });
  return `127.0.0.1:${port}`;
}

/** A bounded wait for external processes to come up, failing early if one exits. */
async function waitUntilHealthy(url: string, processes: readonly Service[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = processes.find(({ child }) => child.exitCode !== null || child.signalCode !== null);
    if (exited !== undefined) {
      throw new Error(`${exited.name} exited (${exited.child.exitCode ?? exited.child.signalCode}); see its log in ${resultsDir}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} was not healthy within ${timeoutMs / 1000} s; see ${resultsDir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopProcess({ child }: Service): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killer);
}
