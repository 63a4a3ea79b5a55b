import { CmdArgType, DevFailed, Reason, TangoErrors, ValueCoercionError, coerce, typeName } from "../core/index.js";
import type { TypedValue } from "../core/index.js";
import { runtimeOf, type Device } from "./device.js";

/**
 * Command::extract: the argin in the declared type. A DevVoid command ignores whatever was sent
 * (cppTango never extracts it); any other misfit, a missing argin included, is cppTango's
 * API_IncompatibleCmdArgumentType.
 */
function checkArgin(inType: CmdArgType, argin: TypedValue | undefined): unknown {
  if (inType === CmdArgType.DevVoid) return undefined;
  const sent = argin?.type ?? CmdArgType.DevVoid;
  const norm = (t: CmdArgType): CmdArgType => (t === CmdArgType.ConstDevString ? CmdArgType.DevString : t);
  if (sent !== CmdArgType.DevVoid && norm(sent) !== norm(inType)) throw TangoErrors.incompatibleCmdArgumentType(inType);
  try {
    return coerce(inType, argin?.value);
  } catch (e) {
    if (e instanceof ValueCoercionError) throw TangoErrors.incompatibleCmdArgumentType(inType);
    throw e;
  }
}

/** Receives each command's duration (the server's metrics); @internal. */
export interface CommandTimer {
  /** `command` is the declared name; `seconds` runs from after the lookup to the result or error. */
  observeCommand(command: string, seconds: number): void;
}

/**
 * command_inout for one device, from the lookup on (spec §5.2 steps 5–8): lookup, always-executed
 * hook, is_allowed, argin check (after is_allowed, as cppTango), execute, argout check.
 * `Init` is not handled here: the server runs it under its own rules. An unknown name is not timed, so
 * names clients send never reach `timer`.
 */
export async function executeCommandOf(device: Device, name: string, argin: TypedValue | undefined, timer?: CommandTimer): Promise<TypedValue> {
  const decl = runtimeOf(device).command(name);
  if (decl === undefined) throw TangoErrors.commandNotFound(name);
  const startMs = timer === undefined ? 0 : performance.now();
  try {
    // The hook is usually synchronous (the default does nothing): awaiting only a promise saves a suspension per command.
    const hook = device.alwaysExecutedHook();
    if (hook !== undefined) await hook;
    if (decl.allowedIn !== undefined && !decl.allowedIn.includes(device.getState())) {
      throw TangoErrors.commandNotAllowed(decl.name, device.getState());
    }
    const value = checkArgin(decl.inType, argin);
    // Most commands answer synchronously: awaiting only a promise (or another thenable) saves a suspension.
    let result: unknown = decl.execute(device, value);
    if (isThenable(result)) result = await result;
    if (decl.outType === CmdArgType.DevVoid) return { type: CmdArgType.DevVoid, value: undefined };
    try {
      return { type: decl.outType, value: coerce(decl.outType, result) };
    } catch (e) {
      if (!(e instanceof ValueCoercionError)) throw e;
      throw DevFailed.of(Reason.InternalError,
        `Command ${decl.name} returned a value that is not a Tango::${typeName(decl.outType)}: ${e.message}`,
        `${device.className}::${decl.name}`);
    }
  } finally {
    timer?.observeCommand(decl.name, (performance.now() - startMs) / 1000);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null
    && typeof (value as { then?: unknown }).then === "function";
}
