import type { RandomSource } from "../../src/devices/tango-test/randomize.js";

/** A deterministic RandomSource (mulberry32), so generator tests do not flake. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A RandomSource that always returns `value`. */
export function constantRandom(value: number): RandomSource {
  return () => value;
}
