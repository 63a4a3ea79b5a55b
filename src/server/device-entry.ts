import type { Device } from "../device/index.js";
import { DeviceMetrics } from "../metrics/index.js";
import { BlackBox } from "./blackbox.js";
import type { AttributePropertiesConfig } from "./attribute-properties.js";
import type { CallRecord } from "./call-watch.js";
import type { Monitor } from "./monitor.js";

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
