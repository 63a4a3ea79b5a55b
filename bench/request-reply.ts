import { hostname } from "node:os";
import * as grpc from "@grpc/grpc-js";
import { DeviceProxy } from "../src/client/index.js";
import { CLIENT_TIMEOUT_MS } from "../src/core/defaults.js";
import { CLIENT_METADATA } from "../src/grpc/client-metadata.js";
import { median, medianCalls, pooledCpuUs, type CallFigures } from "./figures.js";
import { callWindow, warmUp, type Call } from "./measure.js";
import { withTransport, type ClientTransport } from "./transports.js";
import { CHANNEL_OPTIONS, loadDeviceService } from "./wire.js";

/*
 * Part 1: request-reply. Each operation runs in three set-ups, in the same rounds:
 * - tango-grpc: the TS client (DeviceProxy) against the tango-grpc server;
 * - echo, TS client: the same DeviceProxy calls against the bare grpc-js echo server, which
 *   answers the same requests with the same replies and nothing else (echo-server.ts);
 * - echo, grpc-js client: a bare grpc-js client making the same calls to the echo: the same
 *   request messages, the same identity metadata and the same 3 s deadline as DeviceProxy.
 * The server overhead compares the first two (same client); the stack overhead compares the
 * first with the third (our client and server against bare grpc-js on both ends). Beside
 * calls/s, each window reads the server process's CPU time per call (all threads, schedstat):
 * our server's work per call against grpc-js alone, whichever end limits the throughput, and
 * the client's CPU time per call (this process's, measure.ts).
 * The tango-grpc set-up runs on the first of `transports` (the DeviceProxy's client transport);
 * each further transport adds a DeviceProxy set-up against the same server to the rounds
 * (`tango-grpc over <transport>`, setupOf), so that the transports compare within one round.
 */

export const DEVICE = "sys/tg_test/1";
/** Calls of each operation and set-up before its windows. */
const WARM_UP_CALLS = 1000;
/** Unrecorded passes over every operation, mode and set-up, after the warm-up calls. */
export const REHEARSALS: number = 2;

/** The operations, named as the peers part names them. */
export const OPS = [
  "ping", "command_inout DevDouble", "read double_scalar", "write double_scalar", "read 256-double spectrum",
] as const;
export type Op = (typeof OPS)[number];

const BYTES = 1; // tango.v1.ArrayEncoding.BYTES, what DeviceProxy asks for
const CACHE_DEV = 2;

/** A call through the TS client, and the same request as a bare grpc-js client sends it. */
const CALLS: Record<Op, { proxy: (dev: DeviceProxy) => Promise<unknown>; method: string; request: object }> = {
  "ping": { proxy: (d) => d.ping(), method: "Ping", request: { device: DEVICE } },
  "command_inout DevDouble": {
    proxy: (d) => d.commandInout("DevDouble", 3.14),
    method: "CommandInout",
    request: { device: DEVICE, command: "DevDouble", argin: { type: 5, double_value: 3.14 }, array_encoding: BYTES },
  },
  "read double_scalar": {
    proxy: (d) => d.readAttribute("double_scalar"),
    method: "ReadAttributes",
    request: { device: DEVICE, names: ["double_scalar"], source: CACHE_DEV, array_encoding: BYTES },
  },
  "write double_scalar": {
    proxy: (d) => d.writeAttribute("double_scalar", 2.5),
    method: "WriteAttributes",
    request: { device: DEVICE, values: [{ name: "double_scalar", value: { type: 5, double_value: 2.5 } }] },
  },
  "read 256-double spectrum": {
    proxy: (d) => d.readAttribute("double_spectrum_ro"),
    method: "ReadAttributes",
    request: { device: DEVICE, names: ["double_spectrum_ro"], source: CACHE_DEV, array_encoding: BYTES },
  },
};

export const SETUPS = ["tango-grpc", "echo, TS client", "echo, grpc-js client"] as const;
export type Setup = (typeof SETUPS)[number];
/** One round's windows by set-up: SETUPS, and one more per transport after the first. */
type Round = Record<Setup, CallFigures> & { [setup: string]: CallFigures | undefined };

/** The set-up of a DeviceProxy on `transport` against tango-grpc, given the transports measured. */
export function setupOf(transport: ClientTransport, transports: readonly ClientTransport[]): string {
  return transport === transports[0] ? "tango-grpc" : `tango-grpc over ${transport}`;
}

