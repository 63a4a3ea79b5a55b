import { DevFailed } from "../../core/index.js";

/*
 * The errors of cppTango's DataBaseds that the name, export and alias commands raise, one builder
 * per error so that each description is written once, with cppTango's reason, wording and origin
 * (TangoDatabase DataBase.cpp; shared reference database_commands.json). Misspellings such as
 * "DB_WrongArgNUmber" are cppTango's own, kept because clients compare reasons.
 */

/** The DataBase device's own reasons (cppTango DataBase.h). */
export const DbReason = {
  SQLError: "DB_SQLError",
  IncorrectArguments: "DB_IncorrectArguments",
  IncorrectDeviceName: "DB_IncorrectDeviceName",
  IncorrectServerName: "DB_IncorrectServerName",
  DeviceNotDefined: "DB_DeviceNotDefined",
  AliasNotDefined: "DB_AliasNotDefined",
  WrongArgNumber: "DB_WrongArgNUmber",
  WrongArgument: "Db_WrongArgument",
  WrongIORForDbServer: "DB_WrongIORForDbServer",
} as const;

/** One of the DataBase device's reasons. */
export type DbReason = (typeof DbReason)[keyof typeof DbReason];

const fail = (reason: DbReason, desc: string, origin: string): DevFailed => DevFailed.of(reason, desc, `DataBase::${origin}`);

/** The errors, by what went wrong; `origin` is cppTango's method name where it varies. */
export const DbErrors = {
  /** Fewer argin elements than the command needs. */
  incorrectArguments: (desc: string, origin: string): DevFailed => fail(DbReason.IncorrectArguments, desc, origin),

  /** DbAddDevice and DbAddServer: a device name that is not domain/family/member. */
  deviceNameSyntax: (name: string, origin: string): DevFailed =>
    fail(DbReason.IncorrectDeviceName, `device name (${name}) syntax error (should be [tango:][//instance/]domain/family/member)`, origin),

  /** A device name with bad syntax where the command says only "incorrect". */
  deviceNameIncorrect: (desc: string, origin: string): DevFailed => fail(DbReason.IncorrectDeviceName, desc, origin),

  /** A device (or event channel) that is not in the database. */
  deviceNotDefined: (what: string, origin: string): DevFailed =>
    fail(DbReason.DeviceNotDefined, `${what} not defined in the database !`, origin),

  /** DbGetAliasDevice: no device has this alias. */
  noDeviceForAlias: (alias: string): DevFailed =>
    fail(DbReason.DeviceNotDefined, `No device found for alias '${alias}'`, "db_get_alias_device()"),

  /** DbGetDeviceAlias: the device has no alias (or does not exist). */
  noAliasForDevice: (device: string): DevFailed =>
    fail(DbReason.AliasNotDefined, `No alias found for device '${device}'`, "db_get_device_alias()"),

  /** DbPutDeviceAlias, DbPutAttributeAlias: the alias belongs to another object. */
  aliasExists: (alias: string, origin: string): DevFailed => fail(DbReason.SQLError, `alias ${alias} already exists !`, origin),

  /** An SQL-level refusal with cppTango's text (DB_SQLError). */
  sqlError: (desc: string, origin: string): DevFailed => fail(DbReason.SQLError, desc, origin),

  /** DbDeleteServer, DbRenameServer: a server name with bad syntax or not in the database. */
  serverName: (desc: string, origin: string): DevFailed => fail(DbReason.IncorrectServerName, desc, origin),

  /** DbRenameServer: not two names. */
  wrongArgNumber: (): DevFailed =>
    fail(DbReason.WrongArgNumber, "Wrong number of args (two required: old name and new name)", "db_rename_server()"),

  /** DbRenameServer: a name that is not exec/instance, or a new name already in use. */
  wrongArgument: (desc: string): DevFailed => fail(DbReason.WrongArgument, desc, "db_rename_server()"),

  /** DbGetCSDbServerList: an exported database device whose address cannot be read. */
  wrongIorForDbServer: (): DevFailed =>
    fail(DbReason.WrongIORForDbServer, "Wrong IOR in database for at least one of the database server(s)", "db_get_csdb_server_list()"),
} as const;

/**
 * Anything a command's storage threw, as a client sees it: a DevFailed unchanged, anything else
 * (a driver error: a lost connection, a constraint) as cppTango reports a failed query.
 */
export function toDbFailure(err: unknown, command: string): DevFailed {
  if (err instanceof DevFailed) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DevFailed([{ reason: DbReason.SQLError, desc: `Failed to query TANGO database (error=${message})`, origin: `DataBase::${command}()` }], { cause: err });
}
