import { randomize, type RandomSource } from "./randomize.js";
import { GENERATED_MAX_VALUE } from "./spectra.js";

/** C's `%.Nd`: at least `digits` digits, zero-padded. */
function padDigits(n: number, digits: number): string {
  return String(n).padStart(digits, "0");
}

/** One element of `string_spectrum_ro`: `[07]::hello-world-0073` (C `"[%.2d]::hello-world-%.4d"`). */
export function formatSpectrumString(index: number, value: number): string {
  return `[${padDigits(index, 2)}]::hello-world-${padDigits(value, 4)}`;
}

/** One pixel of `string_image_ro`: `[03][00]::hello world::0014` (x first, then y). */
export function formatImageString(x: number, y: number, value: number): string {
  return `[${padDigits(x, 2)}][${padDigits(y, 2)}]::hello world::${padDigits(value, 4)}`;
}

/** `string_spectrum_ro`: `length` strings, each with its index and a random number in [0, 256). */
export function randomStringSpectrum(length: number, random: RandomSource): string[] {
  const out = new Array<string>(length);
  for (let i = 0; i < length; i++) out[i] = formatSpectrumString(i, randomize(GENERATED_MAX_VALUE, random));
  return out;
}

/** `%.4d` of every value a generated pixel can hold, formatted once. */
const VALUE_TEXTS: readonly string[] = Array.from({ length: GENERATED_MAX_VALUE }, (_, v) => padDigits(v, 4));

/** The constant part of each pixel of a string image, by side: formatting it is most of the cost. */
const PIXEL_PREFIXES = new Map<number, readonly string[]>();

function pixelPrefixes(size: number): readonly string[] {
  let prefixes = PIXEL_PREFIXES.get(size);
  if (prefixes === undefined) {
    const built = new Array<string>(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) built[x + y * size] = formatImageString(x, y, 0).slice(0, -4);
    }
    prefixes = built;
    PIXEL_PREFIXES.set(size, prefixes);
  }
  return prefixes;
}

/** `string_image_ro`: a `size` x `size` row-major image of strings naming their own x and y. */
export function randomStringImage(size: number, random: RandomSource): string[] {
  const prefixes = pixelPrefixes(size);
  const out = new Array<string>(size * size);
  for (let i = 0; i < out.length; i++) out[i] = `${prefixes[i] ?? ""}${VALUE_TEXTS[randomize(GENERATED_MAX_VALUE, random)] ?? ""}`;
  return out;
}
