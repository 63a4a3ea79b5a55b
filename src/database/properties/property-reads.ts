import type { SqlRunner } from "../sql/sql-db.js";
import { likePattern } from "../sql/wildcard.js";
import { nameOrder, type PropertyTable } from "./property-tables.js";

/*
 * Reading properties back, one statement per command whatever the number of names asked. Names
 * are matched without regard to case and come back as stored; values in element order; several
 * properties in cppTango's name order (nameOrder).
 */

/** One property: its name as stored and its value, one element per row. */
export interface StoredProperty {
  /** The name as stored. */
  readonly name: string;
  /** The value, one element per row, in order. */
  readonly values: string[];
}

/**
 * The values asked for by each of `names`, in order: for DbGetDeviceProperty and DbGetProperty a
 * name with `*` is a wildcard and gets the values of every property it matches (ordered by
 * element index, as cppTango's `ORDER BY count`); with `wildcards` false a name matches itself.
 */
export async function readValues(db: SqlRunner, t: PropertyTable, owner: string, names: readonly string[],
  wildcards: boolean): Promise<string[][]> {
  const isLike = names.map((n) => (wildcards && n.includes("*") ? "1" : "0"));
  const keys = names.map((n, i) => (isLike[i] === "1" ? likePattern(n) : n));
  // The exact branch uses the (owner, name) index; only a wildcard scans the owner's properties.
  const rows = await db.query<{ o: number; value: string }>(
    `SELECT w.o::int AS o, p.value FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS w(n, is_like, o)
     CROSS JOIN LATERAL (
       SELECT value, idx, name FROM ${t.table}
         WHERE lower(${t.owner}) = lower($1) AND w.is_like = '0' AND lower(name) = lower(w.n)
       UNION ALL
       SELECT value, idx, name FROM ${t.table}
         WHERE lower(${t.owner}) = lower($1) AND w.is_like = '1' AND lower(name) LIKE lower(w.n)
     ) AS p
     ORDER BY w.o, p.idx, ${nameOrder("p.name")}`, [owner, keys, isLike]);
  const out = names.map((): string[] => []);
  for (const r of rows) out[r.o - 1]?.push(r.value);
  return out;
}

/**
 * The properties of each attribute or pipe `subs` of `owner`, in order (an attribute matches
 * its name only, as cppTango's optimised DbGetDeviceAttributeProperty2 does).
 */
export async function readSubProperties(db: SqlRunner, t: PropertyTable, owner: string,
  subs: readonly string[]): Promise<StoredProperty[][]> {
  const sub = t.sub ?? "attribute";
  const rows = await db.query<{ o: number; name: string; k: string; value: string }>(
    `SELECT w.o::int AS o, p.name, lower(p.name) AS k, p.value
     FROM unnest($2::text[]) WITH ORDINALITY AS w(s, o)
     JOIN ${t.table} AS p ON lower(p.${t.owner}) = lower($1) AND lower(p.${sub}) = lower(w.s)
     ORDER BY w.o, ${nameOrder("p.name")}, lower(p.name), p.idx`, [owner, subs]);
  const out = subs.map((): StoredProperty[] => []);
  let keyOfLast = "";
  for (const r of rows) {
    const props = out[r.o - 1];
    if (props === undefined) continue;
    const last = props.at(-1);
    if (last !== undefined && keyOfLast === r.k) last.values.push(r.value);
    else props.push({ name: r.name, values: [r.value] });
    keyOfLast = r.k;
  }
  return out;
}

/** The names of `owner`'s properties matching the wildcard `filter`, in name order. */
export async function listPropertyNames(db: SqlRunner, t: PropertyTable, owner: string, filter: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT name FROM ${t.table} WHERE lower(${t.owner}) = lower($1) AND lower(name) LIKE lower($2) AND idx = 1
     ORDER BY ${nameOrder("name")}`, [owner, likePattern(filter)]);
  return rows.map((r) => r.name);
}

/** The attributes or pipes of `owner` that have properties, matching the wildcard `filter`. */
export async function listSubs(db: SqlRunner, t: PropertyTable, owner: string, filter: string): Promise<string[]> {
  const sub = t.sub ?? "attribute";
  const rows = await db.query<{ sub: string }>(
    `SELECT min(${sub}) AS sub FROM ${t.table} WHERE lower(${t.owner}) = lower($1) AND lower(${sub}) LIKE lower($2)
     GROUP BY lower(${sub}) ORDER BY ${nameOrder(`min(${sub})`)}`, [owner, likePattern(filter)]);
  return rows.map((r) => r.sub);
}

/**
 * The distinct values of `column` in `t` among the rows whose `where` column matches the
 * wildcard `filter`: the class property names of the classes matching (DbGetClassPropertyList),
 * or the objects matching (DbGetObjectList).
 */
export async function listDistinct(db: SqlRunner, t: PropertyTable, column: string, where: string, filter: string): Promise<string[]> {
  const rows = await db.query<{ v: string }>(
    `SELECT min(${column}) AS v FROM ${t.table} WHERE lower(${where}) LIKE lower($1)
     GROUP BY lower(${column}) ORDER BY ${nameOrder(`min(${column})`)}`, [likePattern(filter)]);
  return rows.map((r) => r.v);
}

/** One owner's properties for the server cache: each attribute or pipe (if any) with its properties. */
export interface OwnerProperties {
  /** Properties of the owner itself (tables without attribute or pipe). */
  readonly props: StoredProperty[];
  /** Attributes or pipes in name order, each with its properties. */
  readonly subs: { readonly name: string; readonly props: StoredProperty[] }[];
}

/** Every property of each of `owners`, in order, for DbGetDataForServerCache. */
export async function readOwners(db: SqlRunner, t: PropertyTable, owners: readonly string[]): Promise<OwnerProperties[]> {
  const subSel = t.sub === undefined ? "'' AS sub, '' AS sk" : `p.${t.sub} AS sub, lower(p.${t.sub}) AS sk`;
  const subOrder = t.sub === undefined ? "" : `${nameOrder(`p.${t.sub}`)}, lower(p.${t.sub}), `;
  const rows = await db.query<{ o: number; sub: string; sk: string; name: string; k: string; value: string }>(
    `SELECT w.o::int AS o, ${subSel}, p.name, lower(p.name) AS k, p.value
     FROM unnest($1::text[]) WITH ORDINALITY AS w(owner, o)
     JOIN ${t.table} AS p ON lower(p.${t.owner}) = lower(w.owner)
     ORDER BY w.o, ${subOrder}${nameOrder("p.name")}, lower(p.name), p.idx`, [owners]);
  const out = owners.map((): OwnerProperties => ({ props: [], subs: [] }));
  let last = { o: 0, sk: "", k: "" };
  for (const r of rows) {
    const owner = out[r.o - 1];
    if (owner === undefined) continue;
    const isNewSub = r.o !== last.o || r.sk !== last.sk;
    if (t.sub !== undefined && isNewSub) owner.subs.push({ name: r.sub, props: [] });
    const props = t.sub === undefined ? owner.props : owner.subs.at(-1)?.props ?? owner.props;
    const prop = props.at(-1);
    if (!isNewSub && r.k === last.k && prop !== undefined) prop.values.push(r.value);
    else props.push({ name: r.name, values: [r.value] });
    last = { o: r.o, sk: r.sk, k: r.k };
  }
  return out;
}
