import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** How long a bench process may take to say it is ready, and to stop. */
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** Whether `taskset` exists here (util-linux); without it nothing is pinned. */
export const HAS_TASKSET = spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;

/** CPUs: servers on the first, the bench's client (this process) on the second, when there are two. */
export const SERVER_CPU = "0";
export const CLIENT_CPU = "1";

/** Pins this process (the client side of every measurement) to CLIENT_CPU, when taskset exists. */
export function pinSelf(cpu: string): boolean {
  if (!HAS_TASKSET) return false;
  return spawnSync("taskset", ["-a", "-p", "-c", cpu, String(process.pid)], { stdio: "ignore" }).status === 0;
}

/** Where server processes write V8 CPU profiles (`--cpu-prof`), when set (run.ts's --cpu-prof flag). */
let cpuProfileDir: string | undefined;
export function profileServersTo(dir: string): void {
  cpuProfileDir = dir;
}

/** A compiled script of the bench or of the server, by path relative to dist/bench/. */
export function distScript(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}

/** A free TCP port on 127.0.0.1, picked by the OS. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** A server process that said "Ready to accept request". */
export interface BenchProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly grpcPort: number;
  readonly httpPort: number | undefined;
  /** Milliseconds from spawn to the ready line. */
  readonly readyMs: number;
  /** Resident set size now, bytes (Linux /proc). */
  rssBytes(): number;
  /** CPU time used so far by all its threads, ns (see cpuNsOf). */
  cpuNs(): number;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/**
 * Starts `node <script> [args]`, pinned to `cpu` when taskset exists, and resolves once it logs
 * the ready line (cppTango's "Ready to accept request", with the ports as JSON fields).
 */
export async function startProcess(script: string, args: readonly string[], env: NodeJS.ProcessEnv, cpu = SERVER_CPU): Promise<BenchProcess> {
  const argv = [...(cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`]), script, ...args];
  const startedAt = performance.now();
  const child = HAS_TASKSET
    ? spawn("taskset", ["-c", cpu, process.execPath, ...argv], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = await new Promise<{ grpcPort: number; httpPort?: number }>((resolve, reject) => {
    let pending = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} was not ready within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${output}`));
    };
    child.on("exit", onExit);
    child.stderr!.setEncoding("utf8").on("data", (s: string) => { output += s; });
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      if (output.length < 100_000) output += s;
      pending += s;
      for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.includes("Ready to accept request")) continue;
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(JSON.parse(line) as { grpcPort: number; httpPort?: number });
      }
    });
  });
  const readyMs = performance.now() - startedAt;
  const pid = child.pid!;
  return {
    child, pid, readyMs, grpcPort: ready.grpcPort, httpPort: ready.httpPort,
    rssBytes: () => rssOf(pid),
    cpuNs: () => cpuNsOf(pid),
    stop: () => stopChild(child),
  };
}

/** Resident set size of a process, bytes, from /proc/<pid>/status (VmRSS). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/**
 * CPU time a process has used, all threads (the main thread, libuv's pool, V8's GC and compiler
 * threads), in ns: the first field of each /proc/<pid>/task/<tid>/schedstat. Nanosecond
 * resolution, unlike /proc/<pid>/stat's 10 ms ticks, so a window of a second measures µs per call.
 */
export function cpuNsOf(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch (err) {
      // A thread that ended between the listing and the read has no file any more.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return ns;
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves when the process is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
