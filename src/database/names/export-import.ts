import type { DevVarLongStringArrayValue } from "../../device/index.js";
import { readThrough } from "../sql/read-cache.js";
import type { SqlDb, SqlRunner } from "../sql/sql-db.js";
import { DbErrors } from "./db-errors.js";
import { formatInfoDate } from "./tango-dates.js";

/*
 * Export and import of devices and event channels (RFC 6, cppTango DbExportDevice,
 * DbImportDevice, DbGetDeviceInfo, DbUnExportDevice, DbUnExportServer and the *Event commands).
 * For a tango-grpc server the "IOR" is the address its clients dial, `grpc://host:port` (or
 * `grpcs://`); it is kept as given. A device never exported reads IOR "nada", host "nada",
 * version "0", pid 0; unexporting keeps the IOR, host and pid and sets the stopped date.
 */

type DeviceRow = {
  exported: boolean; ior: string; version: string; pid: number; server: string; host: string;
  class: string; started: Date | null; stopped: Date | null;
};

const DEVICE_COLUMNS = "exported, ior, version, pid, server, host, class, started, stopped";

/** A pid as cppTango stores it: "null" is -1, anything that is no number is 0. */
function parsePid(text: string): number {
  if (text === "null") return -1;
  const pid = Number.parseInt(text, 10);
  return Number.isSafeInteger(pid) && pid >= -0x80000000 && pid <= 0x7fffffff ? pid : 0;
}

const longString = (lvalue: readonly number[], svalue: readonly string[]): DevVarLongStringArrayValue =>
  ({ lvalue: Int32Array.from(lvalue), svalue });

/**
 * DbExportDevice [name, ior, host, pid, version]: marks the device exported and dates it, and
 * records the host of its server. One statement, atomic on its own: a server registering
 * a thousand devices sends a thousand of these, and each statement costs more than the call.
 */
export async function exportDevice(db: SqlRunner, argin: readonly string[]): Promise<void> {
  const [name, ior, host, pid, version] = argin;
  if (name === undefined || ior === undefined || host === undefined || pid === undefined || version === undefined) {
    throw DbErrors.incorrectArguments("Insufficient export info for device", "DbExportDevice()");
  }
  const rows = await db.query<{ n: number }>(
    `WITH d AS (
       UPDATE device SET exported = true, ior = $1, host = $2, pid = $3, version = $4, started = now() WHERE lower(name) = lower($5)
       RETURNING server),
     s AS (UPDATE server SET host = $2 WHERE lower(name) IN (SELECT lower(server) FROM d))
     SELECT count(*)::int AS n FROM d`,
    [ior, host, parsePid(pid), version, name]);
  if (rows[0]?.n !== 1) throw DbErrors.deviceNotDefined(`device ${name.toLowerCase()}`, "ExportDevice()");
}

/** The device named `name`, else the one whose alias it is. */
async function findDevice(db: SqlRunner, name: string): Promise<DeviceRow | undefined> {
  const byName = await db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM device WHERE lower(name) = lower($1)`, [name]);
  if (byName[0] !== undefined) return byName[0];
  const byAlias = await db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM device WHERE lower(alias) = lower($1)`, [name]);
  return byAlias[0];
}

/**
 * DbImportDevice: lvalue [exported, pid], svalue [name, ior, version, server, host, class]. The
 * name comes back as asked, lower-cased (cppTango answers with its lower-cased argin). The
 * device's row is read through the embedded store's memory (read-cache.ts).
 */
export async function importDevice(db: SqlDb, name: string): Promise<DevVarLongStringArrayValue> {
  const lower = name.toLowerCase();
  const d = await readThrough(db, `device:${name}`, (r) => findDevice(r, name));
  if (d === undefined) throw DbErrors.deviceNotDefined(`device ${lower}`, "ImportDevice()");
  return longString([d.exported ? 1 : 0, d.pid], [lower, d.ior, d.version, d.server, d.host, d.class]);
}

/** DbGetDeviceInfo: as DbImportDevice, with the started and stopped dates ("?" when unset) before the class. */
export async function deviceInfo(db: SqlRunner, name: string): Promise<DevVarLongStringArrayValue> {
  const lower = name.toLowerCase();
  const d = await findDevice(db, name);
  if (d === undefined) throw DbErrors.deviceNotDefined(`device ${lower}`, "GetDeviceInfo()");
  const date = (v: Date | null): string => (v === null ? "?" : formatInfoDate(v));
  return longString([d.exported ? 1 : 0, d.pid], [lower, d.ior, d.version, d.server, d.host, date(d.started), date(d.stopped), d.class]);
}

/** DbUnExportDevice: not exported any more, stopped now; an unknown device is no error. */
export async function unexportDevice(db: SqlRunner, name: string): Promise<void> {
  await db.query("UPDATE device SET exported = false, stopped = now() WHERE lower(name) = lower($1)", [name]);
}

/** DbUnExportServer (exec/instance): every device of the server, as DbUnExportDevice. */
export async function unexportServer(db: SqlRunner, server: string): Promise<void> {
  await db.query("UPDATE device SET exported = false, stopped = now() WHERE lower(server) = lower($1)", [server]);
}

/** DbExportEvent [name, ior, host, pid, version]: the channel replaces any of the same name. */
export async function exportEvent(tx: SqlRunner, argin: readonly string[]): Promise<void> {
  const [name, ior, host, pid, version] = argin;
  if (name === undefined || ior === undefined || host === undefined || pid === undefined || version === undefined) {
    throw DbErrors.incorrectArguments("insufficient export info for event", "db_export_event()");
  }
  const lower = name.toLowerCase();
  await tx.query("DELETE FROM event WHERE lower(name) = $1", [lower]);
  await tx.query("INSERT INTO event (name, exported, ior, host, server, pid, version) VALUES ($1, true, $2, $3, $1, $4, $5)",
    [lower, ior, host, parsePid(pid), version]);
}

/** DbImportEvent: lvalue [exported, pid], svalue [name, ior, version, host]. */
export async function importEvent(db: SqlRunner, name: string): Promise<DevVarLongStringArrayValue> {
  const lower = name.toLowerCase();
  const rows = await db.query<{ exported: boolean; ior: string; version: string; pid: number; host: string }>(
    "SELECT exported, ior, version, pid, host FROM event WHERE lower(name) = $1", [lower]);
  const e = rows[0];
  if (e === undefined) throw DbErrors.deviceNotDefined(`event ${lower}`, "db_import_event()");
  return longString([e.exported ? 1 : 0, e.pid], [lower, e.ior, e.version, e.host]);
}

/** DbUnExportEvent: the channel is not exported any more; an unknown one is no error. */
export async function unexportEvent(db: SqlRunner, name: string): Promise<void> {
  await db.query("UPDATE event SET exported = false WHERE lower(name) = lower($1)", [name]);
}
