import { randomize, randomLimit, type RandomSource } from "./randomize.js";

/** TangoTest's generated spectra and its writable spectra hold this many elements (C++ kSpecLen). */
export const SPECTRUM_LENGTH = 256;

/** Generated integers are drawn from [0, 256) (C++ `int_generation_max_value`). */
export const GENERATED_MAX_VALUE = 256;

/**
 * TangoTest's degree-to-radian factor. It uses 3.14159, not π, so `wave[1]` is sin(3.14159/180) =
 * 0.017452391697363293 in the reference reads, not sin(1°).
 */
export const RADIANS_PER_DEGREE = 3.14159 / 180.0;

/** Typed arrays of `number` elements that generated data is written into. */
export type NumberArray =
  | Int16Array | Uint16Array | Int32Array | Uint32Array | Uint8Array | Float32Array | Float64Array;

/** Typed arrays of `bigint` elements (DevLong64, DevULong64). */
export type BigIntArray = BigInt64Array | BigUint64Array;

/** Fills `out` with random integers in [0, maxValue) and returns it. */
export function fillRandom<A extends NumberArray>(out: A, maxValue: number, random: RandomSource): A {
  const limit = randomLimit(maxValue);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * limit);
  return out;
}

/** Fills a 64-bit `out` with random integers in [0, maxValue) and returns it. */
export function fillRandomBig<A extends BigIntArray>(out: A, maxValue: number, random: RandomSource): A {
  const limit = randomLimit(maxValue);
  for (let i = 0; i < out.length; i++) out[i] = BigInt(Math.floor(random() * limit));
  return out;
}

/** `length` random booleans, each true with probability 1/2 (C++ `randomize(2) ? true : false`). */
export function randomBooleans(length: number, random: RandomSource): boolean[] {
  const out = new Array<boolean>(length);
  for (let i = 0; i < length; i++) out[i] = randomize(2, random) !== 0;
  return out;
}

/**
 * The sine of the `wave` attribute: element i is `ampli * sin((i + step % 360)°)`, where `step`
 * counts the generations so far, so the wave advances one degree per generation.
 */
export function fillWave(out: Float64Array, ampli: number, step: number): Float64Array {
  const phase = step % 360;
  for (let i = 0; i < out.length; i++) out[i] = ampli * Math.sin(RADIANS_PER_DEGREE * (i + phase));
  return out;
}

/** The first `SPECTRUM_LENGTH` elements of a written spectrum, copied (C++ truncates the same way). */
export function keepWrittenSpectrum<A extends { slice(start: number, end: number): A }>(written: A): A {
  return written.slice(0, SPECTRUM_LENGTH);
}
