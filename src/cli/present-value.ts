import {
  AttrDataFormat, CmdArgType, DevState, arrayTypeOf, type TimeVal,
} from "../core/index.js";

/**
 * Tango values as the CLI shows them, in both the human tables and `--json`: states by name,
 * DevEncoded as `{ format, data: <base64> }`, images as rows. Numbers, bigints, strings and typed
 * arrays pass through unchanged (the writers know them).
 */

/** A time as `--json` writes it: Tango's seconds and microseconds, and the ISO text. */
export interface PresentedTime {
  readonly sec: number;
  readonly usec: number;
  readonly iso: string;
}

/** ISO 8601 in UTC with microseconds: `2024-05-01T12:00:00.123456Z`. */
export function formatTime(time: TimeVal): string {
  const iso = new Date(time.sec * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(time.usec).padStart(6, "0")}Z`;
}

/** `{ sec, usec, iso }` of a TimeVal. */
export function presentTime(time: TimeVal): PresentedTime {
  return { sec: time.sec, usec: time.usec, iso: formatTime(time) };
}

/** A DevState's name, or its number when it is not one. */
export function stateName(state: unknown): unknown {
  return typeof state === "number" ? (DevState[state] ?? state) : state;
}

/** The name of a member of a numeric enum (`AttrQuality[2]` → "ATTR_ALARM"), or the number. */
export function enumName(names: Readonly<Record<number, string>>, value: number): string {
  return names[value] ?? String(value);
}

function presentEncoded(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  const { format, data } = v as { format?: unknown; data?: unknown };
  return { format, data: data instanceof Uint8Array ? Buffer.from(data).toString("base64") : data };
}

/**
 * A value of command type `type` (a scalar or a sequence type, as `outType` gives it) made ready
 * for display.
 */
export function presentValue(value: unknown, type: CmdArgType): unknown {
  switch (type) {
    case CmdArgType.DevState:
      return stateName(value);
    case CmdArgType.DevVarStateArray:
      return Array.isArray(value) ? value.map(stateName) : value;
    case CmdArgType.DevEncoded:
      return presentEncoded(value);
    case CmdArgType.DevVarEncodedArray:
      return Array.isArray(value) ? value.map(presentEncoded) : value;
    default:
      return value;
  }
}

/** Splits a flat row-major image into `dimY` rows of `dimX` elements. */
function rowsOf(value: ArrayLike<unknown>, dimX: number, dimY: number): unknown[][] {
  const rows: unknown[][] = [];
  for (let y = 0; y < dimY; y++) rows.push(Array.from({ length: dimX }, (_, x) => value[y * dimX + x]));
  return rows;
}

/**
 * An attribute's read or set value made ready for display: a spectrum as a list, an image as a
 * list of `dimY` rows (the shape `write` takes back), scalars as `presentValue` shows them.
 */
export function presentAttributeValue(
  value: unknown, dataType: CmdArgType, dataFormat: AttrDataFormat, dimX: number, dimY: number,
): unknown {
  if (value === undefined) return undefined;
  if (dataFormat === AttrDataFormat.SCALAR) return presentValue(value, dataType);
  const shown = presentValue(value, arrayTypeOf(dataType));
  if (dataFormat !== AttrDataFormat.IMAGE || typeof shown !== "object" || shown === null || !("length" in shown)) return shown;
  const flat = shown as ArrayLike<unknown>;
  // Dimensions that do not match the data would invent elements; show what came instead.
  return flat.length === dimX * dimY ? rowsOf(flat, dimX, dimY) : flat;
}
