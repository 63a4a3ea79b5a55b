import { command, DevVarStringArray } from "../device/index.js";
import { readSubPropertyPuts, readSubPropertyPutsV1 } from "./properties/argin-layouts.js";
import { PROPERTY_COMMAND_DOCS as DOC } from "./properties/command-docs.js";
import { requireLength } from "./properties/db-errors.js";
import { ObjectPropertyCommands } from "./properties/object-property-commands.js";
import { CLASS_ATTR_PROPS, CLASS_PIPE_PROPS, DEVICE_ATTR_PROPS, DEVICE_PIPE_PROPS } from "./properties/property-tables.js";
import { deleteAllOfSubs, deleteSub, putMemorizedValue } from "./properties/property-writes.js";

const WRITE = { dtypeIn: DevVarStringArray } as const;
const READ = { dtypeIn: DevVarStringArray, dtypeOut: DevVarStringArray } as const;

/**
 * The DataBase device's property commands (cppTango DataBaseds): device, class, attribute, pipe
 * and free properties, their history, and the start-up data of a device server. Every put and
 * delete runs in one transaction; names are matched without regard to case and kept as written.
 * This layer adds the attribute and pipe commands to those of ObjectPropertyCommands.
 */
export abstract class DataBaseProperties extends ObjectPropertyCommands {
  // ---- device attribute properties

  /**
   * Puts device attribute properties of one value each (old form): `[device, n, (attribute, m, (name,
   * value)...)...]`.
   */
  @command({ ...WRITE, ...DOC.DbPutDeviceAttributeProperty })
  async DbPutDeviceAttributeProperty(argin: readonly string[]): Promise<void> {
    await this.putProps("DbPutDeviceAttributeProperty", DEVICE_ATTR_PROPS, readSubPropertyPutsV1(argin, "DbPutDeviceAttributeProperty"));
  }

  /**
   * Puts device attribute properties: `[device, n, (attribute, m, (name, value count, values...)...)...]`; a
   * lone `__value` (a memorized value) is stored in place, without history.
   */
  @command({ ...WRITE, ...DOC.DbPutDeviceAttributeProperty2 })
  async DbPutDeviceAttributeProperty2(argin: readonly string[]): Promise<void> {
    const [device = "", nAttrs, attribute = "", nProps, name, nValues, value = ""] = argin;
    // A memorized value written by a server: one row updated in place, no history (cppTango).
    if (argin.length === 7 && nAttrs === "1" && nProps === "1" && name === "__value" && nValues === "1") {
      await this.writeProps("DbPutDeviceAttributeProperty2", (tx) => putMemorizedValue(tx, DEVICE_ATTR_PROPS, device, attribute, value));
      return;
    }
    await this.putProps("DbPutDeviceAttributeProperty2", DEVICE_ATTR_PROPS, readSubPropertyPuts(argin, "DbPutDeviceAttributeProperty2"));
  }

  /**
   * `[device, attribute...]` → `[device, n, (attribute, rows, (name, value)...)...]`, one pair per element
   * (old form).
   */
  @command({ ...READ, ...DOC.DbGetDeviceAttributeProperty })
  async DbGetDeviceAttributeProperty(argin: readonly string[]): Promise<string[]> {
    return this.getSubProps("DbGetDeviceAttributeProperty", DEVICE_ATTR_PROPS, argin, true);
  }

  /** `[device, attribute...]` → `[device, n, (attribute, m, (name, value count, values...)...)...]`. */
  @command({ ...READ, ...DOC.DbGetDeviceAttributeProperty2 })
  async DbGetDeviceAttributeProperty2(argin: readonly string[]): Promise<string[]> {
    return this.getSubProps("DbGetDeviceAttributeProperty2", DEVICE_ATTR_PROPS, argin);
  }

