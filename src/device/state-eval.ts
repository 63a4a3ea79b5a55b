import { AttrWriteType, DevState } from "../core/index.js";
import { readOne } from "./attribute-read.js";
import { runtimeOf, type Device } from "./device.js";
import { alarmStatusLine, hasThresholds } from "./quality.js";

/**
 * cppTango's State (spec §3.3): from ON or ALARM, read every attribute that has thresholds (their
 * qualities are recorded on the way) and return ALARM when one is out of band or flagged ALARM or
 * WARNING by device code, else ON. Any other stored state (FAULT included) is returned as set.
 */
export async function evaluateState(device: Device): Promise<DevState> {
  // spec §6.8 item 4: a memorized value that could not be written at startup forces ALARM.
  if (memorizedFailures(device).length > 0) return DevState.ALARM;
  const stored = device.getState();
  if (stored !== DevState.ON && stored !== DevState.ALARM) return stored;
  const rt = runtimeOf(device);
  const now = Date.now();
  for (const s of rt.attributes()) {
    if (hasThresholds(s.thresholds) && s.decl.access !== AttrWriteType.WRITE) await readOne(device, s, now);
  }
  return rt.alarms.size > 0 ? DevState.ALARM : DevState.ON;
}

/** cppTango's Status (spec §3.2): the set status or "The device is in X state.", plus alarm lines. */
export async function evaluateStatus(device: Device): Promise<string> {
  const state = await device.devState();
  const base = device.getStatus() ?? `The device is in ${DevState[state]} state.`;
  const alarms = runtimeOf(device).alarms;
  const failed = memorizedFailures(device);
  if (state !== DevState.ALARM || (alarms.size === 0 && failed.length === 0)) return base;
  let text = base;
  for (const mark of alarms.values()) text += `\n${alarmStatusLine(mark.kind, mark.who)}`;
  // cppTango DeviceImpl::dev_status, for the attributes in att_mem_failed.
  if (failed.length > 0) text += `\nMemorized attribute${failed.length > 1 ? "s" : ""} ${failed.join(", ")} failed during device startup sequence`;
  return text;
}

/** The memorized attributes whose startup write failed and was not followed by a good write. */
function memorizedFailures(device: Device): string[] {
  const out: string[] = [];
  for (const s of runtimeOf(device).attributes()) if (s.memInitFailure !== undefined) out.push(s.decl.name);
  return out;
}
