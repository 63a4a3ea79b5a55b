import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DeviceConfig, ServerConfig } from "../../src/server/index.js";

const FIXTURE = fileURLToPath(new URL("./serve-fixture.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Starting a server from source (tsx compiles it) takes ~2 s here; allow for a loaded machine. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** A device server in its own process (serve-fixture.ts), on 127.0.0.1. */
export interface ServerProcess {
  /** The gRPC port, the same across restarts. */
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** The HTTP sidecar's port of the latest start (the OS picks it anew at each start). */
  readonly httpPort: number;
  /** `tango://127.0.0.1:<port>/<device>`. */
  trl(device: string): string;
  /** Sends the process a signal and returns at once (SIGSTOP freezes it, SIGCONT thaws it). */
  signal(signal: NodeJS.Signals): void;
  /** Kills the process (SIGKILL by default) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again on the same port; resolves when it is ready. */
  restart(): Promise<void>;
  /** Stops the process for good and removes its files. Safe to call twice. */
  close(): Promise<void>;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** The exit code of the latest start once it exited (null: still running, or ended by a signal). */
  exitCode(): number | null;
}

/** What a test may add to the server process's config. */
export interface ServerProcessOptions {
  /**
   * Properties and attribute properties of `sys/tg_test/1`, as a Tango database holds them:
   * `{ properties: { polled_attr: ["double_scalar", "100"] }, attributeProperties: { double_scalar: { abs_change: "0.01" } } }`.
   * None by default: a polled attribute is read from the polling buffer (CACHE_DEV), which
   * tests of plain reads do not expect.
   */
  readonly tangoTest?: Pick<DeviceConfig, "properties" | "attributeProperties">;
  /** The config's event section (heartbeatMs, queueDepth); the server's defaults when absent. */
  readonly events?: Partial<ServerConfig["events"]>;
  /** The property store file (`storePath`) and its `store` section; none by default. */
  readonly storePath?: string;
  readonly store?: Partial<NonNullable<ServerConfig["store"]>>;
  /** The config's shutdownGraceMs; the server's default (10 s) when absent. */
  readonly shutdownGraceMs?: number;
  /** The config's request limits (maxPackedArrayBytes, maxHeapBytes); the server's defaults when absent. */
  readonly limits?: ServerConfig["limits"];
  /** The config's grpc.maxMessageBytes; the server's default when absent. */
  readonly maxMessageBytes?: number;
}

/** Starts TangoTest `sys/tg_test/1` and SlowDevice `test/slow/1` in a server process (port 0: the OS picks). */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-proc-"));
  let child: ChildProcess | undefined;
  let out = "";

  let httpPort = 0;
  const launch = async (port: number): Promise<number> => {
    const config = join(dir, "server.json");
    writeFileSync(config, JSON.stringify({
      server: "Fixture", instance: "proc",
      grpc: { host: "127.0.0.1", port, ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }) },
      http: { host: "127.0.0.1", port: 0, protectReads: false, requestTimeoutMs: 3000 },
      ...(options.events === undefined ? {} : { events: options.events }),
      ...(options.storePath === undefined ? {} : { storePath: options.storePath }),
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: options.shutdownGraceMs }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      classes: [
        { name: "TangoTest", devices: [{ name: "sys/tg_test/1", ...options.tangoTest }] },
        { name: "SlowDevice", devices: [{ name: "test/slow/1" }] },
      ],
    }));
    const c = spawn(process.execPath, ["--import", "tsx", FIXTURE, "-c", config], {
      cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TANGO_LOG_LEVEL: "info" },
    });
    child = c;
    return new Promise<number>((resolve, reject) => {
      let line = "";
      const timer = setTimeout(() => {
        c.kill("SIGKILL");
        reject(new Error(`the server process was not ready within ${START_TIMEOUT_MS} ms:\n${out}`));
      }, START_TIMEOUT_MS);
      c.stderr?.setEncoding("utf8").on("data", (s: string) => { out += s; });
      c.stdout?.setEncoding("utf8").on("data", (s: string) => {
        out += s;
        line += s;
        for (let nl = line.indexOf("\n"); nl >= 0; nl = line.indexOf("\n")) {
          const text = line.slice(0, nl);
          line = line.slice(nl + 1);
          const ready = readyPorts(text);
          if (ready !== undefined) {
            clearTimeout(timer);
            httpPort = ready.httpPort;
            resolve(ready.grpcPort);
          }
        }
      });
      c.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server process exited (${code ?? signal}) before it was ready:\n${out}`));
      });
    });
  };

  const kill = async (signal: NodeJS.Signals = "SIGKILL"): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  const port = await launch(0);
  return {
    port,
    address: `127.0.0.1:${port}`,
    get httpPort() {
      return httpPort;
    },
    trl: (device) => `tango://127.0.0.1:${port}/${device}`,
    signal(signal) {
      child?.kill(signal);
    },
    kill,
    async restart() {
      await launch(port);
    },
    async close() {
      await kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
    exitCode: () => child?.exitCode ?? null,
  };
}

function readyPorts(line: string): { grpcPort: number; httpPort: number } | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const rec = JSON.parse(line) as { msg?: unknown; grpcPort?: unknown; httpPort?: unknown };
    if (rec.msg !== "Ready to accept request" || typeof rec.grpcPort !== "number" || typeof rec.httpPort !== "number") return undefined;
    return { grpcPort: rec.grpcPort, httpPort: rec.httpPort };
  } catch (err) {
    if (err instanceof SyntaxError) return undefined; // not a log line
    throw err;
  }
}
