import { image, type Image } from "../../device/index.js";
import { randomize, type RandomSource } from "./randomize.js";
import type { BigIntArray, NumberArray } from "./spectra.js";

/** Width and height of TangoTest's generated and writable images (C++ kImagLen). */
export const IMAGE_SIZE = 251;

/** `rand() % 2 ? -v : v`, the sign flip TangoTest applies to the beam's offsets and noise. */
function withRandomSign(v: number, random: RandomSource): number {
  return randomize(2, random) !== 0 ? -v : v;
}

/**
 * Draws TangoTest's "dummy beam" into a `size` x `size` image: a cone of height ~size/8 whose
 * centre wanders up to 5 % of the size around the middle and whose radius has ±20 % noise;
 * everything else is 0. Like the C++ it writes pixel (x, y) at `x * size + y`.
 */
export function fillBeamImage<A extends NumberArray | BigIntArray>(out: A, size: number, random: RandomSource): A {
  if (out.length < size * size) throw new RangeError(`a ${size}x${size} image needs ${size * size} elements`);
  const isBig = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const put: (index: number, value: number) => void = isBig
    ? (index, value) => { out[index] = BigInt(value); }
    : (index, value) => { (out as NumberArray)[index] = value; };
  const maxOffset = size * 0.05;
  const centerX = withRandomSign(randomize(maxOffset, random), random);
  const centerY = withRandomSign(randomize(maxOffset, random), random);
  const middle = Math.trunc((size - 1) / 2);
  const originX = middle + centerX;
  const originY = middle + centerY;
  const baseRadius = Math.trunc(size / 8);
  const radius = baseRadius + withRandomSign(randomize(baseRadius * 0.2, random), random);
  if (isBig) out.fill(0n, 0, size * size);
  else (out as NumberArray).fill(0, 0, size * size);
  for (let i = -radius; i < radius; i++) {
    const y = i + originY;
    if (y < 0 || y >= size) continue;
    for (let j = -radius; j < radius; j++) {
      const x = j + originX;
      if (x < 0 || x >= size) continue;
      const distance = Math.trunc(Math.sqrt(i * i + j * j));
      put(x * size + y, distance < radius ? radius - distance : 0);
    }
  }
  return out;
}

/** A copy of a written image, so later writes and the framework's buffers never alias it. */
export function keepWrittenImage<A extends ArrayLike<unknown> & { slice(start: number, end: number): A }>(written: Image<A>): Image<A> {
  return image(written.data.slice(0, written.dimX * written.dimY), written.dimX, written.dimY);
}

/**
 * `buffer` with its first elements replaced by the written pixels, row-major, as C++ `memcpy`s
 * them: what TangoTest's `long_image` reads back, always as its full 251 x 251 buffer.
 */
export function overlayImage<A extends Int32Array>(buffer: A, written: Image<ArrayLike<number>>): A {
  const out = buffer.slice() as A;
  const length = Math.min(written.dimX * written.dimY, written.data.length, out.length);
  for (let i = 0; i < length; i++) out[i] = written.data[i] ?? 0;
  return out;
}

/** The top-left `maxSize` x `maxSize` part of a written string image (a copy). */
export function cropStringImage(written: Image<readonly string[]>, maxSize: number): Image<string[]> {
  const dimX = Math.min(written.dimX, maxSize);
  const dimY = Math.min(written.dimY, maxSize);
  const out = new Array<string>(dimX * dimY);
  for (let y = 0; y < dimY; y++) {
    for (let x = 0; x < dimX; x++) out[x + y * dimX] = written.data[x + y * written.dimX] ?? "";
  }
  return image(out, dimX, dimY);
}
