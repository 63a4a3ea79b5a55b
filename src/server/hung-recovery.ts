import { DevFailed, Reason } from "../core/index.js";
import type { Logger } from "pino";
import type { CallRecord, CallWatch } from "./call-watch.js";
import type { DeviceEntry } from "./device-entry.js";
import { Monitor } from "./monitor.js";

/*
 * Recovering a device whose handler hangs (not in Tango: cppTango's monitor would stay taken until
 * a process restart). DevRestart and Init replace the hung device with a fresh instance and give
 * it fresh serialization monitors; the old handler runs on to its end, unheard.
 */

/** What waiters of a replaced monitor get: the request did not run; retrying reaches the fresh device. */
export function monitorReplaced(monitor: string): DevFailed {
  return DevFailed.of(Reason.CommandTimedOut,
    `The serialization monitor "${monitor}" was replaced because its holder hung (DevRestart or Init); the request did not run, retry it`,
    "TangoMonitor::get_monitor");
}

/** What a call abandoned by a restart returns instead of its late result. */
export function resultDiscarded(call: CallRecord, hungAfterMs: number): DevFailed {
  return DevFailed.of(Reason.CommandTimedOut,
    `${call.describe()} on ${call.entry.name} ran past the hung-handler limit of ${hungAfterMs} ms and the device was replaced meanwhile (DevRestart or Init): its result is discarded`,
    "DeviceServer::request");
}

/**
 * Replaces the monitors of `entry` (its serialization monitor and its write monitor) that a call
 * has held for `hungAfterMs` or longer, in every entry that shares them (BY_CLASS, BY_PROCESS).
 * The old monitor is retired: its waiters fail at once. Returns the names of those replaced.
 */
export function replaceHungMonitors(all: readonly DeviceEntry[], entry: DeviceEntry, hungAfterMs: number, timeoutMs: number): string[] {
  const now = performance.now();
  const replaced: string[] = [];
  for (const old of new Set([entry.monitor, entry.writeMonitor])) {
    if (old === undefined || old.heldForMs(now) < hungAfterMs) continue;
    const fresh = new Monitor(old.name, timeoutMs);
    for (const e of all) {
      if (e.monitor === old) e.monitor = fresh;
      if (e.writeMonitor === old) e.writeMonitor = fresh;
    }
    old.retire(monitorReplaced(old.name));
    replaced.push(old.name);
  }
  return replaced;
}

/**
 * The `/readyz` detail of the hung devices, e.g. `device a/b/c is hung: command_inout Foo has
 * run for 12000 ms (limit 9600 ms); DevRestart or Init replaces it`, or "" when none is.
 */
export function describeHung(entries: readonly DeviceEntry[], hungAfterMs: number): string {
  const now = performance.now();
  const parts: string[] = [];
  for (const e of entries) {
    const [call] = e.hungCalls;
    if (call === undefined) continue;
    parts.push(`device ${e.name} is hung: ${call.describe()} has run for ${Math.round(now - call.startMs)} ms `
      + `(limit ${hungAfterMs} ms); DevRestart or Init replaces it`);
  }
  return parts.join("; ");
}

/**
 * Before DevRestart or Init of a device: when a hung handler holds its monitors, they are
 * replaced by fresh ones, and its hung calls are abandoned (their late results are discarded),
 * so that the fresh instance serves requests at once. Returns whether the device was hung.
 *
 * @internal
 */
export function recoverHung(entry: DeviceEntry, all: readonly DeviceEntry[], watch: CallWatch, timeoutMs: number, log: Logger): boolean {
  const monitors = replaceHungMonitors(all, entry, watch.hungAfterMs, timeoutMs);
  const abandoned = watch.abandon(entry);
  if (monitors.length === 0 && abandoned === 0) return false;
  log.warn({ device: entry.name, monitors, abandoned }, "replacing a hung device by a fresh instance; its hung handlers run on unheard");
  return true;
}
