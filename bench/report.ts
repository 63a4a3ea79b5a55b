/** Markdown tables for the bench's output. */

export type Cell = string | number;

/** A markdown table; numbers are right-aligned, text left. */
export function table(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || /^[−+-]?[\d.,]+( ?[%×a-zA-Z/]*)?$/.test(String(r[i]))));
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${numeric.map((n) => (n ? "---:" : "---")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(String).join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** A number with `digits` decimals, or "–" for NaN. */
export function fixed(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

/** A signed percentage. */
export function pct(n: number): string {
  return Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(1)} %` : "–";
}

/** Thousands with a thin separator, e.g. 1,000,000. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
