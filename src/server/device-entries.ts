import { SerialModel } from "../core/index.js";
import type { ServerConfig } from "./config.js";
import { DeviceEntry, type DeviceClass } from "./device-entry.js";
import { Monitor } from "./monitor.js";

/**
 * What makes the entries of one server's devices, each with the monitor its serialization model
 * gives it (spec §10.6): its own (BY_DEVICE), its class's (BY_CLASS), the process's (BY_PROCESS)
 * or none (NO_SYNC); every entry also gets its own monitor for writes.
 *
 * @internal
 */
export function entryMaker(config: Readonly<ServerConfig>): (name: string, className: string, cls: DeviceClass) => DeviceEntry {
  const model = SerialModel[config.serialization];
  const processMonitor = new Monitor("process", config.monitorTimeoutMs);
  const classMonitors = new Map<string, Monitor>();
  return (name, className, cls) => {
    const own = new Monitor(name, config.monitorTimeoutMs);
    let classMonitor = classMonitors.get(className);
    if (classMonitor === undefined) classMonitors.set(className, classMonitor = new Monitor(className, config.monitorTimeoutMs));
    const monitor = model === SerialModel.BY_DEVICE ? own : model === SerialModel.BY_CLASS ? classMonitor
      : model === SerialModel.BY_PROCESS ? processMonitor : undefined;
    return new DeviceEntry(name, className, cls, config.blackboxDepth, monitor, own);
  };
}

/** Property values of the config as the store keeps them: lists of strings. @internal */
export function normalise(props: Readonly<Record<string, unknown>> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(props ?? {})) out[k] = Array.isArray(v) ? v.map(String) : [String(v)];
  return out;
}
