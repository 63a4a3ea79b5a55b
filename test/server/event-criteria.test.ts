import { expect } from "chai";
import { AttrQuality, CmdArgType, type DevError, DevState, ErrSeverity } from "../../src/core/index.js";
import {
  type ChangeThresholds, type EventSample, NO_THRESHOLDS, archiveDecision, isAlarmEvent, isChangeEvent,
  isPeriodicDue, parseBand, periodWithTolerance, sameErrors,
} from "../../src/server/events/criteria.js";

/*
 * spec §12.2 (cppTango eventsupplier.cpp): CHANGE on non-numeric types, quality and errors;
 * PERIODIC, ARCHIVE and ALARM. The numeric CHANGE rows are in event-criteria-numbers.test.ts.
 */

const { ATTR_VALID: VALID, ATTR_INVALID: INVALID, ATTR_ALARM: ALARM, ATTR_CHANGING: CHANGING, ATTR_WARNING: WARNING } = AttrQuality;
const { DevDouble, DevString, DevBoolean, DevState: DevStateType, DevEnum, DevEncoded } = CmdArgType;

function abs(text: string): ChangeThresholds {
  return { rel: parseBand("Not specified"), abs: parseBand(text) };
}

function valid(dataType: CmdArgType, value: unknown): EventSample {
  return { quality: VALID, dataType, value };
}

function reading(value: number, quality: AttrQuality = VALID): EventSample {
  return quality === INVALID ? { quality, dataType: DevDouble } : { quality, dataType: DevDouble, value };
}

function failed(...errors: DevError[]): EventSample {
  return { quality: INVALID, dataType: DevDouble, errors };
}

const E: DevError = { reason: "API_AttrValueNotSet", desc: "Value for attribute volts has not been updated", origin: "Attribute::read", severity: ErrSeverity.ERR };
const E2: DevError = { reason: "API_CorbaException", desc: "timeout", origin: "Connection::command_inout", severity: ErrSeverity.PANIC };
const q = (v: AttrQuality): string => AttrQuality[v];

function encoded(format: string, ...bytes: number[]): { format: string; data: Uint8Array } {
  return { format, data: Uint8Array.from(bytes) };
}

describe("event criteria: CHANGE on strings, booleans, states, enums and encoded values", () => {
  const rows: ReadonlyArray<{ what: string; type: CmdArgType; prev: unknown; next: unknown; t?: ChangeThresholds; fires: boolean }> = [
    { what: "a string that differs", type: DevString, prev: "on", next: "off", fires: true },
    { what: "the same string", type: DevString, prev: "on", next: "on", fires: false },
    { what: "a string spectrum whose last element differs", type: DevString, prev: ["a", "b"], next: ["a", "c"], fires: true },
    { what: "an equal string spectrum", type: DevString, prev: ["a", "b"], next: ["a", "b"], fires: false },
    { what: "a string spectrum that grew", type: DevString, prev: ["a"], next: ["a", "b"], fires: true },
    { what: "a boolean that flips", type: DevBoolean, prev: true, next: false, fires: true },
    { what: "the same boolean", type: DevBoolean, prev: false, next: false, fires: false },
    { what: "a boolean spectrum whose element flips", type: DevBoolean, prev: [true, false], next: [true, true], fires: true },
    { what: "an equal boolean spectrum", type: DevBoolean, prev: [true, false], next: [true, false], fires: false },
    { what: "a state that differs", type: DevStateType, prev: DevState.ON, next: DevState.OFF, fires: true },
    { what: "the same state", type: DevStateType, prev: DevState.ON, next: DevState.ON, fires: false },
    { what: "a state spectrum whose element differs", type: DevStateType, prev: [DevState.ON, DevState.OFF], next: [DevState.ON, DevState.FAULT], fires: true },
    { what: "a string that differs, abs_change being irrelevant", type: DevString, prev: "1", next: "2", t: abs("100"), fires: true },
    { what: "an enum without thresholds that differs by one", type: DevEnum, prev: 1, next: 2, fires: true },
    { what: "an enum without thresholds that is unchanged", type: DevEnum, prev: 1, next: 1, fires: false },
    { what: "an enum with abs_change 2 that moves by 1", type: DevEnum, prev: 1, next: 2, t: abs("2"), fires: false },
    { what: "an enum with abs_change 2 that moves by 2", type: DevEnum, prev: 1, next: 3, t: abs("2"), fires: true },
    { what: "an encoded value whose format differs (same length)", type: DevEncoded, prev: encoded("raw", 1, 2, 3), next: encoded("rgb", 1, 2, 3), fires: true },
    { what: "an encoded value whose data length differs", type: DevEncoded, prev: encoded("raw", 1, 2, 3), next: encoded("raw", 1, 2), fires: true },
    { what: "an encoded value whose format length differs", type: DevEncoded, prev: encoded("raw", 1, 2, 3), next: encoded("jpeg", 1, 2, 3), fires: true },
    { what: "an encoded value with other bytes, same format and length, no thresholds", type: DevEncoded, prev: encoded("raw", 1, 2, 3), next: encoded("raw", 9, 9, 9), fires: false },
    { what: "an identical encoded value", type: DevEncoded, prev: encoded("raw", 1, 2, 3), next: encoded("raw", 1, 2, 3), fires: false },
    { what: "an encoded value with abs_change 10 whose byte moves by 10", type: DevEncoded, prev: encoded("raw", 1, 2, 3), next: encoded("raw", 1, 2, 13), t: abs("10"), fires: true },
    { what: "an encoded value with abs_change 10 whose byte moves by 9", type: DevEncoded, prev: encoded("raw", 1, 2, 3), next: encoded("raw", 1, 2, 12), t: abs("10"), fires: false },
    { what: "an encoded value with abs_change 10 whose byte drops by 10", type: DevEncoded, prev: encoded("raw", 20, 2, 3), next: encoded("raw", 10, 2, 3), t: abs("10"), fires: true },
  ];
  for (const r of rows) {
    it(`${r.fires ? "fires" : "does not fire"} for ${r.what}`, () => {
      expect(isChangeEvent(valid(r.type, r.prev), valid(r.type, r.next), r.t ?? NO_THRESHOLDS)).to.equal(r.fires);
    });
  }
});

