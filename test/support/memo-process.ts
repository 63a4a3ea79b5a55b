import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FIXTURE = fileURLToPath(new URL("../support/memo-fixture.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Starting a server from source takes ~2 s here; a loaded machine gets more. */
const START_TIMEOUT_MS = 20_000;
/** The Memo device of the process. */
export const MEMO_DEVICE = "test/memo/1";

/** The Memo server in its own process, on the same port across restarts. */
export class MemoProcess {
  #child: ChildProcess | undefined;
  #out = "";
  port = 0;

  constructor(readonly configPath: string, readonly config: Record<string, unknown>) {}

  async start(): Promise<void> {
    writeFileSync(this.configPath, JSON.stringify({
      ...this.config, server: "Memo", instance: "kill9",
      grpc: { host: "127.0.0.1", port: this.port }, http: { host: "127.0.0.1", port: 0 }, advertiseAddress: "127.0.0.1",
      classes: [{ name: "Memo", devices: [{ name: MEMO_DEVICE }] }],
    }));
    const c = spawn(process.execPath, ["--import", "tsx", FIXTURE, "-c", this.configPath], {
      cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TANGO_LOG_LEVEL: "info" },
    });
    this.#child = c;
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { c.kill("SIGKILL"); reject(new Error(`not ready within ${START_TIMEOUT_MS} ms:\n${this.#out}`)); }, START_TIMEOUT_MS);
      c.stderr?.setEncoding("utf8").on("data", (s: string) => { this.#out += s; });
      c.stdout?.setEncoding("utf8").on("data", (s: string) => {
        this.#out += s;
        const m = /"grpcPort":(\d+)[^\n]*"msg":"Ready to accept request"|"msg":"Ready to accept request"[^\n]*"grpcPort":(\d+)/.exec(this.#out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(Number(m[1] ?? m[2]));
        }
      });
      c.once("exit", (code, signal) => { clearTimeout(timer); reject(new Error(`exited (${code ?? signal}) before it was ready:\n${this.#out}`)); });
    });
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    const c = this.#child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill("SIGKILL");
    await gone;
    this.#out = "";
  }

  output(): string {
    return this.#out;
  }
}

