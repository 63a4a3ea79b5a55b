import { DeviceProxy } from "../src/client/index.js";
import { median, transferOf, type TransferFigures } from "./figures.js";
import { timeCalls } from "./measure.js";

/*
 * Part 2: large arrays through the TS client, in both wire encodings: command_inout
 * DevVarDoubleArray on TangoTest (n doubles out, the same n back) and a read of an n-double
 * spectrum (ArrayBench's `doubles`, written once beforehand). Each figure is the median time of
 * several calls after one warm-up call, checked for the right length and values first; with
 * several trials (fresh servers each, see request-reply.ts), of the calls of every trial.
 */

export const ARRAY_DEVICE = "bench/array/1";
export const ENCODINGS = ["bytes", "packed"] as const;
export type Encoding = (typeof ENCODINGS)[number];

export interface LargeDataResult {
  /** By encoding, then by n (as a string): the DevVarDoubleArray round trip. */
  command: Record<Encoding, Record<string, TransferFigures>>;
  spectrumRead: Record<Encoding, Record<string, TransferFigures>>;
  /** Every call's ms, for the JSON. */
  samples: Record<string, number[]>;
}

export interface LargeDataOptions {
  ours: string;
  sizes: readonly number[];
  /** Least time spent per figure; more calls for small arrays. */
  secondsPerFigure: number;
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

export async function runLargeData(opts: LargeDataOptions): Promise<LargeDataResult> {
  const result: LargeDataResult = {
    command: { bytes: {}, packed: {} }, spectrumRead: { bytes: {}, packed: {} }, samples: {},
  };
  for (const encoding of ENCODINGS) {
    const options = { arrayEncoding: encoding, timeoutMs: 120_000 } as const;
    const tg = new DeviceProxy(`tango://${opts.ours}/sys/tg_test/1`, options);
    const arr = new DeviceProxy(`tango://${opts.ours}/${ARRAY_DEVICE}`, options);
    try {
      for (const n of opts.sizes) {
        const data = doubles(n);
        const bounds = { minCalls: 3, maxCalls: Math.max(5, Math.ceil(2e7 / n)), minSeconds: opts.secondsPerFigure };

        checkEcho("DevVarDoubleArray", data, await tg.commandInout("DevVarDoubleArray", data));
        const cmd = await timeCalls(() => tg.commandInout("DevVarDoubleArray", data), bounds);
        result.command[encoding][String(n)] = transferOf(median(cmd), n * 8);
        result.samples[`command ${encoding} ${n}`] = cmd;

        await arr.writeAttribute("doubles", data);
        checkEcho("spectrum read", data, (await arr.readAttribute("doubles")).value);
        const read = await timeCalls(() => arr.readAttribute("doubles"), bounds);
        result.spectrumRead[encoding][String(n)] = transferOf(median(read), n * 8);
        result.samples[`read ${encoding} ${n}`] = read;
        opts.log(`${encoding} ${n} doubles: command ${median(cmd).toFixed(2)} ms (${cmd.length} calls), `
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
  const out: LargeDataResult = { command: { bytes: {}, packed: {} }, spectrumRead: { bytes: {}, packed: {} }, samples: {} };
  for (const t of trials) {
    for (const [key, ms] of Object.entries(t.samples)) (out.samples[key] ??= []).push(...ms);
  }
  for (const [key, ms] of Object.entries(out.samples)) {
    const [kind, encoding, n] = key.split(" ") as ["command" | "read", Encoding, string];
    out[kind === "command" ? "command" : "spectrumRead"][encoding][n] = transferOf(median(ms), Number(n) * 8);
  }
  return out;
}