  /** Deletes properties of a device attribute: `[device, attribute, name...]`. */
  @command({ ...WRITE, ...DOC.DbDeleteDeviceAttributeProperty })
  async DbDeleteDeviceAttributeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 3, "insufficient number of arguments to delete device attribute property", "db_delete_device_attribute_property");
    const device = this.checkedDevice(argin, "failed to delete device attribute, device name incorrect", "db_delete_device_attribute");
    await this.deleteSubProps("DbDeleteDeviceAttributeProperty", DEVICE_ATTR_PROPS, device, argin);
  }

  /** Deletes every property of the device attributes `[device, attribute...]`, with history. */
  @command({ ...WRITE, ...DOC.DbDeleteAllDeviceAttributeProperty })
  async DbDeleteAllDeviceAttributeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete all device attribute(s) property", "db_delete_all_device_attribute_property");
    const device = this.checkedDevice(argin, "Failed to delete all device attribute(s) property, device name incorrect", "db_delete_all_device_attribute");
    await this.writeProps("DbDeleteAllDeviceAttributeProperty", (tx) => deleteAllOfSubs(tx, DEVICE_ATTR_PROPS, device, argin.slice(1), this.historyDepth));
  }

  /** Deletes every property of the device attribute `[device, attribute]`, without history. */
  @command({ ...WRITE, ...DOC.DbDeleteDeviceAttribute })
  async DbDeleteDeviceAttribute(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete device attribute", "db_delete_device_attribute");
    const device = this.checkedDevice(argin, "failed to delete device attribute, device name incorrect", "db_delete_device_attribute");
    await this.writeProps("DbDeleteDeviceAttribute", (tx) => deleteSub(tx, DEVICE_ATTR_PROPS, device, argin[1] ?? ""));
  }

  /** `[device, filter]` → the device's attributes that have properties. */
  @command({ ...READ, ...DOC.DbGetDeviceAttributeList })
  async DbGetDeviceAttributeList(argin: readonly string[]): Promise<string[]> {
    return this.listSubNames("DbGetDeviceAttributeList", DEVICE_ATTR_PROPS, argin);
  }

  /**
   * `[device, attribute, property]` (`*` allowed) → `(attribute, name, date, value count, values...)...`,
   * oldest first.
   */
  @command({ ...READ, ...DOC.DbGetDeviceAttributePropertyHist })
  async DbGetDeviceAttributePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.propHistory("DbGetDeviceAttributePropertyHist", DEVICE_ATTR_PROPS, argin,
      "incorrect no. of input arguments, needs 3 (device,attribute,property)");
  }

  // ---- class attribute properties

  /**
   * Puts class attribute properties of one value each (old form): `[class, n, (attribute, m, (name,
   * value)...)...]`.
   */
  @command({ ...WRITE, ...DOC.DbPutClassAttributeProperty })
  async DbPutClassAttributeProperty(argin: readonly string[]): Promise<void> {
    await this.putProps("DbPutClassAttributeProperty", CLASS_ATTR_PROPS, readSubPropertyPutsV1(argin, "DbPutClassAttributeProperty"));
  }

  /** Puts class attribute properties: `[class, n, (attribute, m, (name, value count, values...)...)...]`. */
  @command({ ...WRITE, ...DOC.DbPutClassAttributeProperty2 })
  async DbPutClassAttributeProperty2(argin: readonly string[]): Promise<void> {
    await this.putProps("DbPutClassAttributeProperty2", CLASS_ATTR_PROPS, readSubPropertyPuts(argin, "DbPutClassAttributeProperty2"));
  }

  /** `[class, attribute...]` → the old form, as DbGetDeviceAttributeProperty. */
  @command({ ...READ, ...DOC.DbGetClassAttributeProperty })
  async DbGetClassAttributeProperty(argin: readonly string[]): Promise<string[]> {
    return this.getSubProps("DbGetClassAttributeProperty", CLASS_ATTR_PROPS, argin, true);
  }

  /** `[class, attribute...]` → as DbGetDeviceAttributeProperty2. */
  @command({ ...READ, ...DOC.DbGetClassAttributeProperty2 })
  async DbGetClassAttributeProperty2(argin: readonly string[]): Promise<string[]> {
    return this.getSubProps("DbGetClassAttributeProperty2", CLASS_ATTR_PROPS, argin);
  }

  /** Deletes properties of a class attribute: `[class, attribute, name...]`. */
  @command({ ...WRITE, ...DOC.DbDeleteClassAttributeProperty })
  async DbDeleteClassAttributeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 3, "insufficient number of arguments to delete class attribute property", "db_delete_class_attribute_property");
    await this.deleteSubProps("DbDeleteClassAttributeProperty", CLASS_ATTR_PROPS, argin[0] ?? "", argin);
  }

  /** Deletes every property of the class attribute `[class, attribute]`, without history. */
  @command({ ...WRITE, ...DOC.DbDeleteClassAttribute })
  async DbDeleteClassAttribute(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete class attribute", "db_delete_class_attribute");
    await this.writeProps("DbDeleteClassAttribute", (tx) => deleteSub(tx, CLASS_ATTR_PROPS, argin[0] ?? "", argin[1] ?? ""));
  }

  /** `[class, filter]` → the class's attributes that have properties. */
  @command({ ...READ, ...DOC.DbGetClassAttributeList })
  async DbGetClassAttributeList(argin: readonly string[]): Promise<string[]> {
    return this.listSubNames("DbGetClassAttributeList", CLASS_ATTR_PROPS, argin);
  }

  /** `[class, attribute, property]` (`*` allowed) → as DbGetDeviceAttributePropertyHist. */
  @command({ ...READ, ...DOC.DbGetClassAttributePropertyHist })
  async DbGetClassAttributePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.propHistory("DbGetClassAttributePropertyHist", CLASS_ATTR_PROPS, argin,
      "incorrect no. of input arguments, needs 3 (class,attribute,property)");
  }

  // ---- pipe properties

  /** Puts device pipe properties: `[device, n, (pipe, m, (name, value count, values...)...)...]`. */
  @command({ ...WRITE, ...DOC.DbPutDevicePipeProperty })
  async DbPutDevicePipeProperty(argin: readonly string[]): Promise<void> {
    await this.putProps("DbPutDevicePipeProperty", DEVICE_PIPE_PROPS, readSubPropertyPuts(argin, "DbPutDevicePipeProperty"));
  }

  /** `[device, pipe...]` → `[device, n, (pipe, m, (name, value count, values...)...)...]`. */
  @command({ ...READ, ...DOC.DbGetDevicePipeProperty })
  async DbGetDevicePipeProperty(argin: readonly string[]): Promise<string[]> {
    return this.getSubProps("DbGetDevicePipeProperty", DEVICE_PIPE_PROPS, argin);
  }

  /** Deletes properties of a device pipe: `[device, pipe, name...]`. */
  @command({ ...WRITE, ...DOC.DbDeleteDevicePipeProperty })
  async DbDeleteDevicePipeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 3, "Insufficient number of arguments to delete device pipe property", "db_delete_device_pipe_property");
    const device = this.checkedDevice(argin, "Failed to delete device pipe, device name incorrect", "db_delete_device_pipe_property");
    await this.deleteSubProps("DbDeleteDevicePipeProperty", DEVICE_PIPE_PROPS, device, argin);
  }

  /** Deletes every property of the device pipes `[device, pipe...]`, with history. */
  @command({ ...WRITE, ...DOC.DbDeleteAllDevicePipeProperty })
  async DbDeleteAllDevicePipeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "Insufficient number of arguments to delete all device pipe(s) property", "db_delete_all_device_pipe_property");
    const device = this.checkedDevice(argin, "Failed to delete all device pipe(s) property, device name incorrect", "db_delete_all_device_pipe");
    await this.writeProps("DbDeleteAllDevicePipeProperty", (tx) => deleteAllOfSubs(tx, DEVICE_PIPE_PROPS, device, argin.slice(1), this.historyDepth));
  }

  /** Deletes every property of the device pipe `[device, pipe]`, without history. */
  @command({ ...WRITE, ...DOC.DbDeleteDevicePipe })
  async DbDeleteDevicePipe(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete device pipe", "db_delete_device_pipe");
    const device = this.checkedDevice(argin, "Failed to delete device pipe, device name incorrect", "db_delete_device_pipe");
    await this.writeProps("DbDeleteDevicePipe", (tx) => deleteSub(tx, DEVICE_PIPE_PROPS, device, argin[1] ?? ""));
  }

  /** `[device, filter]` → the device's pipes that have properties. */
  @command({ ...READ, ...DOC.DbGetDevicePipeList })
  async DbGetDevicePipeList(argin: readonly string[]): Promise<string[]> {
    return this.listSubNames("DbGetDevicePipeList", DEVICE_PIPE_PROPS, argin);
  }

  /** `[device, pipe, property]` (`*` allowed) → `(pipe, name, date, value count, values...)...`, oldest first. */
  @command({ ...READ, ...DOC.DbGetDevicePipePropertyHist })
  async DbGetDevicePipePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.propHistory("DbGetDevicePipePropertyHist", DEVICE_PIPE_PROPS, argin,
      "Incorrect no. of input arguments, needs 3 (device,pipe,property)");
  }

  /** Puts class pipe properties: `[class, n, (pipe, m, (name, value count, values...)...)...]`. */
  @command({ ...WRITE, ...DOC.DbPutClassPipeProperty })
  async DbPutClassPipeProperty(argin: readonly string[]): Promise<void> {
    await this.putProps("DbPutClassPipeProperty", CLASS_PIPE_PROPS, readSubPropertyPuts(argin, "DbPutClassPipeProperty"));
  }

  /** `[class, pipe...]` → as DbGetDevicePipeProperty. */
  @command({ ...READ, ...DOC.DbGetClassPipeProperty })
  async DbGetClassPipeProperty(argin: readonly string[]): Promise<string[]> {
    return this.getSubProps("DbGetClassPipeProperty", CLASS_PIPE_PROPS, argin);
  }

  /** Deletes properties of a class pipe: `[class, pipe, name...]`. */
  @command({ ...WRITE, ...DOC.DbDeleteClassPipeProperty })
  async DbDeleteClassPipeProperty(argin: readonly string[]): Promise<void> {
    requireLength(argin, 3, "Insufficient number of arguments to delete class pipe property", "db_delete_class_pipe_property");
    await this.deleteSubProps("DbDeleteClassPipeProperty", CLASS_PIPE_PROPS, argin[0] ?? "", argin);
  }

  /** Deletes every property of the class pipe `[class, pipe]`, without history. */
  @command({ ...WRITE, ...DOC.DbDeleteClassPipe })
  async DbDeleteClassPipe(argin: readonly string[]): Promise<void> {
    requireLength(argin, 2, "insufficient number of arguments to delete class pipe", "db_delete_class_pipe");
    await this.writeProps("DbDeleteClassPipe", (tx) => deleteSub(tx, CLASS_PIPE_PROPS, argin[0] ?? "", argin[1] ?? ""));
  }

  /** `[class, filter]` → the class's pipes that have properties. */
  @command({ ...READ, ...DOC.DbGetClassPipeList })
  async DbGetClassPipeList(argin: readonly string[]): Promise<string[]> {
    return this.listSubNames("DbGetClassPipeList", CLASS_PIPE_PROPS, argin);
  }

  /** `[class, pipe, property]` (`*` allowed) → as DbGetDevicePipePropertyHist. */
  @command({ ...READ, ...DOC.DbGetClassPipePropertyHist })
  async DbGetClassPipePropertyHist(argin: readonly string[]): Promise<string[]> {
    return this.propHistory("DbGetClassPipePropertyHist", CLASS_PIPE_PROPS, argin,
      "Incorrect no. of input arguments, needs 3 (class,pipe,property)");
  }
}