export interface ModeResult {
  /** Medians over the rounds, per set-up; the server CPU per call pooled over them. */
  figures: Record<Setup, CallFigures>;
  /** Median over rounds of (echo calls/s ÷ tango-grpc calls/s − 1), in %: our extra time per call. */
  serverOverheadPct: number;
  stackOverheadPct: number;
  /**
   * Median over trials of (tango-grpc server CPU per call ÷ the echo's − 1), in %, same TS client;
   * each CPU per call pooled over the trial's rounds (figures.ts, pooledCpuUs).
   */
  serverCpuOverheadPct: number;
  /**
   * The DeviceProxy against tango-grpc on each client transport, by transport: medians over the
   * rounds, the server's and the client's CPU per call pooled over them.
   */
  byTransport: Partial<Record<ClientTransport, CallFigures>>;
  /** Every round's figures, for the JSON. */
  rounds: Round[];
}

export interface RequestReplyResult {
  sequential: ModeResult;
  inFlight: ModeResult;
}

export interface RequestReplyOptions {
  /** Starts a trial's two servers. */
  startTrial: () => Promise<Trial>;
  /** Trials, each with fresh servers. */
  trials: number;
  /** Rounds per operation and mode in each trial. */
  runs: number;
  seconds: number;
  inFlight: number;
  /** The DeviceProxy's client transports; the first is the tango-grpc set-up's. */
  transports: readonly [ClientTransport, ...ClientTransport[]];
  log: (line: string) => void;
}

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

/** A bare grpc-js client of tango.v1.Device, with the bench's channel options. */
function bareClient(address: string): grpc.Client & Record<string, Unary> {
  const Ctor = grpc.makeGenericClientConstructor(loadDeviceService(), "Device");
  return new Ctor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as grpc.Client & Record<string, Unary>;
}

/** DeviceProxy's identity metadata (src/client/proxy-options.ts), so that the calls are the same. */
function identityMetadata(): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(CLIENT_METADATA.pid, String(process.pid));
  md.set(CLIENT_METADATA.host, hostname());
  md.set(CLIENT_METADATA.language, "TypeScript");
  return md;
}

function bareCall(client: grpc.Client & Record<string, Unary>, method: string, request: object): Call {
  const fn = client[method]!.bind(client);
  const metadata = identityMetadata();
  return () => new Promise((resolve, reject) => fn(request, metadata, { deadline: Date.now() + CLIENT_TIMEOUT_MS },
    (err, res) => (err ? reject(err) : resolve(res))));
}

/** One trial's servers: fresh processes, stopped by the caller's `stop`. */
export interface Trial {
  ours: string;
  echo: string;
  /** CPU time readings (ns) of the two server processes. */
  oursCpuNs: () => number;
  echoCpuNs: () => number;
  stop: () => Promise<void>;
}

type Rounds = Record<Op, Record<"sequential" | "inFlight", Round[]>>;

/** One trial: warm-up, then `runs` rounds of every operation, sequential and in flight. */
async function runTrial(trial: Trial, opts: RequestReplyOptions, into: Rounds): Promise<void> {
  const [first, ...others] = opts.transports;
  const ours = new DeviceProxy(`tango://${trial.ours}/${DEVICE}`, withTransport(first));
  const oursOver = others.map((t) => ({ setup: setupOf(t, opts.transports), proxy: new DeviceProxy(`tango://${trial.ours}/${DEVICE}`, withTransport(t)) }));
  const echoProxy = new DeviceProxy(`tango://${trial.echo}/${DEVICE}`, withTransport(first));
  const bare = bareClient(trial.echo);
  const setups: readonly string[] = [...SETUPS, ...oursOver.map((o) => o.setup)];
  try {
    const callsOf = (op: Op): Record<string, Call> => {
      const spec = CALLS[op];
      return {
        "tango-grpc": () => spec.proxy(ours),
        "echo, TS client": () => spec.proxy(echoProxy),
        "echo, grpc-js client": bareCall(bare, spec.method, spec.request),
        ...Object.fromEntries(oursOver.map((o) => [o.setup, () => spec.proxy(o.proxy)])),
      };
    };
    const cpuOf = (setup: string): (() => number) => (setup.startsWith("echo") ? trial.echoCpuNs : trial.oursCpuNs);
    // Fills the echo's replies and the client's caches, and gets both ends to their optimized
    // code and past their start-up GCs, for every operation before the first window: with a few
    // hundred calls per operation, the first operation's windows still ran partly unoptimized.
    for (const op of OPS) for (const setup of setups) await warmUp(callsOf(op)[setup]!, WARM_UP_CALLS, 16);
    // `runs` rounds of every operation and mode, each added to `record` when given.
    const schedule = async (runs: number, record?: Rounds): Promise<void> => {
      for (const op of OPS) {
        const calls = callsOf(op);
        for (const [mode, concurrency] of [["sequential", 1], ["inFlight", opts.inFlight]] as const) {
          for (let r = 0; r < runs; r++) {
            const round = {} as Round;
            // Rotate the order so no set-up always runs first in a round.
            for (let i = 0; i < setups.length; i++) {
              const setup = setups[(r + i) % setups.length]!;
              round[setup] = await callWindow(calls[setup]!, concurrency, opts.seconds, cpuOf(setup));
            }
            record?.[op][mode].push(round);
          }
        }
      }
    };
    // Then rehearsals: the whole schedule, unrecorded, so that the windows measure the servers'
    // steady state. After the calls above, TurboFan was still compiling (and deoptimizing on
    // shapes first seen with 64 in flight) for seconds: a quarter of tango-grpc's CPU in the
    // first windows, less of the simpler echo's, which the ratios then charged to us. A server
    // sees a third of each pass; tango-grpc's compiles settle after ~8 s of its own load.
    for (let pass = 0; pass < REHEARSALS; pass++) await schedule(1);
    await schedule(opts.runs, into);
  } finally {
    ours.close();
    for (const o of oursOver) o.proxy.close();
    echoProxy.close();
    bare.close();
  }
}