describe("event criteria: CHANGE on a quality change", () => {
  const rows: ReadonlyArray<readonly [AttrQuality, AttrQuality, boolean]> = [
    [VALID, ALARM, true], [ALARM, WARNING, true], [VALID, CHANGING, true], [CHANGING, VALID, true],
    [WARNING, VALID, true], [VALID, INVALID, true], [ALARM, INVALID, true], [INVALID, VALID, true],
    [INVALID, ALARM, true], [INVALID, INVALID, false], [VALID, VALID, false], [ALARM, ALARM, false],
  ];
  for (const [from, to, fires] of rows) {
    it(`${fires ? "fires" : "does not fire"} for ${q(from)} → ${q(to)} with the same value and abs_change 1`, () => {
      expect(isChangeEvent(reading(5, from), reading(5, to), abs("1"))).to.equal(fires);
    });
  }

  it("does not fire for a value change below the threshold while the quality stays ALARM", () => {
    expect(isChangeEvent(reading(5, ALARM), reading(5.5, ALARM), abs("1"))).to.equal(false);
  });
});

describe("event criteria: CHANGE on errors", () => {
  const rows: ReadonlyArray<{ what: string; prev: EventSample; next: EventSample; fires: boolean }> = [
    { what: "an error appearing", prev: reading(5), next: failed(E), fires: true },
    { what: "the same error again", prev: failed(E), next: failed({ ...E }), fires: false },
    { what: "the same two-level stack again", prev: failed(E, E2), next: failed({ ...E }, { ...E2 }), fires: false },
    { what: "an error with another reason", prev: failed(E), next: failed({ ...E, reason: "API_AttrNotFound" }), fires: true },
    { what: "an error with another desc", prev: failed(E), next: failed({ ...E, desc: "other" }), fires: true },
    { what: "an error with another origin", prev: failed(E), next: failed({ ...E, origin: "Device::other" }), fires: true },
    { what: "an error with another severity", prev: failed(E), next: failed({ ...E, severity: ErrSeverity.WARN }), fires: true },
    { what: "an error whose second level differs", prev: failed(E, E2), next: failed(E, { ...E2, desc: "other" }), fires: true },
    { what: "an error stack that grew a level", prev: failed(E), next: failed(E, E2), fires: true },
    { what: "an error stack that lost a level", prev: failed(E, E2), next: failed(E), fires: true },
    { what: "an error clearing into a value", prev: failed(E), next: reading(5), fires: true },
    { what: "an error clearing into an INVALID reading", prev: failed(E), next: reading(5, INVALID), fires: true },
    { what: "the same error with another quality", prev: failed(E), next: { ...failed(E), quality: ALARM }, fires: false },
  ];
  for (const r of rows) {
    it(`${r.fires ? "fires" : "does not fire"} for ${r.what}`, () => {
      expect(isChangeEvent(r.prev, r.next, abs("1"))).to.equal(r.fires);
    });
  }
});

