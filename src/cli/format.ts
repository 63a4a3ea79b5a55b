/**
 * Human output of the client verbs: values on one line (long lists abbreviated; `--json` has them
 * in full), tables with aligned columns, and `name: value` field lists.
 */

/** How many elements of a list a table shows before "… (N more)". */
export const SHOWN_ELEMENTS = 8;
/** Rows of a large image (a list of lists) a table shows; each row shows half of SHOWN_ELEMENTS. */
const SHOWN_ROWS = 2;

/** Options of `formatValue`. */
export interface FormatValueOptions {
  /** Elements of each list shown; the rest are counted. Default SHOWN_ELEMENTS; Infinity shows all. */
  readonly maxElements?: number;
}

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function formatNumber(n: number): string {
  // String(-0) is "0": a -0 written to an attribute should read back as what was written.
  return Object.is(n, -0) ? "-0" : String(n);
}

function elementCount(rows: ArrayLike<unknown>): number {
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    n += isList(row) ? row.length : 1;
  }
  return n;
}

function formatNested(v: unknown, max: number): string {
  if (typeof v === "string") return JSON.stringify(v);
  return formatAny(v, max);
}

function formatAny(v: unknown, max: number): string {
  if (v === undefined || v === null) return "-";
  if (typeof v === "number") return formatNumber(v);
  // A newline or tab inside a table cell would break the columns: such strings are shown quoted.
  if (typeof v === "string") return /[\x00-\x1f]/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (isList(v)) {
    // An image's rows multiply the width: a large one shows a few short rows, to fit a table line.
    const isLargeImage = v.length > 0 && isList(v[0]) && elementCount(v) > 2 * max;
    const shown = Math.min(v.length, isLargeImage ? SHOWN_ROWS : max);
    const inner = isLargeImage ? Math.ceil(max / 2) : max;
    const items: string[] = [];
    for (let i = 0; i < shown; i++) items.push(formatNested(v[i], inner));
    if (v.length > shown) items.push(`… (${v.length - shown} more)`);
    return `[${items.join(", ")}]`;
  }
  if (typeof v === "object") {
    const fields = Object.entries(v).map(([key, value]) => `${key}: ${formatNested(value, max)}`);
    return `{${fields.join(", ")}}`;
  }
  return String(v);
}

/**
 * A presented value (see present-value.ts) on one line: a top-level string as is (quoted when it
 * holds a control character such as a newline), strings inside lists quoted, lists as `[1, 2, … (98 more)]`, nothing (`undefined`) as `-`.
 */
export function formatValue(value: unknown, options: FormatValueOptions = {}): string {
  return formatAny(value, options.maxElements ?? SHOWN_ELEMENTS);
}

/**
 * Rows under a header, columns separated by two spaces and padded to the widest cell; the last
 * column is not padded, so a long value does not push trailing spaces.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? "").length)));
  return all
    .map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join("  "))
    .map((line) => `${line.trimEnd()}\n`)
    .join("");
}

/** `name: value` lines, values aligned after the longest name. */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([name]) => name.length)) + 1;
  return fields.map(([name, value]) => `${`${name}:`.padEnd(width)} ${value}\n`).join("");
}
