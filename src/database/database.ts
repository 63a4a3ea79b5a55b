import {
  AttrDataFormat, DevDouble, DevString, DevVarLongStringArray, DevVarStringArray, DevVoid, attribute, command,
  type DevVarLongStringArrayValue,
} from "../device/index.js";
import type { SqlRunner } from "./sql/sql-db.js";
import { DataBaseProperties } from "./database-properties.js";
import {
  aliasAttribute, aliasDevice, attributeAlias, attributeAliasList, deleteAttributeAlias, deleteDeviceAlias, deviceAlias,
  deviceAliasList, putAttributeAlias, putDeviceAlias,
} from "./names/aliases.js";
import { NAME_COMMAND_DOCS as DOCS } from "./names/command-docs.js";
import { toDbFailure } from "./names/db-errors.js";
import { csDbServerList, dbInfo, mySqlSelectRefusal } from "./names/db-info.js";
import {
  deviceInfo, exportDevice, exportEvent, importDevice, importEvent, unexportDevice, unexportEvent, unexportServer,
} from "./names/export-import.js";
import {
  classForDevice, classInheritanceForDevice, classList, deviceClassList, deviceExportedList, deviceFieldList, deviceList,
  deviceWideList, exportedDevicesOfClass, forwardedAttributes, hostList, hostServerList, instanceNameList, serverClassList,
  serverList, serverNameList,
} from "./names/name-lists.js";
import { addDevice, addServer, deleteDevice, deleteServer, renameServer } from "./names/registration.js";
import { deleteServerInfo, hostServersInfo, putServerInfo, serverInfo } from "./names/server-info.js";
import { timed, timingStatsOf } from "./names/timing-stats.js";
import { STORED_PROCEDURE_RELEASE } from "./properties/server-cache.js";

// What StoredProcedureRelease reads: the DbGetDataForServerCache layout this database answers with.
export { STORED_PROCEDURE_RELEASE } from "./properties/server-cache.js";

/** Most elements of a Timing_* attribute (cppTango's max_dim_x). */
const TIMING_SPECTRUM = { dformat: AttrDataFormat.SPECTRUM, maxDimX: 64 } as const;

/**
 * The Tango database device (class `DataBase`, RFC 6; DESIGN §10): the name server that device
 * servers register with and clients resolve names through, and the store of their properties.
 * Its commands and attributes are those of cppTango 9.3.4's DataBaseds, with the same argument
 * layouts, results and errors; this layer holds the names, servers, export and import, aliases,
 * event channels and the database's own information. Bind a storage with `withStorage`.
 */
export abstract class DataBase extends DataBaseProperties {
  readonly #createdAt = new Date();

