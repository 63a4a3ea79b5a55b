import { setImmediate as nextTurn } from "node:timers/promises";
import { PACKED_SLICE_ELEMENTS } from "../core/defaults.js";
import {
  checkVarintsEnd, continuationBytes, encodedBytes, halves, readUint32s, readUint64s, writeVarints,
  type DecodedIntegers, type IntegerArray,
} from "./varint-loops.js";

/*
 * Large packed integer arrays, done in slices with the event loop running between them (issue
 * finding 3: one 16 MiB packed reply held every other connection for seconds). grpc-js calls
 * (de)serializers synchronously, so the slow part is taken out of them: a request's large packed
 * field is kept as a DeferredVarints (a view on the received bytes) and decoded in slices before
 * the handler runs; a reply's large array is counted in slices, the message is laid out with a
 * DeferredEncoding holding its place, and its varints are written there in slices afterwards
 * (request-checks.ts drives both).
 */

/** The typed array a decoded array may be narrowed to (DevVarCharArray in a uint_array). */
export interface Narrowing {
  readonly Ctor: new (n: number) => Uint8Array | Uint16Array | Int16Array;
  readonly min: number;
  readonly max: number;
}

type DecodedCtor = new (n: number) => DecodedIntegers;

/** A large packed field of a request, not decoded yet. @internal */
export class DeferredVarints {
  constructor(
    readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
    readonly Out: DecodedCtor,
    readonly zigzag: boolean,
  ) {}

  /** Decodes it all at once (a field that comes in several parts is joined so). */
  decodeNow(): DecodedIntegers {
    checkVarintsEnd(this.buf, this.start, this.end);
    const out = new this.Out(this.end - this.start - continuationBytes(this.buf, this.start, this.end));
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) readUint64s(this.buf, this.start, halves(out), this.zigzag);
    else readUint32s(this.buf, this.start, out, this.zigzag);
    return out;
  }

  /**
   * Decodes it in slices, yielding to the event loop between them; with `narrow`, into the
   * narrower array when every element fits (else the decoded array, for the codec to refuse).
   */
  async decode(narrow?: Narrowing): Promise<DecodedIntegers | Uint8Array | Uint16Array | Int16Array> {
    const { buf, start, end } = this;
    checkVarintsEnd(buf, start, end);
    let continued = 0;
    for (let at = start; at < end; at += PACKED_SLICE_ELEMENTS) {
      continued += continuationBytes(buf, at, Math.min(end, at + PACKED_SLICE_ELEMENTS));
      await nextTurn();
    }
    const n = end - start - continued;
    const is32 = this.Out !== BigInt64Array && this.Out !== BigUint64Array;
    if (narrow !== undefined && is32) {
      // A slice at a time through one reused scratch array of the wide type: the wide array of
      // the whole field, four times the narrow one, is never made (on a VM its first-touch page
      // faults cost more than the decoding).
      const narrowed = new narrow.Ctor(n);
      const scratch = new this.Out(Math.min(n, PACKED_SLICE_ELEMENTS)) as Int32Array | Uint32Array;
      let p = start;
      let fits = true;
      for (let from = 0; from < n && fits; from += PACKED_SLICE_ELEMENTS) {
        const count = Math.min(PACKED_SLICE_ELEMENTS, n - from);
        p = readUint32s(buf, p, scratch, this.zigzag, 0, count);
        const slice = scratch.subarray(0, count);
        fits = isWithin(slice, narrow.min, narrow.max);
        if (fits) narrowed.set(slice, from);
        await nextTurn();
      }
      // An element out of the narrow type's range: the decoded array as it is, for the codec to refuse.
      if (fits) return narrowed;
    }
    const out = new this.Out(n);
    let p = start;
    for (let from = 0; from < n; from += PACKED_SLICE_ELEMENTS) {
      const to = Math.min(n, from + PACKED_SLICE_ELEMENTS);
      p = out instanceof BigInt64Array || out instanceof BigUint64Array
        ? readUint64s(buf, p, halves(out), this.zigzag, from, to)
        : readUint32s(buf, p, out, this.zigzag, from, to);
      await nextTurn();
    }
    return out;
  }
}

function isWithin(values: Int32Array | Uint32Array, min: number, max: number): boolean {
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < min || x > max) return false;
  }
  return true;
}

/** A large array of a reply whose varints are written after the message is laid out. @internal */
export class DeferredEncoding {
  #buf: Uint8Array | undefined;
  #pos = 0;

  private constructor(readonly values: IntegerArray, readonly zigzag: boolean, readonly bytes: number) {}

  /** Counts the encoded size of `values` in slices. */
  static async of(values: IntegerArray, zigzag: boolean): Promise<DeferredEncoding> {
    let bytes = 0;
    for (let from = 0; from < values.length; from += PACKED_SLICE_ELEMENTS) {
      bytes += encodedBytes(values, zigzag, from, Math.min(values.length, from + PACKED_SLICE_ELEMENTS));
      await nextTurn();
    }
    return new DeferredEncoding(values, zigzag, bytes);
  }

  /** Where the message's writer put its `bytes` (a protobufjs writer operation). */
  static place(this: void, d: DeferredEncoding, buf: Uint8Array, pos: number): void {
    d.#buf = buf;
    d.#pos = pos;
  }

  /** Writes the varints where they were placed, in slices. */
  async fill(): Promise<void> {
    const buf = this.#buf;
    if (buf === undefined) throw new Error("DeferredEncoding.fill before the message was written");
    let p = this.#pos;
    const { values } = this;
    for (let from = 0; from < values.length; from += PACKED_SLICE_ELEMENTS) {
      p = writeVarints(values, this.zigzag, buf, p, from, Math.min(values.length, from + PACKED_SLICE_ELEMENTS));
      await nextTurn();
    }
    if (p !== this.#pos + this.bytes) throw new Error(`DeferredEncoding wrote ${p - this.#pos} bytes, not ${this.bytes}`);
  }
}
