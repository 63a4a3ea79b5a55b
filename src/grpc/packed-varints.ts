import protobuf from "protobufjs";
import { chargePacked } from "./strict-reader.js";

/*
 * Packed integer arrays (tango.v1.IntArray sint32, UIntArray uint32, Long64Array sint64,
 * ULong64Array uint64) straight between typed arrays and the wire. protobufjs's generated code
 * goes one element at a time through plain JS arrays and objects: a 16 MiB DevVarCharArray sent
 * packed took seconds and a GB of heap each way (issue finding 3). Here a typed array is written
 * as one field into the message's final buffer (its size counted first), and a packed field is
 * read into one typed array (its element count is its number of bytes below 0x80). Unpacked
 * elements (one record each, also valid proto3) still read. 64-bit values are handled as two
 * 32-bit halves, never as bigint arithmetic.
 */

type IntegerArray = Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | BigInt64Array | BigUint64Array;

/** How one message type's `values` travel. */
interface VarintKind {
  /** What decoding gives. */
  readonly Out: { new (n: number): Int32Array | Uint32Array | BigInt64Array | BigUint64Array; readonly BYTES_PER_ELEMENT: number };
  /** Typed arrays written by the block encoder; anything else goes to protobufjs's. */
  readonly accepts: (v: unknown) => v is IntegerArray;
  readonly zigzag: boolean;
  readonly wide: boolean;
}

/** Message type name → its kind. */
export const VARINT_KINDS: Readonly<Record<string, VarintKind>> = {
  IntArray: { Out: Int32Array, zigzag: true, wide: false, accepts: (v): v is IntegerArray => v instanceof Int32Array || v instanceof Int16Array },
  UIntArray: {
    Out: Uint32Array, zigzag: false, wide: false,
    accepts: (v): v is IntegerArray => v instanceof Uint32Array || v instanceof Uint16Array || v instanceof Uint8Array,
  },
  Long64Array: { Out: BigInt64Array, zigzag: true, wide: true, accepts: (v): v is IntegerArray => v instanceof BigInt64Array },
  ULong64Array: { Out: BigUint64Array, zigzag: false, wide: true, accepts: (v): v is IntegerArray => v instanceof BigUint64Array },
};

/** `values`, field 1: packed (length-delimited) and one element (varint). */
const PACKED_TAG = (1 << 3) | 2;
const ELEMENT_TAG = (1 << 3) | 0;

interface PushingWriter extends protobuf.Writer {
  _push(fn: (value: IntegerArray, buf: Uint8Array, pos: number) => void, len: number, value: IntegerArray): protobuf.Writer;
}

function length32(u: number): number {
  return u < 128 ? 1 : u < 16384 ? 2 : u < 2097152 ? 3 : u < 268435456 ? 4 : 5;
}

function length64(lo: number, hi: number): number {
  const part1 = ((lo >>> 28) | (hi << 4)) >>> 0;
  const part2 = hi >>> 24;
  if (part2 !== 0) return part2 < 128 ? 9 : 10;
  if (part1 !== 0) return part1 < 16384 ? (part1 < 128 ? 5 : 6) : part1 < 2097152 ? 7 : 8;
  return length32(lo);
}

/** 32-bit halves of a 64-bit typed array (little-endian host, as codec.ts assumes). */
function halves(v: BigInt64Array | BigUint64Array): Uint32Array {
  return new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
}

/*
 * The loops below are written out per element type (no shared generic loop): V8 then sees one
 * typed-array kind at each element access and compiles tight code, several times faster than a
 * loop that meets them all.
 */

function zigzag64(h: Uint32Array, i: number): [number, number] {
  const lo = h[i]!;
  const hi = h[i + 1]!;
  const mask = hi >> 31;
  return [((lo << 1) ^ mask) >>> 0, (((hi << 1) | (lo >>> 31)) ^ mask) >>> 0];
}

/** The encoded size of `values` as varints. */
function encodedBytes(values: IntegerArray, zigzag: boolean): number {
  let n = 0;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const h = halves(values);
    for (let i = 0; i < h.length; i += 2) {
      const [lo, hi] = zigzag ? zigzag64(h, i) : [h[i]!, h[i + 1]!];
      n += length64(lo, hi);
    }
    return n;
  }
  if (values instanceof Uint8Array) {
    n = values.length;
    for (let i = 0; i < values.length; i++) if (values[i]! > 127) n++;
    return n;
  }
  if (values instanceof Int32Array) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      n += length32(((v << 1) ^ (v >> 31)) >>> 0);
    }
    return n;
  }
  if (values instanceof Int16Array) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      n += length32(((v << 1) ^ (v >> 31)) >>> 0);
    }
    return n;
  }
  if (values instanceof Uint32Array) {
    for (let i = 0; i < values.length; i++) n += length32(values[i]!);
    return n;
  }
  for (let i = 0; i < values.length; i++) n += length32(values[i]!);
  return n;
}