/** `rounds` in trial order, `runs` per trial. */
function summarize(rounds: Round[], runs: number, transports: readonly ClientTransport[]): ModeResult {
  const pooled = (windows: CallFigures[]): CallFigures => ({ ...medianCalls(windows), serverCpuUs: pooledCpuUs(windows) });
  const figures = {} as Record<Setup, CallFigures>;
  for (const setup of SETUPS) figures[setup] = pooled(rounds.map((r) => r[setup]));
  const byTransport: Partial<Record<ClientTransport, CallFigures>> = {};
  for (const t of transports) {
    const setup = setupOf(t, transports);
    byTransport[t] = pooled(rounds.map((r) => r[setup]).filter((w): w is CallFigures => w !== undefined));
  }
  const overhead = (base: Setup): number =>
    (median(rounds.map((r) => r[base].callsPerSecond / r["tango-grpc"].callsPerSecond)) - 1) * 100;
  const trials = Array.from({ length: Math.ceil(rounds.length / runs) }, (_, t) => rounds.slice(t * runs, (t + 1) * runs));
  const cpuOverhead = (median(trials.map((trial) =>
    pooledCpuUs(trial.map((r) => r["tango-grpc"])) / pooledCpuUs(trial.map((r) => r["echo, TS client"])))) - 1) * 100;
  return {
    figures, serverOverheadPct: overhead("echo, TS client"), stackOverheadPct: overhead("echo, grpc-js client"),
    serverCpuOverheadPct: cpuOverhead, byTransport, rounds,
  };
}

/**
 * Runs part 1: `trials` times with fresh server processes (`startTrial`), each with `runs`
 * rounds per operation and mode in which the three set-ups alternate. The figures are medians
 * over the rounds of every trial: one process of the same code can run 30 % slower than the
 * next, for its whole life, so a comparison within one pair of processes is not enough.
 */
export async function runRequestReply(opts: RequestReplyOptions): Promise<Record<Op, RequestReplyResult>> {
  const rounds = Object.fromEntries(OPS.map((op) => [op, { sequential: [], inFlight: [] }])) as unknown as Rounds;
  for (let t = 0; t < opts.trials; t++) {
    const trial = await opts.startTrial();
    try {
      await runTrial(trial, opts, rounds);
    } finally {
      await trial.stop();
    }
    opts.log(`request-reply: trial ${t + 1} of ${opts.trials} done`);
  }
  const results = {} as Record<Op, RequestReplyResult>;
  for (const op of OPS) {
    results[op] = {
      sequential: summarize(rounds[op].sequential, opts.runs, opts.transports),
      inFlight: summarize(rounds[op].inFlight, opts.runs, opts.transports),
    };
    const { sequential, inFlight } = results[op];
    opts.log(`${op}: sequential ${sequential.figures["tango-grpc"].callsPerSecond.toFixed(0)} calls/s `
      + `(server +${sequential.serverOverheadPct.toFixed(1)} %), ${opts.inFlight} in flight `
      + `${inFlight.figures["tango-grpc"].callsPerSecond.toFixed(0)} calls/s (server +${inFlight.serverOverheadPct.toFixed(1)} %)`);
  }
  return results;
}
