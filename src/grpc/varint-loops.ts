/*
 * The loops of packed integer arrays (packed-varints.ts): varints between typed arrays and bytes,
 * over a range of elements, so that large arrays can be done in slices between which the event
 * loop runs (deferred-varints.ts). They are written out per element type (no shared generic
 * loop): V8 then sees one typed-array kind at each element access and compiles tight code,
 * several times faster than a loop that meets them all. 64-bit values are handled as two 32-bit
 * halves, never as bigint arithmetic. Little-endian host, as codec.ts assumes.
 */

/** What packed integer fields carry on the way out. */
export type IntegerArray = Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | BigInt64Array | BigUint64Array;
/** What they decode into. */
export type DecodedIntegers = Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** 32-bit halves of a 64-bit typed array. */
export function halves(v: BigInt64Array | BigUint64Array): Uint32Array {
  return new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
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

function zigzag64(h: Uint32Array, i: number): [number, number] {
  const lo = h[i]!;
  const hi = h[i + 1]!;
  const mask = hi >> 31;
  return [((lo << 1) ^ mask) >>> 0, (((hi << 1) | (lo >>> 31)) ^ mask) >>> 0];
}

/** The encoded size of values[from, to) as varints (zigzag for signed fields). */
export function encodedBytes(values: IntegerArray, zigzag: boolean, from = 0, to = values.length): number {
  let n = 0;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const h = halves(values);
    for (let i = 2 * from; i < 2 * to; i += 2) {
      const [lo, hi] = zigzag ? zigzag64(h, i) : [h[i]!, h[i + 1]!];
      n += length64(lo, hi);
    }
    return n;
  }
  if (values instanceof Uint8Array) {
    n = to - from;
    for (let i = from; i < to; i++) if (values[i]! > 127) n++;
    return n;
  }
  if (values instanceof Int32Array) {
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      n += length32(((v << 1) ^ (v >> 31)) >>> 0);
    }
    return n;
  }
  if (values instanceof Int16Array) {
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      n += length32(((v << 1) ^ (v >> 31)) >>> 0);
    }
    return n;
  }
  if (values instanceof Uint32Array) {
    for (let i = from; i < to; i++) n += length32(values[i]!);
    return n;
  }
  for (let i = from; i < to; i++) n += length32(values[i]!);
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

/** Writes values[from, to) as varints at buf[pos]; returns the position after them. */
export function writeVarints(values: IntegerArray, zigzag: boolean, buf: Uint8Array, pos: number, from = 0, to = values.length): number {
  let p = pos;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const h = halves(values);
    for (let i = 2 * from; i < 2 * to; i += 2) {
      let [lo, hi] = zigzag ? zigzag64(h, i) : [h[i]!, h[i + 1]!];
      while (hi !== 0) {
        buf[p++] = (lo & 127) | 128;
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      p = writeUnsigned(lo, buf, p);
    }
  } else if (values instanceof Uint8Array) {
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      if (v < 128) buf[p++] = v;
      else {
        buf[p++] = v | 128;
        buf[p++] = 1;
      }
    }
  } else if (values instanceof Int32Array) {
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      p = writeUnsigned(((v << 1) ^ (v >> 31)) >>> 0, buf, p);
    }
  } else if (values instanceof Int16Array) {
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      p = writeUnsigned(((v << 1) ^ (v >> 31)) >>> 0, buf, p);
    }
  } else if (values instanceof Uint32Array) {
    for (let i = from; i < to; i++) p = writeUnsigned(values[i]!, buf, p);
  } else {
    for (let i = from; i < to; i++) p = writeUnsigned(values[i]!, buf, p);
  }
  return p;
}

/** The bytes of buf[start, end) with the continuation bit set (varints = length − this). */
export function continuationBytes(buf: Uint8Array, start: number, end: number): number {
  let continued = 0;
  for (let i = start; i < end; i++) continued += buf[i]! >>> 7;
  return continued;
}

/** Throws RangeError when buf[start, end) does not end a varint. */
export function checkVarintsEnd(buf: Uint8Array, start: number, end: number): void {
  if (end > start && buf[end - 1]! > 127) throw new RangeError("a packed array ends inside a varint");
}

/**
 * Reads out[from, to) as 32-bit values (the low bits of longer varints) from buf[pos]; returns
 * the position after them.
 */
export function readUint32s(buf: Uint8Array, pos: number, out: Uint32Array | Int32Array, zigzag: boolean, from = 0, to = out.length): number {
  let p = pos;
  for (let k = from; k < to; k++) {
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
  return p;
}

/** The same for 64-bit values, elements [from, to), into the 32-bit halves `h` of the output. */
export function readUint64s(buf: Uint8Array, pos: number, h: Uint32Array, zigzag: boolean, from = 0, to = h.length / 2): number {
  let p = pos;
  for (let k = 2 * from; k < 2 * to; k += 2) {
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
  return p;
}