function writeUnsigned(u: number, buf: Uint8Array, pos: number): number {
  let p = pos;
  let v = u;
  while (v > 127) {
    buf[p++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[p++] = v;
  return p;
}

function writeVarints(zigzag: boolean): (values: IntegerArray, buf: Uint8Array, pos: number) => void {
  return (values, buf, pos) => {
    let p = pos;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      const h = halves(values);
      for (let i = 0; i < h.length; i += 2) {
        let [lo, hi] = zigzag ? zigzag64(h, i) : [h[i]!, h[i + 1]!];
        while (hi !== 0) {
          buf[p++] = (lo & 127) | 128;
          lo = ((lo >>> 7) | (hi << 25)) >>> 0;
          hi >>>= 7;
        }
        p = writeUnsigned(lo, buf, p);
      }
    } else if (values instanceof Uint8Array) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < 128) buf[p++] = v;
        else {
          buf[p++] = v | 128;
          buf[p++] = 1;
        }
      }
    } else if (values instanceof Int32Array) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        p = writeUnsigned(((v << 1) ^ (v >> 31)) >>> 0, buf, p);
      }
    } else if (values instanceof Int16Array) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        p = writeUnsigned(((v << 1) ^ (v >> 31)) >>> 0, buf, p);
      }
    } else if (values instanceof Uint32Array) {
      for (let i = 0; i < values.length; i++) p = writeUnsigned(values[i]!, buf, p);
    } else {
      for (let i = 0; i < values.length; i++) p = writeUnsigned(values[i]!, buf, p);
    }
  };
}

/** The number of varints in buf[start, end); throws RangeError when the last one is cut off. */
function countVarints(buf: Uint8Array, start: number, end: number): number {
  let continued = 0;
  for (let i = start; i < end; i++) continued += buf[i]! >>> 7;
  if (end > start && buf[end - 1]! > 127) throw new RangeError("a packed array ends inside a varint");
  return end - start - continued;
}

/** The `out.length` varints from buf[start] on, as 32-bit values (the low bits of longer ones). */
function readUint32s(buf: Uint8Array, start: number, out: Uint32Array | Int32Array, zigzag: boolean): void {
  let p = start;
  for (let k = 0; k < out.length; k++) {
    let b = buf[p++]!;
    let v = b & 127;
    if (b > 127) {
      b = buf[p++]!;
      v |= (b & 127) << 7;
      if (b > 127) {
        b = buf[p++]!;
        v |= (b & 127) << 14;
        if (b > 127) {
          b = buf[p++]!;
          v |= (b & 127) << 21;
          if (b > 127) {
            b = buf[p++]!;
            v |= b << 28;
            while (b > 127) b = buf[p++]!;
          }
        }
      }
    }
    out[k] = zigzag ? (v >>> 1) ^ -(v & 1) : v >>> 0;
  }
}

/** The same for 64-bit values, into the 32-bit halves of the output. */
function readUint64s(buf: Uint8Array, start: number, h: Uint32Array, zigzag: boolean): void {
  let p = start;
  for (let k = 0; k < h.length; k += 2) {
    let lo = 0;
    let hi = 0;
    let b: number;
    let i = 0;
    do {
      b = buf[p++]!;
      const bits = b & 127;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else if (i < 10) hi |= bits << (7 * i - 32);
      i++;
    } while (b > 127);
    if (zigzag) {
      const mask = -(lo & 1);
      lo = ((lo >>> 1) | (hi << 31)) ^ mask;
      hi = (hi >>> 1) ^ mask;
    }
    h[k] = lo >>> 0;
    h[k + 1] = hi >>> 0;
  }
}

/**
 * Reads the varints of buf[start, end) into a new array of `kind`. Throws RangeError when the
 * last varint is cut off. Charges the decoded bytes to the reader's budget before allocating.
 */
function readVarints(reader: protobuf.Reader, kind: VarintKind, start: number, end: number): Int32Array | Uint32Array | BigInt64Array | BigUint64Array {
  const n = countVarints(reader.buf, start, end);
  chargePacked(reader, n * kind.Out.BYTES_PER_ELEMENT);
  const out = new kind.Out(n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) readUint64s(reader.buf, start, halves(out), kind.zigzag);
  else readUint32s(reader.buf, start, out, kind.zigzag);
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
  const write = writeVarints(kind.zigzag);
  const messageOf = (values: unknown): protobuf.Message => Object.assign(new Message(), { values }) as unknown as protobuf.Message;

  type.fromObject = (object) => {
    const values = (object as { values?: unknown }).values;
    return kind.accepts(values) ? messageOf(values) : plainFromObject(object);
  };

  type.toObject = (message, options) => {
    const values = (message as unknown as { values?: unknown }).values;
    return ArrayBuffer.isView(values) ? { values } : plainToObject(message, options);
  };

  type.encode = (message, writer) => {
    const values = (message as { values?: unknown }).values;
    if (!kind.accepts(values)) return plainEncode(message, writer);
    const w = (writer ?? protobuf.Writer.create()) as PushingWriter;
    if (values.length === 0) return w;
    const bytes = encodedBytes(values, kind.zigzag);
    w.uint32(PACKED_TAG).uint32(bytes);
    return w._push(write, bytes, values);
  };

  type.decode = (input, length) => {
    const reader = input instanceof protobuf.Reader ? input : protobuf.Reader.create(input);
    const end = length === undefined ? reader.len : reader.pos + length;
    if (end > reader.len) throw new RangeError(`${type.name} runs past the end of the message`);
    const parts: ReturnType<typeof readVarints>[] = [];
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

function joined(kind: VarintKind, parts: readonly ReturnType<typeof readVarints>[]): ReturnType<typeof readVarints> {
  const [first] = parts;
  if (parts.length === 1 && first !== undefined) return first;
  const out = new kind.Out(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    (out as Int32Array).set(p as Int32Array, at);
    at += p.length;
  }
  return out;
}
