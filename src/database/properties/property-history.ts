import type { SqlRunner } from "../sql/sql-db.js";
import { likePattern } from "../sql/wildcard.js";
import type { PropertyTable } from "./property-tables.js";

/*
 * The *PropertyHist commands: the entries kept for the properties matching a wildcard, oldest
 * first, each as cppTango lists it: [attribute or pipe,] name, date, value count, values; a
 * deletion shows count 0 and no value.
 */

type HistRow = {
  readonly entry: string;
  readonly sub: string;
  readonly name: string;
  readonly idx: number;
  readonly value: string | null;
  readonly ms: number;
};

/**
 * The history of `owner`'s properties whose name matches `namePattern` (and, for attribute and
 * pipe properties, whose attribute or pipe matches `subPattern`), flattened as the reference.
 */
export async function readHistory(db: SqlRunner, t: PropertyTable, owner: string, namePattern: string,
  subPattern?: string): Promise<string[]> {
  const subSel = t.sub === undefined ? "'' AS sub" : `${t.sub} AS sub`;
  const subCond = t.sub === undefined ? "" : ` AND lower(${t.sub}) LIKE lower($3)`;
  const params = [owner, likePattern(namePattern), ...(t.sub === undefined ? [] : [likePattern(subPattern ?? "*")])];
  const rows = await db.query<HistRow>(
    `SELECT hist_id::text AS entry, ${subSel}, name, idx, value, (extract(epoch FROM date) * 1000)::float8 AS ms
     FROM ${t.table}_hist WHERE lower(${t.owner}) = lower($1) AND lower(name) LIKE lower($2)${subCond}
     ORDER BY hist_id, idx`, params);
  const out: string[] = [];
  let entryId = "";
  let countAt = -1;
  for (const r of rows) {
    if (r.entry !== entryId) {
      entryId = r.entry;
      if (t.sub !== undefined) out.push(r.sub);
      out.push(r.name, formatHistoryDate(new Date(r.ms)), "0");
      countAt = out.length - 1;
    }
    if (r.idx > 0 && r.value !== null) {
      out.push(r.value);
      out[countAt] = String(Number(out[countAt]) + 1);
    }
  }
  return out;
}

/** `YYYY-MM-DD HH:MM:SS` in the server's local time, as MySQL's DATE_FORMAT in cppTango. */
export function formatHistoryDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
