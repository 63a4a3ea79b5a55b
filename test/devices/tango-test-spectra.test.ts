import { expect } from "chai";
import {
  fillRandom, fillRandomBig, fillWave, keepWrittenSpectrum, randomBooleans, RADIANS_PER_DEGREE, SPECTRUM_LENGTH,
} from "../../src/devices/tango-test/spectra.js";
import { seededRandom } from "./seeded-random.js";

describe("TangoTest spectra", () => {
  it("fills a typed array with random integers in [0, max)", () => {
    const out = fillRandom(new Float64Array(SPECTRUM_LENGTH), 256, seededRandom(2));
    expect(out).to.have.length(256);
    expect(out.every((v) => Number.isInteger(v) && v >= 0 && v < 256)).to.equal(true);
    expect(new Set(out).size).to.be.above(100);
  });

  it("fills 64-bit arrays with bigints in [0, max)", () => {
    const out = fillRandomBig(new BigUint64Array(SPECTRUM_LENGTH), 256, seededRandom(3));
    expect(out.every((v) => v >= 0n && v < 256n)).to.equal(true);
  });

  it("draws booleans of both values", () => {
    const out = randomBooleans(SPECTRUM_LENGTH, seededRandom(4));
    expect(out).to.have.length(256);
    expect(out).to.include(true).and.to.include(false);
  });

  it("starts the wave as the reference read shows, using 3.14159 for π", () => {
    const wave = fillWave(new Float64Array(SPECTRUM_LENGTH), 1, 0);
    expect([wave[0], wave[1], wave[2]]).to.deep.equal([0, 0.017452391697363293, 0.03489946723613097]);
    expect(RADIANS_PER_DEGREE).to.equal(3.14159 / 180);
  });

  it("scales the wave by ampli and advances it one degree per generation, modulo 360", () => {
    const first = fillWave(new Float64Array(8), 1, 0);
    const next = fillWave(new Float64Array(8), 3, 1);
    for (let i = 0; i < 7; i++) expect(next[i]).to.be.closeTo(3 * (first[i + 1] ?? NaN), 1e-12);
    expect(fillWave(new Float64Array(8), 1, 360)).to.deep.equal(first);
  });

  it("keeps a copy of at most 256 written elements", () => {
    const written = Int16Array.from({ length: 300 }, (_, i) => i);
    const kept = keepWrittenSpectrum(written);
    expect(kept).to.have.length(256);
    expect(kept[255]).to.equal(255);
    written[0] = 99;
    expect(kept[0]).to.equal(0);
    expect(keepWrittenSpectrum(["a", "b"])).to.deep.equal(["a", "b"]);
  });
});
