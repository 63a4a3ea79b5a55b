/** A source of uniform random numbers in [0, 1), like `Math.random`; tests pass a seeded one. */
export type RandomSource = () => number;

/** The largest value C's `rand()` returns on glibc; TangoTest draws every random value from it. */
const RAND_MAX = 0x7fffffff;

/**
 * How many values `randomize(max)` can draw: `int(max)`, or 0 when max <= 1 (it then always
 * draws 0). A fractional `max` is truncated (a DevFloat 2.5 draws 0 or 1), and one above the C
 * `int` range is clipped to it instead of overflowing.
 */
export function randomLimit(max: number | bigint): number {
  const limit = Math.min(Math.trunc(Number(max)), RAND_MAX);
  return limit > 1 ? limit : 0;
}

/** A random integer in [0, max) drawn the way TangoTest's `randomize` template does: `rand() % int(max)`. */
export function randomize(max: number | bigint, random: RandomSource): number {
  return Math.floor(random() * randomLimit(max));
}
