import { expect } from "chai";
import {
  generateScalars, initialGeneratedScalars, initialScalarSetValues, type GeneratedScalars,
} from "../../src/devices/tango-test/scalars.js";
import { constantRandom, seededRandom } from "./seeded-random.js";

const all = (): boolean => true;

describe("TangoTest scalars", () => {
  it("generates integers in [0, 256) from init_device's set values, and 0 where the set value is 0", () => {
    const out = initialGeneratedScalars();
    generateScalars(out, { setValues: initialScalarSetValues(), count: 0, random: seededRandom(8) }, all);
    for (const name of ["long_scalar", "long_scalar_rww", "short_scalar", "short_scalar_ro", "short_scalar_rww", "ulong_scalar"] as const) {
      expect(out[name], name).to.be.within(0, 255);
    }
    expect(out.long64_scalar).to.be.a("bigint");
    expect([out.uchar_scalar, out.ushort_scalar, out.float_scalar]).to.deep.equal([0, 0, 0]);
    expect([out.double_scalar, out.double_scalar_rww]).to.deep.equal([0, 0]);
  });

  it("makes the double scalars a sine of the generation count scaled by their set values", () => {
    const setValues = { ...initialScalarSetValues(), double_scalar: 10, double_scalar_w: -2 };
    const out = initialGeneratedScalars();
    generateScalars(out, { setValues, count: 450, random: constantRandom(0) }, all);
    expect(out.double_scalar).to.be.closeTo(10, 1e-9);
    expect(out.double_scalar_rww).to.be.closeTo(-2, 1e-9);
  });

  it("generates the 64-bit scalars from long_scalar's and ulong_scalar's set values, as the C++ does", () => {
    const setValues = { ...initialScalarSetValues(), long_scalar: 2, ulong_scalar: 3 };
    const out = initialGeneratedScalars();
    generateScalars(out, { setValues, count: 0, random: constantRandom(0.99) }, all);
    expect(out.long64_scalar).to.equal(1n);
    expect(out.ulong64_scalar).to.equal(2n);
  });

  it("regenerates only the scalars asked for", () => {
    const out: GeneratedScalars = initialGeneratedScalars();
    generateScalars(out, { setValues: initialScalarSetValues(), count: 0, random: constantRandom(0.5) }, (n) => n === "long_scalar");
    expect(out.long_scalar).to.equal(128);
    expect(out.short_scalar).to.equal(0);
  });
});
