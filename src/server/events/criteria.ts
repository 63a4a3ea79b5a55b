import { DELTA_PERIODIC, DELTA_PERIODIC_LONG_MS } from "../../core/defaults.js";
import { AttrQuality, CmdArgType, type DevEncodedValue, type DevError } from "../../core/index.js";

/*
 * The event criteria of spec §12.2 (cppTango `EventSupplier::detect_change` and its callers), as
 * pure functions of the previous value sent, the new one and the attribute's properties.
 */

/** What the criteria judge: one reading of an attribute (an AttributeValue fits). */
export interface EventSample {
  readonly quality: AttrQuality;
  readonly dataType: CmdArgType;
  /** The canonical read value (a scalar, or an array for a spectrum or an image); absent when INVALID or failed. */
  readonly value?: unknown;
  /** The error stack when the read failed. */
  readonly errors?: readonly DevError[];
}

/**
 * A threshold pair as cppTango keeps it: the negative side (≤ 0) and the positive side (≥ 0),
 * each undefined when not set.
 */
export type Band = readonly [negative: number | undefined, positive: number | undefined];

/** The thresholds of the change criteria: rel_change/abs_change, or the archive_ ones. */
export interface ChangeThresholds {
  readonly rel: Band;
  readonly abs: Band;
}

const UNSET: Band = [undefined, undefined];

/** No thresholds. */
export const NO_THRESHOLDS: ChangeThresholds = { rel: UNSET, abs: UNSET };

function side(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === "" || /^not specified$/i.test(t) || /^nan$/i.test(t)) return undefined;
  const n = Number(t);
  // cppTango: 0 (and unparsable text) leaves the side unset.
  return Number.isFinite(n) && n !== 0 ? Math.abs(n) : undefined;
}

/**
 * A change property as cppTango reads it ("v" or "neg,pos"; "Not specified" or 0 for none): one
 * value sets both sides, two set each side; signs are ignored (the first side is negative).
 */
export function parseBand(text: string): Band {
  const comma = text.indexOf(",");
  if (comma < 0) {
    const v = side(text);
    return v === undefined ? UNSET : [-v, v];
  }
  const neg = side(text.slice(0, comma));
  return [neg === undefined ? undefined : -neg, side(text.slice(comma + 1))];
}

/** Whether any side of either band is set. */
export function hasThresholds(t: ChangeThresholds): boolean {
  return t.rel[0] !== undefined || t.rel[1] !== undefined || t.abs[0] !== undefined || t.abs[1] !== undefined;
}

