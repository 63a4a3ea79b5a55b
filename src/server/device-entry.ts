import { DevFailed, Reason, TangoErrors } from "../core/index.js";
import { runtimeOf, type Device } from "../device/index.js";
import { DeviceMetrics } from "../metrics/index.js";
import { BlackBox } from "./blackbox.js";
import type { AttributePropertiesConfig } from "./attribute-properties.js";
import type { CallRecord } from "./call-watch.js";
import type { Monitor } from "./monitor.js";
import type { Store } from "./store/store.js";

/** A device class: what `classes` in the config names. */
export type DeviceClass = new () => Device;

/** One configured device of the server and what the server keeps for it across rebuilds. @internal */
export class DeviceEntry {
  readonly name: string;
  readonly className: string;
  readonly cls: DeviceClass;
  readonly blackbox: BlackBox;
  /**
   * The monitor of the serialization model in force; undefined in NO_SYNC. Replaced by a fresh
   * one when DevRestart or Init recovers a device whose hung handler holds it.
   */
  monitor: Monitor | undefined;
  /** The per-device monitor that writes and configuration changes take even in NO_SYNC (replaced likewise). */
  writeMonitor: Monitor;
  /** Calls of this device running past the hung-handler limit, until they end or a restart abandons them. */
  readonly hungCalls = new Set<CallRecord>();
  /** Instances replaced by DevRestart, Init or a server restart: what they push late is dropped. */
  readonly retired = new WeakSet<Device>();
  /** The live instance; replaced by DevRestart and server restarts. */
  device: Device | undefined;
  /** Why the last initDevice failed, when the device is not exported because of it. */
  initError: unknown;
  /** The tango_* counts of the device; they outlive rebuilds, as Prometheus counters must. */
  readonly metrics: DeviceMetrics;
  /** Attribute properties from the config, applied each time the device is built. */
  attributeProperties: AttributePropertiesConfig | undefined;

  constructor(name: string, className: string, cls: DeviceClass, blackboxDepth: number, monitor: Monitor | undefined, writeMonitor: Monitor) {
    this.name = name;
    this.className = className;
    this.cls = cls;
    this.blackbox = new BlackBox(blackboxDepth);
    this.monitor = monitor;
    this.writeMonitor = writeMonitor;
    // getState() is the plain getter: a scrape never runs device code (dev_state, hooks).
    this.metrics = new DeviceMetrics(name, () => this.device?.getState());
  }

  /** True while the device serves requests. */
  get exported(): boolean {
    return this.device !== undefined;
  }
}

/** Why `entry` has no live device: its init failed (the failure under API_InitThrowsException), or it is not exported. @internal */
export function notExportedError(entry: DeviceEntry): DevFailed {
  if (entry.initError === undefined) return TangoErrors.deviceNotFound(entry.name);
  return DevFailed.from(entry.initError, `${entry.className}::init_device`).withFrame({
    reason: Reason.InitThrowsException, desc: `Device ${entry.name} is not exported: its init failed`, origin: "DeviceServer::device",
  });
}

/** Refuses to export `device` while a property its class declares mandatory is not set. @internal */
export function checkMandatoryProperties(device: Device, entry: DeviceEntry, store: Store): void {
  const missing = runtimeOf(device).decls.properties.find(
    (p) => p.mandatory && store.get(p.scope === "class" ? `class:${entry.className}` : entry.name, p.name) === undefined);
  if (missing !== undefined) {
    throw DevFailed.of(Reason.BadConfigurationProperty, `Mandatory property ${missing.name} of ${entry.name} is not set`, "DeviceServer::export");
  }
}

/** A failed initDevice at Init or DevRestart, under the admin device's API_InitThrowsException frame. @internal */
export function initFailure(err: unknown, entry: DeviceEntry, adminName: string): DevFailed {
  return DevFailed.from(err, `${entry.className}::init_device`).withFrame(TangoErrors.initThrowsException(adminName).errors[0]);
}
