import {
  CmdArgType, DevFailed, Reason, TangoErrors, ValueCoercionError, coerce,
  type CommandInfo, type DevVarLongStringArrayValue, type TypedValue,
} from "../core/index.js";
import { commandInfoJson as commandInfoBodyOf } from "./device-json.js";
import { jsonToValueInput } from "./json-value.js";
import {
  LOGGING_LEVEL_NAMES, type CommandInfoJson, type DeviceRef, type LoggingLevel, type LoggingLevelName, type WizardProperty,
} from "./admin-schemas.js";

/*
 * The admin commands' values as the admin routes show them (spec §17), and a request's argin
 * checked against a command's declared input type.
 */

const ORIGIN = "HTTP sidecar (admin routes)";

/**
 * The argin of `command` from a request's JSON, converted to the declared type: required unless
 * the command is DevVoid, which ignores any (as cppTango does). Throws
 * API_IncompatibleCmdArgumentType with cppTango's text.
 */
export function arginOf(command: CommandInfo, json: unknown): TypedValue | undefined {
  if (command.inType === CmdArgType.DevVoid) return undefined;
  let input: unknown;
  try {
    input = jsonToValueInput(json ?? undefined, command.inType);
  } catch (err) {
    // The JSON's shape (a missing "svalue"…): our own readable hint under cppTango's text.
    if (err instanceof ValueCoercionError) throw TangoErrors.incompatibleCmdArgumentType(command.inType, err.message);
    throw err;
  }
  try {
    return { type: command.inType, value: coerce(command.inType, input) };
  } catch (err) {
    if (err instanceof ValueCoercionError) throw TangoErrors.incompatibleCmdArgumentType(command.inType);
    throw err;
  }
}

/** The reply of a command with no output, in the shape of POST /admin/commands/{command}. */
export function voidResultOf(command: string): { name: string; output: null } {
  return { name: command, output: null };
}

/** A command description with type and level names. */
export function commandInfoJson(c: CommandInfo): CommandInfoJson {
  return { name: c.name, info: commandInfoBodyOf(c) };
}

/** QueryDevice's `"<Class>::<device>"` (spec §17). */
export function deviceRefOf(entry: string): DeviceRef {
  const at = entry.indexOf("::");
  return at < 0 ? { class: "", name: entry } : { class: entry.slice(0, at), name: entry.slice(at + 2) };
}

/** QueryWizard*Property's flat triplets [name, description, default, …] (spec §17) as objects. */
export function wizardPropertiesOf(command: string, flat: readonly string[]): WizardProperty[] {
  if (flat.length % 3 !== 0) {
    throw DevFailed.of(Reason.InternalError, `${command} returned ${flat.length} strings, not triplets [name, description, default]`, ORIGIN);
  }
  const out: WizardProperty[] = [];
  for (let i = 0; i < flat.length; i += 3) {
    out.push({ name: flat[i] ?? "", description: flat[i + 1] ?? "", default: flat[i + 2] ?? "" });
  }
  return out;
}

/** GetLoggingLevel's lv[i]=level, sv[i]=device (spec §17) as a list. */
export function loggingLevelsOf(out: Pick<DevVarLongStringArrayValue, "lvalue" | "svalue">): LoggingLevel[] {
  return out.svalue.map((device, i) => {
    const level = out.lvalue[i] ?? 0;
    return { device, level, levelName: (LOGGING_LEVEL_NAMES[level] ?? "OFF") as LoggingLevelName };
  });
}

/** A level given as its number (0–5) or its name (checked by the route's schema). */
export function levelNumberOf(level: number | string): number {
  return typeof level === "number" ? level : LOGGING_LEVEL_NAMES.indexOf(level);
}
