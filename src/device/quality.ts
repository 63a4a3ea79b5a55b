import { AttrQuality } from "../core/index.js";

/** Parsed alarm thresholds of an attribute; undefined = "Not specified". */
export interface Thresholds {
  readonly minAlarm?: number;
  readonly maxAlarm?: number;
  readonly minWarning?: number;
  readonly maxWarning?: number;
  /** RDS delay, ms (needs deltaVal). */
  readonly deltaT?: number;
  /** RDS tolerance (needs deltaT). */
  readonly deltaVal?: number;
}

/** Which rule put an attribute in ALARM or WARNING, for the Status text (spec §3.2). */
export type AlarmKind = "minAlarm" | "maxAlarm" | "rds" | "minWarning" | "maxWarning";

/** The quality a read gets from the alarm rules, and the rule that fired. */
export interface QualityResult {
  readonly quality: AttrQuality;
  readonly alarm?: AlarmKind;
}

const VALID: QualityResult = { quality: AttrQuality.ATTR_VALID };

/** True when any threshold is set, i.e. the attribute takes part in the State's alarm evaluation. */
export function hasThresholds(t: Thresholds): boolean {
  return t.minAlarm !== undefined || t.maxAlarm !== undefined || t.minWarning !== undefined
    || t.maxWarning !== undefined || (t.deltaT !== undefined && t.deltaVal !== undefined);
}

function anyElement(values: ArrayLike<number | bigint>, test: (v: number) => boolean): boolean {
  for (let i = 0; i < values.length; i++) if (test(Number(values[i]))) return true;
  return false;
}

/**
 * The automatic quality of a read (spec §6.6): level alarm (bounds inclusive, any element), then
 * warning only if no alarm, then RDS (|read − set| >= delta_val once delta_t ms have passed since
 * the last write). Only called when the read left the quality VALID.
 */
export function computeQuality(
  values: ArrayLike<number | bigint>,
  t: Thresholds,
  rds?: { readonly set: ArrayLike<number | bigint>; readonly msSinceWrite: number },
): QualityResult {
  if (t.minAlarm !== undefined) {
    const min = t.minAlarm;
    if (anyElement(values, (v) => v <= min)) return { quality: AttrQuality.ATTR_ALARM, alarm: "minAlarm" };
  }
  if (t.maxAlarm !== undefined) {
    const max = t.maxAlarm;
    if (anyElement(values, (v) => v >= max)) return { quality: AttrQuality.ATTR_ALARM, alarm: "maxAlarm" };
  }
  if (rds !== undefined && t.deltaT !== undefined && t.deltaVal !== undefined && rds.msSinceWrite >= t.deltaT) {
    const n = Math.min(values.length, rds.set.length);
    const tol = t.deltaVal;
    for (let i = 0; i < n; i++) {
      if (Math.abs(Number(values[i]) - Number(rds.set[i])) >= tol) return { quality: AttrQuality.ATTR_ALARM, alarm: "rds" };
    }
  }
  if (t.minWarning !== undefined) {
    const min = t.minWarning;
    if (anyElement(values, (v) => v <= min)) return { quality: AttrQuality.ATTR_WARNING, alarm: "minWarning" };
  }
  if (t.maxWarning !== undefined) {
    const max = t.maxWarning;
    if (anyElement(values, (v) => v >= max)) return { quality: AttrQuality.ATTR_WARNING, alarm: "maxWarning" };
  }
  return VALID;
}

/** cppTango's Status line for an alarmed attribute (spec §3.2); `who` is the label or the name. */
export function alarmStatusLine(kind: AlarmKind | "qualityAlarm" | "qualityWarning", who: string): string {
  switch (kind) {
    case "minAlarm": return `Alarm : Value too low for ${who}`;
    case "maxAlarm": return `Alarm : Value too high for ${who}`;
    case "rds": return `Alarm : Read too Different than Set (RDS) for ${who}`;
    case "minWarning": return `Warning : Value too low for ${who}`;
    case "maxWarning": return `Warning : Value too high for ${who}`;
    case "qualityAlarm": return `Alarm : Quality factor set to ALARM for ${who}`;
    case "qualityWarning": return `Warning : Quality factor set to WARNING for ${who}`;
  }
}