describe("event criteria: sameErrors compares stacks level by level (Except::compare_exception)", () => {
  const rows: ReadonlyArray<{ what: string; a: DevError[]; b: DevError[]; same: boolean }> = [
    { what: "two empty stacks", a: [], b: [], same: true },
    { what: "equal copies of one level", a: [E], b: [{ ...E }], same: true },
    { what: "equal copies of two levels", a: [E, E2], b: [{ ...E }, { ...E2 }], same: true },
    { what: "stacks of different lengths", a: [E], b: [E, E2], same: false },
    { what: "an empty and a non-empty stack", a: [], b: [E], same: false },
    { what: "the same levels in another order", a: [E, E2], b: [E2, E], same: false },
    { what: "levels differing in reason", a: [E], b: [{ ...E, reason: "X" }], same: false },
    { what: "levels differing in desc", a: [E], b: [{ ...E, desc: "X" }], same: false },
    { what: "levels differing in origin", a: [E], b: [{ ...E, origin: "X" }], same: false },
    { what: "levels differing in severity", a: [E], b: [{ ...E, severity: ErrSeverity.PANIC }], same: false },
  ];
  for (const r of rows) {
    it(`says ${r.same ? "same" : "different"} for ${r.what}, either way round`, () => {
      expect(sameErrors(r.a, r.b)).to.equal(r.same);
      expect(sameErrors(r.b, r.a)).to.equal(r.same);
    });
  }
});

describe("event criteria: PERIODIC tolerance", () => {
  const tolerated: ReadonlyArray<readonly [number, number]> = [
    [100, 98], [1000, 980], [3000, 2940], [4999, 4899], [5000, 4900], [10000, 9900],
  ];
  for (const [period, expected] of tolerated) {
    it(`tolerates a period of ${period} ms as ${expected} ms (${period < 5000 ? "round(98 %)" : "100 ms less"})`, () => {
      expect(periodWithTolerance(period)).to.equal(expected);
    });
  }

  const due: ReadonlyArray<readonly [number, number, boolean]> = [
    [1000, 979, false], [1000, 980, false], [1000, 980.5, true], [1000, 981, true],
    [3000, 2940, false], [3000, 2941, true], [5000, 4900, false], [5000, 4901, true],
    [10000, 9900, false], [10000, 9901, true],
  ];
  for (const [period, since, isDue] of due) {
    it(`is ${isDue ? "" : "not "}due ${since} ms after the last one for a period of ${period} ms`, () => {
      expect(isPeriodicDue(period, since)).to.equal(isDue);
    });
  }
});

