import { likePattern } from "../sql/wildcard.js";
import type { SqlRunner } from "../sql/sql-db.js";
import { DbErrors } from "./db-errors.js";
import { ciOrder, column, distinctValues } from "./name-queries.js";

/*
 * The list commands: devices, servers, classes, hosts and name fields matching a Tango wildcard
 * (`*` for any characters; `%` and `_` match themselves), as cppTango's DataBaseds answers them.
 * A filter that matches a device name matches its alias too where cppTango's query says so.
 */

const LIKE = (col: string, n: number): string => `lower(${col}) LIKE $${n} ESCAPE '\\'`;
const NAME_OR_ALIAS = `(${LIKE("name", 1)} OR ${LIKE("alias", 1)})`;

/** DbGetDeviceList [server, class] (wildcards both): the devices, sorted. */
export async function deviceList(db: SqlRunner, argin: readonly string[]): Promise<string[]> {
  if (argin.length !== 2) throw DbErrors.incorrectArguments("incorrect no. of input arguments, needs 2 (server,class)", "GetDeviceList()");
  const rows = await db.query<{ name: string }>(
    `SELECT name FROM device WHERE ${LIKE("server", 1)} AND ${LIKE("class", 2)} ORDER BY ${ciOrder("name")}`,
    [likePattern(argin[0] as string), likePattern(argin[1] as string)]);
  return column(rows, "name");
}

/** DbGetDeviceWideList: every device whose name matches. */
export async function deviceWideList(db: SqlRunner, filter: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(`SELECT name FROM device WHERE ${LIKE("name", 1)} ORDER BY ${ciOrder("name")}`, [likePattern(filter)]);
  return column(rows, "name");
}

/** DbGetDeviceExportedList: the exported devices whose name or alias matches. */
export async function deviceExportedList(db: SqlRunner, filter: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT name FROM device WHERE ${NAME_OR_ALIAS} AND exported ORDER BY ${ciOrder("name")}`, [likePattern(filter)]);
  return column(rows, "name");
}

/** DbGetExportdDeviceListForClass: the exported devices of the classes matching. */
export async function exportedDevicesOfClass(db: SqlRunner, cls: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT name FROM device WHERE ${LIKE("class", 1)} AND exported ORDER BY ${ciOrder("name")}`, [likePattern(cls)]);
  return column(rows, "name");
}

/** DbGetDeviceDomainList, DbGetDeviceFamilyList, DbGetDeviceMemberList: one field of the devices whose name or alias matches. */
export function deviceFieldList(db: SqlRunner, field: "domain" | "family" | "member", filter: string): Promise<string[]> {
  return distinctValues(db, "device", field, NAME_OR_ALIAS, [likePattern(filter)]);
}

/** DbGetDeviceClassList (exact server name): [device, class, device, class, ...] sorted by device. */
export async function deviceClassList(db: SqlRunner, server: string): Promise<string[]> {
  const rows = await db.query<{ name: string; class: string }>(
    `SELECT name, class FROM device WHERE lower(server) = lower($1) ORDER BY ${ciOrder("name")}`, [server]);
  return rows.flatMap((r) => [r.name, r.class]);
}

/** DbGetDeviceServerClassList: the classes of the servers matching. */
export function serverClassList(db: SqlRunner, server: string): Promise<string[]> {
  return distinctValues(db, "device", "class", LIKE("server", 1), [likePattern(server)]);
}

/** DbGetClassList: the classes matching. */
export function classList(db: SqlRunner, filter: string): Promise<string[]> {
  return distinctValues(db, "device", "class", LIKE("class", 1), [likePattern(filter)]);
}

/** DbGetServerList: the servers (exec/instance) matching. */
export function serverList(db: SqlRunner, filter: string): Promise<string[]> {
  return distinctValues(db, "device", "server", LIKE("server", 1), [likePattern(filter)]);
}

/** DbGetServerNameList: the executable names of the servers matching, each once whatever its case. */
export async function serverNameList(db: SqlRunner, filter: string): Promise<string[]> {
  const names: string[] = [];
  for (const server of await serverList(db, filter)) {
    const slash = server.indexOf("/");
    if (slash < 0) continue;
    const exec = server.slice(0, slash);
    if (!names.some((n) => n.toLowerCase() === exec.toLowerCase())) names.push(exec);
  }
  return names;
}

/** DbGetInstanceNameList: the instances of one executable. */
export async function instanceNameList(db: SqlRunner, exec: string): Promise<string[]> {
  const servers = await serverList(db, `${exec}/*`);
  return servers.filter((s) => s.includes("/")).map((s) => s.slice(s.indexOf("/") + 1));
}

/** DbGetHostList: the hosts matching ("nada" for devices never exported). */
export function hostList(db: SqlRunner, filter: string): Promise<string[]> {
  return distinctValues(db, "device", "host", LIKE("host", 1), [likePattern(filter)]);
}

/** DbGetHostServerList: the servers whose admin device last ran on a host matching (with or without its domain). */
export function hostServerList(db: SqlRunner, filter: string): Promise<string[]> {
  const pattern = likePattern(filter);
  return distinctValues(db, "device", "server",
    `(${LIKE("host", 1)} OR ${LIKE("host", 2)}) AND lower(name) LIKE 'dserver/%'`, [pattern, `${pattern}.%`]);
}

/** DbGetClassForDevice: the device's class. */
export async function classForDevice(db: SqlRunner, device: string): Promise<string> {
  const rows = await db.query<{ class: string }>("SELECT class FROM device WHERE lower(name) = lower($1)", [device]);
  const cls = rows[0]?.class;
  if (cls === undefined) throw DbErrors.incorrectArguments(`Class not found for ${device}`, "db_get_class_for_device()");
  return cls;
}

/** DbGetClassInheritanceForDevice: the device's class, then the values of its class property InheritedFrom. */
export async function classInheritanceForDevice(db: SqlRunner, device: string): Promise<string[]> {
  const cls = await classForDevice(db, device);
  const rows = await db.query<{ value: string }>(
    "SELECT value FROM property_class WHERE lower(class) = lower($1) AND lower(name) = 'inheritedfrom' ORDER BY idx", [cls]);
  return [cls, ...column(rows, "value")];
}

/**
 * DbGetForwardedAttributeListForDevice: [device, attribute, root attribute, ...] for every
 * forwarded attribute whose root (its `__root_att` property) is on this device.
 */
export async function forwardedAttributes(db: SqlRunner, device: string): Promise<string[]> {
  const rows = await db.query<{ device: string; attribute: string; value: string }>(
    `SELECT device, attribute, value FROM property_attribute_device
     WHERE name = '__root_att' AND lower(left(value, length($1) + 1)) = lower($1 || '/') ORDER BY ${ciOrder("device")}, ${ciOrder("attribute")}`,
    [device]);
  return rows.flatMap((r) => [r.device, r.attribute, r.value]);
}
