import { command, DevString, DevVarStringArray } from "../../device/index.js";
import { readPropertyPuts } from "./argin-layouts.js";
import { PROPERTY_COMMAND_DOCS as DOC } from "./command-docs.js";
import { requireExactLength, requireLength } from "./db-errors.js";
import { NO_VALUE, PropertyCommandsCore } from "./property-commands-core.js";
import { listDistinct, listPropertyNames } from "./property-reads.js";
import { CLASS_PROPS, DEVICE_PROPS, OBJECT_PROPS } from "./property-tables.js";
import { readServerCache } from "./server-cache.js";

const WRITE = { dtypeIn: DevVarStringArray } as const;
const READ = { dtypeIn: DevVarStringArray, dtypeOut: DevVarStringArray } as const;
const READ_BY_NAME = { dtypeIn: DevString, dtypeOut: DevVarStringArray } as const;

/**
 * The DataBase commands of device, class and free (object) properties, and the start-up data of
 * a device server (cppTango DataBaseds). @internal
 */
export abstract class ObjectPropertyCommands extends PropertyCommandsCore {
  // ---- device properties

  /**
   * Puts device properties: `[device, n, (name, value count, values...)...]`; each replaces its property and
   * adds a history entry.
   */
  @command({ ...WRITE, ...DOC.DbPutDeviceProperty })
  async DbPutDeviceProperty(argin: readonly string[]): Promise<void> {
    await this.putProps("DbPutDeviceProperty", DEVICE_PROPS, readPropertyPuts(argin, "DbPutDeviceProperty"));
  }

