import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { median, medianCalls, quantile, transferOf, type CallFigures, type TransferFigures } from "./figures.js";
import { freePort, rssOf } from "./processes.js";

/*
 * Part 4 of `npm run bench`, peers: cppTango's TangoTest (Debian's tango-test) with a PyTango client
 * (Debian's python3-tango), doing the operations of parts 1 and 2 in the same run. TangoTest runs
 * without a database on a free 127.0.0.1 port; bench/peers/pytango_bench.py measures and prints
 * raw latencies, and this file turns them into figures with figures.ts, as for our own servers.
 *
 * Environment overrides, read when a function is called (to point at another install, or to check
 * the absent path: TANGO_BENCH_TANGOTEST=/nonexistent):
 *   TANGO_BENCH_TANGOTEST  the TangoTest binary, default /usr/lib/tango/TangoTest
 *   TANGO_BENCH_PYTHON     a python that imports tango, default /usr/bin/python3 (Debian's: a
 *                          pyenv `python3` on PATH has no python3-tango)
 */

export const PEER_OPS = ["ping", "command_inout DevDouble", "read double_scalar", "write double_scalar", "read 256-double spectrum"] as const;
export type PeerOp = (typeof PEER_OPS)[number];

export interface PeerOptions {
  /** Repeated windows; figures are medians over them. */
  runs: number;
  /** Length of one measurement window, s. */
  seconds: number;
  /** Calls outstanding at once in the in-flight windows. */
  inFlight: number;
  /** Array lengths (doubles) for the large-data part. */
  sizes: readonly number[];
  /** taskset CPU list for TangoTest; ignored without taskset. */
  serverCpu?: string;
  /** taskset CPU list for the python client; ignored without taskset. */
  clientCpu?: string;
  /** Progress lines (to stderr). */
  log: (line: string) => void;
}

export type PeerReport =
  | { available: false; note: string }
  | {
      available: true;
      versions: { tangoTest: string; pytango: string; cppTango: string };
      /** TangoTest's resident set size once idle, before any call; MB = 10^6 bytes. */
      idleRssMB: number;
      requestReply: Record<PeerOp, { sequential: CallFigures; inFlight: CallFigures | null; note?: string }>;
      /** Keys are String(n); null where TangoTest cannot do n (see notes). */
      largeData: { command: Record<string, TransferFigures | null>; spectrumRead: Record<string, TransferFigures | null>; notes: string[] };
    };

const PACKAGES = ["tango-test", "python3-tango"] as const;
const INSTALL_HINT = "run `npm run bench -- --install-peers` (needs apt)";
const DEVICE = "sys/tg_test/1";
const READY_LINE = "Ready to accept request";
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const KILL_TIMEOUT_MS = 2_000;
const CHECK_TIMEOUT_MS = 30_000;
const APT_UPDATE_TIMEOUT_MS = 300_000;
const APT_INSTALL_TIMEOUT_MS = 600_000;
const OUTPUT_KEPT_CHARS = 8_000;
/** As long as part 3 lets our servers settle before reading their RSS. */
const IDLE_SETTLE_MS = 1_500;

function tangoTestPath(): string {
  return process.env.TANGO_BENCH_TANGOTEST ?? "/usr/lib/tango/TangoTest";
}

/** The python that imports tango (TANGO_BENCH_PYTHON, default Debian's /usr/bin/python3). */
export function pythonPath(): string {
  return process.env.TANGO_BENCH_PYTHON ?? "/usr/bin/python3";
}

/** Why the peers cannot run here, or null when they can. */
function findMissingPeers(): string | null {
  const dpkg = spawnSync("dpkg-query", ["-W", "-f=${Package} ${Status}\n", ...PACKAGES], { encoding: "utf8", timeout: CHECK_TIMEOUT_MS });
  if (dpkg.error) return `skipped: dpkg-query is not available (${dpkg.error.message}); the peers are Debian's tango-test and python3-tango`;
  const installed = new Set(dpkg.stdout.split("\n").filter((l) => l.endsWith(" install ok installed")).map((l) => l.split(" ")[0]));
  const absent = PACKAGES.filter((p) => !installed.has(p));
  if (absent.length > 0) return `skipped: Debian's ${absent.join(" and ")} ${absent.length > 1 ? "are" : "is"} not installed; ${INSTALL_HINT}`;
  const binary = tangoTestPath();
  try {
    accessSync(binary, constants.X_OK);
  } catch (err) {
    return `skipped: the TangoTest binary ${binary} (TANGO_BENCH_TANGOTEST) is not executable: ${(err as Error).message}`;
  }
  const py = spawnSync(pythonPath(), ["-c", "import tango"], { encoding: "utf8", timeout: CHECK_TIMEOUT_MS });
  if (py.error || py.status !== 0) {
    const why = py.error?.message ?? lastLine(py.stderr);
    return `skipped: ${pythonPath()} (TANGO_BENCH_PYTHON) cannot import tango: ${why}; ${INSTALL_HINT}`;
  }
  return null;
}

