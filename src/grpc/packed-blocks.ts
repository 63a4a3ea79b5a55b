import protobuf from "protobufjs";
import { chargePacked } from "./strict-reader.js";

/*
 * `repeated double` and `repeated float` (tango.v1.DoubleArray, FloatArray) as blocks. Packed, such
 * a field is its elements' little-endian bytes one after another, the same bytes as a typed array
 * on a little-endian host (what codec.ts assumes for `raw` too). protobufjs's generated code
 * converts, writes and reads them one element at a time: 1,000,000 doubles took ~350 ms each
 * way. These replacements write a typed array as one block and read a packed field into a typed
 * array with one copy; the bytes on the wire are the ones protobufjs writes (proto3 packs
 * repeated scalars), and an unpacked field (one record per element, also valid) still reads.
 */

type FloatingArray = Float64Array | Float32Array;

interface FloatingArrayCtor {
  readonly BYTES_PER_ELEMENT: number;
  new (length: number): FloatingArray;
  from(values: ArrayLike<number>): FloatingArray;
}

/** `values` of a DoubleArray or FloatArray message: field 1. */
const PACKED_TAG = (1 << 3) | 2;

/**
 * Replaces the codec methods of `type` (DoubleArray: Float64Array, wire type 1; FloatArray:
 * Float32Array, wire type 5) so that its `values` are a typed array from decode to encode.
 * Encoding also takes a plain number array.
 */
export function useBlocks(type: protobuf.Type, Ctor: FloatingArrayCtor): void {
  const size = Ctor.BYTES_PER_ELEMENT;
  const elementTag = (1 << 3) | (size === 8 ? 1 : 5);
  const Message = type.ctor;
  const messageOf = (values: FloatingArray): protobuf.Message => Object.assign(new Message(), { values }) as unknown as protobuf.Message;

  type.fromObject = (object) => {
    const values = (object as { values?: unknown }).values;
    if (values instanceof Ctor) return messageOf(values);
    if (values === undefined || values === null) return messageOf(new Ctor(0));
    if (!Array.isArray(values)) throw new TypeError(`${type.name}.values: array expected`);
    return messageOf(Ctor.from(values.map(Number)));
  };

  type.toObject = (message) => ({ values: (message as unknown as { values: FloatingArray }).values });

  type.encode = (message, writer) => {
    const w = writer ?? protobuf.Writer.create();
    const values = (message as { values?: FloatingArray | readonly number[] }).values;
    if (values === undefined || values.length === 0) return w;
    const block = values instanceof Ctor ? values : Ctor.from(values);
    return w.uint32(PACKED_TAG).bytes(new Uint8Array(block.buffer, block.byteOffset, block.byteLength));
  };

  type.decode = (input, length) => {
    const reader = input instanceof protobuf.Reader ? input : protobuf.Reader.create(input);
    const end = length === undefined ? reader.len : reader.pos + length;
    const parts: (FloatingArray | number)[] = [];
    while (reader.pos < end) {
      const tag = reader.uint32();
      if (tag === PACKED_TAG) {
        const bytes = reader.bytes();
        if (bytes.length % size !== 0) throw new RangeError(`${type.name}.values: ${bytes.length} bytes is not a whole number of elements`);
        chargePacked(reader, bytes.length);
        const block = new Ctor(bytes.length / size);
        new Uint8Array(block.buffer).set(bytes);
        parts.push(block);
      } else if (tag === elementTag) {
        parts.push(size === 8 ? reader.double() : reader.float());
      } else {
        reader.skipType(tag & 7);
      }
    }
    return messageOf(joined(Ctor, parts));
  };
}

/** The elements of `parts` in order, as one typed array (the only part itself when alone). */
function joined(Ctor: FloatingArrayCtor, parts: readonly (FloatingArray | number)[]): FloatingArray {
  const [first] = parts;
  if (parts.length === 1 && typeof first === "object") return first;
  const out = new Ctor(parts.reduce<number>((n, p) => n + (typeof p === "number" ? 1 : p.length), 0));
  let at = 0;
  for (const p of parts) {
    if (typeof p === "number") out[at++] = p;
    else {
      out.set(p, at);
      at += p.length;
    }
  }
  return out;
}
