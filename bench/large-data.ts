import * as grpc from "@grpc/grpc-js";
import { DeviceProxy } from "../src/client/index.js";
import { median, transferOf, type TransferFigures } from "./figures.js";
import { timeCalls, warmUp } from "./measure.js";
import { withTransport, type ClientTransport } from "./transports.js";
import { CHANNEL_OPTIONS, RAW_ECHO_SERVICE } from "./wire.js";

/*
 * Part 2: large arrays through the TS client, in both wire encodings: command_inout
 * DevVarDoubleArray on TangoTest (n doubles out, the same n back) and a read of an n-double
 * spectrum (ArrayBench's `doubles`, written once beforehand). Each figure is the median time of
 * several calls after warm-up calls (warmUpCallsOf), checked for the right length and values first; with
 * several trials (fresh servers each, see request-reply.ts), of the calls of every trial.
 * Beside the round trip, its baseline: the same 8n bytes through bare grpc-js (the echo server's
 * RAW_ECHO_SERVICE, no protobuf), answered with the received buffer or with a fresh copy.
 */

/**
 * Unrecorded calls before each figure: small arrays are timed over a few thousand calls, too few
 * for both ends to leave V8's first tiers; 2,000 of 1,000 doubles, 20 of 100,000 and of 1,000,000.
 * Large arrays need them too: glibc's malloc maps each of the first multi-megabyte buffers afresh
 * (page faults on every 4 KiB) until its adaptive mmap threshold has risen past their size, which
 * made the first dozen 1,000,000-double calls twice as slow. The peers warm up as many (pytango_bench.py).
 */
function warmUpCallsOf(n: number): number {
  return Math.max(20, Math.min(2000, Math.ceil(2e6 / n)));
}

export const ARRAY_DEVICE = "bench/array/1";
export const ENCODINGS = ["bytes", "packed"] as const;
export type Encoding = (typeof ENCODINGS)[number];

export interface LargeDataResult {
  /** By encoding, then by n (as a string): the DevVarDoubleArray round trip. */
  command: Record<Encoding, Record<string, TransferFigures>>;
  spectrumRead: Record<Encoding, Record<string, TransferFigures>>;
  /** By n: 8n bytes echoed by bare grpc-js, as received (`asIs`) or as fresh copies at both ends (`copied`). */
  bare: Record<BareKind, Record<string, TransferFigures>>;
  /** Every call's ms, for the JSON. */
  samples: Record<string, number[]>;
}

export const BARE_KINDS = ["asIs", "copied"] as const;
export type BareKind = (typeof BARE_KINDS)[number];

export interface LargeDataOptions {
  ours: string;
  /** The echo server (RAW_ECHO_SERVICE). */
  echo: string;
  sizes: readonly number[];
  /** Least time spent per figure; more calls for small arrays. */
  secondsPerFigure: number;
  /** The DeviceProxy's client transport. */
  transport: ClientTransport;
  /** Whether to time the bare grpc-js baseline too (once per trial is enough, whatever the transport). */
  withBare: boolean;
  log: (line: string) => void;
}

/** n doubles that are not all alike, so a wrong echo shows. */
function doubles(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i * 1.000001 + Math.PI;
  return a;
}

function checkEcho(what: string, sent: Float64Array, got: unknown): void {
  const ok = got instanceof Float64Array && got.length === sent.length
    && got[0] === sent[0] && got[sent.length - 1] === sent[sent.length - 1] && got[sent.length >> 1] === sent[sent.length >> 1];
  if (!ok) throw new Error(`${what}: the reply is not the ${sent.length} doubles sent`);
}

type RawCall = (req: Buffer, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Buffer) => void) => void;

