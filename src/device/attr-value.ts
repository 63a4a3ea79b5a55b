import type { AttrQuality } from "../core/index.js";

/** An image as a flat row-major array with its dimensions (x columns, y rows). */
export interface Image<A = unknown> {
  /** The pixels, row after row: `dimX * dimY` elements. */
  readonly data: A;
  /** Columns (the image's width). */
  readonly dimX: number;
  /** Rows (the image's height). */
  readonly dimY: number;
}

/** Builds an Image from a flat row-major array: `image(pixels, width, height)`. */
export function image<A extends ArrayLike<unknown>>(data: A, dimX: number, dimY: number): Image<A> {
  return { data, dimX, dimY };
}

/** A read value with what Tango attaches to it; see `attrValue`. */
export interface AttrReadValue {
  readonly [ATTR_VALUE]: true;
  /** The value; `undefined` only with quality ATTR_INVALID. */
  readonly value: unknown;
  /** Quality set by device code; the alarm rules then do not override it (spec §6.6 item 1). */
  readonly quality?: AttrQuality;
  /** When the value was acquired, ms since the epoch (default: now). */
  readonly timestampMs?: number;
}

const ATTR_VALUE: unique symbol = Symbol("tango.attrValue");

/**
 * Wraps a read value with a quality or a timestamp, as PyTango's `(value, time, quality)` tuple:
 * `return attrValue(v, { quality: AttrQuality.ATTR_CHANGING })`. An INVALID value may be `undefined`.
 */
export function attrValue(value: unknown, opts: { quality?: AttrQuality; timestampMs?: number } = {}): AttrReadValue {
  return { [ATTR_VALUE]: true, value, quality: opts.quality, timestampMs: opts.timestampMs };
}

/** True for what `attrValue` built. @internal */
export function isAttrReadValue(v: unknown): v is AttrReadValue {
  return typeof v === "object" && v !== null && (v as Partial<AttrReadValue>)[ATTR_VALUE] === true;
}
