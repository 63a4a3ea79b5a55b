import type { SqlParam, SqlRunner } from "../sql/sql-db.js";

/*
 * SQL shared by the name commands. cppTango's MySQL schema compares and sorts names without
 * case (a *_ci collation): lists are sorted here on the upper-cased name in byte order, which is
 * how such a collation orders ASCII ('_' after the letters), the same on embedded PostgreSQL and
 * on any server whatever its locale; values that differ only in case count once.
 */

/** ORDER BY for a name column: without case, then byte order to make ties stable. */
export function ciOrder(column: string): string {
  return `upper(${column}) COLLATE "C", ${column} COLLATE "C"`;
}

/** The distinct values of `column` in `table` where `where` holds, compared and sorted without case. */
export async function distinctValues(db: SqlRunner, table: string, column: string, where: string, params: readonly SqlParam[]): Promise<string[]> {
  const rows = await db.query<{ v: string }>(
    `SELECT min(${column} COLLATE "C") AS v FROM ${table} WHERE ${where} GROUP BY upper(${column}) ORDER BY upper(min(${column} COLLATE "C"))`,
    params);
  return rows.map((r) => r.v);
}

/** The values of one text column of `rows`. */
export function column<K extends string>(rows: readonly Record<K, unknown>[], key: K): string[] {
  return rows.map((r) => String(r[key]));
}