  /**
   * `[device, name...]` (a name may hold `*`) → `[device, n, (name, value count, values...)...]`, `" "` after
   * a missing one.
   */
  @command({ ...READ, ...DOC.DbGetDeviceProperty })
  async DbGetDeviceProperty(argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 2, "incorrect no. of input arguments, needs at least 2 (device,property)", "GetDeviceProperty");
    return this.getPropValues("DbGetDeviceProperty", DEVICE_PROPS, argin, true, NO_VALUE);
  }

  /** Deletes device properties: `[device, name...]`, `*` allowed; a history entry marks each one deleted. */
  @command({ ...WRITE, ...DOC.DbDeleteDeviceProperty })
  async DbDeleteDeviceProperty(argin: readonly string[]): Promise<void> {
    await this.deleteNamedProps("DbDeleteDeviceProperty", DEVICE_PROPS, argin, "wildcard", "device");
  }

  /** `[device, filter]` → the names of the device's properties that match the filter. */
  @command({ ...READ, ...DOC.DbGetDevicePropertyList })
  async DbGetDevicePropertyList(argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 2, "incorrect no. of input arguments, needs 2 (device,wildcard)", "DbGetDevicePropertyList");
    return this.readProps("DbGetDevicePropertyList", (db) => listPropertyNames(db, DEVICE_PROPS, argin[0] ?? "", argin[1] ?? "*"));
  }

  /** `[device, property]` (`*` allowed) → its history, oldest first: `(name, date, value count, values...)...`. */
  @command({ ...READ, ...DOC.DbGetDevicePropertyHist })
  async DbGetDevicePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.propHistory("GetDevicePropertyHist", DEVICE_PROPS, argin, "incorrect no. of input arguments, needs 2 (device,property)");
  }

  // ---- class properties

  /** Puts class properties: `[class, n, (name, value count, values...)...]`. */
  @command({ ...WRITE, ...DOC.DbPutClassProperty })
  async DbPutClassProperty(argin: readonly string[]): Promise<void> {
    await this.putProps("DbPutClassProperty", CLASS_PROPS, readPropertyPuts(argin, "DbPutClassProperty"));
  }

  /** `[class, name...]` (names match themselves only) → `[class, n, (name, value count, values...)...]`. */
  @command({ ...READ, ...DOC.DbGetClassProperty })
  async DbGetClassProperty(argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 1, "incorrect no. of input arguments, needs at least 1 (class)", "DbGetClassProperty");
    return this.getPropValues("DbGetClassProperty", CLASS_PROPS, argin, false, []);
  }

  /** Deletes class properties: `[class, name...]`, `*` allowed. */
  @command({ ...WRITE, ...DOC.DbDeleteClassProperty })
  async DbDeleteClassProperty(argin: readonly string[]): Promise<void> {
    await this.deleteNamedProps("DbDeleteClassProperty", CLASS_PROPS, argin, "wildcard", "class");
  }

  /** A class name (`*` allowed) → the names of its properties. */
  @command({ ...READ_BY_NAME, ...DOC.DbGetClassPropertyList })
  async DbGetClassPropertyList(argin: string): Promise<string[]> {
    return this.readProps("DbGetClassPropertyList", (db) => listDistinct(db, CLASS_PROPS, "name", "class", argin));
  }

  /** `[class, property]` (`*` allowed) → its history, as DbGetDevicePropertyHist. */
  @command({ ...READ, ...DOC.DbGetClassPropertyHist })
  async DbGetClassPropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.propHistory("DbGetClassPropertyHist", CLASS_PROPS, argin, "incorrect no. of input arguments, needs 2 (class,property)");
  }

  // ---- free properties

  /** Puts free properties of an object: `[object, n, (name, value count, values...)...]`. */
  @command({ ...WRITE, ...DOC.DbPutProperty })
  async DbPutProperty(argin: readonly string[]): Promise<void> {
    await this.putProps("DbPutProperty", OBJECT_PROPS, readPropertyPuts(argin, "DbPutProperty"));
  }

  /** `[object, name...]` (a name may hold `*`) → as DbGetDeviceProperty. */
  @command({ ...READ, ...DOC.DbGetProperty })
  async DbGetProperty(argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 1, "incorrect no. of input arguments, needs at least 1 (object)", "DbGetProperty");
    return this.getPropValues("DbGetProperty", OBJECT_PROPS, argin, true, NO_VALUE);
  }

  /** Deletes free properties: `[object, name...]`, `*` allowed. */
  @command({ ...WRITE, ...DOC.DbDeleteProperty })
  async DbDeleteProperty(argin: readonly string[]): Promise<void> {
    await this.deleteNamedProps("DbDeleteProperty", OBJECT_PROPS, argin, "wildcard", "free");
  }

  /** `[object, filter]` → the names of the object's free properties that match the filter. */
  @command({ ...READ, ...DOC.DbGetPropertyList })
  async DbGetPropertyList(argin: readonly string[]): Promise<string[]> {
    requireExactLength(argin, 2, "incorrect no. of input arguments, needs 2 (object,wildcard)", "GetPropertyList");
    return this.readProps("DbGetPropertyList", (db) => listPropertyNames(db, OBJECT_PROPS, argin[0] ?? "", argin[1] ?? "*"));
  }

  /** A filter (`*` allowed) → the objects that have free properties. */
  @command({ ...READ_BY_NAME, ...DOC.DbGetObjectList })
  async DbGetObjectList(argin: string): Promise<string[]> {
    return this.readProps("DbGetObjectList", (db) => listDistinct(db, OBJECT_PROPS, "object", "object", argin));
  }

  /** `[object, property]` (`*` allowed) → its history, as DbGetDevicePropertyHist. */
  @command({ ...READ, ...DOC.DbGetPropertyHist })
  async DbGetPropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.propHistory("DbGetPropertyHist", OBJECT_PROPS, argin, "incorrect no. of input arguments, needs 2 (object,property)");
  }

  // ---- a server's start

  /** `[server, host[%%release]]` → everything the server reads at start, laid out as cppTango's ds_start. */
  @command({ ...READ, ...DOC.DbGetDataForServerCache })
  async DbGetDataForServerCache(argin: readonly string[]): Promise<string[]> {
    return this.readProps("DbGetDataForServerCache", (db) => readServerCache(db, argin));
  }
}
