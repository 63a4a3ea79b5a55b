import { expect } from "chai";
import { randomize } from "../../src/devices/tango-test/randomize.js";
import { constantRandom, seededRandom } from "./seeded-random.js";

describe("TangoTest randomize", () => {
  it("returns 0 when the maximum is 1 or less, as the C++ template does", () => {
    for (const max of [1, 0, -5, 1.9, 0n]) expect(randomize(max, constantRandom(0.99))).to.equal(0);
  });

  it("draws integers in [0, max)", () => {
    const random = seededRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(randomize(256, random));
    expect(Math.min(...seen)).to.equal(0);
    expect(Math.max(...seen)).to.equal(255);
    expect([...seen].every((v) => Number.isInteger(v))).to.equal(true);
  });

  it("truncates a fractional maximum like C's int cast", () => {
    expect(randomize(2.9, constantRandom(0.999))).to.equal(1);
  });

  it("accepts a bigint maximum", () => {
    expect(randomize(10n, constantRandom(0.5))).to.equal(5);
  });

  it("clips a maximum beyond the C int range instead of overflowing", () => {
    expect(randomize(2 ** 40, constantRandom(0.999999999))).to.be.below(0x7fffffff);
  });
});
