import { CmdArgType, type AttributeConfig, type CommandInfo, type InterfaceChange } from "../core/index.js";
import { UNINITIALISED_DESC as UNINITIALISED } from "../core/defaults.js";
import { runtimeOf, type Device } from "../device/index.js";

/*
 * How a device describes itself: its commands (command_list_query), its attributes' configurations
 * (get_attribute_config, State and Status included) and both together, the interface that
 * interface-change events carry (spec §12.2).
 */

/** A command's description (IDL DevCmdInfo_2); empty descriptions read "Uninitialised" (spec §4.3). */
export function commandInfo(name: string, c: { inType: CmdArgType; outType: CmdArgType; inDesc: string; outDesc: string; level: number }): CommandInfo {
  return {
    name, level: c.level, inType: c.inType, outType: c.outType,
    inTypeDesc: c.inDesc || UNINITIALISED, outTypeDesc: c.outDesc || UNINITIALISED,
  };
}

/** Byte-wise (ASCII) order, as cppTango sorts its command list (spec §5.2). */
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every command of a device, sorted as cppTango sorts them. */
export function commandList(device: Device): CommandInfo[] {
  return [...runtimeOf(device).commands()].sort((a, b) => byteOrder(a.name, b.name)).map((c) => commandInfo(c.name, c));
}

/** The configuration of State (true) or Status (false), which no client can change. */
export function stateConfig(isState: boolean): AttributeConfig {
  const na = "Not specified";
  return {
    name: isState ? "State" : "Status", writable: 0, dataFormat: 0,
    dataType: isState ? CmdArgType.DevState : CmdArgType.DevString, memorized: false, memInit: false,
    maxDimX: 1, maxDimY: 0, description: "No description", label: isState ? "State" : "Status", unit: "",
    standardUnit: "No standard unit", displayUnit: "No display unit", format: isState ? na : "%s",
    minValue: na, maxValue: na, writableAttrName: "None", level: 0, rootAttrName: na, enumLabels: [],
    alarms: { minAlarm: na, maxAlarm: na, minWarning: na, maxWarning: na, deltaT: na, deltaVal: na },
    events: { relChange: na, absChange: na, period: "1000", archiveRelChange: na, archiveAbsChange: na, archivePeriod: na },
  };
}

/** Every attribute's configuration, State and Status last (get_attribute_config of "All attributes"). */
export function attributeConfigs(device: Device): AttributeConfig[] {
  return [...[...runtimeOf(device).attributes()].map((a) => a.config()), stateConfig(true), stateConfig(false)];
}

/** A device's interface, as an interface-change event carries it. */
export function interfaceOf(device: Device, deviceStarted: boolean): InterfaceChange {
  return { commands: commandList(device), attributes: attributeConfigs(device), deviceStarted };
}
