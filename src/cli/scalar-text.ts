import { CmdArgType, DevState, typeName } from "../core/index.js";
import { JsonNumber, type JsonNode } from "./json-text.js";

/**
 * The user's text does not fit the declared type. It is a usage error (exit code 2): it is caught
 * before anything is sent, and the message names the type and what was expected.
 */
export class ValueTextError extends Error {
  override readonly name = "ValueTextError";
}

const INTEGER = /^([+-]?)(0[xX][0-9a-fA-F]+|\d+)$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE: Readonly<Record<string, number>> = {
  nan: NaN, "+nan": NaN, "-nan": NaN, inf: Infinity, "+inf": Infinity, "-inf": -Infinity,
  infinity: Infinity, "+infinity": Infinity, "-infinity": -Infinity,
};
const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, false: false, 1: true, 0: false };

/** How an element was written, for messages: JSON strings and plain text both show quoted. */
function show(item: JsonNode): string {
  if (item instanceof JsonNumber) return item.text;
  if (typeof item === "string") return JSON.stringify(item.length > 40 ? `${item.slice(0, 40)}…` : item);
  if (item === null || typeof item === "boolean") return String(item);
  return Array.isArray(item) ? "an array" : "an object";
}

function notA(type: CmdArgType, item: JsonNode, expected: string): ValueTextError {
  return new ValueTextError(`${show(item)} is not a ${typeName(type)} (${expected})`);
}

/** The text of a number or a string element; undefined for booleans, null, arrays and objects. */
function textOf(item: JsonNode): string | undefined {
  if (item instanceof JsonNumber) return item.text;
  return typeof item === "string" ? item.trim() : undefined;
}

/** Parses an integer exactly (BigInt: never through a double), decimal or 0x hex. */
function parseBigInt(type: CmdArgType, item: JsonNode): bigint {
  const m = INTEGER.exec(textOf(item) ?? "");
  if (m === null) throw notA(type, item, "an integer, decimal or 0x hex");
  const magnitude = BigInt(m[2] ?? "");
  return m[1] === "-" ? -magnitude : magnitude;
}

function parseInteger(type: CmdArgType, item: JsonNode, enumLabels: readonly string[] | undefined): number {
  if (type === CmdArgType.DevEnum && enumLabels !== undefined && enumLabels.length > 0 && typeof item === "string") {
    const wanted = item.trim().toLowerCase();
    const index = enumLabels.findIndex((label) => label.toLowerCase() === wanted);
    if (index >= 0) return index;
    if (!INTEGER.test(item.trim())) throw notA(type, item, `one of ${enumLabels.join(", ")}, or an index`);
  }
  const big = parseBigInt(type, item);
  // Beyond 2^53 no 16- or 32-bit type can hold it; say so before Number() rounds it.
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ValueTextError(`${show(item)} is outside the ${typeName(type)} range`);
  }
  return Number(big);
}

function parseFloating(type: CmdArgType, item: JsonNode): number {
  const text = textOf(item) ?? "";
  if (DECIMAL.test(text)) return Number(text);
  const special = NON_FINITE[text.toLowerCase()];
  if (special !== undefined) return special;
  throw notA(type, item, "a number such as -2, 3.14 or 1e-3, or NaN, Infinity, -Infinity");
}

function parseBoolean(item: JsonNode): boolean {
  if (typeof item === "boolean") return item;
  const b = BOOLEANS[(textOf(item) ?? "").toLowerCase()];
  if (b === undefined) throw notA(CmdArgType.DevBoolean, item, "true, false, 1 or 0");
  return b;
}

function parseState(item: JsonNode): DevState {
  const text = textOf(item) ?? "";
  if (INTEGER.test(text)) return Number(parseBigInt(CmdArgType.DevState, item));
  const state = (DevState as unknown as Record<string, DevState | undefined>)[text.toUpperCase()];
  if (typeof state !== "number") {
    throw notA(CmdArgType.DevState, item, "a state name such as ON or RUNNING, or its number 0 … 13");
  }
  return state;
}

function parseEncoded(item: JsonNode): { format: string; data: Uint8Array } {
  const expected = '{"format": "…", "data": "<base64>"} or {"format": "…", "text": "<UTF-8 text>"}';
  if (item === null || typeof item !== "object" || Array.isArray(item) || item instanceof JsonNumber) {
    throw notA(CmdArgType.DevEncoded, item, `a JSON object ${expected}`);
  }
  const { format, data, text } = item as { readonly [key: string]: JsonNode | undefined };
  if (typeof format !== "string") throw new ValueTextError(`DevEncoded needs a string "format": ${expected}`);
  if (typeof text === "string" && data === undefined) return { format, data: new TextEncoder().encode(text) };
  if (typeof data !== "string" || text !== undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
    throw new ValueTextError(`DevEncoded needs either a base64 string "data" or a string "text": ${expected}`);
  }
  return { format, data: new Uint8Array(Buffer.from(data, "base64")) };
}

/**
 * Converts one scalar, written as plain text or as a JSON element, to a value of `type` (not yet
 * range-checked: `coerce` does that). Numbers stay exact: 64-bit integers become bigint straight
 * from their digits. `enumLabels` lets a DevEnum be named by its label.
 */
export function scalarFromText(item: JsonNode, type: CmdArgType, enumLabels?: readonly string[]): unknown {
  switch (type) {
    case CmdArgType.DevBoolean:
      return parseBoolean(item);
    case CmdArgType.DevShort: case CmdArgType.DevLong: case CmdArgType.DevUChar:
    case CmdArgType.DevUShort: case CmdArgType.DevULong: case CmdArgType.DevEnum:
      return parseInteger(type, item, enumLabels);
    case CmdArgType.DevLong64: case CmdArgType.DevULong64:
      return parseBigInt(type, item);
    case CmdArgType.DevFloat: case CmdArgType.DevDouble:
      return parseFloating(type, item);
    case CmdArgType.DevString: case CmdArgType.ConstDevString:
      if (typeof item !== "string") throw notA(type, item, "a string");
      return item;
    case CmdArgType.DevState:
      return parseState(item);
    case CmdArgType.DevEncoded:
      return parseEncoded(item);
    default:
      throw new ValueTextError(`${typeName(type)} is not a scalar type`);
  }
}
