import type { CmdArgType, CommandInfo, DeviceInfo, DispLevel } from "../core/index.js";
import type { WireCommandInfo, WireDevInfo } from "./wire-types.js";

/** Command and device descriptions ⇄ tango.v1.CommandInfo / DevInfo. Pure. */

/** Encodes a command description; `cmd_tag` repeats the display level, as cppTango fills it. */
export function encodeCommandInfo(c: CommandInfo): WireCommandInfo {
  return {
    cmd_name: c.name,
    level: c.level,
    cmd_tag: c.level,
    in_type: c.inType,
    out_type: c.outType,
    in_type_desc: c.inTypeDesc,
    out_type_desc: c.outTypeDesc,
  };
}

/** Decodes a command description (`cmd_tag` is not kept: it repeats the level). */
export function decodeCommandInfo(w: WireCommandInfo): CommandInfo {
  return {
    name: w.cmd_name,
    level: w.level as DispLevel,
    inType: w.in_type as CmdArgType,
    outType: w.out_type as CmdArgType,
    inTypeDesc: w.in_type_desc,
    outTypeDesc: w.out_type_desc,
  };
}

/** Encodes device information; the version map becomes a key/value list in insertion order. */
export function encodeDeviceInfo(d: DeviceInfo): WireDevInfo {
  return {
    dev_class: d.devClass,
    server_id: d.serverId,
    server_host: d.serverHost,
    server_version: d.serverVersion,
    doc_url: d.docUrl,
    dev_type: d.devType,
    version_info: Object.entries(d.versionInfo).map(([key, value]) => ({ key, value })),
    description: d.description,
    adm_name: d.admName,
  };
}

/** Decodes device information; a repeated version key keeps its last value. */
export function decodeDeviceInfo(w: WireDevInfo): DeviceInfo {
  // fromEntries defines own properties, so a key such as "__proto__" stays data.
  const versionInfo = Object.fromEntries(w.version_info.map(({ key, value }) => [key, value]));
  return {
    devClass: w.dev_class,
    serverId: w.server_id,
    serverHost: w.server_host,
    serverVersion: w.server_version,
    docUrl: w.doc_url,
    devType: w.dev_type,
    versionInfo,
    description: w.description,
    admName: w.adm_name,
  };
}