/** Both packages are installed, the TangoTest binary is there and Debian's python imports tango. */
export function peersInstalled(): boolean {
  return findMissingPeers() === null;
}

/**
 * `apt-get install` of Debian's tango-test and python3-tango (after `apt-get update`), without
 * questions. tango-test depends on tango-starter, whose service a package install may start: it is
 * stopped again, so the install leaves nothing running.
 */
export async function installPeers(log: (line: string) => void): Promise<void> {
  if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) {
    throw new Error("--install-peers needs apt-get (Debian or Ubuntu), and there is none on PATH");
  }
  if (process.getuid?.() !== 0) throw new Error("--install-peers runs apt-get install, which needs root; run as root or install tango-test and python3-tango yourself");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  log("peers: apt-get update");
  await runBounded("apt-get", ["update"], env, APT_UPDATE_TIMEOUT_MS);
  log(`peers: apt-get install -y --no-install-recommends ${PACKAGES.join(" ")}`);
  await runBounded("apt-get", ["install", "-y", "--no-install-recommends", ...PACKAGES], env, APT_INSTALL_TIMEOUT_MS);
  await stopStarterService(log);
  const missing = findMissingPeers();
  if (missing !== null) throw new Error(`apt-get installed ${PACKAGES.join(" and ")}, but the peers still cannot run: ${missing}`);
  log("peers: installed");
}

async function stopStarterService(log: (line: string) => void): Promise<void> {
  if (spawnSync("pidof", ["Starter"], { stdio: "ignore" }).status !== 0 || !existsSync("/etc/init.d/tango-starter")) return;
  log("peers: the tango-starter service was started by the install; stopping it");
  await runBounded("/etc/init.d/tango-starter", ["stop"], process.env, STOP_TIMEOUT_MS * 2);
}

/** Runs a command to completion within timeoutMs; rejects with the tail of its output otherwise. */
export async function runBounded(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (s: string): void => { output = (output + s).slice(-OUTPUT_KEPT_CHARS); };
  child.stdout!.setEncoding("utf8").on("data", keep);
  child.stderr!.setEncoding("utf8").on("data", keep);
  const { code, signal, timedOut } = await waitExit(child, timeoutMs);
  if (timedOut) {
    await killAndWait(child);
    throw new Error(`${command} ${args.join(" ")} did not finish within ${timeoutMs / 1000} s:\n${output}`);
  }
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${code ?? signal}):\n${output}`);
  return output;
}

/**
 * cppTango's TangoTest with a PyTango client: request-reply and large-data figures, or
 * `available: false` with the reason when the packages are absent. TangoTest is always stopped.
 */
export async function runPeers(opts: PeerOptions): Promise<PeerReport> {
  const missing = findMissingPeers();
  if (missing !== null) {
    opts.log(`peers: ${missing}`);
    return { available: false, note: missing };
  }
  const canPin = spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;
  const port = await freePort();
  const argv = [tangoTestPath(), "test", "-nodb", "-dlist", DEVICE, "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`];
  const server = await startPeerServer("TangoTest", argv, port, canPin ? opts.serverCpu : undefined, opts.log);
  try {
    await sleep(IDLE_SETTLE_MS);
    const idleRssMB = server.rssBytes() / 1e6;
    const trl = `tango://127.0.0.1:${port}/${DEVICE}#dbase=no`;
    const raw = await runClient(trl, opts, canPin ? opts.clientCpu : undefined);
    return { ...toReport(raw, dpkgVersion("tango-test")), idleRssMB };
  } finally {
    await server.stop();
  }
}

