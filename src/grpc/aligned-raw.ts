import protobuf from "protobufjs";
import type { ServiceDefinition } from "@grpc/proto-loader";
import { RAW_VIEW_MIN_BYTES } from "./codec.js";

/*
 * Large `raw` arrays, placed so that the receiver can use them where they lie (DESIGN §8).
 *
 * A receiver maps a typed array straight onto a `raw` block only when the block starts at a
 * multiple of its element size; otherwise it copies it, which for 1,000,000 doubles is 8 MB more
 * to allocate and, worse, to collect: V8 runs a full GC for about every 64 MB of buffers made.
 * grpc-js hands its deserializer the message at offset 5 of a buffer of its own (after the
 * 5-byte gRPC prefix), and for messages of 4 KiB and more that buffer starts an allocation, so
 * a block at message offset 3 (mod 8) lands 8-aligned. Where a block lands is only known once
 * the message is laid out, so a large block is written by one writer operation of fixed length
 * that puts `raw_padding` fields before and after it, splitting 7 spare bytes between them when
 * the message is finished and the block's position is known. Readers ignore `raw_padding`.
 *
 * Messages without a large `raw` block take proto-loader's serializer, byte for byte as before;
 * the protobufjs root used for the others is loaded on first need.
 */

/** Where a receiving grpc-js puts the message: after the compressed flag and the length. */
const GRPC_PREFIX_BYTES = 5;
const ALIGNMENT = 8;
/** Field numbers and wire tags in tango.proto's Value. */
const VALUE_TYPE_TAG = (1 << 3) | 0;
const RAW_TAG = (24 << 3) | 2;
const PADDING_TAG = (25 << 3) | 2;
/** A `raw_padding` field's tag and one-byte length. */
const PADDING_HEADER_BYTES = varintBytes(PADDING_TAG) + 1;
/** Bytes split between the two padding fields. */
const SPARE_BYTES = ALIGNMENT - 1;

/** protobufjs's writer operations (Writer#_push, which its own writers use) and the Value message. */
interface PushingWriter extends protobuf.Writer {
  _push(fn: (value: Uint8Array, buf: Uint8Array, pos: number) => void, len: number, value: Uint8Array): protobuf.Writer;
}
interface ValueMessage {
  type?: number;
  raw?: Uint8Array;
}

function varintBytes(n: number): number {
  let bytes = 1;
  for (let v = n >>> 7; v !== 0; v >>>= 7) bytes++;
  return bytes;
}

function writeVarint(n: number, buf: Uint8Array, pos: number): number {
  let v = n >>> 0;
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writePadding(length: number, buf: Uint8Array, pos: number): number {
  let p = writeVarint(PADDING_TAG, buf, pos);
  buf[p++] = length;
  buf.fill(0, p, p + length);
  return p + length;
}

/** Writes padding, the raw field, padding; `pos` is the position in the finished message. */
function writeAlignedRaw(raw: Uint8Array, buf: Uint8Array, pos: number): void {
  const rawHeader = varintBytes(RAW_TAG) + varintBytes(raw.length);
  const unpadded = GRPC_PREFIX_BYTES + pos + PADDING_HEADER_BYTES + rawHeader;
  const before = (ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT;
  let p = writePadding(before, buf, pos);
  p = writeVarint(RAW_TAG, buf, p);
  p = writeVarint(raw.length, buf, p);
  buf.set(raw, p);
  writePadding(SPARE_BYTES - before, buf, p + raw.length);
}

/** Bytes writeAlignedRaw writes for a block of `length` bytes, whatever its position. */
function alignedRawBytes(length: number): number {
  return 2 * PADDING_HEADER_BYTES + SPARE_BYTES + varintBytes(RAW_TAG) + varintBytes(length) + length;
}

let root: protobuf.Root | undefined;

/** tango.proto in a protobufjs root of our own whose Value writes large blocks aligned. */
function alignedRoot(protoFile: string): protobuf.Root {
  if (root !== undefined) return root;
  const r = new protobuf.Root();
  r.loadSync(protoFile, { keepCase: true });
  r.resolveAll();
  const value = r.lookupType("tango.v1.Value");
  value.setup();
  const encodeOther = value.encode.bind(value);
  // The generated encoders of the messages that hold Values call `types[i].encode` when they run.
  value.encode = (message: protobuf.Message | Record<string, unknown>, writer?: protobuf.Writer): protobuf.Writer => {
    const { type, raw } = message as ValueMessage;
    if (!(raw instanceof Uint8Array) || raw.length < RAW_VIEW_MIN_BYTES) return encodeOther(message, writer);
    const w = (writer ?? protobuf.Writer.create()) as PushingWriter;
    if (type !== undefined && type !== 0) w.uint32(VALUE_TYPE_TAG).int32(type);
    return w._push(writeAlignedRaw, alignedRawBytes(raw.length), raw);
  };
  root = r;
  return r;
}

interface WireValueHolder {
  argin?: { raw?: unknown } | null;
  argout?: { raw?: unknown } | null;
  values?: ReadonlyArray<{ value?: { raw?: unknown } | null; w_value?: { raw?: unknown } | null }>;
}

function isLarge(raw: unknown): boolean {
  return raw instanceof Uint8Array && raw.length >= RAW_VIEW_MIN_BYTES;
}

/** Whether a wire message (a request or reply of tango.v1.Device) carries a large `raw` block. */
function hasLargeRaw(message: object): boolean {
  const m = message as WireValueHolder;
  if (isLarge(m.argin?.raw) || isLarge(m.argout?.raw)) return true;
  if (Array.isArray(m.values)) {
    for (const v of m.values as NonNullable<WireValueHolder["values"]>) if (isLarge(v.value?.raw) || isLarge(v.w_value?.raw)) return true;
  }
  return false;
}

type Serialize = (value: object) => Buffer;

function alignedSerializer(protoFile: string, typeName: string, plain: Serialize): Serialize {
  let type: protobuf.Type | undefined;
  return (value) => {
    if (!hasLargeRaw(value)) return plain(value);
    type ??= alignedRoot(protoFile).lookupType(typeName);
    return type.encode(type.fromObject(value)).finish() as Buffer;
  };
}

/** The methods whose messages hold Values, with their request and reply types. */
const VALUE_METHODS: Readonly<Record<string, readonly [string, string]>> = {
  CommandInout: ["CommandInoutRequest", "CommandInoutReply"],
  ReadAttributes: ["ReadAttributesRequest", "ReadAttributesReply"],
  WriteAttributes: ["WriteAttributesRequest", "WriteAttributesReply"],
  WriteReadAttributes: ["WriteReadAttributesRequest", "ReadAttributesReply"],
};

/**
 * tango.v1.Device with the serializers of the methods that carry Values replaced by ones that
 * align large `raw` blocks; everything else as proto-loader made it.
 *
 * @internal Used by `loadTangoProto`.
 */
export function withAlignedRaw(service: ServiceDefinition, protoFile: string): ServiceDefinition {
  const out: ServiceDefinition = { ...service };
  for (const [method, [request, reply]] of Object.entries(VALUE_METHODS)) {
    const def = service[method];
    if (def === undefined) throw new Error(`tango.v1.Device has no method ${method}`);
    out[method] = {
      ...def,
      requestSerialize: alignedSerializer(protoFile, `tango.v1.${request}`, def.requestSerialize as Serialize),
      responseSerialize: alignedSerializer(protoFile, `tango.v1.${reply}`, def.responseSerialize as Serialize),
    };
  }
  return out;
}
