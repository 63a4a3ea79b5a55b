/**
 * The `--json` writer. JSON.stringify throws on bigint and writes typed arrays as objects, and a
 * DevLong64 must reach a script exact, so values are written here: bigint as its digits (a JSON
 * number, exact for parsers that keep big integers, such as jq ≥ 1.7 or Python), typed arrays as
 * arrays, NaN and ±Infinity (which JSON lacks) as the strings "NaN", "Infinity", "-Infinity".
 */

const INDENT = "  ";

function isTypedArray(v: unknown): v is ArrayLike<number | bigint> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function writeNumber(n: number): string {
  if (Number.isFinite(n)) return JSON.stringify(n);
  return Number.isNaN(n) ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
}

function isScalar(v: unknown): boolean {
  return v === null || v === undefined || typeof v !== "object";
}

function writeScalar(v: unknown): string {
  switch (typeof v) {
    case "number": return writeNumber(v);
    case "bigint": return v.toString();
    case "string": return JSON.stringify(v);
    case "boolean": return String(v);
    // undefined (DevVoid, or a value absent as for an INVALID attribute) and functions read as null.
    default: return "null";
  }
}

function itemsOf(v: unknown): readonly unknown[] | undefined {
  if (Array.isArray(v)) return v;
  return isTypedArray(v) ? Array.from(v) : undefined;
}

function definedEntries(v: object): [string, unknown][] {
  return Object.entries(v as Record<string, unknown>).filter(([, value]) => value !== undefined);
}

function write(v: unknown, depth: number): string {
  if (isScalar(v)) return writeScalar(v);
  const pad = INDENT.repeat(depth + 1);
  const end = INDENT.repeat(depth);
  const items = itemsOf(v);
  if (items !== undefined) {
    if (items.length === 0) return "[]";
    // A list of numbers or strings stays on one line: a 1000-element spectrum is one line, not 1000.
    if (items.every(isScalar)) return `[${items.map(writeScalar).join(", ")}]`;
    return `[\n${items.map((item) => pad + write(item, depth + 1)).join(",\n")}\n${end}]`;
  }
  const entries = definedEntries(v as object);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([key, value]) => `${pad}${JSON.stringify(key)}: ${write(value, depth + 1)}`).join(",\n")}\n${end}}`;
}

/** As `write`, on one line with no spaces (JSON.stringify's layout). */
function writeCompact(v: unknown): string {
  if (isScalar(v)) return writeScalar(v);
  const items = itemsOf(v);
  if (items !== undefined) return `[${items.map(writeCompact).join(",")}]`;
  return `{${definedEntries(v as object).map(([key, value]) => `${JSON.stringify(key)}:${writeCompact(value)}`).join(",")}}`;
}

/**
 * One JSON document, indented, ending in a newline. Object keys whose value is `undefined` are
 * left out; elsewhere `undefined` is `null`.
 *
 * @example toJsonText({ value: 9007199254740993n }) // '{\n  "value": 9007199254740993\n}\n'
 */
export function toJsonText(value: unknown): string {
  return `${write(value, 0)}\n`;
}

/**
 * One JSON document on one line, ending in a newline (JSON lines, for a stream of documents such
 * as `watch --json` writes); values are written as by `toJsonText`.
 *
 * @example toJsonLine({ value: 1n, list: [NaN] }) // '{"value":1,"list":["NaN"]}\n'
 */
export function toJsonLine(value: unknown): string {
  return `${writeCompact(value)}\n`;
}
