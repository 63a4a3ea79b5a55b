import { command, DevString, DevVarStringArray } from "../device/index.js";
import { DataBaseCore } from "./database-core.js";
import { checkedDeviceName, readPropertyPuts, readSubPropertyPuts, readSubPropertyPutsV1, type PropertyPuts } from "./properties/argin-layouts.js";
import { PROPERTY_COMMAND_DOCS as DOC } from "./properties/command-docs.js";
import { incorrectDeviceName, requireExactLength, requireLength, withSqlErrors } from "./properties/db-errors.js";
import { readHistory } from "./properties/property-history.js";
import { listDistinct, listPropertyNames, listSubs, readSubProperties, readValues } from "./properties/property-reads.js";
import { subsReply, subsReplyV1, valuesReply } from "./properties/property-replies.js";
import {
  CLASS_ATTR_PROPS, CLASS_PIPE_PROPS, CLASS_PROPS, DEVICE_ATTR_PROPS, DEVICE_PIPE_PROPS, DEVICE_PROPS, OBJECT_PROPS,
  type PropertyTable,
} from "./properties/property-tables.js";
import {
  DEFAULT_HISTORY_DEPTH, deleteAllOfSubs, deleteProperties, deleteSub, putMemorizedValue, putProperties, readHistoryDepth,
  type NameMatch,
} from "./properties/property-writes.js";
import { readServerCache } from "./properties/server-cache.js";
import type { SqlRunner } from "./sql/sql-db.js";
import { likePattern } from "./sql/wildcard.js";

const WRITE = { dtypeIn: DevVarStringArray } as const;
const READ = { dtypeIn: DevVarStringArray, dtypeOut: DevVarStringArray } as const;
const READ_BY_NAME = { dtypeIn: DevString, dtypeOut: DevVarStringArray } as const;

/** cppTango adds one " " after a device or free property that has no value. */
const NO_VALUE = [" "];

/**
 * The DataBase device's property commands (cppTango DataBaseds): device, class, attribute, pipe
 * and free properties, their history and the start-up data of a device server. Every put and
 * delete runs in one transaction; names are matched without regard to case.
 */
export abstract class DataBaseProperties extends DataBaseCore {
  /** History entries kept per property: the device's `historyDepth` property, 10 by default. */
  #historyDepth = DEFAULT_HISTORY_DEPTH;

  override async initDevice(): Promise<void> {
    await super.initDevice();
    this.#historyDepth = await withSqlErrors("init_device", () => readHistoryDepth(this.sql, this.name));
  }

