import { CmdArgType, typeName } from "./cmd-arg-type.js";
import { DevState } from "./enums.js";
import type { DevEncoded, ValueOf } from "./values.js";

/**
 * Why a value does not fit a Tango type. Internal to the server: the caller turns it into the
 * DevFailed reason of its context (argin, attribute write, property).
 */
export class ValueCoercionError extends Error {
  override readonly name = "ValueCoercionError";
  constructor(
    /** `type`: the wrong kind of value; `range`: the right kind, outside the type's range. */
    readonly kind: "type" | "range",
    message: string,
    /** A range error's side: below the type's minimum, above its maximum, or not finite (NaN, ±Inf). */
    readonly side?: "below" | "above" | "notFinite",
    /** The failing element of a sequence (0 for a scalar). */
    readonly index = 0,
  ) {
    super(message);
  }
}

interface IntRange { readonly min: number; readonly max: number }
const INT_RANGES: Readonly<Partial<Record<CmdArgType, IntRange>>> = {
  [CmdArgType.DevShort]: { min: -0x8000, max: 0x7fff },
  [CmdArgType.DevLong]: { min: -0x80000000, max: 0x7fffffff },
  [CmdArgType.DevUChar]: { min: 0, max: 0xff },
  [CmdArgType.DevUShort]: { min: 0, max: 0xffff },
  [CmdArgType.DevULong]: { min: 0, max: 0xffffffff },
  [CmdArgType.DevEnum]: { min: -0x8000, max: 0x7fff },
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const FLOAT32_MAX = 3.4028234663852886e38;

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === "object") return "an object";
  return String(v);
}

function typeError(type: CmdArgType, v: unknown): ValueCoercionError {
  return new ValueCoercionError("type", `${describe(v)} is not a ${typeName(type)}`);
}

function coerceInt(type: CmdArgType, range: IntRange, v: unknown): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "bigint") n = Number(v);
  else throw typeError(type, v);
  if (!Number.isInteger(n)) {
    if (Number.isFinite(n)) throw new ValueCoercionError("type", `${describe(v)} is not an integer`);
    throw new ValueCoercionError("range", `${describe(v)} is not an integer`, "notFinite");
  }
  if (n < range.min || n > range.max) {
    throw new ValueCoercionError("range", `${describe(v)} is outside the ${typeName(type)} range [${range.min}, ${range.max}]`,
      n < range.min ? "below" : "above");
  }
  return n;
}

function coerceInt64(type: CmdArgType, v: unknown): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new ValueCoercionError("type", `${describe(v)} is not an integer`);
    if (!Number.isSafeInteger(v)) {
      throw new ValueCoercionError("range", `${describe(v)} is not exact as a number; send 64-bit integers as bigint`,
        v < 0 ? "below" : "above");
    }
    b = BigInt(v);
  } else throw typeError(type, v);
  const [min, max] = type === CmdArgType.DevULong64 ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
  if (b < min || b > max) {
    throw new ValueCoercionError("range", `${b} is outside the ${typeName(type)} range [${min}, ${max}]`, b < min ? "below" : "above");
  }
  return b;
}

function coerceFloat(type: CmdArgType, v: unknown): number {
  if (typeof v !== "number") throw typeError(type, v);
  if (type === CmdArgType.DevFloat) {
    if (Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX) {
      throw new ValueCoercionError("range", `${v} is outside the DevFloat range`, v < 0 ? "below" : "above");
    }
    return Math.fround(v);
  }
  return v;
}

function coerceState(v: unknown): DevState {
  if (typeof v !== "number" || !Number.isInteger(v) || DevState[v] === undefined) {
    throw new ValueCoercionError(typeof v === "number" ? "range" : "type", `${describe(v)} is not a DevState (0 … 13)`);
  }
  return v as DevState;
}

function coerceBytes(v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return coerceArray(CmdArgType.DevVarCharArray, v) as Uint8Array;
  throw new ValueCoercionError("type", `${describe(v)} is not a byte sequence (${what})`);
}

function coerceEncoded(v: unknown): DevEncoded {
  if (typeof v !== "object" || v === null) throw typeError(CmdArgType.DevEncoded, v);
  const { format, data } = v as { format?: unknown; data?: unknown };
  if (typeof format !== "string") throw new ValueCoercionError("type", "DevEncoded format must be a string");
  return { format, data: coerceBytes(data, "DevEncoded data") };
}

function elementsOf(v: unknown, type: CmdArgType): ArrayLike<unknown> {
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) return v as ArrayLike<unknown>;
  throw typeError(type, v);
}

