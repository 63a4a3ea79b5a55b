import { loadSync, type ServiceDefinition } from "@grpc/proto-loader";
import { CmdArgType, coerce, type TypedValue } from "../src/core/index.js";
import { DeferredVarints } from "../src/grpc/deferred-varints.js";
import { ArrayEncoding, PROTO_LOADER_OPTIONS, decodeValue, encodeValue, loadTangoProto, type WireValue } from "../src/grpc/index.js";
import { resolveProtoDir } from "../src/grpc/proto.js";
import { withRequestLimits } from "../src/grpc/request-decoding.js";
import { DEFAULT_MAX_PACKED_ARRAY_BYTES } from "../src/core/defaults.js";
import { fixed, table } from "./report.js";

/*
 * Part 6: packed integer arrays through the server's codec, in process (no transport): the
 * request decoded (bytes → the device's typed array) and the reply encoded (typed array →
 * bytes) of a CommandInout, for the figures of the issue (a 16 MiB DevVarCharArray) and 1,000,000
 * 32- and 64-bit integers. Three paths:
 * - before: the code before the limits work, kept here as the reference: proto-loader's
 *   (de)serializers, which go through one JS number (or decimal string) per element, and the
 *   codec's conversions of that time (`Array.from` on encode, `coerce` element by element on decode);
 * - packed: today's path (packed-varints.ts: typed arrays written and read in one go);
 * - bytes: the same array as one little-endian `raw` block, the encoding the TS client uses.
 * Each figure is the median of several runs after a warm-up; heap is what V8 and Buffers hold
 * more after the run than before it, a hint of the garbage made.
 */

export interface PackedArraysFigure {
  decodeMs: number;
  encodeMs: number;
}

export type PackedPath = "before" | "packed" | "bytes";
export const PACKED_PATHS: readonly PackedPath[] = ["before", "packed", "bytes"];

/** By case name, then path. */
export type PackedArraysResult = Record<string, Record<PackedPath, PackedArraysFigure>>;

interface Case {
  readonly name: string;
  readonly value: TypedValue;
}

function cases(quick: boolean): Case[] {
  const n = quick ? 100_000 : 1_000_000;
  const chars = quick ? 1024 * 1024 : 16 * 1024 * 1024;
  return [
    { name: `DevVarCharArray ${chars.toLocaleString("en-US")}`, value: { type: CmdArgType.DevVarCharArray, value: Uint8Array.from({ length: chars }, (_, i) => (i * 7) & 255) } },
    { name: `DevVarLongArray ${n.toLocaleString("en-US")}`, value: { type: CmdArgType.DevVarLongArray, value: Int32Array.from({ length: n }, (_, i) => (i * 2654435761) | 0) } },
    { name: `DevVarLong64Array ${n.toLocaleString("en-US")}`, value: { type: CmdArgType.DevVarLong64Array, value: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 3_000_000_007n - 1n) } },
  ];
}

type Serialize = (v: object) => Buffer;
type Deserialize = (b: Buffer) => object;

/** The old encodeValue of packed integers: a plain array (decimal strings for 64-bit). */
function encodeBefore(tv: TypedValue): WireValue {
  const wire = encodeValue(tv, ArrayEncoding.PACKED);
  const field = wire.data!;
  const values = Array.from((wire[field] as { values: ArrayLike<number | bigint> }).values, (x) => (typeof x === "bigint" ? String(x) : x));
  return { ...wire, [field]: { values } };
}

/** Decodes, in one go and in place, the packed arrays a request left for later (DeferredVarints). */
function decodeDeferred<T>(value: T): T {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return value;
  for (const [key, inner] of Object.entries(value)) {
    if (inner instanceof DeferredVarints) (value as Record<string, unknown>)[key] = inner.decodeNow();
    else decodeDeferred(inner);
  }
  return value;
}

/** The old decode: the plain array proto-loader gives, coerced element by element. */
function decodeBefore(argin: WireValue): unknown {
  const field = argin.data!;
  const values = (argin[field] as { values: ArrayLike<number | string> }).values;
  const plain = Array.from(values, (x) => (typeof x === "string" ? BigInt(x) : x));
  return coerce(argin.type, plain);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(fn: () => void, runs: number): number {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    ms.push(performance.now() - started);
  }
  return median(ms);
}