describe("event criteria: ARCHIVE", () => {
  const rows: ReadonlyArray<{
    what: string; prev: EventSample; next: EventSample; t?: ChangeThresholds; period?: number; since: number;
    send: boolean; isPeriodic: boolean;
  }> = [
    { what: "archive_period 1000 elapsed (981 ms), value unchanged", prev: reading(5), next: reading(5), period: 1000, since: 981, send: true, isPeriodic: true },
    { what: "archive_period 1000 not elapsed (980 ms), value unchanged", prev: reading(5), next: reading(5), period: 1000, since: 980, send: false, isPeriodic: false },
    { what: "archive_period 10000 elapsed (9901 ms)", prev: reading(5), next: reading(5), period: 10000, since: 9901, send: true, isPeriodic: true },
    { what: "archive_period 10000 not elapsed (9900 ms)", prev: reading(5), next: reading(5), period: 10000, since: 9900, send: false, isPeriodic: false },
    { what: "archive_period elapsed and the value passing archive_abs_change too", prev: reading(5), next: reading(7), t: abs("1"), period: 1000, since: 2000, send: true, isPeriodic: true },
    { what: "archive_period not elapsed but archive_abs_change passed", prev: reading(5), next: reading(6), t: abs("1"), period: 1000, since: 10, send: true, isPeriodic: false },
    { what: "no archive_period, archive_abs_change 1 passed", prev: reading(5), next: reading(6), t: abs("1"), since: 1e9, send: true, isPeriodic: false },
    { what: "no archive_period, archive_abs_change 1 not passed", prev: reading(5), next: reading(5.5), t: abs("1"), since: 1e9, send: false, isPeriodic: false },
    { what: "no archive_period, archive_rel_change 10 passed", prev: reading(100), next: reading(90), t: { rel: parseBand("10"), abs: parseBand("Not specified") }, since: 0, send: true, isPeriodic: false },
    { what: "no archive_period, no thresholds, quality VALID → ALARM", prev: reading(5), next: reading(5, ALARM), since: 0, send: true, isPeriodic: false },
    { what: "no archive_period, no thresholds, quality VALID → CHANGING", prev: reading(5), next: reading(5, CHANGING), since: 0, send: true, isPeriodic: false },
    { what: "no archive_period, no thresholds, becoming INVALID", prev: reading(5), next: reading(5, INVALID), since: 0, send: true, isPeriodic: false },
    { what: "no archive_period, no thresholds, staying INVALID", prev: reading(5, INVALID), next: reading(5, INVALID), since: 0, send: false, isPeriodic: false },
    { what: "no archive_period, an error appearing", prev: reading(5), next: failed(E), since: 0, send: true, isPeriodic: false },
    { what: "no archive_period, the same error again", prev: failed(E), next: failed({ ...E }), since: 0, send: false, isPeriodic: false },
    { what: "no archive_period, an error clearing", prev: failed(E), next: reading(5), since: 0, send: true, isPeriodic: false },
    { what: "no archive_period, no thresholds, same value", prev: reading(5), next: reading(5), since: 1e9, send: false, isPeriodic: false },
    { what: "no archive_period, no thresholds, a numeric value change", prev: reading(5), next: reading(50), since: 1e9, send: false, isPeriodic: false },
  ];
  for (const r of rows) {
    it(`${r.send ? `sends (isPeriodic ${r.isPeriodic})` : "does not send"} for ${r.what}`, () => {
      expect(archiveDecision(r.prev, r.next, r.t ?? NO_THRESHOLDS, r.period, r.since))
        .to.deep.equal({ send: r.send, isPeriodic: r.isPeriodic });
    });
  }
});

describe("event criteria: ALARM", () => {
  const rows: ReadonlyArray<{ what: string; prev: EventSample; next: EventSample; fires: boolean }> = [
    { what: "a first error", prev: reading(5), next: failed(E), fires: true },
    { what: "the same error again", prev: failed(E), next: failed({ ...E }), fires: false },
    { what: "a different error", prev: failed(E), next: failed(E2), fires: true },
    { what: "an error clearing", prev: failed(E), next: reading(5), fires: true },
    ...([
      [VALID, ALARM, true], [ALARM, VALID, true], [VALID, WARNING, true], [WARNING, VALID, true],
      [WARNING, ALARM, true], [ALARM, WARNING, true], [CHANGING, ALARM, true], [ALARM, CHANGING, true],
      [VALID, CHANGING, false], [CHANGING, VALID, false], [VALID, INVALID, false], [INVALID, VALID, false],
    ] as const).map(([from, to, fires]) => ({ what: `quality ${q(from)} → ${q(to)}`, prev: reading(5, from), next: reading(5, to), fires })),
    { what: "a value change with the same VALID quality", prev: reading(5), next: reading(500), fires: false },
    { what: "a value change with the same ALARM quality", prev: reading(5, ALARM), next: reading(500, ALARM), fires: false },
  ];
  for (const r of rows) {
    it(`${r.fires ? "fires" : "does not fire"} for ${r.what}`, () => {
      expect(isAlarmEvent(r.prev, r.next)).to.equal(r.fires);
    });
  }
});