/** cppTango's Except::compare_exception: the same stack, level by level. */
export function sameErrors(a: readonly DevError[], b: readonly DevError[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((e, i) => {
    const f = b[i] as DevError;
    return e.reason === f.reason && e.desc === f.desc && e.origin === f.origin && e.severity === f.severity;
  });
}

function hasErrors(s: EventSample): s is EventSample & { errors: readonly DevError[] } {
  return s.errors !== undefined && s.errors.length > 0;
}

function elementsOf(value: unknown): ArrayLike<unknown> {
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return value as ArrayLike<unknown>;
  return [value];
}

/** Whether Δrel or Δabs of one numeric element reaches a threshold (inclusive comparisons). */
function numberChanged(before: unknown, after: unknown, t: ChangeThresholds, isFloat: boolean): boolean {
  const prev = Number(before);
  const curr = Number(after);
  if (isFloat && Number.isNaN(prev) !== Number.isNaN(curr)) return true;
  if (Number.isNaN(prev) && Number.isNaN(curr)) return false;
  const [relNeg, relPos] = t.rel;
  if (relNeg !== undefined || relPos !== undefined) {
    // Relative change is in percent of the previous value sent; from 0 it is 100 % (0 % to 0).
    const rel = prev !== 0 ? ((curr - prev) * 100) / prev : curr === prev ? 0 : 100;
    if ((relNeg !== undefined && rel <= relNeg) || (relPos !== undefined && rel >= relPos)) return true;
  }
  const [absNeg, absPos] = t.abs;
  if (absNeg !== undefined || absPos !== undefined) {
    // 64-bit integers subtract exactly; floating types get cppTango's 1e-10 slack against rounding.
    const abs = typeof before === "bigint" && typeof after === "bigint" ? Number(after - before) : curr - prev;
    const low = isFloat && absNeg !== undefined ? abs + absNeg * 1e-10 : abs;
    const high = isFloat && absPos !== undefined ? abs + absPos * 1e-10 : abs;
    if ((absNeg !== undefined && low <= absNeg) || (absPos !== undefined && high >= absPos)) return true;
  }
  return false;
}

function encodedChanged(before: DevEncodedValue, after: DevEncodedValue, t: ChangeThresholds): boolean {
  if (before.data.length !== after.data.length || before.format.length !== after.format.length) return true;
  if (before.format !== after.format) return true;
  if (!hasThresholds(t)) return false;
  for (let i = 0; i < after.data.length; i++) {
    if (numberChanged(before.data[i], after.data[i], t, false)) return true;
  }
  return false;
}

/** Whether the value itself changed enough (both samples valid, neither INVALID). */
function valueChanged(prev: EventSample, next: EventSample, t: ChangeThresholds): boolean {
  const a = elementsOf(prev.value);
  const b = elementsOf(next.value);
  if (a.length !== b.length) return true;
  const type = next.dataType;
  const isExact = type === CmdArgType.DevState || type === CmdArgType.DevBoolean || type === CmdArgType.DevString
    || (type === CmdArgType.DevEnum && !hasThresholds(t));
  const isFloat = type === CmdArgType.DevDouble || type === CmdArgType.DevFloat;
  for (let i = 0; i < b.length; i++) {
    if (isExact) {
      if (a[i] !== b[i]) return true;
    } else if (type === CmdArgType.DevEncoded) {
      if (encodedChanged(a[i] as DevEncodedValue, b[i] as DevEncodedValue, t)) return true;
    } else if (numberChanged(a[i], b[i], t, isFloat)) {
      return true;
    }
  }
  return false;
}

/**
 * cppTango's detect_change: a read failing or a different failure, a read succeeding after a
 * failure, the quality becoming or leaving INVALID, or the value passing the thresholds (for
 * State, String, Boolean, and an Enum without thresholds: any element differing; an array
 * whose length changed; DevEncoded whose format or length changed).
 */
function detectChange(prev: EventSample, next: EventSample, t: ChangeThresholds): boolean {
  if (hasErrors(next)) return !(hasErrors(prev) && sameErrors(prev.errors, next.errors));
  if (hasErrors(prev)) return true;
  if (next.quality === AttrQuality.ATTR_INVALID) return prev.quality !== AttrQuality.ATTR_INVALID;
  if (prev.quality === AttrQuality.ATTR_INVALID) return true;
  return valueChanged(prev, next, t);
}

/** CHANGE (spec §12.2): detect_change, or any quality change. `prev` is the value last sent. */
export function isChangeEvent(prev: EventSample, next: EventSample, t: ChangeThresholds): boolean {
  if (detectChange(prev, next, t)) return true;
  return !hasErrors(next) && prev.quality !== next.quality;
}

/** The period with cppTango's tolerance (spec §12.2): 98 % under 5000 ms, 100 ms less from 5000 ms on. */
export function periodWithTolerance(periodMs: number): number {
  return periodMs >= 5000 ? periodMs - DELTA_PERIODIC_LONG_MS : Math.round(periodMs * DELTA_PERIODIC);
}

/** PERIODIC: due when more than the period (with its tolerance) passed since the last periodic event. */
export function isPeriodicDue(periodMs: number, msSinceLast: number): boolean {
  return msSinceLast > periodWithTolerance(periodMs);
}

/** What an archive decision says: whether to send, and whether archive_period made it (its counter then counts). */
export interface ArchiveDecision {
  readonly send: boolean;
  readonly isPeriodic: boolean;
}

/**
 * ARCHIVE (spec §12.2): archive_period elapsed (with its tolerance), or detect_change on the
 * archive thresholds, or any quality change.
 */
export function archiveDecision(
  prev: EventSample, next: EventSample, t: ChangeThresholds, archivePeriodMs: number | undefined, msSinceLastPeriodic: number,
): ArchiveDecision {
  if (archivePeriodMs !== undefined && msSinceLastPeriodic > periodWithTolerance(archivePeriodMs)) return { send: true, isPeriodic: true };
  const send = detectChange(prev, next, t) || (!hasErrors(next) && prev.quality !== next.quality);
  return { send, isPeriodic: false };
}

function isAlarming(q: AttrQuality): boolean {
  return q === AttrQuality.ATTR_ALARM || q === AttrQuality.ATTR_WARNING;
}

/** ALARM (spec §12.2, 10.x): into or out of an error, a different error, or a quality change to or from ALARM or WARNING. */
export function isAlarmEvent(prev: EventSample, next: EventSample): boolean {
  if (hasErrors(next)) return !(hasErrors(prev) && sameErrors(prev.errors, next.errors));
  if (hasErrors(prev)) return true;
  return prev.quality !== next.quality && (isAlarming(prev.quality) || isAlarming(next.quality));
}
