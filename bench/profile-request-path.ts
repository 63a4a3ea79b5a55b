import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpuNsOf, HAS_TASKSET, SERVER_CPU, stopChild } from "./processes.js";
import { DEVICE } from "./request-reply.js";
import { callWindow, warmUp, type Call } from "./measure.js";
import * as grpc from "@grpc/grpc-js";
import { hostname } from "node:os";
import { CLIENT_METADATA } from "../src/grpc/client-metadata.js";
import { CHANNEL_OPTIONS, loadDeviceService } from "./wire.js";

/*
 * A developer's tool, not part of `npm run bench`: the server's CPU per call on the request path,
 * tango-grpc against the bare grpc-js echo, both called by a bare grpc-js client (the same
 * messages, identity metadata and deadline as request-reply.ts's), sequentially and with 64 in
 * flight, one fresh server pair per trial. Built (what the bench measures; tsx's helpers show up in profiles):
 *   npx tsc -p tsconfig.build.json && node dist/bench/profile-request-path.js [--trials 3] [--rounds 3] [--seconds 1]
 *     [--ops ping,cmd,read,write] [--no-echo] [--cpu-prof dir]
 * or from the source with `node --import tsx bench/profile-request-path.ts`.
 * With --cpu-prof, the tango-grpc server writes a V8 CPU profile into dir when it stops.
 */
const { values: args } = parseArgs({
  options: {
    trials: { type: "string", default: "3" },
    seconds: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
    ops: { type: "string", default: "ping,cmd,read,write" },
    "cpu-prof": { type: "string" },
    "no-echo": { type: "boolean", default: false },
    /** Servers run with --trace-gc and a 1 MB semi-space (many scavenges): prints KB allocated per call. */
    alloc: { type: "boolean", default: false },
    /** Runs tango-grpc under the sampling heap profiler (heap-sampled-server.ts), written to this file at the end. */
    "heap-prof": { type: "string" },
    /** A second build (a dist directory, e.g. a copy of dist before a change), measured as "base" in the same rounds. */
    base: { type: "string" },
  },
});

const OPS: Record<string, { method: string; request: object }> = {
  ping: { method: "Ping", request: { device: DEVICE } },
  cmd: { method: "CommandInout", request: { device: DEVICE, command: "DevDouble", argin: { type: 5, double_value: 3.14 }, array_encoding: 1 } },
  read: { method: "ReadAttributes", request: { device: DEVICE, names: ["double_scalar"], source: 2, array_encoding: 1 } },
  write: { method: "WriteAttributes", request: { device: DEVICE, values: [{ name: "double_scalar", value: { type: 5, double_value: 2.5 } }] } },
};

/** Run as dist/bench/*.js (after `tsc -p tsconfig.build.json`), it starts the built servers, as the bench does. */
const IS_BUILT = import.meta.url.endsWith(".js");
const script = (name: string): string => fileURLToPath(new URL(`./${name}.${IS_BUILT ? "js" : "ts"}`, import.meta.url));

interface Proc {
  child: ChildProcess;
  pid: number;
  port: number;
  /** With --alloc: MB allocated so far on the V8 heap, from its --trace-gc lines (each GC's heap before, less the last one's after). */
  allocatedMB: number;
}

