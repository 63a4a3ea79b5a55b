import { DevFailed, PipeBlobBuilder, PipeErrors, validatePipeBlob } from "../core/index.js";
import type { PipeBlob, PipeValue } from "../core/index.js";
import { timeVal } from "./attribute-read.js";
import { runtimeOf, type Device } from "./device.js";
import { PipeReqType, isPipeReadValue, type PipeDecl } from "./pipe-decl.js";
import type { PipeState } from "./pipe-state.js";

/*
 * The pipe pipeline of one device (spec §8), from the pipe lookup on, in cppTango's order
 * (Device_5Impl::read_pipe_5, write_pipe_5): lookup, for writes the writable check, the
 * always-executed hook, is-allowed, then the device's read or write.
 */

/** The pipe `name` (any case) of a device; throws API_PipeNotFound. @internal */
export function pipeOf(device: Device, name: string): PipeState {
  const state = runtimeOf(device).pipe(name);
  if (state === undefined) throw PipeErrors.pipeNotFound(name);
  return state;
}

async function isAllowed(device: Device, decl: PipeDecl, req: PipeReqType): Promise<boolean> {
  const states = req === PipeReqType.READ_REQ ? decl.readAllowedIn : decl.writeAllowedIn;
  if (states !== undefined && !states.includes(device.getState())) return false;
  if (decl.isAllowed === undefined) return true;
  return (await decl.isAllowed(device, req)) === true;
}

/**
 * A blob given by device code (a read's result, a pushed event) as a checked PipeValue; `origin`
 * names the operation in the errors. Throws API_PipeValueNotSet for nothing, and the blob's errors.
 * @internal
 */
export function pipeValueOf(decl: PipeDecl, raw: unknown, nowMs: number, origin: string): PipeValue {
  let given = raw;
  let timestampMs: number | undefined;
  if (isPipeReadValue(raw)) {
    given = raw.blob;
    timestampMs = raw.timestampMs;
  }
  if (given === undefined || given === null) throw PipeErrors.valueNotSet(decl.name);
  const blob = given instanceof PipeBlobBuilder ? given.build() : given as PipeBlob;
  return { name: decl.name, time: timeVal(timestampMs ?? nowMs), blob: validatePipeBlob(blob, origin) };
}

async function readChecked(device: Device, state: PipeState, name: string): Promise<PipeValue> {
  await device.alwaysExecutedHook();
  if (!(await isAllowed(device, state.decl, PipeReqType.READ_REQ))) throw PipeErrors.readNotAllowed(name);
  let raw: unknown;
  try {
    raw = await state.decl.read(device);
  } catch (err) {
    throw DevFailed.from(err, `${device.className}::read_${state.decl.name}`);
  }
  return pipeValueOf(state.decl, raw, Date.now(), "Device_5Impl::read_pipe_5");
}

/** read_pipe_5 for one device, from the lookup on. @internal */
export async function readPipeOf(device: Device, name: string): Promise<PipeValue> {
  return await readChecked(device, pipeOf(device, name), name);
}

/** write_pipe_5 for one device, from the lookup on; the blob is checked and made canonical before the device sees it. @internal */
export async function writePipeOf(device: Device, name: string, blob: PipeBlob): Promise<void> {
  const state = pipeOf(device, name);
  const write = state.decl.write;
  if (write === undefined) throw PipeErrors.notWritable(name);
  await device.alwaysExecutedHook();
  if (!(await isAllowed(device, state.decl, PipeReqType.WRITE_REQ))) throw PipeErrors.writeNotAllowed(name);
  const checked = validatePipeBlob(blob, "Device_5Impl::write_pipe_5");
  try {
    await write(device, checked);
  } catch (err) {
    throw DevFailed.from(err, `${device.className}::write_${state.decl.name}`);
  }
}

/** write_read_pipe_5: the write, then the read, each with its own hook and is-allowed (as cppTango). @internal */
export async function writeReadPipeOf(device: Device, name: string, blob: PipeBlob): Promise<PipeValue> {
  await writePipeOf(device, name, blob);
  return await readChecked(device, pipeOf(device, name), name);
}
