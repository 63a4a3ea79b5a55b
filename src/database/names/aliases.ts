import { likePattern } from "../sql/wildcard.js";
import type { SqlRunner } from "../sql/sql-db.js";
import { DbErrors } from "./db-errors.js";
import { parseDeviceName } from "./device-names.js";
import { ciOrder, column } from "./name-queries.js";

/*
 * Device and attribute aliases (spec §2.1 item 7; cppTango DbPutDeviceAlias, DbGetDeviceAlias,
 * DbPutAttributeAlias, ...). An alias is unique system-wide and names one device or one
 * attribute; cppTango forbids '/' and ' ' in it.
 */

const hasForbiddenCharacter = (alias: string): boolean => alias.includes("/") || alias.includes(" ");

/** DbPutDeviceAlias [device, alias]. */
export async function putDeviceAlias(tx: SqlRunner, argin: readonly string[]): Promise<void> {
  const [device, alias] = argin;
  if (device === undefined || alias === undefined) throw DbErrors.incorrectArguments("insufficient alias info for device", "db_put_device_alias()");
  if (hasForbiddenCharacter(alias)) {
    throw DbErrors.incorrectArguments("Wrong alias info for device!. Characters '/',' ' forbidden in alias", "db_put_device_alias()");
  }
  const taken = await tx.query("SELECT 1 FROM device WHERE lower(alias) = lower($1) AND lower(name) <> lower($2)", [alias, device]);
  if (taken.length > 0) throw DbErrors.aliasExists(alias, "db_put_device_alias()");
  await tx.query("UPDATE device SET alias = $1 WHERE lower(name) = lower($2)", [alias, device]);
}

/** DbGetDeviceAlias: the device's alias. */
export async function deviceAlias(db: SqlRunner, raw: string): Promise<string> {
  const device = parseDeviceName(raw);
  if (device === undefined) throw DbErrors.deviceNameIncorrect("failed to find alias, device name incorrect", "db_get_device_alias()");
  const rows = await db.query<{ alias: string | null }>("SELECT alias FROM device WHERE lower(name) = lower($1)", [device.name]);
  const alias = rows[0]?.alias;
  if (alias === undefined || alias === null) throw DbErrors.noAliasForDevice(device.name);
  return alias;
}

/** DbGetAliasDevice: the device an alias (a wildcard, as in cppTango) names. */
export async function aliasDevice(db: SqlRunner, alias: string): Promise<string> {
  const rows = await db.query<{ name: string }>(
    `SELECT name FROM device WHERE lower(alias) LIKE $1 ESCAPE '\\' ORDER BY ${ciOrder("name")} LIMIT 1`, [likePattern(alias)]);
  const name = rows[0]?.name;
  if (name === undefined) throw DbErrors.noDeviceForAlias(alias);
  return name;
}

/** DbGetDeviceAliasList: the device aliases matching. */
export async function deviceAliasList(db: SqlRunner, filter: string): Promise<string[]> {
  const rows = await db.query<{ alias: string }>(
    `SELECT alias FROM device WHERE lower(alias) LIKE $1 ESCAPE '\\' ORDER BY ${ciOrder("alias")}`, [likePattern(filter)]);
  return column(rows, "alias");
}

/** DbDeleteDeviceAlias: the device keeps its name and loses this alias; an unknown alias is no error. */
export async function deleteDeviceAlias(db: SqlRunner, alias: string): Promise<void> {
  await db.query("UPDATE device SET alias = NULL WHERE lower(alias) = lower($1)", [alias]);
}

/** DbPutAttributeAlias [device/attribute, alias]: replaces the attribute's alias. */
export async function putAttributeAlias(tx: SqlRunner, argin: readonly string[]): Promise<void> {
  const [name, alias] = argin;
  const origin = "db_put_attribute_alias()";
  if (name === undefined || alias === undefined) throw DbErrors.incorrectArguments("insufficient alias info for attribute", origin);
  if (hasForbiddenCharacter(alias)) throw DbErrors.incorrectArguments("Wrong alias for attribute!. Characters '/',' ' forbidden in alias", origin);
  const taken = await tx.query("SELECT 1 FROM attribute_alias WHERE lower(alias) = lower($1) AND lower(name) <> lower($2)", [alias, name]);
  if (taken.length > 0) throw DbErrors.aliasExists(alias, origin);
  if (name.split("/").length !== 4) throw DbErrors.sqlError(`attribute name ${name} has bad syntax, must have 3 / in it`, origin);
  const slash = name.lastIndexOf("/");
  await tx.query("DELETE FROM attribute_alias WHERE lower(name) = lower($1)", [name]);
  await tx.query("INSERT INTO attribute_alias (alias, name, device, attribute) VALUES ($1, $2, $3, $4)",
    [alias, name, name.slice(0, slash), name.slice(slash + 1)]);
}

/** DbGetAttributeAlias and DbGetAliasAttribute: the attribute (device/attribute) an alias names. */
export async function aliasAttribute(db: SqlRunner, alias: string, origin: string): Promise<string> {
  const rows = await db.query<{ name: string }>("SELECT name FROM attribute_alias WHERE lower(alias) = lower($1)", [alias]);
  const name = rows[0]?.name;
  if (name === undefined) throw DbErrors.sqlError(`No attribute found for alias  '${alias}'`, origin);
  return name;
}

/** DbGetAttributeAlias2: the alias of an attribute (device/attribute). */
export async function attributeAlias(db: SqlRunner, name: string): Promise<string> {
  const rows = await db.query<{ alias: string }>("SELECT alias FROM attribute_alias WHERE lower(name) = lower($1)", [name]);
  const alias = rows[0]?.alias;
  if (alias === undefined) throw DbErrors.sqlError(`No alias found for attribute  '${name}'`, "db_get_attribute_alias2()");
  return alias;
}

/** DbGetAttributeAliasList: the attribute aliases matching, in the order of their attributes. */
export async function attributeAliasList(db: SqlRunner, filter: string): Promise<string[]> {
  const rows = await db.query<{ alias: string }>(
    `SELECT alias FROM attribute_alias WHERE lower(alias) LIKE $1 ESCAPE '\\' ORDER BY ${ciOrder("attribute")}, ${ciOrder("alias")}`,
    [likePattern(filter)]);
  return column(rows, "alias");
}

/** DbDeleteAttributeAlias; an unknown alias is no error. */
export async function deleteAttributeAlias(db: SqlRunner, alias: string): Promise<void> {
  await db.query("DELETE FROM attribute_alias WHERE lower(alias) = lower($1)", [alias]);
}
