import type { DevFailed } from "../../core/index.js";
import type { SqlRunner } from "../sql/sql-db.js";
import { DbErrors } from "./db-errors.js";
import { formatSqlDate } from "./tango-dates.js";

/*
 * What the database says about itself: DbInfo's summary (cppTango's lines, counted from the
 * tables), DbGetCSDbServerList (the addresses of the exported database devices) and
 * DbMySqlSelect, which this database refuses.
 */

/** The property tables DbInfo counts, with the label of each line. */
const PROPERTY_COUNTS = [
  ["Device properties", "property_device"],
  ["Class properties", "property_class"],
  ["Device attribute properties", "property_attribute_device"],
  ["Class attribute properties", "property_attribute_class"],
  ["Object properties", "property"],
] as const;

async function count(db: SqlRunner, from: string, params: readonly string[] = []): Promise<number> {
  const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from}`, params);
  return rows[0]?.n ?? 0;
}

/**
 * DbInfo: the database device's name and start, then counts of devices, servers (their admin
 * devices) and properties (one per value element, with their history), as cppTango words them.
 * `device` is this device's name; `startedFallback` its start when it is not registered itself.
 */
export async function dbInfo(db: SqlRunner, device: string, startedFallback: Date): Promise<string[]> {
  const started = await db.query<{ started: Date | null }>("SELECT started FROM device WHERE lower(name) = lower($1)", [device]);
  const since = started[0]?.started ?? startedFallback;
  const lines = [`TANGO Database ${device}`, " ", `Running since ${formatSqlDate(since)}`, " ",
    `Devices defined  = ${await count(db, "device")}`,
    `Devices exported  = ${await count(db, "device WHERE exported")}`,
    `Device servers defined  = ${await count(db, "device WHERE lower(class) = 'dserver'")}`,
    `Device servers exported  = ${await count(db, "device WHERE lower(class) = 'dserver' AND exported")}`,
    " "];
  for (const [label, table] of PROPERTY_COUNTS) {
    lines.push(`${label} defined  = ${await count(db, table)} [History lgth = ${await count(db, `${table}_hist`)}]`);
  }
  return lines;
}

/** host:port of a tango-grpc address (`grpc://host:port`, `grpcs://host:port`), or undefined. */
export function hostPortOf(address: string): string | undefined {
  const match = /^grpcs?:\/\/([^/]+:\d+)\/?$/.exec(address);
  return match?.[1];
}

/** DbGetCSDbServerList: host:port of every exported database device (sys/database/*). */
export async function csDbServerList(db: SqlRunner): Promise<string[]> {
  const rows = await db.query<{ ior: string }>(
    "SELECT DISTINCT ior FROM device WHERE exported AND lower(domain) = 'sys' AND lower(family) = 'database' ORDER BY ior");
  return rows.map((r) => {
    const hostPort = hostPortOf(r.ior);
    if (hostPort === undefined) throw DbErrors.wrongIorForDbServer();
    return hostPort;
  });
}

/**
 * DbMySqlSelect: refused. cppTango runs the caller's SELECT on its MySQL schema; this database
 * keeps other tables (PostgreSQL, one row per property value), so such a query could only
 * mislead, and caller SQL is never run here.
 */
export function mySqlSelectRefusal(query: string): DevFailed {
  return DbErrors.sqlError(
    "DbMySqlSelect is not supported: this Tango database keeps its data in PostgreSQL with its own schema, " +
    "not cppTango's MySQL tables, and runs no SQL sent by clients; use the Db* commands " +
    `(DbGetDeviceList, DbGetDeviceInfo, DbGetDeviceProperty, ...) instead\nThe query was: ${query}`,
    "db_my_sql_select()");
}