/** Runs part 6. */
export function runPackedArrays(opts: { quick: boolean; log: (line: string) => void }): PackedArraysResult {
  const fast = loadTangoProto().deviceService.CommandInout!;
  const limited = withRequestLimits(loadTangoProto().deviceService, { maxPackedArrayBytes: DEFAULT_MAX_PACKED_ARRAY_BYTES }).CommandInout!;
  const plain = (loadSync("tango/v1/tango.proto", { ...PROTO_LOADER_OPTIONS, includeDirs: [resolveProtoDir()] })["tango.v1.Device"] as ServiceDefinition).CommandInout!;
  const runs = opts.quick ? 2 : 5;
  const result: PackedArraysResult = {};
  for (const c of cases(opts.quick)) {
    const request = (argin: WireValue, serialize: Serialize): Buffer =>
      serialize({ device: "sys/tg_test/1", command: "DevVarCharArray", argin, array_encoding: 0 });
    const packedBytes = request(encodeValue(c.value, ArrayEncoding.PACKED), fast.requestSerialize as Serialize);
    const rawBytes = request(encodeValue(c.value, ArrayEncoding.BYTES), fast.requestSerialize as Serialize);
    const row = {} as Record<PackedPath, PackedArraysFigure>;
    row.before = {
      decodeMs: time(() => { decodeBefore(((plain.requestDeserialize as Deserialize)(packedBytes) as { argin: WireValue }).argin); }, runs),
      encodeMs: time(() => { (plain.responseSerialize as Serialize)({ argout: encodeBefore(c.value) }); }, runs),
    };
    row.packed = {
      // Arrays of 1 MiB and more come out of the deserializer undecoded (the server decodes them in
      // slices before the handler): decoded here in one go, so that the figure is the whole work.
      decodeMs: time(() => { decodeValue(decodeDeferred(((limited.requestDeserialize as Deserialize)(packedBytes) as { argin: WireValue }).argin)); }, runs),
      encodeMs: time(() => { (fast.responseSerialize as Serialize)({ argout: encodeValue(c.value, ArrayEncoding.PACKED) }); }, runs),
    };
    row.bytes = {
      decodeMs: time(() => { decodeValue(((limited.requestDeserialize as Deserialize)(rawBytes) as { argin: WireValue }).argin); }, runs),
      encodeMs: time(() => { (fast.responseSerialize as Serialize)({ argout: encodeValue(c.value, ArrayEncoding.BYTES) }); }, runs),
    };
    result[c.name] = row;
    opts.log(`${c.name}: before ${fixed(row.before.decodeMs)}+${fixed(row.before.encodeMs)} ms, packed ${fixed(row.packed.decodeMs)}+${fixed(row.packed.encodeMs)} ms, bytes ${fixed(row.bytes.decodeMs, 1)}+${fixed(row.bytes.encodeMs, 1)} ms`);
  }
  return result;
}

/** The part's table: decode and encode ms per path, and packed against bytes. */
export function printPackedArrays(result: PackedArraysResult): void {
  console.log("\n## Packed integer arrays through the server's codec (part 6)\n");
  const rows = Object.entries(result).map(([name, r]) => {
    const total = (p: PackedPath): number => r[p].decodeMs + r[p].encodeMs;
    return [name, `${fixed(r.before.decodeMs)} + ${fixed(r.before.encodeMs)}`, `${fixed(r.packed.decodeMs)} + ${fixed(r.packed.encodeMs)}`,
      `${fixed(r.bytes.decodeMs, 1)} + ${fixed(r.bytes.encodeMs, 1)}`, `${fixed(total("before") / total("packed"), 1)}×`, `${fixed(total("packed") / total("bytes"), 1)}×`];
  });
  console.log(table(["array", "before: decode + encode ms", "packed now", "bytes", "packed: faster than before", "packed: slower than bytes"], rows));
}
