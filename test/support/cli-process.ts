import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** What a `tango-grpc` run left behind. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `tango-grpc` from source as a real process, to see its real exit code and streams; fails
 * naming the arguments if it has not exited within `timeoutMs` (it is killed then).
 */
export function runCliProcess(args: readonly string[], opts: {
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Sees the child as soon as it exists, e.g. to kill it in afterEach. */
  readonly onSpawn?: (child: ChildProcess) => void;
}): Promise<CliResult> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  opts.onSpawn?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tango-grpc ${args.join(" ")} did not exit within ${opts.timeoutMs} ms; stderr: ${stderr}`));
    }, opts.timeoutMs);
    child.on("error", (err) => { clearTimeout(timer); reject(err); });
    child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
