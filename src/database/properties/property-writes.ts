import type { SqlParam, SqlRunner } from "../sql/sql-db.js";
import type { PropertyPuts } from "./argin-layouts.js";
import { nameOrder, type PropertyTable } from "./property-tables.js";

/*
 * Writing and deleting properties as cppTango's DataBaseds does (DataBase.cpp db_put_*,
 * db_delete_*), in a few statements whatever the number of values: each put replaces the rows of
 * the properties it names and adds one history entry per property; each deletion of a stored
 * property adds a deletion entry; then the history of what was touched is cut to its depth.
 * Every value travels as a parameter. Run them inside one transaction (a put locks its table).
 */

/** How many history entries cppTango keeps per property (its `historyDepth` device property). */
export const DEFAULT_HISTORY_DEPTH = 10;

/** The key of one property in a table: its attribute or pipe (if the table has one) and name. */
export interface PropertyKey {
  /** The attribute or pipe, for attribute and pipe properties. */
  readonly sub?: string;
  /** The property name. */
  readonly name: string;
}

/**
 * `(lower(sub), lower(name)) IN (...)` over key arrays given as parameters from `$first` (see
 * keyArrays).
 */
function keyIn(t: PropertyTable, first: number): string {
  return t.sub === undefined
    ? `lower(name) IN (SELECT lower(k.n) FROM unnest($${first}::text[]) AS k(n))`
    : `(lower(${t.sub}), lower(name)) IN (SELECT lower(k.s), lower(k.n) FROM unnest($${first}::text[], $${first + 1}::text[]) AS k(s, n))`;
}

/** The parameters keyIn reads: the attributes or pipes (for those tables), then the names. */
function keyArrays(t: PropertyTable, keys: readonly PropertyKey[]): SqlParam[] {
  const names = keys.map((k) => k.name);
  return t.sub === undefined ? [names] : [keys.map((k) => k.sub ?? ""), names];
}

/** Writes a put's properties: replaces their rows, adds their history entries, purges. */
export async function putProperties(tx: SqlRunner, t: PropertyTable, puts: PropertyPuts, depth: number): Promise<void> {
  const { owner, writes } = puts;
  if (writes.length === 0) return;
  // One put at a time per table, as cppTango's LOCK TABLES: on a PostgreSQL server two puts of
  // one property would otherwise both delete nothing and then both insert its rows. Reads go on.
  await tx.query(`LOCK TABLE ${t.table} IN SHARE ROW EXCLUSIVE MODE`);
  await tx.query(`DELETE FROM ${t.table} WHERE lower(${t.owner}) = lower($1) AND ${keyIn(t, 2)}`, [owner, ...keyArrays(t, writes)]);

  // One row per element: its property's attribute or pipe, name, index from 1, value and put number.
  const subs: string[] = [];
  const names: string[] = [];
  const idxs: string[] = [];
  const values: string[] = [];
  const putNumbers: string[] = [];
  writes.forEach((w, i) => {
    w.values.forEach((v, k) => {
      subs.push(w.sub ?? "");
      names.push(w.name);
      idxs.push(String(k + 1));
      values.push(v);
      putNumbers.push(String(i + 1));
    });
  });
  const subCol = t.sub === undefined ? "" : `${t.sub}, `;
  const subVal = t.sub === undefined ? "" : "w.s, ";
  const rows = "unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS w(s, n, i, v, p)";
  const params: SqlParam[] = [owner, subs, names, idxs, values, putNumbers];
  if (values.length > 0) {
    // A property named twice in one argin: its last put is the value, both are history.
    await tx.query(
      `INSERT INTO ${t.table} (${t.owner}, ${subCol}name, idx, value)
       SELECT $1, ${subVal}w.n, w.i::int, w.v FROM (
         SELECT w.*, max(w.p::int) OVER (PARTITION BY lower(w.s), lower(w.n)) AS last FROM ${rows}) AS w
       WHERE w.p::int = w.last`, params);
    await tx.query(
      `WITH entry AS MATERIALIZED (
         SELECT p, nextval('property_hist_id') AS hist_id FROM generate_series(1, $7::int) AS p)
       INSERT INTO ${t.table}_hist (hist_id, ${t.owner}, ${subCol}name, idx, value)
       SELECT entry.hist_id, $1, ${subVal}w.n, w.i::int, w.v FROM ${rows} JOIN entry ON entry.p = w.p::int
       ORDER BY entry.hist_id, w.i::int`, [...params, writes.length]);
  }
  await purgeHistory(tx, t, owner, writes, depth);
}

/**
 * The memorized-value fast path of DbPutDeviceAttributeProperty2 (cppTango create_update_mem_att):
 * a put of exactly one `__value` of one attribute updates or adds that row, without history.
 */
export async function putMemorizedValue(tx: SqlRunner, t: PropertyTable, device: string, attribute: string, value: string): Promise<void> {
  await tx.query(
    `INSERT INTO ${t.table} (${t.owner}, ${t.sub ?? "attribute"}, name, idx, value) VALUES ($1, $2, '__value', 1, $3)
     ON CONFLICT ((lower(${t.owner})), (lower(${t.sub ?? "attribute"})), (lower(name)), idx)
     DO UPDATE SET value = EXCLUDED.value, updated = now()`, [device, attribute, value]);
}

/** How the names given to a deletion select properties. */
export type NameMatch = "exact" | "wildcard";

