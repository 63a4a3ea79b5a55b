import type { SqlRunner } from "../sql/sql-db.js";
import { DbErrors } from "./db-errors.js";
import { adminDeviceName, parseDeviceName, type DeviceName } from "./device-names.js";

/*
 * Adding, deleting and renaming servers and devices (cppTango DbAddServer, DbAddDevice,
 * DbDeleteDevice, DbDeleteServer, DbRenameServer). A device belongs to one server: adding it to
 * another moves it there, as cppTango does (the reference records DbAddDevice and DbAddServer of
 * a device of another server succeeding and the device then listed under the new server only).
 * Each command runs in one transaction, so a refused argument changes nothing.
 */

/** The device tables keyed by device name (cppTango deletes from each with the device). */
const DEVICE_PROPERTY_TABLES = ["property_device", "property_attribute_device", "property_pipe_device"] as const;

async function insertDevice(tx: SqlRunner, d: DeviceName, server: string, cls: string, alias: string | null): Promise<void> {
  await tx.query("DELETE FROM device WHERE lower(name) = lower($1)", [d.name]);
  await tx.query(
    "INSERT INTO device (name, alias, domain, family, member, server, class) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    [d.name, alias, d.domain, d.family, d.member, server, cls]);
}

/** DbAddDevice [server, device, class, alias?]: the server's admin device is added if it has none. */
export async function addDevice(tx: SqlRunner, argin: readonly string[]): Promise<void> {
  const [server, rawDevice, cls, alias] = argin;
  if (server === undefined || rawDevice === undefined || cls === undefined) {
    throw DbErrors.incorrectArguments("incorrect no. of input arguments, needs at least 3 (server,device,class)", "AddDevice()");
  }
  const device = parseDeviceName(rawDevice);
  if (device === undefined) throw DbErrors.deviceNameSyntax(rawDevice, "AddDevice()");
  if (alias !== undefined) {
    const taken = await tx.query("SELECT 1 FROM device WHERE lower(alias) = lower($1) AND lower(name) <> lower($2)", [alias, device.name]);
    if (taken.length > 0) throw DbErrors.aliasExists(alias, "AddDevice()");
  }
  await insertDevice(tx, device, server, cls, alias ?? null);
  const admin = await tx.query("SELECT 1 FROM device WHERE lower(server) = lower($1) AND lower(class) = 'dserver'", [server]);
  if (admin.length === 0) await insertDevice(tx, adminDeviceName(server), server, "DServer", null);
}

/**
 * DbAddServer [server, device, class, device, class, ...]: every pair, then the admin device
 * (added again, so not exported).
 */
export async function addServer(tx: SqlRunner, argin: readonly string[]): Promise<void> {
  const [server] = argin;
  if (server === undefined || argin.length < 3) {
    throw DbErrors.incorrectArguments("incorrect no. of input arguments, needs at least 3 (server,device,class)", "AddServer()");
  }
  const devices: DeviceName[] = [];
  const classes: string[] = [];
  for (let i = 1; i + 1 < argin.length; i += 2) {
    const raw = argin[i] as string;
    const device = parseDeviceName(raw);
    if (device === undefined) throw DbErrors.deviceNameSyntax(raw, "AddServer()");
    devices.push(device);
    classes.push(argin[i + 1] as string);
  }
  devices.push(adminDeviceName(server));
  classes.push("DServer");
  await insertDevices(tx, devices, server, classes);
}

/**
 * As insertDevice for each of `devices` in order, in two statements whatever their number (a
 * server of a thousand devices registers in one DbAddServer): a name given twice keeps its last
 * class, as the one-by-one replacement would.
 */
async function insertDevices(tx: SqlRunner, devices: readonly DeviceName[], server: string, classes: readonly string[]): Promise<void> {
  const names = devices.map((d) => d.name);
  await tx.query("DELETE FROM device WHERE lower(name) IN (SELECT lower(n) FROM unnest($1::text[]) AS u(n))", [names]);
  await tx.query(
    `INSERT INTO device (name, alias, domain, family, member, server, class)
     SELECT DISTINCT ON (lower(n)) n, NULL, d, f, m, $1, c
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS u(n, d, f, m, c, o)
     ORDER BY lower(n), o DESC`,
    [server, names, devices.map((d) => d.domain), devices.map((d) => d.family), devices.map((d) => d.member), classes]);
}

async function deleteDeviceRows(tx: SqlRunner, name: string): Promise<void> {
  await tx.query("DELETE FROM device WHERE lower(name) = lower($1)", [name]);
  for (const table of DEVICE_PROPERTY_TABLES) await tx.query(`DELETE FROM ${table} WHERE lower(device) = lower($1)`, [name]);
  await tx.query("DELETE FROM attribute_alias WHERE lower(device) = lower($1)", [name]);
}

/** DbDeleteDevice: the device, its properties and its attribute aliases; an unknown device is no error. */
export async function deleteDevice(tx: SqlRunner, raw: string): Promise<void> {
  const device = parseDeviceName(raw);
  if (device === undefined) throw DbErrors.deviceNameIncorrect("failed to delete device, device name incorrect", "db_delete_device()");
  await deleteDeviceRows(tx, device.name);
}

/** DbDeleteServer: every device of the server (its admin device too), as DbDeleteDevice each. */
export async function deleteServer(tx: SqlRunner, server: string): Promise<void> {
  if (server.includes("*") || server.includes("%") || !server.includes("/")) {
    throw DbErrors.serverName("failed to delete server, server name incorrect", "db_delete_server()");
  }
  await requireServer(tx, server);
  const devices = await tx.query<{ name: string }>("SELECT name FROM device WHERE lower(server) = lower($1) ORDER BY name", [server]);
  for (const d of devices) await deleteDeviceRows(tx, d.name);
}

/** A server is defined when its admin device is (cppTango asks for the admin device's host). */
async function requireServer(tx: SqlRunner, server: string): Promise<void> {
  const admin = await tx.query("SELECT 1 FROM device WHERE lower(name) = lower($1)", [`dserver/${server}`]);
  // cppTango raises this from DbRenameServer too, with DbDeleteServer's origin.
  if (admin.length === 0) throw DbErrors.serverName(`Server ${server} not defined in database !`, "db_delete_server()");
}

/**
 * DbRenameServer [old, new] (exec/instance each): the devices move to the new name, and the
 * admin device is renamed with its properties.
 */
export async function renameServer(tx: SqlRunner, argin: readonly string[]): Promise<void> {
  if (argin.length !== 2) throw DbErrors.wrongArgNumber();
  const [oldName, newName] = argin as [string, string];
  if (!oldName.includes("/") || !newName.includes("/")) throw DbErrors.wrongArgument("Wrong syntax in command args (ds_exec_name/inst_name)");
  const newAdmin = adminDeviceName(newName);
  const used = await tx.query("SELECT 1 FROM device WHERE lower(name) = lower($1)", [newAdmin.name]);
  if (used.length > 0) throw DbErrors.wrongArgument(`Device server process name ${newName} is already used`);
  await requireServer(tx, oldName);
  const oldAdmin = `dserver/${oldName}`;
  await tx.query("UPDATE device SET server = $1 WHERE lower(server) = lower($2)", [newName, oldName]);
  await tx.query("UPDATE device SET name = $1, family = $2, member = $3 WHERE lower(name) = lower($4)",
    [newAdmin.name, newAdmin.family, newAdmin.member, oldAdmin]);
  for (const table of ["property_device", "property_attribute_device"]) {
    await tx.query(`UPDATE ${table} SET device = $1 WHERE lower(device) = lower($2)`, [newAdmin.name, oldAdmin]);
  }
}
