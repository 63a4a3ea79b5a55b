import { Buffer } from "node:buffer";
import { isInteger, isSafeNumber, parse as parseLossless } from "lossless-json";
import { CmdArgType, DevState, ValueCoercionError, coerce, elementTypeOf, typeName, type TypedValue } from "../core/index.js";

/*
 * Tango values as JSON for the REST routes, both ways. JSON has no 64-bit integers, typed arrays,
 * NaN or bytes, so:
 * - 64-bit integers are numbers when a double holds them exactly, else decimal strings (the
 *   Tango REST API's rule); both are taken back, as are bare integer literals of any size;
 * - NaN and ±Infinity are the strings "NaN", "Infinity", "-Infinity";
 * - DevState is its name ("ON"); a name or its number is taken back;
 * - DevEncoded is `{format, data}` with data in base64 (or a list of bytes on input);
 * - DevVarLongStringArray / DevVarDoubleStringArray keep their `{lvalue|dvalue, svalue}` shape;
 *   on input both keys are required (either array may be empty) and no other key is taken, as
 *   for DevEncoded's `{format, data}`.
 */

/** A JSON value as the routes send it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

const NON_FINITE: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Infinity, "-Infinity": -Infinity };
const INTEGER_TEXT = /^-?[0-9]+$/;

function numberJson(n: number): JsonValue {
  return Number.isFinite(n) ? n : String(n);
}

function bigintJson(b: bigint): JsonValue {
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b.toString();
}

function scalarJson(v: unknown): JsonValue {
  if (typeof v === "bigint") return bigintJson(v);
  if (typeof v === "number") return numberJson(v);
  if (typeof v === "string" || typeof v === "boolean" || v === null) return v;
  if (v === undefined) return null;
  if (v instanceof Uint8Array) return Array.from(v);
  return plainJson(v);
}

/** Anything a device returns, made JSON-safe without knowing its type (typed arrays, bigints, bytes). */
function plainJson(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(scalarJson);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>, scalarJson);
  if (typeof v === "object" && v !== null) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = scalarJson(x);
    return out;
  }
  return scalarJson(v);
}

function encodedJson(v: unknown): JsonValue {
  if (typeof v !== "object" || v === null) return scalarJson(v);
  const { format, data } = v as { format?: unknown; data?: unknown };
  return { format: typeof format === "string" ? format : "", data: data instanceof Uint8Array ? Buffer.from(data).toString("base64") : scalarJson(data) };
}

function stateJson(v: unknown): JsonValue {
  return typeof v === "number" ? (DevState[v] ?? v) : scalarJson(v);
}

/** A value of Tango type `type` (a command's outType, or an attribute's array or scalar type) as JSON. */
export function valueToJson(value: unknown, type: CmdArgType): JsonValue {
  switch (type) {
    case CmdArgType.DevState:
      return stateJson(value);
    case CmdArgType.DevVarStateArray:
      return Array.isArray(value) ? value.map(stateJson) : plainJson(value);
    case CmdArgType.DevEncoded:
      return encodedJson(value);
    case CmdArgType.DevVarEncodedArray:
      return Array.isArray(value) ? value.map(encodedJson) : plainJson(value);
    default:
      return plainJson(value);
  }
}

/** A typed value as JSON. */
export function typedToJson(v: TypedValue): JsonValue {
  return valueToJson(v.value, v.type);
}

/** Standard base64 (RFC 4648 §4) with its padding: Buffer.from would skip any other character. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Bytes(text: string): Uint8Array {
  if (!BASE64.test(text)) {
    throw new ValueCoercionError("type", `DevEncoded data must be base64 (RFC 4648, padded) or a list of bytes, not ${JSON.stringify(text.slice(0, 40))}`);
  }
  return new Uint8Array(Buffer.from(text, "base64"));
}

/**
 * The JSON object of a structured type with exactly the keys `keys`: a missing one is not taken
 * as empty, an unknown one is not dropped (the gRPC message has no room for either).
 */
function checkKeys(type: CmdArgType, o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const missing = keys.filter((k) => !(k in o));
  const unknown = Object.keys(o).filter((k) => !keys.includes(k));
  if (missing.length > 0 || unknown.length > 0) {
    const problems = [
      ...missing.map((k) => `"${k}" is missing`),
      ...unknown.map((k) => `"${k}" is not one of its keys`),
    ];
    throw new ValueCoercionError("type", `a ${typeName(type)} is {${keys.map((k) => `"${k}"`).join(", ")}}: ${problems.join(", ")}`);
  }
  return o;
}

function scalarInput(type: CmdArgType, v: unknown): unknown {
  switch (type) {
    case CmdArgType.DevLong64:
    case CmdArgType.DevULong64:
      return typeof v === "string" && INTEGER_TEXT.test(v) ? BigInt(v) : v;
    case CmdArgType.DevFloat:
    case CmdArgType.DevDouble:
      if (typeof v === "bigint") return Number(v);
      return typeof v === "string" && v in NON_FINITE ? NON_FINITE[v] : v;
    case CmdArgType.DevState:
      return typeof v === "string" && v.toUpperCase() in DevState ? DevState[v.toUpperCase() as keyof typeof DevState] : v;
    case CmdArgType.DevEncoded: {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
      const { format, data } = checkKeys(type, v as Record<string, unknown>, ["format", "data"]);
      return { format, data: typeof data === "string" ? base64Bytes(data) : data };
    }
    default:
      return typeof v === "bigint" && Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }
}

/**
 * JSON from a request, made ready for `coerce` to type `type`: the spellings `valueToJson` uses
 * (and bare big integer literals) turned back into Tango values. Anything else passes unchanged,
 * for `coerce` to accept or reject with the reason of its context.
 */
export function jsonToValueInput(json: unknown, type: CmdArgType): unknown {
  const element = elementTypeOf(type);
  if (element !== undefined && Array.isArray(json)) return json.map((x: unknown) => scalarInput(element, x));
  if (type === CmdArgType.DevVarLongStringArray || type === CmdArgType.DevVarDoubleStringArray) {
    if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
    const [key, numType] = type === CmdArgType.DevVarLongStringArray ? ["lvalue", CmdArgType.DevLong] : ["dvalue", CmdArgType.DevDouble];
    const o = checkKeys(type, json as Record<string, unknown>, [key, "svalue"]);
    const nums = o[key];
    return { ...o, [key]: Array.isArray(nums) ? nums.map((x: unknown) => scalarInput(numType, x)) : nums };
  }
  return scalarInput(type, json);
}

/** `jsonToValueInput` then `coerce`: throws ValueCoercionError when the value does not fit. */
export function jsonToValue(json: unknown, type: CmdArgType): unknown {
  return coerce(type, jsonToValueInput(json, type));
}

/**
 * Parses a request body: standard JSON, except that an integer literal too large for a double
 * becomes a bigint instead of losing digits. Throws SyntaxError.
 */
export function parseJsonBody(text: string): unknown {
  return parseLossless(text, null, (n: string) => (isInteger(n) && !isSafeNumber(n) ? BigInt(n) : Number(n)));
}