/** Times the bare grpc-js echo of each size; every reply checked first. */
async function runBare(opts: LargeDataOptions, result: LargeDataResult): Promise<void> {
  const Ctor = grpc.makeGenericClientConstructor(RAW_ECHO_SERVICE, "RawEcho");
  const client = new Ctor(opts.echo, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as grpc.Client & Record<"Echo" | "EchoCopy", RawCall>;
  try {
    for (const n of opts.sizes) {
      const data = doubles(n);
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const bounds = { minCalls: 3, maxCalls: Math.max(5, Math.ceil(2e7 / n)), minSeconds: opts.secondsPerFigure };
      for (const kind of BARE_KINDS) {
        const call = (): Promise<Buffer> => new Promise((resolve, reject) => {
          const request = kind === "asIs" ? bytes : Buffer.from(bytes);
          const method = kind === "asIs" ? client.Echo : client.EchoCopy;
          method.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 120_000 }, (err, res) => (err ? reject(err) : resolve(res!)));
        });
        const reply = await call();
        checkEcho(`bare grpc-js ${kind}`, data, new Float64Array(reply.buffer.slice(reply.byteOffset, reply.byteOffset + reply.byteLength)));
        await warmUp(call, warmUpCallsOf(n));
        const ms = await timeCalls(call, bounds);
        result.bare[kind][String(n)] = transferOf(median(ms), n * 8);
        result.samples[`bare ${kind} ${n}`] = ms;
      }
      opts.log(`bare grpc-js ${n} doubles: as received ${median(result.samples[`bare asIs ${n}`]!).toFixed(2)} ms, `
        + `fresh copies ${median(result.samples[`bare copied ${n}`]!).toFixed(2)} ms`);
    }
  } finally {
    client.close();
  }
}

export async function runLargeData(opts: LargeDataOptions): Promise<LargeDataResult> {
  const result: LargeDataResult = {
    command: { bytes: {}, packed: {} }, spectrumRead: { bytes: {}, packed: {} }, bare: { asIs: {}, copied: {} }, samples: {},
  };
  if (opts.withBare) await runBare(opts, result);
  for (const encoding of ENCODINGS) {
    const options = withTransport(opts.transport, { arrayEncoding: encoding, timeoutMs: 120_000 });
    const tg = new DeviceProxy(`tango://${opts.ours}/sys/tg_test/1`, options);
    const arr = new DeviceProxy(`tango://${opts.ours}/${ARRAY_DEVICE}`, options);
    try {
      for (const n of opts.sizes) {
        const data = doubles(n);
        const bounds = { minCalls: 3, maxCalls: Math.max(5, Math.ceil(2e7 / n)), minSeconds: opts.secondsPerFigure };

        checkEcho("DevVarDoubleArray", data, await tg.commandInout("DevVarDoubleArray", data));
        const warmUpCalls = warmUpCallsOf(n);
        await warmUp(() => tg.commandInout("DevVarDoubleArray", data), warmUpCalls);
        const cmd = await timeCalls(() => tg.commandInout("DevVarDoubleArray", data), bounds);
        result.command[encoding][String(n)] = transferOf(median(cmd), n * 8);
        result.samples[`command ${encoding} ${n}`] = cmd;

        await arr.writeAttribute("doubles", data);
        checkEcho("spectrum read", data, (await arr.readAttribute("doubles")).value);
        await warmUp(() => arr.readAttribute("doubles"), warmUpCalls);
        const read = await timeCalls(() => arr.readAttribute("doubles"), bounds);
        result.spectrumRead[encoding][String(n)] = transferOf(median(read), n * 8);
        result.samples[`read ${encoding} ${n}`] = read;
        opts.log(`${opts.transport}, ${encoding} ${n} doubles: command ${median(cmd).toFixed(2)} ms (${cmd.length} calls), `
          + `spectrum read ${median(read).toFixed(2)} ms (${read.length} calls)`);
      }
    } finally {
      tg.close();
      arr.close();
    }
  }
  return result;
}

/** The trials' results as one: every call of every trial, figures from their medians. */
export function mergeLargeData(trials: readonly LargeDataResult[]): LargeDataResult {
  const out: LargeDataResult = {
    command: { bytes: {}, packed: {} }, spectrumRead: { bytes: {}, packed: {} }, bare: { asIs: {}, copied: {} }, samples: {},
  };
  for (const t of trials) {
    for (const [key, ms] of Object.entries(t.samples)) (out.samples[key] ??= []).push(...ms);
  }
  for (const [key, ms] of Object.entries(out.samples)) {
    const [kind, variant, n] = key.split(" ") as ["command" | "read" | "bare", string, string];
    const figures = transferOf(median(ms), Number(n) * 8);
    if (kind === "bare") out.bare[variant as BareKind][n] = figures;
    else out[kind === "command" ? "command" : "spectrumRead"][variant as Encoding][n] = figures;
  }
  return out;
}