/** A --trace-gc line's heap before and after, MB: `… ms: Scavenge 4.8 (5.8) -> 3.8 (6.8) MB, …`. */
const GC_LINE = / ms: [A-Za-z -]+?(?:\([a-z ]+\) )?([\d.]+) \([\d.]+\) -> ([\d.]+) \(/;

async function start(argv: string[], env: NodeJS.ProcessEnv): Promise<Proc> {
  const cmd = [process.execPath, ...(IS_BUILT ? [] : ["--import", "tsx"]), ...argv];
  const child = HAS_TASKSET
    ? spawn("taskset", ["-c", SERVER_CPU, ...cmd], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] })
    : spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const proc = { child, pid: child.pid!, port: 0, allocatedMB: 0 };
  let lastAfterMB: number | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${argv.join(" ")}`)), 30_000);
    let pending = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      pending += s;
      for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const gc = GC_LINE.exec(line);
        if (gc !== null) {
          if (lastAfterMB !== undefined) proc.allocatedMB += Math.max(0, Number(gc[1]) - lastAfterMB);
          lastAfterMB = Number(gc[2]);
          continue;
        }
        if (line.includes("Ready to accept request")) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { grpcPort: number }).grpcPort);
        }
      }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`exited ${code}`)); });
  });
  proc.port = port;
  return proc;
}

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void) => void;

function callsTo(port: number): { calls: Record<string, Call>; close: () => void } {
  const Ctor = grpc.makeGenericClientConstructor(loadDeviceService(), "Device");
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as grpc.Client & Record<string, Unary>;
  const md = new grpc.Metadata();
  md.set(CLIENT_METADATA.pid, String(process.pid));
  md.set(CLIENT_METADATA.host, hostname());
  md.set(CLIENT_METADATA.language, "TypeScript");
  const calls: Record<string, Call> = {};
  for (const [name, op] of Object.entries(OPS)) {
    const fn = client[op.method]!.bind(client);
    calls[name] = () => new Promise<void>((resolve, reject) =>
      fn(op.request, md, { deadline: Date.now() + 3000 }, (err) => (err ? reject(err) : resolve())));
  }
  return { calls, close: () => client.close() };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const ops = args.ops.split(",");
const seconds = Number(args.seconds);
const cpu: Record<string, number[]> = {};
const rate: Record<string, number[]> = {};
/** Calls each side served in the windows (warm-up excluded), to turn a profile's time into time per call. */
const totalCalls: Record<string, number> = {};
/** With --alloc: KB allocated per call in each window, by op, mode and side. */
const allocKB: Record<string, number[]> = {};
/**
 * Every window, on the monotonic clock V8's CPU profiles use (µs): with --cpu-prof, written to
 * windows.json beside the profiles, so that a profile can be cut to the windows (no start-up, no warm-up).
 */
const windows: { pid: number; side: string; op: string; mode: string; startUs: number; endUs: number; calls: number }[] = [];
const dir = mkdtempSync(join(tmpdir(), "profile-path-"));
const config = join(dir, "server.json");
writeFileSync(config, JSON.stringify({ server: "TangoTest", instance: "bench", classes: [{ name: "TangoTest", devices: [{ name: DEVICE }] }] }));
const env = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_LOG_LEVEL: "info" };

for (let t = 0; t < Number(args.trials); t++) {
  const prof = args.alloc ? ["--trace-gc", "--max-semi-space-size=1"] : args["cpu-prof"] === undefined ? [] : ["--cpu-prof", "--cpu-prof-interval=200", `--cpu-prof-dir=${args["cpu-prof"]}`];
  const heapFile = args["heap-prof"] === undefined ? undefined : `${args["heap-prof"]}.${t}.heapprofile`;
  const ours = await start([...prof, script(heapFile === undefined ? "bench-server" : "heap-sampled-server"), "--config", config],
    heapFile === undefined ? env : { ...env, HEAP_PROFILE_FILE: heapFile });
  const echo = args["no-echo"] ? undefined : await start([...prof, script("echo-server"), "--upstream", `127.0.0.1:${ours.port}`], {});
  const base = args.base === undefined ? undefined : await start([...prof, join(args.base, "bench/bench-server.js"), "--config", config], env);
  const sides = [{ name: "ours", proc: ours, ...callsTo(ours.port) },
    ...(base ? [{ name: "base", proc: base, ...callsTo(base.port) }] : []),
    ...(echo ? [{ name: "echo", proc: echo, ...callsTo(echo.port) }] : [])];
  try {
    for (const op of ops) for (const s of sides) await warmUp(s.calls[op]!, 3000, 16);
    for (let r = 0; r < Number(args.rounds); r++) {
      for (const op of ops) {
        for (const [mode, n] of [["seq", 1], ["64", 64]] as const) {
          for (let i = 0; i < sides.length; i++) {
            const s = sides[(r + i) % sides.length]!;
            const startUs = Number(process.hrtime.bigint() / 1000n);
            const allocatedAtStart = s.proc.allocatedMB;
            const f = await callWindow(s.calls[op]!, n, seconds, () => cpuNsOf(s.proc.pid));
            windows.push({ pid: s.proc.pid, side: s.name, op, mode, startUs, endUs: Number(process.hrtime.bigint() / 1000n), calls: f.calls ?? 0 });
            const key = `${op} ${mode} ${s.name}`;
            (cpu[key] ??= []).push(f.serverCpuUs!);
            (rate[key] ??= []).push(f.callsPerSecond);
            totalCalls[s.name] = (totalCalls[s.name] ?? 0) + (f.calls ?? 0);
            (allocKB[key] ??= []).push((s.proc.allocatedMB - allocatedAtStart) * 1024 / (f.calls ?? 1));
          }
        }
      }
    }
  } finally {
    if (heapFile !== undefined) {
      ours.child.kill("SIGUSR2");
      for (let i = 0; i < 200 && !existsSync(heapFile); i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500)); // the write finishing
    }
    for (const s of sides) s.close();
    await Promise.all(sides.map((s) => stopChild(s.proc.child)));
  }
}

const of = (op: string, mode: string, side: string, from: Record<string, number[]>): number =>
  from[`${op} ${mode} ${side}`] === undefined ? NaN : median(from[`${op} ${mode} ${side}`]!);
const pct = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(0)} %`;
console.log("op mode | ours µs/call | base µs/call | echo µs/call | ours÷base | ours÷echo | calls/s ours, base, echo");
for (const op of ops) {
  for (const mode of ["seq", "64"]) {
    const [o, b, e] = ["ours", "base", "echo"].map((side) => of(op, mode, side, cpu)) as [number, number, number];
    const rates = ["ours", "base", "echo"].map((side) => of(op, mode, side, rate).toFixed(0)).join(", ");
    console.log(`${op} ${mode} | ${o.toFixed(1)} | ${b.toFixed(1)} | ${e.toFixed(1)} | ${pct(o / b - 1)} | ${pct(o / e - 1)} | ${rates}`);
  }
}
if (args.alloc) {
  console.log("op mode | KB allocated per call: ours | base | echo");
  for (const op of ops) {
    for (const mode of ["seq", "64"]) {
      console.log(`${op} ${mode} | ${["ours", "base", "echo"].map((side) => of(op, mode, side, allocKB).toFixed(2)).join(" | ")}`);
    }
  }
}
console.log(`calls in the windows: ${JSON.stringify(totalCalls)}`);
if (args["cpu-prof"] !== undefined) writeFileSync(join(args["cpu-prof"], "windows.json"), JSON.stringify(windows));