/** A peer device server (cppTango's TangoTest, or the PyTango one) that said it is ready. */
export interface PeerServerProcess {
  /** Resident set size now, bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

/**
 * Starts a Tango device server (`argv`, serving on 127.0.0.1:`port`), pinned to `cpu` when given,
 * and resolves once it prints cppTango's ready line; `name` is for the log lines and errors.
 */
export async function startPeerServer(name: string, argv: readonly string[], port: number, cpu: string | undefined,
  log: (line: string) => void): Promise<PeerServerProcess> {
  const startedAt = performance.now();
  const child = cpu === undefined ? spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] })
    : spawn("taskset", ["-c", cpu, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const stoppingAt = performance.now();
    child.kill("SIGTERM");
    if ((await waitExit(child, STOP_TIMEOUT_MS)).timedOut) {
      log(`peers: ${name} (pid ${child.pid}) ignored SIGTERM for ${STOP_TIMEOUT_MS} ms; killing it`);
      await killAndWait(child);
    }
    log(`peers: ${name} stopped in ${Math.round(performance.now() - stoppingAt)} ms`);
  };
  let output = "";
  const isReady = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    const onData = (s: string): void => {
      output = (output + s).slice(-OUTPUT_KEPT_CHARS);
      if (output.includes(READY_LINE)) { clearTimeout(timer); resolve(true); }
    };
    child.stdout!.setEncoding("utf8").on("data", onData);
    child.stderr!.setEncoding("utf8").on("data", onData);
    child.once("error", (err) => { output += `\n${err.message}`; clearTimeout(timer); resolve(false); });
    child.once("exit", () => { clearTimeout(timer); resolve(false); });
  });
  if (!isReady) {
    const why = child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode})` : `was not ready within ${READY_TIMEOUT_MS / 1000} s`;
    await stop();
    throw new Error(`${name} on 127.0.0.1:${port} ${why}; its output:\n${output}`);
  }
  log(`peers: ${name} ready on 127.0.0.1:${port} in ${Math.round(performance.now() - startedAt)} ms${cpu === undefined ? "" : ` (CPU ${cpu})`}`);
  // It writes little after the ready line, but a full pipe would block it: keep draining.
  child.stdout!.resume();
  child.stderr!.resume();
  // taskset execs the server, so the pid is the server's.
  return { stop, rssBytes: () => rssOf(child.pid!) };
}

/** Runs pytango_bench.py against `trl` and returns its JSON document, unchecked. */
export async function runClient(trl: string, opts: PeerOptions, cpu: string | undefined): Promise<unknown> {
  const script = findClientScript();
  const params = JSON.stringify({ trl, seconds: opts.seconds, runs: opts.runs, in_flight: opts.inFlight, sizes: opts.sizes });
  const argv = [pythonPath(), script, params];
  // Generous: warm-ups, every window, 1M-double calls, python and PyTango start-up.
  const budgetMs = 60_000 + PEER_OPS.length * opts.runs * 2 * (opts.seconds + 1) * 1000;
  const child = cpu === undefined ? spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] })
    : spawn("taskset", ["-c", cpu, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  const chunks: string[] = [];
  child.stdout!.setEncoding("utf8").on("data", (s: string) => { chunks.push(s); });
  let errors = "";
  let pending = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => {
    errors = (errors + s).slice(-OUTPUT_KEPT_CHARS);
    pending += s;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
      opts.log(`peers: ${pending.slice(0, nl)}`);
      pending = pending.slice(nl + 1);
    }
  });
  const { code, signal, timedOut } = await waitExit(child, budgetMs);
  if (timedOut) {
    await killAndWait(child);
    throw new Error(`the PyTango client did not finish within ${Math.round(budgetMs / 1000)} s:\n${errors}`);
  }
  if (code !== 0) throw new Error(`the PyTango client failed (${code ?? signal}):\n${errors}`);
  try {
    return JSON.parse(chunks.join("")) as unknown;
  } catch (err) {
    throw new Error(`the PyTango client printed no JSON document: ${(err as Error).message}`, { cause: err });
  }
}

/** From dist/bench/peers.js the script is in the source tree; from bench/peers.ts (tsx) beside it. */
function findClientScript(): string {
  return findPeerScript("pytango_bench.py");
}

/** A script of bench/peers/ by file name, from dist/bench/ (the source tree) or from bench/ (tsx). */
export function findPeerScript(file: string): string {
  const candidates = [`./peers/${file}`, `../../bench/peers/${file}`].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`bench/peers/${file} not found; looked at ${candidates.join(", ")}`);
  return found;
}

interface Window {
  elapsedS: number;
  latenciesMs: number[];
  /** The client process's CPU time over the window (all threads), s; absent from older documents. */
  cpuS?: number;
}

function figuresOf(w: Window): CallFigures {
  const sorted = [...w.latenciesMs].sort((a, b) => a - b);
  return {
    callsPerSecond: sorted.length / w.elapsedS, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), calls: sorted.length,
    ...(w.cpuS === undefined ? {} : { clientCpuUs: (w.cpuS * 1e6) / sorted.length }),
  };
}

/** Checks the client's document field by field and computes the figures. */
export function toReport(doc: unknown, tangoTestVersion: string): Omit<PeerReport & { available: true }, "idleRssMB"> {
  const versions = field(doc, "versions", "$");
  const rr = field(doc, "requestReply", "$");
  const requestReply = {} as Record<PeerOp, { sequential: CallFigures; inFlight: CallFigures | null; note?: string }>;
  for (const op of PEER_OPS) {
    const entry = field(rr, op, "requestReply");
    const flying = field(entry, "inFlight", op);
    const note = field(entry, "note", op);
    requestReply[op] = {
      sequential: medianCalls(windows(field(entry, "sequential", op), `${op}.sequential`).map(figuresOf)),
      inFlight: flying === null ? null : medianCalls(windows(flying, `${op}.inFlight`).map(figuresOf)),
      ...(typeof note === "string" ? { note } : {}),
    };
  }
  const ld = field(doc, "largeData", "$");
  const transfers = (key: string): Record<string, TransferFigures | null> => {
    const byN = field(ld, key, "largeData");
    if (typeof byN !== "object" || byN === null) throw badDocument(`largeData.${key}`);
    const out: Record<string, TransferFigures | null> = {};
    for (const [n, ms] of Object.entries(byN)) {
      out[n] = ms === null ? null : transferOf(median(numbers(ms, `largeData.${key}.${n}`)), Number(n) * 8);
    }
    return out;
  };
  const notes = field(ld, "notes", "largeData");
  if (!Array.isArray(notes) || !notes.every((s): s is string => typeof s === "string")) throw badDocument("largeData.notes");
  return {
    available: true,
    versions: { tangoTest: tangoTestVersion, pytango: text(field(versions, "pytango", "versions")), cppTango: `${text(field(versions, "cppTango", "versions"))} (libtango9 ${dpkgVersion("libtango9")})` },
    requestReply,
    largeData: { command: transfers("command"), spectrumRead: transfers("spectrumRead"), notes },
  };
}

function field(o: unknown, key: string, where: string): unknown {
  if (typeof o !== "object" || o === null || !(key in o)) throw badDocument(`${where}.${key}`);
  return (o as Record<string, unknown>)[key];
}

function windows(v: unknown, where: string): Window[] {
  if (!Array.isArray(v) || v.length === 0) throw badDocument(where);
  const items: unknown[] = v;
  return items.map((w, i) => {
    const elapsedS = field(w, "elapsedS", `${where}[${i}]`);
    if (typeof elapsedS !== "number" || !(elapsedS > 0)) throw badDocument(`${where}[${i}].elapsedS`);
    const cpuS = typeof w === "object" && w !== null && "cpuS" in w ? w.cpuS : undefined;
    if (cpuS !== undefined && (typeof cpuS !== "number" || !(cpuS >= 0))) throw badDocument(`${where}[${i}].cpuS`);
    return {
      elapsedS, latenciesMs: numbers(field(w, "latenciesMs", `${where}[${i}]`), `${where}[${i}].latenciesMs`),
      ...(cpuS === undefined ? {} : { cpuS }),
    };
  });
}

function numbers(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || v.length === 0) throw badDocument(where);
  const items: unknown[] = v;
  if (!items.every((x): x is number => typeof x === "number")) throw badDocument(where);
  return items;
}

function text(v: unknown): string {
  return typeof v === "string" ? v : String(v);
}

function badDocument(where: string): Error {
  return new Error(`the PyTango client's JSON has no valid ${where}`);
}

