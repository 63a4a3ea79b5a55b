import { expect } from "chai";
import { AttrQuality, CmdArgType } from "../../src/core/index.js";
import {
  type Band, type ChangeThresholds, type EventSample, NO_THRESHOLDS, hasThresholds, isChangeEvent, parseBand,
} from "../../src/server/events/criteria.js";

/*
 * spec §12.2 (cppTango EventSupplier::detect_change): the CHANGE criteria on numeric values and
 * the parsing of rel_change/abs_change. Each row is one `it`.
 */

const NS = "Not specified";

function thresholds(rel: string, abs: string): ChangeThresholds {
  return { rel: parseBand(rel), abs: parseBand(abs) };
}

function valid(dataType: CmdArgType, value: unknown): EventSample {
  return { quality: AttrQuality.ATTR_VALID, dataType, value };
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${Array.from(v as unknown as ArrayLike<unknown>, show).join(", ")}]`;
  return String(v);
}

describe("event criteria: parseBand reads rel_change/abs_change as cppTango does", () => {
  const rows: ReadonlyArray<readonly [text: string, band: Band]> = [
    ["Not specified", [undefined, undefined]],
    ["not specified", [undefined, undefined]],
    ["", [undefined, undefined]],
    ["NaN", [undefined, undefined]],
    ["0", [undefined, undefined]],
    ["5", [-5, 5]],
    ["-5", [-5, 5]],
    ["0.25", [-0.25, 0.25]],
    ["2,3", [-2, 3]],
    ["-2,-3", [-2, 3]],
    ["Not specified,5", [undefined, 5]],
    ["4,Not specified", [-4, undefined]],
    ["0,5", [undefined, 5]],
    ["4,0", [-4, undefined]],
  ];
  for (const [text, band] of rows) {
    it(`reads ${JSON.stringify(text)} as [${band.map(String).join(", ")}]`, () => {
      expect(parseBand(text)).to.deep.equal(band);
    });
  }

  it("counts no thresholds when every side is unset, and any single set side as thresholds", () => {
    expect(hasThresholds(NO_THRESHOLDS)).to.equal(false);
    expect(hasThresholds(thresholds(NS, NS))).to.equal(false);
    expect(hasThresholds(thresholds("0", "NaN"))).to.equal(false);
    expect(hasThresholds(thresholds("Not specified,5", NS))).to.equal(true);
    expect(hasThresholds(thresholds(NS, "4,Not specified"))).to.equal(true);
  });
});

interface Row {
  readonly type: CmdArgType;
  readonly prev: unknown;
  readonly next: unknown;
  readonly rel?: string;
  readonly abs?: string;
  readonly fires: boolean;
  /** Why the row matters, when the numbers alone do not say it. */
  readonly because?: string;
}

function runRows(rows: readonly Row[]): void {
  for (const r of rows) {
    const rel = r.rel ?? NS;
    const abs = r.abs ?? NS;
    const band = [rel !== NS ? `rel_change ${rel}` : "", abs !== NS ? `abs_change ${abs}` : ""].filter(Boolean).join(", ");
    const name = `${r.fires ? "fires" : "does not fire"} for ${CmdArgType[r.type]} ${show(r.prev)} → ${show(r.next)}`
      + ` with ${band || "no thresholds"}${r.because ? ` (${r.because})` : ""}`;
    it(name, () => {
      expect(isChangeEvent(valid(r.type, r.prev), valid(r.type, r.next), thresholds(rel, abs))).to.equal(r.fires);
    });
  }
}

const { DevDouble, DevFloat, DevLong, DevLong64, DevULong64, DevShort, DevUShort, DevUChar } = CmdArgType;

describe("event criteria: CHANGE on numbers, abs_change (inclusive edges)", () => {
  runRows([
    { type: DevDouble, prev: 10, next: 12, abs: "2", fires: true, because: "Δabs equal to the threshold" },
    { type: DevDouble, prev: 10, next: 11.9, abs: "2", fires: false },
    { type: DevDouble, prev: 10, next: 8, abs: "2", fires: true, because: "Δabs equal to minus the threshold" },
    { type: DevDouble, prev: 10, next: 8.1, abs: "2", fires: false },
    { type: DevDouble, prev: 10, next: 10, abs: "2", fires: false },
    { type: DevDouble, prev: 10, next: 9, abs: "1,3", fires: true, because: "negative side 1" },
    { type: DevDouble, prev: 10, next: 9.5, abs: "1,3", fires: false },
    { type: DevDouble, prev: 10, next: 12, abs: "1,3", fires: false, because: "positive side 3" },
    { type: DevDouble, prev: 10, next: 13, abs: "1,3", fires: true },
    { type: DevDouble, prev: 10, next: 15, abs: "4,Not specified", fires: false, because: "only the negative side is set" },
    { type: DevDouble, prev: 10, next: 6, abs: "4,Not specified", fires: true },
    { type: DevDouble, prev: 10, next: -90, abs: "Not specified,5", fires: false, because: "only the positive side is set" },
    { type: DevDouble, prev: 10, next: 15, abs: "Not specified,5", fires: true },
    { type: DevDouble, prev: 0.1, next: 0.3, abs: "0.2", fires: true, because: "0.3-0.1 < 0.2 in binary, the 1e-10 slack absorbs it" },
    { type: DevDouble, prev: 0.3, next: 0.1, abs: "0.2", fires: true, because: "the slack works on the negative side too" },
    { type: DevDouble, prev: 0.1, next: 0.2999, abs: "0.2", fires: false, because: "the slack is relative and tiny" },
    { type: DevFloat, prev: 1.5, next: 2, abs: "0.5", fires: true },
    { type: DevFloat, prev: 1.5, next: 1.75, abs: "0.5", fires: false },
    { type: DevFloat, prev: 1.5, next: 1, abs: "0.5", fires: true },
    { type: DevLong, prev: 10, next: 13, abs: "3", fires: true },
    { type: DevLong, prev: 10, next: 12, abs: "3", fires: false },
    { type: DevLong, prev: 10, next: 7, abs: "3", fires: true },
    { type: DevLong, prev: 10, next: 8, abs: "3", fires: false },
    { type: DevLong, prev: -5, next: -2, abs: "2,4", fires: false },
    { type: DevLong, prev: -5, next: -7, abs: "2,4", fires: true },
    { type: DevShort, prev: 100, next: 95, abs: "5", fires: true },
    { type: DevUShort, prev: 100, next: 104, abs: "5", fires: false },
    { type: DevUChar, prev: 200, next: 210, abs: "10", fires: true },
    { type: DevLong64, prev: 9007199254740993n, next: 9007199254741993n, abs: "1000", fires: true, because: "bigints beyond 2^53 subtract exactly" },
    { type: DevLong64, prev: 9007199254740993n, next: 9007199254741992n, abs: "1000", fires: false },
    { type: DevLong64, prev: 9007199254740993n, next: 9007199254739993n, abs: "1000", fires: true },
    { type: DevLong64, prev: -20n, next: -10n, abs: "10", fires: true },
    { type: DevLong64, prev: -20n, next: -11n, abs: "10", fires: false },
    { type: DevULong64, prev: 18446744073709551000n, next: 18446744073709551615n, abs: "615", fires: true },
    { type: DevULong64, prev: 18446744073709551000n, next: 18446744073709551614n, abs: "615", fires: false },
  ]);
});

describe("event criteria: CHANGE on numbers, rel_change in percent of the previous value (inclusive edges)", () => {
  runRows([
    { type: DevDouble, prev: 100, next: 110, rel: "10", fires: true, because: "Δrel = +10 %" },
    { type: DevDouble, prev: 100, next: 109, rel: "10", fires: false },
    { type: DevDouble, prev: 100, next: 90, rel: "10", fires: true, because: "Δrel = -10 %" },
    { type: DevDouble, prev: 100, next: 91, rel: "10", fires: false },
    { type: DevDouble, prev: 100, next: 95, rel: "5,20", fires: true },
    { type: DevDouble, prev: 100, next: 96, rel: "5,20", fires: false },
    { type: DevDouble, prev: 100, next: 119, rel: "5,20", fires: false },
    { type: DevDouble, prev: 100, next: 120, rel: "5,20", fires: true },
    { type: DevDouble, prev: 0, next: 0.001, rel: "100", fires: true, because: "from 0, Δrel is 100 %" },
    { type: DevDouble, prev: 0, next: 1000, rel: "101", fires: false, because: "from 0, Δrel is 100 % however large the step" },
    { type: DevDouble, prev: 0, next: -5, rel: "50,101", fires: false, because: "from 0, Δrel is +100 % even downwards" },
    { type: DevDouble, prev: 0, next: -5, rel: "50,100", fires: true, because: "from 0, Δrel is +100 % even downwards" },
    { type: DevDouble, prev: 0, next: 0, rel: "1", fires: false, because: "0 to 0 is 0 %" },
    { type: DevDouble, prev: -10, next: -5, rel: "10,60", fires: true, because: "Δrel = 5·100/-10 = -50 %: a rise reads negative" },
    { type: DevDouble, prev: -10, next: -15, rel: "10,60", fires: false, because: "Δrel = -5·100/-10 = +50 %" },
    { type: DevDouble, prev: -10, next: -15, rel: "60,10", fires: true, because: "Δrel = +50 % passes the positive side" },
    { type: DevDouble, prev: -10, next: -5, rel: "60,10", fires: false, because: "Δrel = -50 % stays above -60" },
    { type: DevFloat, prev: 4, next: 5, rel: "25", fires: true },
    { type: DevFloat, prev: 4, next: 4.5, rel: "25", fires: false },
    { type: DevLong, prev: 4, next: 6, rel: "50", fires: true, because: "Δrel = +50 %" },
    { type: DevLong, prev: 4, next: 5, rel: "50", fires: false, because: "Δrel = +25 %" },
    { type: DevLong, prev: 4, next: 2, rel: "50", fires: true, because: "Δrel = -50 %" },
    { type: DevLong, prev: 0, next: 1, rel: "100", fires: true },
    { type: DevLong, prev: -4, next: -2, rel: "100,50", fires: false, because: "Δrel = -50 %" },
    { type: DevLong, prev: -4, next: -2, rel: "50,100", fires: true, because: "Δrel = -50 %" },
    { type: DevLong64, prev: 100n, next: 110n, rel: "10", fires: true },
    { type: DevLong64, prev: 100n, next: 109n, rel: "10", fires: false },
    { type: DevLong64, prev: 0n, next: 0n, rel: "10", fires: false },
    { type: DevLong64, prev: 0n, next: -1n, rel: "100", fires: true },
    { type: DevDouble, prev: 100, next: 101, rel: "10", abs: "1", fires: true, because: "abs passes although rel does not" },
    { type: DevDouble, prev: 1, next: 1.2, rel: "10", abs: "1", fires: true, because: "rel passes although abs does not" },
    { type: DevDouble, prev: 100, next: 100.5, rel: "10", abs: "1", fires: false },
  ]);
});

describe("event criteria: CHANGE on NaN", () => {
  runRows([
    { type: DevDouble, prev: 1, next: NaN, abs: "1", fires: true, because: "number → NaN" },
    { type: DevDouble, prev: NaN, next: 1, abs: "1", fires: true, because: "NaN → number" },
    { type: DevDouble, prev: NaN, next: NaN, abs: "1", fires: false },
    { type: DevDouble, prev: 1, next: NaN, rel: "10", fires: true },
    { type: DevDouble, prev: NaN, next: 1, rel: "10", fires: true },
    { type: DevDouble, prev: NaN, next: NaN, rel: "10", fires: false },
    { type: DevFloat, prev: 1, next: NaN, abs: "100", fires: true },
    { type: DevFloat, prev: NaN, next: 1, abs: "100", fires: true },
    { type: DevFloat, prev: NaN, next: NaN, abs: "100", fires: false },
    { type: DevDouble, prev: [1, NaN], next: [1, NaN], abs: "1", fires: false, because: "NaN elements that stay NaN" },
    { type: DevDouble, prev: [1, NaN], next: [1, 2], abs: "1", fires: true },
  ]);
});

describe("event criteria: CHANGE on spectra and images (any element, or a length change)", () => {
  runRows([
    { type: DevDouble, prev: [1, 2, 3], next: [1, 2, 3], abs: "1", fires: false },
    { type: DevDouble, prev: [1, 2, 3], next: [1, 2, 4], abs: "1", fires: true, because: "only the last element passes" },
    { type: DevDouble, prev: [1, 2, 3], next: [0, 2, 3], abs: "1", fires: true, because: "only the first element passes" },
    { type: DevDouble, prev: [1, 2, 3], next: [1.5, 2.5, 3.5], abs: "1", fires: false, because: "every element moves, none enough" },
    { type: DevDouble, prev: [1, 2, 3], next: [1, 2], abs: "1", fires: true, because: "shorter, with equal leading elements" },
    { type: DevDouble, prev: [1, 2], next: [1, 2, 3], abs: "1", fires: true, because: "longer, with equal leading elements" },
    { type: DevDouble, prev: [1], next: [], abs: "1", fires: true, because: "emptied" },
    { type: DevDouble, prev: [], next: [], abs: "1", fires: false },
    { type: DevDouble, prev: new Float64Array([1, 2, 3]), next: new Float64Array([1, 2, 4]), abs: "1", fires: true },
    { type: DevDouble, prev: new Float64Array([1, 2, 3]), next: new Float64Array([1, 2, 3.5]), abs: "1", fires: false },
    { type: DevDouble, prev: new Float64Array([1, 2, 3]), next: new Float64Array([1, 2]), abs: "1", fires: true },
    { type: DevLong, prev: new Int32Array([10, 20]), next: new Int32Array([10, 30]), rel: "50", fires: true },
    { type: DevLong, prev: new Int32Array([10, 20]), next: new Int32Array([10, 29]), rel: "50", fires: false },
    { type: DevLong64, prev: new BigInt64Array([1n, 2n]), next: new BigInt64Array([1n, 7n]), abs: "5", fires: true },
    { type: DevLong64, prev: [1n, 2n], next: [1n, 6n], abs: "5", fires: false },
    { type: DevDouble, prev: [1, 2, 3, 4], next: [1, 2, 3, 4.5], abs: "0.5", fires: true, because: "a 2×2 image, flat" },
    { type: DevDouble, prev: [1, 2, 3, 4], next: [1, 2, 3, 4.4], abs: "0.5", fires: false, because: "a 2×2 image, flat" },
    { type: DevDouble, prev: [1, 2, 3, 4], next: [1, 2, 3, 4, 5, 6], abs: "0.5", fires: true, because: "a 2×2 image becoming 2×3" },
  ]);
});