  /** Runs `work` in one transaction; a storage failure is DB_SQLError. */
  #write(command: string, work: (tx: SqlRunner) => Promise<void>): Promise<void> {
    return withSqlErrors(command, () => this.sql.transaction(work));
  }

  /** Runs `work` on the storage; a storage failure is DB_SQLError. */
  #read<T>(command: string, work: (db: SqlRunner) => Promise<T>): Promise<T> {
    return withSqlErrors(command, () => work(this.sql));
  }

  #put(command: string, t: PropertyTable, puts: PropertyPuts): Promise<void> {
    return this.#write(command, (tx) => putProperties(tx, t, puts, this.#historyDepth));
  }

  /** `[owner, name...]`: deletes the named properties with a history entry each. */
  #deleteNamed(command: string, t: PropertyTable, argin: readonly string[], match: NameMatch, what: string): Promise<void> {
    requireLength(argin, 1, `insufficient number of arguments to delete ${what} property`, command);
    const [owner = "", ...names] = argin;
    const keys = match === "wildcard" ? names.map(likePattern) : names;
    return this.#write(command, (tx) => deleteProperties(tx, t, owner, undefined, keys, match, this.#historyDepth));
  }

  /** `[owner, attribute or pipe, name...]`: deletes those properties of it with a history entry each. */
  #deleteOfSub(command: string, t: PropertyTable, owner: string, argin: readonly string[]): Promise<void> {
    const [, sub = "", ...names] = argin;
    return this.#write(command, (tx) => deleteProperties(tx, t, owner, sub, names, "exact", this.#historyDepth));
  }

  /** The device name argin[0] without its TRL prefix, or DB_IncorrectDeviceName with `desc`. */
  #deviceOf(argin: readonly string[], desc: string, origin: string): string {
    const device = checkedDeviceName(argin[0] ?? "");
    if (device === undefined) throw incorrectDeviceName(desc, origin);
    return device;
  }

  #getValues(command: string, t: PropertyTable, argin: readonly string[], wildcards: boolean, missing: readonly string[]): Promise<string[]> {
    const [owner = "", ...names] = argin;
    return this.#read(command, async (db) => valuesReply(owner, names, await readValues(db, t, owner, names, wildcards), missing));
  }

  #getSubs(command: string, t: PropertyTable, argin: readonly string[], v1 = false): Promise<string[]> {
    requireLength(argin, 1, "incorrect no. of input arguments, needs at least 1 (name)", command);
    const [owner = "", ...subs] = argin;
    return this.#read(command, async (db) => (v1 ? subsReplyV1 : subsReply)(owner, subs, await readSubProperties(db, t, owner, subs)));
  }

  /** `[owner, filter]`: the attributes or pipes of owner with properties. */
  #listSubs(command: string, t: PropertyTable, argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 2, "incorrect no. of input arguments, needs 2 (name,wildcard)", command);
    return this.#read(command, (db) => listSubs(db, t, argin[0] ?? "", argin[1] ?? "*"));
  }

  #history(command: string, t: PropertyTable, argin: readonly string[], desc: string): Promise<string[]> {
    requireExactLength(argin, t.sub === undefined ? 2 : 3, desc, command);
    const [owner = "", a = "", b = ""] = argin;
    return this.#read(command, (db) => (t.sub === undefined ? readHistory(db, t, owner, a) : readHistory(db, t, owner, b, a)));
  }

  // ---- device properties

  @command({ ...WRITE, ...DOC.DbPutDeviceProperty })
  async DbPutDeviceProperty(argin: readonly string[]): Promise<void> {
    await this.#put("DbPutDeviceProperty", DEVICE_PROPS, readPropertyPuts(argin, "DbPutDeviceProperty"));
  }

  @command({ ...READ, ...DOC.DbGetDeviceProperty })
  async DbGetDeviceProperty(argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 2, "incorrect no. of input arguments, needs at least 2 (device,property)", "GetDeviceProperty");
    return this.#getValues("DbGetDeviceProperty", DEVICE_PROPS, argin, true, NO_VALUE);
  }

  @command({ ...WRITE, ...DOC.DbDeleteDeviceProperty })
  async DbDeleteDeviceProperty(argin: readonly string[]): Promise<void> {
    await this.#deleteNamed("DbDeleteDeviceProperty", DEVICE_PROPS, argin, "wildcard", "device");
  }

  @command({ ...READ, ...DOC.DbGetDevicePropertyList })
  async DbGetDevicePropertyList(argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 2, "incorrect no. of input arguments, needs 2 (device,wildcard)", "DbGetDevicePropertyList");
    return this.#read("DbGetDevicePropertyList", (db) => listPropertyNames(db, DEVICE_PROPS, argin[0] ?? "", argin[1] ?? "*"));
  }

  @command({ ...READ, ...DOC.DbGetDevicePropertyHist })
  async DbGetDevicePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.#history("GetDevicePropertyHist", DEVICE_PROPS, argin, "incorrect no. of input arguments, needs 2 (device,property)");
  }

  // ---- class properties

  @command({ ...WRITE, ...DOC.DbPutClassProperty })
  async DbPutClassProperty(argin: readonly string[]): Promise<void> {
    await this.#put("DbPutClassProperty", CLASS_PROPS, readPropertyPuts(argin, "DbPutClassProperty"));
  }

  @command({ ...READ, ...DOC.DbGetClassProperty })
  async DbGetClassProperty(argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 1, "incorrect no. of input arguments, needs at least 1 (class)", "DbGetClassProperty");
    return this.#getValues("DbGetClassProperty", CLASS_PROPS, argin, false, []);
  }

  @command({ ...WRITE, ...DOC.DbDeleteClassProperty })
  async DbDeleteClassProperty(argin: readonly string[]): Promise<void> {
    await this.#deleteNamed("DbDeleteClassProperty", CLASS_PROPS, argin, "wildcard", "class");
  }

  @command({ ...READ_BY_NAME, ...DOC.DbGetClassPropertyList })
  async DbGetClassPropertyList(argin: string): Promise<string[]> {
    return this.#read("DbGetClassPropertyList", (db) => listDistinct(db, CLASS_PROPS, "name", "class", argin));
  }

  @command({ ...READ, ...DOC.DbGetClassPropertyHist })
  async DbGetClassPropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.#history("DbGetClassPropertyHist", CLASS_PROPS, argin, "incorrect no. of input arguments, needs 2 (class,property)");
  }

  // ---- free properties

  @command({ ...WRITE, ...DOC.DbPutProperty })
  async DbPutProperty(argin: readonly string[]): Promise<void> {
    await this.#put("DbPutProperty", OBJECT_PROPS, readPropertyPuts(argin, "DbPutProperty"));
  }

  @command({ ...READ, ...DOC.DbGetProperty })
  async DbGetProperty(argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 1, "incorrect no. of input arguments, needs at least 1 (object)", "DbGetProperty");
    return this.#getValues("DbGetProperty", OBJECT_PROPS, argin, true, NO_VALUE);
  }

  @command({ ...WRITE, ...DOC.DbDeleteProperty })
  async DbDeleteProperty(argin: readonly string[]): Promise<void> {
    await this.#deleteNamed("DbDeleteProperty", OBJECT_PROPS, argin, "wildcard", "free");
  }

  @command({ ...READ, ...DOC.DbGetPropertyList })
  async DbGetPropertyList(argin: readonly string[]): Promise<string[]> {
    requireExactLength(argin, 2, "incorrect no. of input arguments, needs 2 (object,wildcard)", "GetPropertyList");
    return this.#read("DbGetPropertyList", (db) => listPropertyNames(db, OBJECT_PROPS, argin[0] ?? "", argin[1] ?? "*"));
  }

  @command({ ...READ_BY_NAME, ...DOC.DbGetObjectList })
  async DbGetObjectList(argin: string): Promise<string[]> {
    return this.#read("DbGetObjectList", (db) => listDistinct(db, OBJECT_PROPS, "object", "object", argin));
  }

  @command({ ...READ, ...DOC.DbGetPropertyHist })
  async DbGetPropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.#history("DbGetPropertyHist", OBJECT_PROPS, argin, "incorrect no. of input arguments, needs 2 (object,property)");
  }

  // ---- device attribute properties

  @command({ ...WRITE, ...DOC.DbPutDeviceAttributeProperty })
  async DbPutDeviceAttributeProperty(argin: readonly string[]): Promise<void> {
    await this.#put("DbPutDeviceAttributeProperty", DEVICE_ATTR_PROPS, readSubPropertyPutsV1(argin, "DbPutDeviceAttributeProperty"));
  }

  @command({ ...WRITE, ...DOC.DbPutDeviceAttributeProperty2 })
  async DbPutDeviceAttributeProperty2(argin: readonly string[]): Promise<void> {
    const [device = "", nAttrs, attribute = "", nProps, name, nValues, value = ""] = argin;
    // A memorized value written by a server: one row updated in place, no history (cppTango).
    if (argin.length === 7 && nAttrs === "1" && nProps === "1" && name === "__value" && nValues === "1") {
      await this.#write("DbPutDeviceAttributeProperty2", (tx) => putMemorizedValue(tx, DEVICE_ATTR_PROPS, device, attribute, value));
      return;
    }
    await this.#put("DbPutDeviceAttributeProperty2", DEVICE_ATTR_PROPS, readSubPropertyPuts(argin, "DbPutDeviceAttributeProperty2"));
  }

  @command({ ...READ, ...DOC.DbGetDeviceAttributeProperty })
  async DbGetDeviceAttributeProperty(argin: readonly string[]): Promise<string[]> {
    return this.#getSubs("DbGetDeviceAttributeProperty", DEVICE_ATTR_PROPS, argin, true);
  }

  @command({ ...READ, ...DOC.DbGetDeviceAttributeProperty2 })
  async DbGetDeviceAttributeProperty2(argin: readonly string[]): Promise<string[]> {
    return this.#getSubs("DbGetDeviceAttributeProperty2", DEVICE_ATTR_PROPS, argin);
  }

  @command({ ...WRITE, ...DOC.DbDeleteDeviceAttributeProperty })
  async DbDeleteDeviceAttributeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 3, "insufficient number of arguments to delete device attribute property", "db_delete_device_attribute_property");
    const device = this.#deviceOf(argin, "failed to delete device attribute, device name incorrect", "db_delete_device_attribute");
    await this.#deleteOfSub("DbDeleteDeviceAttributeProperty", DEVICE_ATTR_PROPS, device, argin);
  }

  @command({ ...WRITE, ...DOC.DbDeleteAllDeviceAttributeProperty })
  async DbDeleteAllDeviceAttributeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete all device attribute(s) property", "db_delete_all_device_attribute_property");
    const device = this.#deviceOf(argin, "Failed to delete all device attribute(s) property, device name incorrect", "db_delete_all_device_attribute");
    await this.#write("DbDeleteAllDeviceAttributeProperty", (tx) => deleteAllOfSubs(tx, DEVICE_ATTR_PROPS, device, argin.slice(1), this.#historyDepth));
  }

  @command({ ...WRITE, ...DOC.DbDeleteDeviceAttribute })
  async DbDeleteDeviceAttribute(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete device attribute", "db_delete_device_attribute");
    const device = this.#deviceOf(argin, "failed to delete device attribute, device name incorrect", "db_delete_device_attribute");
    await this.#write("DbDeleteDeviceAttribute", (tx) => deleteSub(tx, DEVICE_ATTR_PROPS, device, argin[1] ?? ""));
  }

  @command({ ...READ, ...DOC.DbGetDeviceAttributeList })
  async DbGetDeviceAttributeList(argin: readonly string[]): Promise<string[]> {
    return this.#listSubs("DbGetDeviceAttributeList", DEVICE_ATTR_PROPS, argin);
  }

  @command({ ...READ, ...DOC.DbGetDeviceAttributePropertyHist })
  async DbGetDeviceAttributePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.#history("DbGetDeviceAttributePropertyHist", DEVICE_ATTR_PROPS, argin,
      "incorrect no. of input arguments, needs 3 (device,attribute,property)");
  }

  // ---- class attribute properties

  @command({ ...WRITE, ...DOC.DbPutClassAttributeProperty })
  async DbPutClassAttributeProperty(argin: readonly string[]): Promise<void> {
    await this.#put("DbPutClassAttributeProperty", CLASS_ATTR_PROPS, readSubPropertyPutsV1(argin, "DbPutClassAttributeProperty"));
  }

  @command({ ...WRITE, ...DOC.DbPutClassAttributeProperty2 })
  async DbPutClassAttributeProperty2(argin: readonly string[]): Promise<void> {
    await this.#put("DbPutClassAttributeProperty2", CLASS_ATTR_PROPS, readSubPropertyPuts(argin, "DbPutClassAttributeProperty2"));
  }

  @command({ ...READ, ...DOC.DbGetClassAttributeProperty })
  async DbGetClassAttributeProperty(argin: readonly string[]): Promise<string[]> {
    return this.#getSubs("DbGetClassAttributeProperty", CLASS_ATTR_PROPS, argin, true);
  }

  @command({ ...READ, ...DOC.DbGetClassAttributeProperty2 })
  async DbGetClassAttributeProperty2(argin: readonly string[]): Promise<string[]> {
    return this.#getSubs("DbGetClassAttributeProperty2", CLASS_ATTR_PROPS, argin);
  }

  @command({ ...WRITE, ...DOC.DbDeleteClassAttributeProperty })
  async DbDeleteClassAttributeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 3, "insufficient number of arguments to delete class attribute property", "db_delete_class_attribute_property");
    await this.#deleteOfSub("DbDeleteClassAttributeProperty", CLASS_ATTR_PROPS, argin[0] ?? "", argin);
  }

  @command({ ...WRITE, ...DOC.DbDeleteClassAttribute })
  async DbDeleteClassAttribute(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete class attribute", "db_delete_class_attribute");
    await this.#write("DbDeleteClassAttribute", (tx) => deleteSub(tx, CLASS_ATTR_PROPS, argin[0] ?? "", argin[1] ?? ""));
  }

  @command({ ...READ, ...DOC.DbGetClassAttributeList })
  async DbGetClassAttributeList(argin: readonly string[]): Promise<string[]> {
    return this.#listSubs("DbGetClassAttributeList", CLASS_ATTR_PROPS, argin);
  }

  @command({ ...READ, ...DOC.DbGetClassAttributePropertyHist })
  async DbGetClassAttributePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.#history("DbGetClassAttributePropertyHist", CLASS_ATTR_PROPS, argin,
      "incorrect no. of input arguments, needs 3 (class,attribute,property)");
  }

  // ---- pipe properties

  @command({ ...WRITE, ...DOC.DbPutDevicePipeProperty })
  async DbPutDevicePipeProperty(argin: readonly string[]): Promise<void> {
    await this.#put("DbPutDevicePipeProperty", DEVICE_PIPE_PROPS, readSubPropertyPuts(argin, "DbPutDevicePipeProperty"));
  }

  @command({ ...READ, ...DOC.DbGetDevicePipeProperty })
  async DbGetDevicePipeProperty(argin: readonly string[]): Promise<string[]> {
    return this.#getSubs("DbGetDevicePipeProperty", DEVICE_PIPE_PROPS, argin);
  }

  @command({ ...WRITE, ...DOC.DbDeleteDevicePipeProperty })
  async DbDeleteDevicePipeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 3, "Insufficient number of arguments to delete device pipe property", "db_delete_device_pipe_property");
    const device = this.#deviceOf(argin, "Failed to delete device pipe, device name incorrect", "db_delete_device_pipe_property");
    await this.#deleteOfSub("DbDeleteDevicePipeProperty", DEVICE_PIPE_PROPS, device, argin);
  }

  @command({ ...WRITE, ...DOC.DbDeleteAllDevicePipeProperty })
  async DbDeleteAllDevicePipeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "Insufficient number of arguments to delete all device pipe(s) property", "db_delete_all_device_pipe_property");
    const device = this.#deviceOf(argin, "Failed to delete all device pipe(s) property, device name incorrect", "db_delete_all_device_pipe");
    await this.#write("DbDeleteAllDevicePipeProperty", (tx) => deleteAllOfSubs(tx, DEVICE_PIPE_PROPS, device, argin.slice(1), this.#historyDepth));
  }

  @command({ ...WRITE, ...DOC.DbDeleteDevicePipe })
  async DbDeleteDevicePipe(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete device pipe", "db_delete_device_pipe");
    const device = this.#deviceOf(argin, "Failed to delete device pipe, device name incorrect", "db_delete_device_pipe");
    await this.#write("DbDeleteDevicePipe", (tx) => deleteSub(tx, DEVICE_PIPE_PROPS, device, argin[1] ?? ""));
  }

  @command({ ...READ, ...DOC.DbGetDevicePipeList })
  async DbGetDevicePipeList(argin: readonly string[]): Promise<string[]> {
    return this.#listSubs("DbGetDevicePipeList", DEVICE_PIPE_PROPS, argin);
  }

  @command({ ...READ, ...DOC.DbGetDevicePipePropertyHist })
  async DbGetDevicePipePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.#history("DbGetDevicePipePropertyHist", DEVICE_PIPE_PROPS, argin,
      "Incorrect no. of input arguments, needs 3 (device,pipe,property)");
  }

  @command({ ...WRITE, ...DOC.DbPutClassPipeProperty })
  async DbPutClassPipeProperty(argin: readonly string[]): Promise<void> {
    await this.#put("DbPutClassPipeProperty", CLASS_PIPE_PROPS, readSubPropertyPuts(argin, "DbPutClassPipeProperty"));
  }

  @command({ ...READ, ...DOC.DbGetClassPipeProperty })
  async DbGetClassPipeProperty(argin: readonly string[]): Promise<string[]> {
    return this.#getSubs("DbGetClassPipeProperty", CLASS_PIPE_PROPS, argin);
  }

  @command({ ...WRITE, ...DOC.DbDeleteClassPipeProperty })
  async DbDeleteClassPipeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 3, "Insufficient number of arguments to delete class pipe property", "db_delete_class_pipe_property");
    await this.#deleteOfSub("DbDeleteClassPipeProperty", CLASS_PIPE_PROPS, argin[0] ?? "", argin);
  }

  @command({ ...WRITE, ...DOC.DbDeleteClassPipe })
  async DbDeleteClassPipe(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete class pipe", "db_delete_class_pipe");
    await this.#write("DbDeleteClassPipe", (tx) => deleteSub(tx, CLASS_PIPE_PROPS, argin[0] ?? "", argin[1] ?? ""));
  }

  @command({ ...READ, ...DOC.DbGetClassPipeList })
  async DbGetClassPipeList(argin: readonly string[]): Promise<string[]> {
    return this.#listSubs("DbGetClassPipeList", CLASS_PIPE_PROPS, argin);
  }

  @command({ ...READ, ...DOC.DbGetClassPipePropertyHist })
  async DbGetClassPipePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.#history("DbGetClassPipePropertyHist", CLASS_PIPE_PROPS, argin,
      "Incorrect no. of input arguments, needs 3 (class,pipe,property)");
  }

  // ---- a server's start

  @command({ ...READ, ...DOC.DbGetDataForServerCache })
  async DbGetDataForServerCache(argin: readonly string[]): Promise<string[]> {
    return this.#read("DbGetDataForServerCache", (db) => readServerCache(db, argin));
  }
}
