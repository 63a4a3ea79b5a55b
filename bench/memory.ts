import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { median } from "./figures.js";
import { CLIENT_CPU, distScript, freePort, HAS_TASKSET, startProcess, type BenchProcess } from "./processes.js";

/*
 * Part 3: memory and start-up, each a median over several fresh processes of the program as
 * npm start and the container run it (the bundle, scripts/bundle.ts):
 * - a TangoTest server (`tango-grpc serve`, no config), and one with 1,000 PowerSupply devices;
 * - time from spawn to readiness: the first 200 from the sidecar's /readyz, polled every 5 ms
 *   from the moment of spawn (what a Kubernetes readiness probe sees), and to the ready log line;
 * - RSS 1.5 s after readiness, and idle: 30 s after readiness, when V8's memory reducer has
 *   given back what start-up used (here 9 to 17 s after the start of a quiet process). A server
 *   spends its life in the second state; `docker stats` and Kubernetes see that one.
 * - for scale, the RSS of a bare `node` process doing nothing.
 * The servers are started one after another on the servers' CPU; each one started moves to the
 * clients' CPU to wait, so that no idle server's GC falls into the next one's start-up.
 */

export const MANY_DEVICES = 1000;
/** The program, relative to dist/bench/. */
const PROGRAM = "../src/cli/tango-grpc.js";
/** From readiness to the first RSS reading. */
const SETTLE_MS = 1_500;
/** From readiness to the idle RSS reading. */
const IDLE_MS = 30_000;
const READY_POLL_MS = 5;
const READY_TIMEOUT_MS = 20_000;
const MB = 1e6;

export interface StartRun {
  /** RSS 1.5 s after readiness, MB = 10^6 bytes (the unit of the targets). */
  startedRssMB: number;
  /** RSS after 30 s of idling. */
  idleRssMB: number;
  readyzMs: number;
  readyLineMs: number;
}

/** Medians of the runs. */
export interface StartFigures extends StartRun {
  runs: StartRun[];
}

export interface MemoryResult {
  tangoTest: StartFigures;
  manyDevices: StartFigures & { devices: number };
  bareNodeRssMB: number;
}

/** Polls /readyz from now until it answers 200; resolves to the ms since `since`. */
async function timeToReadyz(port: number, since: number): Promise<number> {
  const deadline = since + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(READY_POLL_MS);
  }
  throw new Error(`/readyz on port ${port} did not answer 200 within ${READY_TIMEOUT_MS} ms`);
}

/** A started server waiting for its idle reading. */
interface Waiting {
  readonly proc: BenchProcess;
  readonly readyAt: number;
  readonly started: Omit<StartRun, "idleRssMB">;
}

async function startOne(args: readonly string[]): Promise<Waiting> {
  const httpPort = await freePort();
  const spawnedAt = performance.now();
  const started = startProcess(distScript(PROGRAM), args, {
    TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: String(httpPort),
    TANGO_LOG_LEVEL: "info",
  });
  const readyz = timeToReadyz(httpPort, spawnedAt);
  let proc: BenchProcess | undefined;
  try {
    proc = await started;
    const readyzMs = await readyz;
    const readyAt = spawnedAt + Math.min(readyzMs, proc.readyMs);
    await sleep(SETTLE_MS);
    const startedRssMB = proc.rssBytes() / MB;
    if (HAS_TASKSET) spawnSync("taskset", ["-a", "-p", "-c", CLIENT_CPU, String(proc.pid)], { stdio: "ignore" });
    return { proc, readyAt, started: { startedRssMB, readyzMs, readyLineMs: proc.readyMs } };
  } catch (err) {
    await proc?.stop();
    await readyz.catch(() => undefined);
    throw err;
  }
}

function mediansOf(runs: StartRun[]): StartFigures {
  const of = (key: keyof StartRun): number => median(runs.map((r) => r[key]));
  return { startedRssMB: of("startedRssMB"), idleRssMB: of("idleRssMB"), readyzMs: of("readyzMs"), readyLineMs: of("readyLineMs"), runs };
}

/** RSS of `node` running an empty timer loop, for scale. */
async function bareNodeRss(): Promise<number> {
  const proc = await startProcess("-e", [
    "setInterval(() => {}, 1000); console.log(JSON.stringify({ msg: 'Ready to accept request', grpcPort: 0 }))",
  ], {});
  try {
    await sleep(SETTLE_MS);
    return proc.rssBytes() / MB;
  } finally {
    await proc.stop();
  }
}

export async function runMemory(opts: { runs: number; log: (line: string) => void }): Promise<MemoryResult> {
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-bench-"));
  const waiting: { config: "tangoTest" | "manyDevices"; w: Waiting }[] = [];
  try {
    const config = join(dir, "many.json");
    writeFileSync(config, JSON.stringify({
      server: "PowerSupply", instance: "bench",
      classes: [{
        name: "PowerSupply",
        devices: Array.from({ length: MANY_DEVICES }, (_, i) => ({ name: `bench/ps/${i + 1}` })),
      }],
    }));
    for (let i = 0; i < opts.runs; i++) {
      waiting.push({ config: "tangoTest", w: await startOne(["serve"]) });
      waiting.push({ config: "manyDevices", w: await startOne(["serve", "--config", config]) });
    }
    const runs: Record<"tangoTest" | "manyDevices", StartRun[]> = { tangoTest: [], manyDevices: [] };
    for (const { config: which, w } of waiting) {
      const wait = w.readyAt + IDLE_MS - performance.now();
      if (wait > 0) await sleep(wait);
      runs[which].push({ ...w.started, idleRssMB: w.proc.rssBytes() / MB });
      await w.proc.stop();
    }
    const tangoTest = mediansOf(runs.tangoTest);
    const many = mediansOf(runs.manyDevices);
    opts.log(`TangoTest: ${tangoTest.idleRssMB.toFixed(1)} MB idle (${tangoTest.startedRssMB.toFixed(1)} MB after start), ready in ${tangoTest.readyzMs.toFixed(0)} ms`);
    opts.log(`${MANY_DEVICES} PowerSupply devices: ${many.idleRssMB.toFixed(1)} MB idle (${many.startedRssMB.toFixed(1)} MB after start), ready in ${many.readyzMs.toFixed(0)} ms`);
    return { tangoTest, manyDevices: { ...many, devices: MANY_DEVICES }, bareNodeRssMB: await bareNodeRss() };
  } finally {
    await Promise.all(waiting.map(({ w }) => w.proc.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
