import type { Registry } from "prom-client";
import type { DeviceMetrics } from "./device-metrics.js";
import { registerRecordCounter, registerRecordGauge } from "./record-collectors.js";

/** Where the isolation metrics come from: the same source as the other tango_* metrics. */
export interface IsolationMetricsSource {
  deviceMetrics(): Iterable<DeviceMetrics>;
  readonly unknownDeviceMetrics: DeviceMetrics;
}

/**
 * Registers the metrics of hung and busy devices, read at scrape time:
 *
 * - `tango_hung_handlers{device}`: the device's handlers running past the hung-handler limit now
 *   (`hungHandlerFactor` × `monitorTimeoutMs`); back to 0 when they end or a DevRestart or Init
 *   replaces the device.
 * - `tango_hung_handlers_total{device}`: handlers ever found past that limit.
 * - `tango_event_loop_stalls_total{device}`: event-loop stalls longer than `eventLoopStallMs`,
 *   blamed on the device of the last operation that started before the stall
 *   (device="(unknown)" when no operation had started).
 * - `tango_event_loop_stall_seconds_total{device}`: how long those stalls lasted.
 */
export function registerIsolationMetrics(registry: Registry, source: IsolationMetricsSource): void {
  const all = (): DeviceMetrics[] => [...source.deviceMetrics(), source.unknownDeviceMetrics];
  registerRecordGauge(registry, "tango_hung_handlers",
    "Handlers of the Tango device running past the hung-handler limit (hungHandlerFactor x monitorTimeoutMs) now.",
    ["device"], (g) => {
      for (const d of source.deviceMetrics()) g.set({ device: d.device }, d.hungHandlers);
    });
  registerRecordCounter(registry, "tango_hung_handlers_total",
    "Total number of handlers of the Tango device found running past the hung-handler limit.",
    ["device"], (c) => {
      for (const d of source.deviceMetrics()) c.inc({ device: d.device }, d.hungHandlersTotal);
    });
  registerRecordCounter(registry, "tango_event_loop_stalls_total",
    "Total number of event-loop stalls longer than eventLoopStallMs, by the device of the last operation started before "
    + "the stall (\"(unknown)\" when none had started).",
    ["device"], (c) => {
      for (const d of all()) if (d.eventLoopStalls > 0 || d.device !== source.unknownDeviceMetrics.device) c.inc({ device: d.device }, d.eventLoopStalls);
    });
  registerRecordCounter(registry, "tango_event_loop_stall_seconds_total",
    "Total time the event loop stood still in stalls longer than eventLoopStallMs, in seconds, by the device blamed.",
    ["device"], (c) => {
      for (const d of all()) if (d.eventLoopStalls > 0 || d.device !== source.unknownDeviceMetrics.device) c.inc({ device: d.device }, d.eventLoopStallSeconds);
    });
}