/** The installed version of a Debian package, or "unknown". */
export function dpkgVersion(pkg: string): string {
  const q = spawnSync("dpkg-query", ["-W", "-f=${Version}", pkg], { encoding: "utf8", timeout: CHECK_TIMEOUT_MS });
  return q.status === 0 ? q.stdout.trim() : "unknown";
}

function lastLine(s: string): string {
  return s.trim().split("\n").at(-1) ?? "";
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** Waits for the child to exit, at most timeoutMs; a failed spawn counts as exit code -1. */
export async function waitExit(child: ChildProcess, timeoutMs: number): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode, timedOut: false };
  return await new Promise<Exit>((resolve) => {
    const settle = (exit: Exit): void => {
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
      resolve(exit);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => settle({ code, signal, timedOut: false });
    const onError = (): void => settle({ code: -1, signal: null, timedOut: false });
    const timer = setTimeout(() => settle({ code: null, signal: null, timedOut: true }), timeoutMs);
    child.once("exit", onExit);
    child.once("error", onError);
  });
}

/** SIGKILL, and waits (bounded) until the process is gone. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  if ((await waitExit(child, KILL_TIMEOUT_MS)).timedOut) throw new Error(`pid ${child.pid} survived SIGKILL for ${KILL_TIMEOUT_MS} ms`);
}