/**
 * Deletes the properties of `owner` (and of attribute or pipe `sub`, for those tables) named in
 * `names` (exact names, or LIKE patterns from likePattern), and adds a deletion entry for each
 * property that was there, in the order of `names`.
 */
export async function deleteProperties(tx: SqlRunner, t: PropertyTable, owner: string, sub: string | undefined,
  names: readonly string[], match: NameMatch, depth: number): Promise<void> {
  if (names.length === 0) return;
  const op = match === "exact" ? "=" : "LIKE";
  const subCond = t.sub === undefined ? "" : ` AND lower(${t.sub}) = lower($3)`;
  const subCol = t.sub === undefined ? "" : `${t.sub}, `;
  const subVal = t.sub === undefined ? "" : "$3, ";
  const rows = await tx.query<{ name: string }>(
    `WITH gone AS (
       DELETE FROM ${t.table} WHERE lower(${t.owner}) = lower($1)${subCond}
         AND lower(name) ${op} ANY (SELECT lower(p) FROM unnest($2::text[]) AS p) RETURNING name),
     named AS (
       SELECT DISTINCT ON (lower(g.name)) g.name, w.o FROM gone AS g
         JOIN unnest($2::text[]) WITH ORDINALITY AS w(p, o) ON lower(g.name) ${op} lower(w.p)
       ORDER BY lower(g.name), w.o)
     INSERT INTO ${t.table}_hist (hist_id, ${t.owner}, ${subCol}name, idx, value)
     SELECT nextval('property_hist_id'), $1, ${subVal}s.name, 0, NULL
       FROM (SELECT name FROM named ORDER BY o, ${nameOrder("name")}) AS s
     RETURNING name`, t.sub === undefined ? [owner, names] : [owner, names, sub ?? ""]);
  await purgeHistory(tx, t, owner, rows.map((r) => ({ sub, name: r.name })), depth);
}

/**
 * Deletes every property of the attributes or pipes `subs` of `owner`, with a deletion entry
 * for each (DbDeleteAllDeviceAttributeProperty, DbDeleteAllDevicePipeProperty).
 */
export async function deleteAllOfSubs(tx: SqlRunner, t: PropertyTable, owner: string, subs: readonly string[], depth: number): Promise<void> {
  const sub = t.sub ?? "attribute";
  const rows = await tx.query<{ sub: string; name: string }>(
    `WITH gone AS (
       DELETE FROM ${t.table} WHERE lower(${t.owner}) = lower($1)
         AND lower(${sub}) IN (SELECT lower(s) FROM unnest($2::text[]) AS s) RETURNING ${sub} AS sub, name),
     named AS (
       SELECT DISTINCT ON (lower(g.sub), lower(g.name)) g.sub, g.name, w.o FROM gone AS g
         JOIN unnest($2::text[]) WITH ORDINALITY AS w(s, o) ON lower(g.sub) = lower(w.s)
       ORDER BY lower(g.sub), lower(g.name), w.o)
     INSERT INTO ${t.table}_hist (hist_id, ${t.owner}, ${sub}, name, idx, value)
     SELECT nextval('property_hist_id'), $1, s.sub, s.name, 0, NULL
       FROM (SELECT sub, name FROM named ORDER BY o, ${nameOrder("name")}) AS s
     RETURNING ${sub} AS sub, name`, [owner, subs]);
  await purgeHistory(tx, t, owner, rows, depth);
}

/**
 * Deletes every property of attribute or pipe `sub` of `owner`, without history, as cppTango's
 * DbDeleteDeviceAttribute, DbDeleteClassAttribute, DbDeleteDevicePipe and DbDeleteClassPipe do.
 */
export async function deleteSub(tx: SqlRunner, t: PropertyTable, owner: string, sub: string): Promise<void> {
  await tx.query(`DELETE FROM ${t.table} WHERE lower(${t.owner}) = lower($1) AND lower(${t.sub ?? "attribute"}) = lower($2)`, [owner, sub]);
}

/** Keeps the last `depth` history entries of each of the properties `keys` of `owner`. */
async function purgeHistory(tx: SqlRunner, t: PropertyTable, owner: string, keys: readonly PropertyKey[], depth: number): Promise<void> {
  if (keys.length === 0) return;
  const subPart = t.sub === undefined ? "" : `lower(${t.sub}), `;
  const keyParams = keyArrays(t, keys);
  await tx.query(
    `DELETE FROM ${t.table}_hist WHERE lower(${t.owner}) = lower($1) AND hist_id IN (
       SELECT h.hist_id FROM (
         SELECT hist_id, dense_rank() OVER (PARTITION BY ${subPart}lower(name) ORDER BY hist_id DESC) AS age
         FROM ${t.table}_hist WHERE lower(${t.owner}) = lower($1) AND ${keyIn(t, 2)}) AS h
       WHERE h.age > $${2 + keyParams.length})`,
    [owner, ...keyParams, depth]);
}

/**
 * The history depth configured for the database device `device` by its `historyDepth` device
 * property (cppTango reads it at init); the default when unset, not a number or not positive.
 */
export async function readHistoryDepth(db: SqlRunner, device: string): Promise<number> {
  const rows = await db.query<{ value: string }>(
    "SELECT value FROM property_device WHERE lower(device) = lower($1) AND lower(name) = 'historydepth' AND idx = 1", [device]);
  const depth = Number.parseInt(rows[0]?.value ?? "", 10);
  return Number.isInteger(depth) && depth > 0 ? depth : DEFAULT_HISTORY_DEPTH;
}