  /** Runs a command on the storage: its failures as DB_SQLError, its duration counted if cppTango times it. */
  #read<T>(name: string, work: (db: SqlRunner) => Promise<T>): Promise<T> {
    return timed(this, name, () => work(this.sql).catch((err: unknown) => { throw toDbFailure(err, name); }));
  }

  /** As #read, in one transaction: a refused argument leaves everything as it was. */
  #write<T>(name: string, work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.#read(name, () => this.sql.transaction(work));
  }

  /** Adds a device to a server (moving it from another server), and the server's admin device if missing. */
  @command({ dtypeIn: DevVarStringArray, ...DOCS.DbAddDevice })
  DbAddDevice(argin: readonly string[]): Promise<void> { return this.#write("DbAddDevice", (tx) => addDevice(tx, argin)); }

  /** Adds a server with its devices and its admin device. */
  @command({ dtypeIn: DevVarStringArray, ...DOCS.DbAddServer })
  DbAddServer(argin: readonly string[]): Promise<void> { return this.#write("DbAddServer", (tx) => addServer(tx, argin)); }

  /** Deletes an attribute alias. */
  @command({ dtypeIn: DevString, ...DOCS.DbDeleteAttributeAlias })
  DbDeleteAttributeAlias(argin: string): Promise<void> { return this.#read("DbDeleteAttributeAlias", (db) => deleteAttributeAlias(db, argin)); }

  /** Deletes a device with its properties and attribute aliases. */
  @command({ dtypeIn: DevString, ...DOCS.DbDeleteDevice })
  DbDeleteDevice(argin: string): Promise<void> { return this.#write("DbDeleteDevice", (tx) => deleteDevice(tx, argin)); }

  /** Deletes a device alias. */
  @command({ dtypeIn: DevString, ...DOCS.DbDeleteDeviceAlias })
  DbDeleteDeviceAlias(argin: string): Promise<void> { return this.#read("DbDeleteDeviceAlias", (db) => deleteDeviceAlias(db, argin)); }

  /** Deletes a server's devices (its admin device too) with their properties. */
  @command({ dtypeIn: DevString, ...DOCS.DbDeleteServer })
  DbDeleteServer(argin: string): Promise<void> { return this.#write("DbDeleteServer", (tx) => deleteServer(tx, argin)); }

  /** Deletes a server's host, mode and level record. */
  @command({ dtypeIn: DevString, ...DOCS.DbDeleteServerInfo })
  DbDeleteServerInfo(argin: string): Promise<void> { return this.#read("DbDeleteServerInfo", (db) => deleteServerInfo(db, argin)); }

  /** Registers a device as exported: [name, address (the "IOR"), host, pid, version]. */
  @command({ dtypeIn: DevVarStringArray, ...DOCS.DbExportDevice })
  DbExportDevice(argin: readonly string[]): Promise<void> { return this.#read("DbExportDevice", (db) => exportDevice(db, argin)); } // one statement

  /** Registers an event channel: [name, address, host, pid, version]. */
  @command({ dtypeIn: DevVarStringArray, ...DOCS.DbExportEvent })
  DbExportEvent(argin: readonly string[]): Promise<void> { return this.#write("DbExportEvent", (tx) => exportEvent(tx, argin)); }

  /** The attribute (device/attribute) an alias names. */
  @command({ dtypeIn: DevString, dtypeOut: DevString, ...DOCS.DbGetAliasAttribute })
  DbGetAliasAttribute(argin: string): Promise<string> {
    return this.#read("DbGetAliasAttribute", (db) => aliasAttribute(db, argin, "db_get_alias_attribute()"));
  }

  /** The device an alias names. */
  @command({ dtypeIn: DevString, dtypeOut: DevString, ...DOCS.DbGetAliasDevice })
  DbGetAliasDevice(argin: string): Promise<string> { return this.#read("DbGetAliasDevice", (db) => aliasDevice(db, argin)); }

  /** The attribute (device/attribute) an alias names. */
  @command({ dtypeIn: DevString, dtypeOut: DevString, ...DOCS.DbGetAttributeAlias })
  DbGetAttributeAlias(argin: string): Promise<string> {
    return this.#read("DbGetAttributeAlias", (db) => aliasAttribute(db, argin, "db_get_attribute_alias()"));
  }

  /** The alias of an attribute (device/attribute). */
  @command({ dtypeIn: DevString, dtypeOut: DevString, ...DOCS.DbGetAttributeAlias2 })
  DbGetAttributeAlias2(argin: string): Promise<string> { return this.#read("DbGetAttributeAlias2", (db) => attributeAlias(db, argin)); }

  /** The attribute aliases matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetAttributeAliasList })
  DbGetAttributeAliasList(argin: string): Promise<string[]> { return this.#read("DbGetAttributeAliasList", (db) => attributeAliasList(db, argin)); }

  /** host:port of every exported database server. */
  @command({ dtypeOut: DevVarStringArray, ...DOCS.DbGetCSDbServerList })
  DbGetCSDbServerList(): Promise<string[]> { return this.#read("DbGetCSDbServerList", (db) => csDbServerList(db)); }

  /** A device's class. */
  @command({ dtypeIn: DevString, dtypeOut: DevString, ...DOCS.DbGetClassForDevice })
  DbGetClassForDevice(argin: string): Promise<string> { return this.#read("DbGetClassForDevice", (db) => classForDevice(db, argin)); }

  /** A device's class and the classes it inherits from (class property InheritedFrom). */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetClassInheritanceForDevice })
  DbGetClassInheritanceForDevice(argin: string): Promise<string[]> {
    return this.#read("DbGetClassInheritanceForDevice", (db) => classInheritanceForDevice(db, argin));
  }

  /** The classes matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetClassList })
  DbGetClassList(argin: string): Promise<string[]> { return this.#read("DbGetClassList", (db) => classList(db, argin)); }

  /** A device's alias. */
  @command({ dtypeIn: DevString, dtypeOut: DevString, ...DOCS.DbGetDeviceAlias })
  DbGetDeviceAlias(argin: string): Promise<string> { return this.#read("DbGetDeviceAlias", (db) => deviceAlias(db, argin)); }

  /** The device aliases matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceAliasList })
  DbGetDeviceAliasList(argin: string): Promise<string[]> { return this.#read("DbGetDeviceAliasList", (db) => deviceAliasList(db, argin)); }

  /** A server's devices and their classes, in pairs. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceClassList })
  DbGetDeviceClassList(argin: string): Promise<string[]> { return this.#read("DbGetDeviceClassList", (db) => deviceClassList(db, argin)); }

  /** The domains of the devices matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceDomainList })
  DbGetDeviceDomainList(argin: string): Promise<string[]> {
    return this.#read("DbGetDeviceDomainList", (db) => deviceFieldList(db, "domain", argin));
  }

  /** The exported devices matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceExportedList })
  DbGetDeviceExportedList(argin: string): Promise<string[]> { return this.#read("DbGetDeviceExportedList", (db) => deviceExportedList(db, argin)); }

  /** The families of the devices matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceFamilyList })
  DbGetDeviceFamilyList(argin: string): Promise<string[]> {
    return this.#read("DbGetDeviceFamilyList", (db) => deviceFieldList(db, "family", argin));
  }

  /** A device's registration: what DbImportDevice says, with its started and stopped dates. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarLongStringArray, ...DOCS.DbGetDeviceInfo })
  DbGetDeviceInfo(argin: string): Promise<DevVarLongStringArrayValue> { return this.#read("DbGetDeviceInfo", (db) => deviceInfo(db, argin)); }

  /** The devices of the servers and classes matching [server, class] wildcards. */
  @command({ dtypeIn: DevVarStringArray, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceList })
  DbGetDeviceList(argin: readonly string[]): Promise<string[]> { return this.#read("DbGetDeviceList", (db) => deviceList(db, argin)); }

  /** The members of the devices matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceMemberList })
  DbGetDeviceMemberList(argin: string): Promise<string[]> {
    return this.#read("DbGetDeviceMemberList", (db) => deviceFieldList(db, "member", argin));
  }

  /** The classes of a server's devices. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceServerClassList })
  DbGetDeviceServerClassList(argin: string): Promise<string[]> {
    return this.#read("DbGetDeviceServerClassList", (db) => serverClassList(db, argin));
  }

  /** Every device matching a wildcard, exported or not. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetDeviceWideList })
  DbGetDeviceWideList(argin: string): Promise<string[]> { return this.#read("DbGetDeviceWideList", (db) => deviceWideList(db, argin)); }

  /** The exported devices of a class. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetExportdDeviceListForClass })
  DbGetExportdDeviceListForClass(argin: string): Promise<string[]> {
    return this.#read("DbGetExportdDeviceListForClass", (db) => exportedDevicesOfClass(db, argin));
  }

  /** The forwarded attributes whose root attribute is on a device, in triples. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetForwardedAttributeListForDevice })
  DbGetForwardedAttributeListForDevice(argin: string): Promise<string[]> {
    return this.#read("DbGetForwardedAttributeListForDevice", (db) => forwardedAttributes(db, argin));
  }

  /** The hosts matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetHostList })
  DbGetHostList(argin: string): Promise<string[]> { return this.#read("DbGetHostList", (db) => hostList(db, argin)); }

  /** The servers running on the hosts matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetHostServerList })
  DbGetHostServerList(argin: string): Promise<string[]> { return this.#read("DbGetHostServerList", (db) => hostServerList(db, argin)); }

  /** The servers of a host with their mode and level, in triples. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetHostServersInfo })
  DbGetHostServersInfo(argin: string): Promise<string[]> { return this.#read("DbGetHostServersInfo", (db) => hostServersInfo(db, argin)); }

  /** The instances of a server executable. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetInstanceNameList })
  DbGetInstanceNameList(argin: string): Promise<string[]> { return this.#read("DbGetInstanceNameList", (db) => instanceNameList(db, argin)); }

  /** A server's host, mode and level. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetServerInfo })
  DbGetServerInfo(argin: string): Promise<string[]> { return this.#read("DbGetServerInfo", (db) => serverInfo(db, argin)); }

  /** The servers (exec/instance) matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetServerList })
  DbGetServerList(argin: string): Promise<string[]> { return this.#read("DbGetServerList", (db) => serverList(db, argin)); }

  /** The server executables matching a wildcard. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, ...DOCS.DbGetServerNameList })
  DbGetServerNameList(argin: string): Promise<string[]> { return this.#read("DbGetServerNameList", (db) => serverNameList(db, argin)); }

  /** Where a device (or an alias) is: its address, server, host and class, exported flag and pid. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarLongStringArray, ...DOCS.DbImportDevice })
  DbImportDevice(argin: string): Promise<DevVarLongStringArrayValue> { return this.#read("DbImportDevice", () => importDevice(this.sql, argin)); }

  /** Where an event channel is. */
  @command({ dtypeIn: DevString, dtypeOut: DevVarLongStringArray, ...DOCS.DbImportEvent })
  DbImportEvent(argin: string): Promise<DevVarLongStringArrayValue> { return this.#read("DbImportEvent", (db) => importEvent(db, argin)); }

  /** A summary of what the database holds. */
  @command({ dtypeOut: DevVarStringArray, ...DOCS.DbInfo })
  DbInfo(): Promise<string[]> { return this.#read("DbInfo", (db) => dbInfo(db, this.name, this.#createdAt)); }

  /** Refused: this database runs no SQL sent by clients (cppTango runs a SELECT on its MySQL tables). */
  @command({ dtypeIn: DevString, dtypeOut: DevVarLongStringArray, ...DOCS.DbMySqlSelect })
  DbMySqlSelect(argin: string): Promise<DevVarLongStringArrayValue> {
    return this.#read("DbMySqlSelect", () => Promise.reject(mySqlSelectRefusal(argin)));
  }

  /** Gives an attribute (device/attribute) an alias. */
  @command({ dtypeIn: DevVarStringArray, ...DOCS.DbPutAttributeAlias })
  DbPutAttributeAlias(argin: readonly string[]): Promise<void> { return this.#write("DbPutAttributeAlias", (tx) => putAttributeAlias(tx, argin)); }

  /** Gives a device an alias. */
  @command({ dtypeIn: DevVarStringArray, ...DOCS.DbPutDeviceAlias })
  DbPutDeviceAlias(argin: readonly string[]): Promise<void> { return this.#write("DbPutDeviceAlias", (tx) => putDeviceAlias(tx, argin)); }

  /** Records a server's host, mode and level: [server, host, mode, level]. */
  @command({ dtypeIn: DevVarStringArray, ...DOCS.DbPutServerInfo })
  DbPutServerInfo(argin: readonly string[]): Promise<void> { return this.#write("DbPutServerInfo", (tx) => putServerInfo(tx, argin)); }

  /** Renames a server (exec/instance), its admin device with it. */
  @command({ dtypeIn: DevVarStringArray, ...DOCS.DbRenameServer })
  DbRenameServer(argin: readonly string[]): Promise<void> { return this.#write("DbRenameServer", (tx) => renameServer(tx, argin)); }

  /** Marks a device not exported. */
  @command({ dtypeIn: DevString, ...DOCS.DbUnExportDevice })
  DbUnExportDevice(argin: string): Promise<void> { return this.#read("DbUnExportDevice", (db) => unexportDevice(db, argin)); }

  /** Marks an event channel not exported. */
  @command({ dtypeIn: DevString, ...DOCS.DbUnExportEvent })
  DbUnExportEvent(argin: string): Promise<void> { return this.#read("DbUnExportEvent", (db) => unexportEvent(db, argin)); }

  /** Marks every device of a server (exec/instance) not exported: what a server sends at a clean stop. */
  @command({ dtypeIn: DevString, ...DOCS.DbUnExportServer })
  DbUnExportServer(argin: string): Promise<void> { return this.#read("DbUnExportServer", (db) => unexportServer(db, argin)); }

  /** Zeroes the Timing_* figures. */
  @command({ dtypeIn: DevVoid, ...DOCS.ResetTimingValues })
  ResetTimingValues(): void { timingStatsOf(this).reset(); }

  /** The release of the stored-procedure layout DbGetDataForServerCache follows. */
  @attribute({ dtype: DevString })
  get StoredProcedureRelease(): string { return STORED_PROCEDURE_RELEASE; }

  /** Average duration of each timed command's calls, ms, in Timing_index order. */
  @attribute({ dtype: DevDouble, ...TIMING_SPECTRUM })
  get Timing_average(): number[] { return timingStatsOf(this).rows().map((r) => r.averageMs); }

  /** Shortest call of each timed command, ms. */
  @attribute({ dtype: DevDouble, ...TIMING_SPECTRUM })
  get Timing_minimum(): number[] { return timingStatsOf(this).rows().map((r) => r.minimumMs); }

  /** Longest call of each timed command, ms. */
  @attribute({ dtype: DevDouble, ...TIMING_SPECTRUM })
  get Timing_maximum(): number[] { return timingStatsOf(this).rows().map((r) => r.maximumMs); }

  /** Number of successful calls of each timed command. */
  @attribute({ dtype: DevDouble, ...TIMING_SPECTRUM })
  get Timing_calls(): number[] { return timingStatsOf(this).rows().map((r) => r.calls); }

  /** The timed commands' names, the order of the other Timing_* spectra. */
  @attribute({ dtype: DevString, ...TIMING_SPECTRUM })
  get Timing_index(): string[] { return timingStatsOf(this).rows().map((r) => r.command); }

  /** The figures as a table of text lines, as cppTango prints them. */
  @attribute({ dtype: DevString, ...TIMING_SPECTRUM })
  get Timing_info(): string[] { return timingStatsOf(this).infoLines(); }
}
