import { AttrDataFormat, AttrWriteType, CmdArgType, coerce } from "../core/index.js";
import type { AttributeDecl } from "../device/index.js";

/** The attribute property that keeps a memorized attribute's set value (spec §6.8 item 2). */
export const MEMORIZED_VALUE = "__value";
/** What cppTango's `__value` holds before the first write (spec §6.8 item 3): nothing to restore. */
export const NOT_USED_YET = "Not used yet";
/** cppTango's TANGO_FLOAT_PRECISION: the digits of a float or double written into `__value`. */
const FLOAT_DIGITS = 15;

/**
 * Whether an attribute's set value is kept (spec §6.8 item 1): memorized, scalar, WRITE or
 * READ_WRITE, of any type but DevState and DevEncoded.
 *
 * @internal
 */
export function isMemorizable(decl: AttributeDecl): boolean {
  return decl.memorized && decl.dformat === AttrDataFormat.SCALAR
    && (decl.access === AttrWriteType.WRITE || decl.access === AttrWriteType.READ_WRITE)
    && decl.dtype !== CmdArgType.DevState && decl.dtype !== CmdArgType.DevEncoded;
}

/**
 * C's `%.<digits>g`, which cppTango's stream with precision 15 writes: `4.25`, `1e-07`,
 * `1.5e+20`, `0.100000001490116` (a DevFloat 0.1).
 *
 * @internal
 */
export function formatG(x: number, digits = FLOAT_DIGITS): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa = "", e = "0"] = x.toExponential(digits - 1).split("e");
  const exp = Number(e);
  const trim = (s: string): string => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= digits) return `${trim(mantissa)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return trim(x.toFixed(digits - 1 - exp));
}

/**
 * A set value as `__value` holds it: Tango's string form (the reference records `4.25`,
 * `hello world`, `true`, `1e-07`).
 *
 * @internal
 */
export function memorizedText(dtype: CmdArgType, value: unknown): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" && (dtype === CmdArgType.DevFloat || dtype === CmdArgType.DevDouble)) return formatG(value);
  return String(value);
}

/**
 * The set value `__value` holds, as the attribute's type; throws (ValueCoercionError, or an
 * Error for a boolean that is no boolean) when the text does not fit it.
 *
 * @internal
 */
export function parseMemorized(dtype: CmdArgType, text: string): unknown {
  switch (dtype) {
    case CmdArgType.DevString:
      return text;
    case CmdArgType.DevBoolean: {
      const t = text.trim().toLowerCase();
      if (t === "true" || t === "1") return true;
      if (t === "false" || t === "0") return false;
      throw new Error(`"${text}" is not a boolean`);
    }
    case CmdArgType.DevLong64: case CmdArgType.DevULong64:
      return coerce(dtype, BigInt(text.trim()));
    default: {
      const t = text.trim().toLowerCase();
      const n = t === "nan" ? NaN : t === "inf" ? Infinity : t === "-inf" ? -Infinity : t === "" ? NaN : Number(t);
      if (Number.isNaN(n) && t !== "nan") throw new Error(`"${text}" is not a number`);
      return coerce(dtype, n);
    }
  }
}
