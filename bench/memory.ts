import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { median } from "./figures.js";
import { distScript, freePort, startProcess, type BenchProcess } from "./processes.js";

/*
 * Part 3: memory and start-up, each a median over several fresh processes:
 * - a TangoTest server as `tango-grpc serve` runs it with no config (the bundled program, as
 *   npm start and the container run it): RSS once idle;
 * - a server with 1,000 PowerSupply devices: RSS once idle;
 * - time from spawn to readiness: the first 200 from the sidecar's /readyz, polled every 5 ms
 *   from the moment of spawn (what a Kubernetes readiness probe sees), and to the ready log line;
 * - for scale, the RSS of a bare `node` process doing nothing.
 */

export const MANY_DEVICES = 1000;
/** The program as npm start and the container run it (scripts/bundle.ts), from dist/bench/. */
const PROGRAM = "../src/cli/tango-grpc.js";
/** How long a server sits idle after readiness before its RSS is read. */
const SETTLE_MS = 1500;
const READY_POLL_MS = 5;
const READY_TIMEOUT_MS = 20_000;

export interface StartFigures {
  /** Medians; MB = 10^6 bytes, the unit of the targets. */
  rssMB: number;
  readyzMs: number;
  readyLineMs: number;
  runs: { rssMB: number; readyzMs: number; readyLineMs: number }[];
}

export interface MemoryResult {
  tangoTest: StartFigures;
  manyDevices: StartFigures & { devices: number };
  bareNodeRssMB: number;
}

const MB = 1e6;

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

async function measureStart(args: readonly string[], runs: number, env: NodeJS.ProcessEnv): Promise<StartFigures> {
  const all: StartFigures["runs"] = [];
  for (let i = 0; i < runs; i++) {
    const httpPort = await freePort();
    const spawnedAt = performance.now();
    const started = startProcess(distScript(PROGRAM), args, {
      ...env, TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: String(httpPort),
      TANGO_LOG_LEVEL: "info",
    });
    const readyz = timeToReadyz(httpPort, spawnedAt);
    let proc: BenchProcess | undefined;
    try {
      proc = await started;
      const readyzMs = await readyz;
      await sleep(SETTLE_MS);
      all.push({ rssMB: proc.rssBytes() / MB, readyzMs, readyLineMs: proc.readyMs });
    } finally {
      await proc?.stop();
      await readyz.catch(() => undefined);
    }
  }
  return {
    rssMB: median(all.map((r) => r.rssMB)),
    readyzMs: median(all.map((r) => r.readyzMs)),
    readyLineMs: median(all.map((r) => r.readyLineMs)),
    runs: all,
  };
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
  try {
    const tangoTest = await measureStart(["serve"], opts.runs, {});
    opts.log(`TangoTest: ${tangoTest.rssMB.toFixed(1)} MB idle, ready in ${tangoTest.readyzMs.toFixed(0)} ms`);
    const config = join(dir, "many.json");
    writeFileSync(config, JSON.stringify({
      server: "PowerSupply", instance: "bench",
      classes: [{
        name: "PowerSupply",
        devices: Array.from({ length: MANY_DEVICES }, (_, i) => ({ name: `bench/ps/${i + 1}` })),
      }],
    }));
    const many = await measureStart(["serve", "--config", config], opts.runs, {});
    opts.log(`${MANY_DEVICES} PowerSupply devices: ${many.rssMB.toFixed(1)} MB idle, ready in ${many.readyzMs.toFixed(0)} ms`);
    return { tangoTest, manyDevices: { ...many, devices: MANY_DEVICES }, bareNodeRssMB: await bareNodeRss() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