type TypedArrayCtor = new (n: number) => { [i: number]: number | bigint; length: number };
const TYPED: Readonly<Partial<Record<CmdArgType, [TypedArrayCtor, CmdArgType]>>> = {
  [CmdArgType.DevVarCharArray]: [Uint8Array, CmdArgType.DevUChar],
  [CmdArgType.DevVarShortArray]: [Int16Array, CmdArgType.DevShort],
  [CmdArgType.DevVarUShortArray]: [Uint16Array, CmdArgType.DevUShort],
  [CmdArgType.DevVarLongArray]: [Int32Array, CmdArgType.DevLong],
  [CmdArgType.DevVarULongArray]: [Uint32Array, CmdArgType.DevULong],
  [CmdArgType.DevVarFloatArray]: [Float32Array, CmdArgType.DevFloat],
  [CmdArgType.DevVarDoubleArray]: [Float64Array, CmdArgType.DevDouble],
  [CmdArgType.DevVarLong64Array]: [BigInt64Array, CmdArgType.DevLong64],
  [CmdArgType.DevVarULong64Array]: [BigUint64Array, CmdArgType.DevULong64],
};

function coerceArray(type: CmdArgType, v: unknown): unknown {
  const spec = TYPED[type];
  if (spec !== undefined) {
    const [Ctor, element] = spec;
    if (v instanceof (Ctor as unknown as new () => object)) return v; // already canonical: no copy
    const src = elementsOf(v, type);
    const out = new Ctor(src.length);
    for (let i = 0; i < src.length; i++) {
      try {
        out[i] = coerce(element, src[i]) as number | bigint;
      } catch (e) {
        if (e instanceof ValueCoercionError) throw new ValueCoercionError(e.kind, `element ${i}: ${e.message}`, e.side, i);
        throw e;
      }
    }
    return out;
  }
  const element = ELEMENT_OF_LIST[type];
  if (element === undefined) throw typeError(type, v);
  const src = elementsOf(v, type);
  const out = new Array<unknown>(src.length);
  for (let i = 0; i < src.length; i++) {
    try {
      out[i] = coerce(element, src[i]);
    } catch (e) {
      if (e instanceof ValueCoercionError) throw new ValueCoercionError(e.kind, `element ${i}: ${e.message}`, e.side, i);
      throw e;
    }
  }
  return out;
}

const ELEMENT_OF_LIST: Readonly<Partial<Record<CmdArgType, CmdArgType>>> = {
  [CmdArgType.DevVarStringArray]: CmdArgType.DevString,
  [CmdArgType.DevVarBooleanArray]: CmdArgType.DevBoolean,
  [CmdArgType.DevVarStateArray]: CmdArgType.DevState,
  [CmdArgType.DevVarEncodedArray]: CmdArgType.DevEncoded,
};

function coerceStruct(type: CmdArgType, v: unknown, numKey: "lvalue" | "dvalue"): unknown {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw typeError(type, v);
  const o = v as Record<string, unknown>;
  const numType = numKey === "lvalue" ? CmdArgType.DevVarLongArray : CmdArgType.DevVarDoubleArray;
  return {
    [numKey]: coerceArray(numType, o[numKey] ?? []),
    svalue: coerceArray(CmdArgType.DevVarStringArray, o["svalue"] ?? []),
  };
}

/**
 * Checks `v` against Tango type `type` and returns its canonical form (spec §4.1): exact integer
 * ranges, float32 rounding for DevFloat, typed arrays for numeric sequences. Throws
 * ValueCoercionError naming the problem.
 */
export function coerce<T extends CmdArgType>(type: T, v: unknown): ValueOf<T>;
export function coerce(type: CmdArgType, v: unknown): unknown {
  const range = INT_RANGES[type];
  if (range !== undefined) return coerceInt(type, range, v);
  switch (type) {
    case CmdArgType.DevVoid:
      if (v !== undefined && v !== null) throw new ValueCoercionError("type", `DevVoid takes no value, got ${describe(v)}`);
      return undefined;
    case CmdArgType.DevBoolean:
      if (typeof v !== "boolean") throw typeError(type, v);
      return v;
    case CmdArgType.DevLong64:
    case CmdArgType.DevULong64:
      return coerceInt64(type, v);
    case CmdArgType.DevFloat:
    case CmdArgType.DevDouble:
      return coerceFloat(type, v);
    case CmdArgType.DevString:
    case CmdArgType.ConstDevString:
      if (typeof v !== "string") throw typeError(type, v);
      return v;
    case CmdArgType.DevState:
      return coerceState(v);
    case CmdArgType.DevEncoded:
      return coerceEncoded(v);
    case CmdArgType.DevVarLongStringArray:
      return coerceStruct(type, v, "lvalue");
    case CmdArgType.DevVarDoubleStringArray:
      return coerceStruct(type, v, "dvalue");
    default:
      return coerceArray(type, v);
  }
}
