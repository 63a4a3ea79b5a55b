import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LogSink } from "./log-sink.js";

/*
 * `tango-grpc serve` as a real process from the sources (tsx), on OS-picked ports of 127.0.0.1,
 * advertised as 127.0.0.1, its JSON log read line by line: for tests of what a server does with
 * a Tango database (registration, already running).
 */

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** How long exitCodeOf waits before SIGKILL. */
const EXIT_WAIT_MS = 15_000;

/** A running `tango-grpc serve` process. */
export interface CliServer {
  readonly child: ChildProcess;
  readonly logs: LogSink;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Starts `tango-grpc serve <args>` with `env` over the test's environment. */
export function startCliServer(args: readonly string[], env: Record<string, string>): CliServer {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env, TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0",
      TANGO_ADVERTISE_ADDRESS: "127.0.0.1", TANGO_LOG_LEVEL: "info", TANGO_SHUTDOWN_GRACE_MS: "3000", ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs = new LogSink();
  child.stdout.pipe(logs);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, logs, exited, stderr: () => stderr };
}

/** Waits for the exit, killing the process after EXIT_WAIT_MS. */
export async function exitCodeOf(server: CliServer): Promise<number | null> {
  const timer = setTimeout(() => server.child.kill("SIGKILL"), EXIT_WAIT_MS);
  try {
    return await server.exited;
  } finally {
    clearTimeout(timer);
  }
}
