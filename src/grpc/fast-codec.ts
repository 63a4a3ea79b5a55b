import protobuf from "protobufjs";
import type { ServiceDefinition } from "@grpc/proto-loader";
import { useAlignedRaw } from "./aligned-raw.js";
import { RAW_VIEW_MIN_BYTES } from "./codec.js";
import { useBlocks } from "./packed-blocks.js";
import { VARINT_KINDS, useVarintBlocks } from "./packed-varints.js";

/*
 * The fast paths of tango.v1.Device's codec, for the messages that carry large arrays: `raw`
 * blocks written aligned (aligned-raw.ts) and packed doubles and floats as blocks
 * (packed-blocks.ts). They run on a protobufjs root of our own, loaded from the same file on
 * first need, with the same options as proto-loader's, so that a server that never sees such a
 * message never loads it. Everything else goes through proto-loader's (de)serializers as before.
 */

const roots = new Map<string, protobuf.Root>();

/**
 * The protobufjs root of the fast paths, loaded from `protoFile` on first use (once per file):
 * the same messages, with aligned raw blocks and packed numeric arrays as typed arrays (doubles and
 * floats as blocks, packed-blocks.ts; integers as varints written in one go, packed-varints.ts). Event
 * frames (event-frames.ts) are encoded and decoded with it too.
 *
 * @internal
 */
export function fastRoot(protoFile: string): protobuf.Root {
  let root = roots.get(protoFile);
  if (root === undefined) {
    root = new protobuf.Root();
    root.loadSync(protoFile, { keepCase: true });
    root.resolveAll();
    useAlignedRaw(root.lookupType("tango.v1.Value"));
    useBlocks(root.lookupType("tango.v1.DoubleArray"), Float64Array);
    useBlocks(root.lookupType("tango.v1.FloatArray"), Float32Array);
    for (const [name, kind] of Object.entries(VARINT_KINDS)) useVarintBlocks(root.lookupType(`tango.v1.${name}`), kind);
    roots.set(protoFile, root);
  }
  return root;
}

/** Messages from this size on are read by the fast path (smaller ones cost little either way). */
const FAST_DECODE_MIN_BYTES = 16 * 1024;

type Serialize = (value: object) => Buffer;
type Deserialize = (bytes: Buffer) => object;

interface ValueLike {
  raw?: unknown;
  double_array?: { values?: unknown } | null;
  float_array?: { values?: unknown } | null;
  int_array?: { values?: unknown } | null;
  uint_array?: { values?: unknown } | null;
  long64_array?: { values?: unknown } | null;
  ulong64_array?: { values?: unknown } | null;
}
interface ValueHolder {
  argin?: ValueLike | null;
  argout?: ValueLike | null;
  values?: ReadonlyArray<{ value?: ValueLike | null; w_value?: ValueLike | null }>;
  records?: ReadonlyArray<{ value?: ValueLike | null }>;
  blob?: object | null;
}

/** A large raw block, or a packed numeric array given as a typed array (codec.ts encodes them so). */
function needsFastPath(v: ValueLike | null | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (v.raw instanceof Uint8Array) return v.raw.length >= RAW_VIEW_MIN_BYTES;
  return ArrayBuffer.isView(v.double_array?.values) || ArrayBuffer.isView(v.float_array?.values)
    || ArrayBuffer.isView(v.int_array?.values) || ArrayBuffer.isView(v.uint_array?.values)
    || ArrayBuffer.isView(v.long64_array?.values) || ArrayBuffer.isView(v.ulong64_array?.values);
}

/** Whether a request or reply of tango.v1.Device holds a Value for the fast path. */
function hasFastValue(message: object): boolean {
  const m = message as ValueHolder;
  // A pipe blob may hold typed arrays anywhere in its tree: it always takes the fast path.
  if (typeof m.blob === "object" && m.blob !== null) return true;
  if (needsFastPath(m.argin) || needsFastPath(m.argout)) return true;
  if (Array.isArray(m.values)) {
    for (const v of m.values as NonNullable<ValueHolder["values"]>) if (needsFastPath(v.value) || needsFastPath(v.w_value)) return true;
  }
  if (Array.isArray(m.records)) {
    for (const r of m.records as NonNullable<ValueHolder["records"]>) if (needsFastPath(r.value)) return true;
  }
  return false;
}

/** The methods whose messages hold Values, with their request and reply types. */
const VALUE_METHODS: Readonly<Record<string, readonly [string, string]>> = {
  CommandInout: ["CommandInoutRequest", "CommandInoutReply"],
  ReadAttributes: ["ReadAttributesRequest", "ReadAttributesReply"],
  WriteAttributes: ["WriteAttributesRequest", "WriteAttributesReply"],
  WriteReadAttributes: ["WriteReadAttributesRequest", "ReadAttributesReply"],
  ReadAttributeHistory: ["HistoryRequest", "AttributeHistoryReply"],
  CommandInoutHistory: ["HistoryRequest", "CommandHistoryReply"],
  ReadPipe: ["ReadPipeRequest", "PipeValue"],
  WritePipe: ["WritePipeRequest", "WritePipeReply"],
  WriteReadPipe: ["WriteReadPipeRequest", "PipeValue"],
};

/**
 * tango.v1.Device with the (de)serializers of the methods that carry Values taking the fast
 * paths where a message needs them. `options` are proto-loader's, which the fast path's
 * plain objects follow too.
 *
 * @internal Used by `loadTangoProto`.
 */
export function withFastPaths(service: ServiceDefinition, protoFile: string, options: protobuf.IConversionOptions): ServiceDefinition {
  const typeOf = (name: string): protobuf.Type => fastRoot(protoFile).lookupType(`tango.v1.${name}`);
  const serializer = (name: string, plain: Serialize): Serialize => {
    let type: protobuf.Type | undefined;
    return (value) => {
      // A reply whose large packed arrays were written in slices (request-checks.ts).
      if (Buffer.isBuffer(value)) return value;
      if (!hasFastValue(value)) return plain(value);
      type ??= typeOf(name);
      return type.encode(type.fromObject(value)).finish() as Buffer;
    };
  };
  const deserializer = (name: string, plain: Deserialize): Deserialize => {
    let type: protobuf.Type | undefined;
    return (bytes) => {
      if (bytes.length < FAST_DECODE_MIN_BYTES) return plain(bytes);
      type ??= typeOf(name);
      return type.toObject(type.decode(bytes), options);
    };
  };

  const out: ServiceDefinition = { ...service };
  for (const [method, [request, reply]] of Object.entries(VALUE_METHODS)) {
    const def = service[method];
    if (def === undefined) throw new Error(`tango.v1.Device has no method ${method}`);
    out[method] = {
      ...def,
      requestSerialize: serializer(request, def.requestSerialize as Serialize),
      requestDeserialize: deserializer(request, def.requestDeserialize as Deserialize),
      responseSerialize: serializer(reply, def.responseSerialize as Serialize),
      responseDeserialize: deserializer(reply, def.responseDeserialize as Deserialize),
    };
  }
  // Event stream messages are written pre-encoded (event-frames.ts): each event is encoded once
  // for all its subscribers, and a message is the concatenation of its parts.
  const subscribe = service.Subscribe;
  if (subscribe === undefined) throw new Error("tango.v1.Device has no method Subscribe");
  const plainSerialize = subscribe.responseSerialize as Serialize;
  out.Subscribe = { ...subscribe, responseSerialize: (value: object) => (Buffer.isBuffer(value) ? value : plainSerialize(value)) };
  return out;
}
