import protobuf from "protobufjs";
import { PACKED_IN_SLICES_MIN_BYTES } from "../core/defaults.js";
import { DeferredEncoding, DeferredVarints } from "./deferred-varints.js";
import { StrictReader, chargePacked } from "./strict-reader.js";
import {
  checkVarintsEnd, continuationBytes, encodedBytes, halves, readUint32s, readUint64s, writeVarints,
  type DecodedIntegers, type IntegerArray,
} from "./varint-loops.js";

/*
 * Packed integer arrays (tango.v1.IntArray sint32, UIntArray uint32, Long64Array sint64,
 * ULong64Array uint64) straight between typed arrays and the wire. protobufjs's generated code
 * goes one element at a time through plain JS arrays and objects: a 16 MiB DevVarCharArray sent
 * packed took seconds and a GB of heap each way (issue finding 3). Here a typed array is written
 * as one field into the message's final buffer (its size counted first), and a packed field is
 * read into one typed array (its element count is its number of bytes below 0x80). Unpacked
 * elements (one record each, also valid proto3) still read. In a request (a StrictReader), a
 * large packed field is left for later, decoded in slices (deferred-varints.ts); in a reply, a
 * DeferredEncoding takes the place of a large array until its varints are written in slices.
 */

/** How one message type's `values` travel. */
export interface VarintKind {
  /** What decoding gives. */
  readonly Out: { new (n: number): DecodedIntegers; readonly BYTES_PER_ELEMENT: number };
  /** Typed arrays written by the block encoder; anything else goes to protobufjs's. */
  readonly accepts: (v: unknown) => v is IntegerArray;
  readonly zigzag: boolean;
}

/** Message type name → its kind. */
export const VARINT_KINDS: Readonly<Record<string, VarintKind>> = {
  IntArray: { Out: Int32Array, zigzag: true, accepts: (v): v is IntegerArray => v instanceof Int32Array || v instanceof Int16Array },
  UIntArray: {
    Out: Uint32Array, zigzag: false,
    accepts: (v): v is IntegerArray => v instanceof Uint32Array || v instanceof Uint16Array || v instanceof Uint8Array,
  },
  Long64Array: { Out: BigInt64Array, zigzag: true, accepts: (v): v is IntegerArray => v instanceof BigInt64Array },
  ULong64Array: { Out: BigUint64Array, zigzag: false, accepts: (v): v is IntegerArray => v instanceof BigUint64Array },
};

/** `values`, field 1: packed (length-delimited) and one element (varint). */
const PACKED_TAG = (1 << 3) | 2;
const ELEMENT_TAG = (1 << 3) | 0;

interface PushingWriter<T> extends protobuf.Writer {
  _push(fn: (value: T, buf: Uint8Array, pos: number) => void, len: number, value: T): protobuf.Writer;
}

type Part = DecodedIntegers | DeferredVarints;

/**
 * The varints of reader.buf[start, end) as a typed array of `kind`, charged to the request's
 * budget first; a large one in a request stays deferred (charged at its most: one byte per element).
 */
function readVarints(reader: protobuf.Reader, kind: VarintKind, start: number, end: number): Part {
  const buf = reader.buf;
  if (reader instanceof StrictReader && end - start >= PACKED_IN_SLICES_MIN_BYTES) {
    chargePacked(reader, (end - start) * kind.Out.BYTES_PER_ELEMENT);
    return new DeferredVarints(buf, start, end, kind.Out, kind.zigzag);
  }
  checkVarintsEnd(buf, start, end);
  const n = end - start - continuationBytes(buf, start, end);
  chargePacked(reader, n * kind.Out.BYTES_PER_ELEMENT);
  const out = new kind.Out(n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) readUint64s(buf, start, halves(out), kind.zigzag);
  else readUint32s(buf, start, out, kind.zigzag);
  return out;
}

/** The length of the varint at `pos`, checked against `end`. */
function varintEnd(buf: Uint8Array, pos: number, end: number): number {
  let p = pos;
  while (p < end && buf[p]! > 127) p++;
  if (p >= end) throw new RangeError("a varint runs past the end of the message");
  return p + 1;
}

/**
 * Replaces the codec methods of `type` (one of VARINT_KINDS) so that its `values` are a typed
 * array from decode to encode. Encoding other values (plain arrays) stays protobufjs's.
 */
export function useVarintBlocks(type: protobuf.Type, kind: VarintKind): void {
  type.setup();
  const Message = type.ctor;
  const plainFromObject = type.fromObject.bind(type);
  const plainToObject = type.toObject.bind(type);
  const plainEncode = type.encode.bind(type);
  const write = (values: IntegerArray, buf: Uint8Array, pos: number): void => {
    writeVarints(values, kind.zigzag, buf, pos);
  };
  const messageOf = (values: unknown): protobuf.Message => Object.assign(new Message(), { values }) as unknown as protobuf.Message;
  const isOurs = (values: unknown): boolean => kind.accepts(values) || values instanceof DeferredEncoding;

  type.fromObject = (object) => {
    const values = (object as { values?: unknown }).values;
    return isOurs(values) ? messageOf(values) : plainFromObject(object);
  };

  type.toObject = (message, options) => {
    const values = (message as unknown as { values?: unknown }).values;
    return ArrayBuffer.isView(values) || values instanceof DeferredVarints ? { values } : plainToObject(message, options);
  };

  type.encode = (message, writer) => {
    const values = (message as { values?: unknown }).values;
    if (values instanceof DeferredEncoding) {
      const w = (writer ?? protobuf.Writer.create()) as PushingWriter<DeferredEncoding>;
      if (values.values.length === 0) return w;
      w.uint32(PACKED_TAG).uint32(values.bytes);
      return w._push(DeferredEncoding.place, values.bytes, values);
    }
    if (!kind.accepts(values)) return plainEncode(message, writer);
    const w = (writer ?? protobuf.Writer.create()) as PushingWriter<IntegerArray>;
    if (values.length === 0) return w;
    const bytes = encodedBytes(values, kind.zigzag);
    w.uint32(PACKED_TAG).uint32(bytes);
    return w._push(write, bytes, values);
  };

  type.decode = (input, length) => {
    const reader = input instanceof protobuf.Reader ? input : protobuf.Reader.create(input);
    const end = length === undefined ? reader.len : reader.pos + length;
    if (end > reader.len) throw new RangeError(`${type.name} runs past the end of the message`);
    const parts: Part[] = [];
    while (reader.pos < end) {
      const tag = reader.uint32();
      if (tag === PACKED_TAG) {
        const len = reader.uint32();
        const start = reader.pos;
        if (start + len > end) throw new RangeError(`${type.name}.values: ${len} bytes run past the end of the message`);
        reader.pos = start + len;
        parts.push(readVarints(reader, kind, start, start + len));
      } else if (tag === ELEMENT_TAG) {
        const start = reader.pos;
        reader.pos = varintEnd(reader.buf, start, end);
        parts.push(readVarints(reader, kind, start, reader.pos));
      } else {
        reader.skipType(tag & 7);
      }
    }
    return messageOf(joined(kind, parts));
  };
}

/** The parts as one value: the only part itself (deferred or not), else all decoded and joined. */
function joined(kind: VarintKind, parts: readonly Part[]): Part {
  const [first] = parts;
  if (parts.length === 1 && first !== undefined) return first;
  const decoded = parts.map((p) => (p instanceof DeferredVarints ? p.decodeNow() : p));
  const out = new kind.Out(decoded.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of decoded) {
    (out as Int32Array).set(p as Int32Array, at);
    at += p.length;
  }
  return out;
}
