import protobuf from "protobufjs";
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
 * fast-codec.ts decides which messages are written this way.
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

/**
 * Replaces `Value.encode` of a tango.proto root so that a `raw` block of RAW_VIEW_MIN_BYTES or
 * more is written aligned; other Values are written by the generated encoder. The generated
 * encoders of the messages that hold Values call `types[i].encode` when they run, so they take it.
 */
export function useAlignedRaw(value: protobuf.Type): void {
  value.setup();
  const encodeOther = value.encode.bind(value);
  value.encode = (message, writer) => {
    const { type, raw } = message as ValueMessage;
    if (!(raw instanceof Uint8Array) || raw.length < RAW_VIEW_MIN_BYTES) return encodeOther(message, writer);
    const w = (writer ?? protobuf.Writer.create()) as PushingWriter;
    if (type !== undefined && type !== 0) w.uint32(VALUE_TYPE_TAG).int32(type);
    return w._push(writeAlignedRaw, alignedRawBytes(raw.length), raw);
  };
}
