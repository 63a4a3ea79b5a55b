import { CmdArgType, coerce, typeName, ValueCoercionError } from "../core/index.js";
import type { PropertyType } from "./declarations.js";

const SCALAR_OF: Readonly<Partial<Record<CmdArgType, CmdArgType>>> = {
  [CmdArgType.DevVarShortArray]: CmdArgType.DevShort,
  [CmdArgType.DevVarLongArray]: CmdArgType.DevLong,
  [CmdArgType.DevVarLong64Array]: CmdArgType.DevLong64,
  [CmdArgType.DevVarFloatArray]: CmdArgType.DevFloat,
  [CmdArgType.DevVarDoubleArray]: CmdArgType.DevDouble,
  [CmdArgType.DevVarStringArray]: CmdArgType.DevString,
};

function parseScalar(type: CmdArgType, text: string): unknown {
  const s = text.trim();
  switch (type) {
    case CmdArgType.DevString:
      return text;
    case CmdArgType.DevBoolean:
      if (/^(true|1|yes|on)$/i.test(s)) return true;
      if (/^(false|0|no|off)$/i.test(s)) return false;
      throw new ValueCoercionError("type", `"${text}" is not a DevBoolean (true/false)`);
    case CmdArgType.DevLong64:
    case CmdArgType.DevULong64:
      if (!/^[-+]?\d+$/.test(s)) throw new ValueCoercionError("type", `"${text}" is not an integer`);
      return coerce(type, BigInt(s));
    case CmdArgType.DevFloat:
    case CmdArgType.DevDouble: {
      // spec §7 item 4: NaN, -inf and +inf are supported for floating-point properties.
      const lower = s.toLowerCase();
      const n = lower === "nan" ? NaN : lower === "inf" || lower === "+inf" ? Infinity : lower === "-inf" ? -Infinity : Number(s);
      if (s === "" || (Number.isNaN(n) && lower !== "nan")) throw new ValueCoercionError("type", `"${text}" is not a number`);
      return coerce(type, n);
    }
    default: {
      if (!/^[-+]?\d+$/.test(s)) throw new ValueCoercionError("type", `"${text}" is not an integer`);
      return coerce(type, Number(s));
    }
  }
}

/**
 * Parses a property's stored strings into a value of its type (spec §7: properties are stored
 * as arrays of strings). Throws ValueCoercionError naming the bad element.
 */
export function parsePropertyValue(type: PropertyType, values: readonly string[]): unknown {
  const element = SCALAR_OF[type];
  if (element === undefined) {
    if (values.length !== 1) {
      throw new ValueCoercionError("type", `${typeName(type)} takes one value, got ${values.length}`);
    }
    return parseScalar(type, values[0] ?? "");
  }
  const parsed = values.map((v) => parseScalar(element, v));
  return type === CmdArgType.DevVarStringArray ? parsed : coerce(type, parsed);
}

/** Turns a property value into Tango's stored form: strings. */
export function formatPropertyValue(type: PropertyType, value: unknown): string[] {
  if (SCALAR_OF[type] === undefined) return [String(coerce(type, value))];
  const arr = coerce(type, value) as ArrayLike<unknown>;
  return Array.from(arr, (v) => String(v));
}
