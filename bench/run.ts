import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { CHANNEL_OPTIONS, loadDeviceService } from "./wire.js";

/*
 * npm run bench: command_inout DevDouble through one grpc-js client against (a) a tango-grpc
 * TangoTest server and (b) a bare grpc-js echo server with the same messages, each in its own
 * process. Sequential and 64 in flight; every figure is the median of RUNS runs, and the ratio is
 * taken within the same run.
 */
const RUNS = 5;
const SECONDS = 2;
const IN_FLIGHT = 64;

type Unary = (req: unknown, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

async function startChild(script: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...(script.includes("main") ? ["serve"] : [])], {
    env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  for await (const line of lines) {
    if (!line.includes("Ready to accept request")) continue;
    clearTimeout(timer);
    const port = (JSON.parse(line) as { grpcPort: number }).grpcPort;
    lines.removeAllListeners();
    child.stdout!.resume();
    return { child, port };
  }
  throw new Error(`${script} exited before it was ready`);
}

function clientFor(port: number): { call: (req: unknown) => Promise<unknown>; close: () => void } {
  const Ctor = grpc.makeGenericClientConstructor(loadDeviceService(), "Device");
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as grpc.Client & { CommandInout: Unary };
  const fn = client.CommandInout.bind(client);
  return {
    call: (req) => new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res)))),
    close: () => client.close(),
  };
}

interface Figures { callsPerSecond: number; p50Ms: number; p99Ms: number }

async function measure(call: (req: unknown) => Promise<unknown>, req: unknown, concurrency: number): Promise<Figures> {
  for (let i = 0; i < 500; i++) await call(req);
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let count = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await call(req);
      latencies.push(performance.now() - t0);
      count++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { callsPerSecond: count / elapsed, p50Ms: q(0.5), p99Ms: q(0.99) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const tango = await startChild("../src/cli/main.js", {
    TANGO_GRPC_PORT: "0", TANGO_GRPC_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_LOG_LEVEL: "info",
  });
  const echo = await startChild("./echo-server.js", {});
  const req = { device: "sys/tg_test/1", command: "DevDouble", argin: { type: 5, double_value: 3.14 } };
  const ours = clientFor(tango.port);
  const bare = clientFor(echo.port);
  const results: Record<string, { ours: Figures[]; bare: Figures[]; ratio: number[] }> = {};
  try {
    for (const [label, concurrency] of [["sequential", 1], [`${IN_FLIGHT} in flight`, IN_FLIGHT]] as const) {
      const r = (results[label] = { ours: [] as Figures[], bare: [] as Figures[], ratio: [] as number[] });
      for (let run = 0; run < RUNS; run++) {
        const o = await measure(ours.call, req, concurrency);
        const b = await measure(bare.call, req, concurrency);
        r.ours.push(o);
        r.bare.push(b);
        r.ratio.push(b.callsPerSecond / o.callsPerSecond);
      }
    }
  } finally {
    ours.close();
    bare.close();
    tango.child.kill("SIGTERM");
    echo.child.kill("SIGTERM");
    await Promise.all([once(tango.child, "exit"), once(echo.child, "exit")]);
  }
  const rows = Object.entries(results).map(([label, r]) => ({
    label,
    ours: median(r.ours.map((f) => f.callsPerSecond)),
    oursP50: median(r.ours.map((f) => f.p50Ms)),
    oursP99: median(r.ours.map((f) => f.p99Ms)),
    bare: median(r.bare.map((f) => f.callsPerSecond)),
    bareP50: median(r.bare.map((f) => f.p50Ms)),
    overheadPct: (median(r.ratio) - 1) * 100,
  }));
  const fmt = (n: number, d = 0): string => n.toFixed(d);
  console.log("\n## command_inout DevDouble: tango-grpc vs bare grpc-js echo (same client, medians of %d runs)\n", RUNS);
  console.log("| mode | tango-grpc calls/s | p50 ms | p99 ms | bare grpc-js calls/s | p50 ms | overhead |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(`| ${r.label} | ${fmt(r.ours)} | ${fmt(r.oursP50, 3)} | ${fmt(r.oursP99, 3)} | ${fmt(r.bare)} | ${fmt(r.bareP50, 3)} | ${fmt(r.overheadPct, 1)} % |`);
  }
  const out = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}latest.json`, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpus: cpus().map((c) => c.model)[0], cores: cpus().length,
    memoryBytes: totalmem(), runs: RUNS, secondsPerRun: SECONDS, results, summary: rows,
  }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
