import { Gauge, type Registry } from "prom-client";
import { DevState } from "../core/index.js";
import { SERVER_IDL_VERSION } from "../core/defaults.js";
import { TANGO_BUCKETS_SECONDS, type DeviceMetrics } from "./device-metrics.js";
import type { DurationRecord } from "./duration-record.js";
import { OPERATION_NAMES } from "./operation.js";
import { RecordHistogram, type RecordSeries } from "./record-histogram.js";
import { registerRecordCounter, registerRecordGauge } from "./record-collectors.js";
import { registerEventMetrics } from "./event-metrics.js";
import { registerStoreMetrics, type StoreCounts } from "./store-metrics.js";
import { registerIsolationMetrics } from "./isolation-metrics.js";

/** Where the tango_* metrics come from: a DeviceServer. */
export interface TangoMetricsSource {
  /** Every device of the server, the admin device included, read at every scrape. */
  deviceMetrics(): Iterable<DeviceMetrics>;
  /** Requests naming no device of the server (device="(unknown)"). */
  readonly unknownDeviceMetrics: DeviceMetrics;
  /** The property store's counts (`tango_store_*`); none registers no store metrics. */
  storeStats?(): StoreCounts;
  /** The devices a client holds locked now (`tango_device_locked`); none registers no lock gauge. */
  lockedDevices?(): Iterable<string>;
}

/** Options of registerTangoMetrics. */
export interface TangoMetricsOptions {
  /** tango_build_info's `version`: the package version (src/cli/version.ts). */
  readonly version: string;
  /** tango_build_info's `node_version`; default `process.version` (e.g. `v20.11.1`, as nodejs_version_info). */
  readonly nodeVersion?: string;
}

/** DevState names in IDL order (ON = 0 … UNKNOWN = 13): tango_device_state's `state` values. */
const STATES: ReadonlyArray<readonly [string, DevState]> = Object.entries(DevState)
  .filter((e): e is [string, DevState] => typeof e[1] === "number")
  .sort((a, b) => a[1] - b[1]);

type Named = "command" | "attribute";

/** The series of one per-name histogram (commands, reads or writes) of every device. */
function* namedSeries<N extends Named>(source: TangoMetricsSource, label: N,
  pick: (d: DeviceMetrics) => ReadonlyMap<string, DurationRecord>): Iterable<RecordSeries<"device" | N>> {
  for (const d of source.deviceMetrics()) {
    for (const [name, record] of pick(d)) {
      yield { labels: { device: d.device, [label]: name } as Record<"device" | N, string>, record };
    }
  }
}

/**
 * Registers the tango_* domain metrics in `registry`, read from the server's DeviceMetrics at
 * scrape time (nothing is recorded through prom-client on the request path):
 *
 * - `tango_requests_total{device, operation}`: every request-API call (gRPC, REST, in-process),
 *   counted on arrival whatever its outcome; each device starts with its 16 operations at 0. A
 *   request naming no device of the server counts under device="(unknown)" (its series appear
 *   with the first such request).
 * - `tango_errors_total{device, reason}`: errors returned to clients, by root-cause reason: a
 *   thrown DevFailed, each failed element of a MultiDevFailed, each attribute of a read reply that
 *   carries an error. At most MAX_REASON_LABELS (50) reasons per device, the rest under
 *   reason="other". Errors an adapter raises before calling the server (undecodable wire values)
 *   are in the adapter's own metrics only.
 * - `tango_command_duration_seconds{device, command}`: from the command's lookup to its result
 *   (always-executed hook, state check, argin check, execution, argout check), whatever the
 *   outcome; the monitor wait is not in it. Init counts too.
 * - `tango_attribute_read_duration_seconds{device, attribute}`, per attribute of a read: its read
 *   method, value check and quality (State and Status: dev_state, dev_status). The hooks that run
 *   once per call (always-executed, read_attr_hardware) are in no attribute's time.
 * - `tango_attribute_write_duration_seconds{device, attribute}`, per attribute of a write that
 *   passed the value checks: state check and write method; write_attr_hardware is not in it.
 * - `tango_serialization_wait_seconds{device}`: one sample per request that takes the monitor
 *   (state, status, command_inout, read/write/write_read_attributes, set_attribute_config); 0
 *   when free, re-entrant along a call chain, or with no monitor (NO_SYNC).
 * - `tango_device_state{device, state}`: 1 for the state the device last set (`getState()`: no
 *   user code runs at scrape time, so the ALARM that `State` may compute from attribute alarms is
 *   not shown), 0 for the 13 others; a device not exported reports UNKNOWN.
 * - `tango_device_exported{device}`: 1 while the device serves requests, 0 when its init failed or
 *   during a restart or shutdown.
 * - `tango_device_locked{device}`: 1 while a client holds a valid lock on the device (spec §10.8), else 0.
 * - `tango_build_info{version, node_version, idl_version}` = 1.
 * - the polling and event metrics: see registerEventMetrics.
 * - hung handlers and event-loop stalls: see registerIsolationMetrics.
 *
 * Command and attribute series appear with the first timing of a declared name; names clients send
 * that the device does not declare never create series. One set per registry: a second call on
 * the same registry throws.
 */
export function registerTangoMetrics(registry: Registry, source: TangoMetricsSource, opts: TangoMetricsOptions): void {
  registerRecordCounter(registry, "tango_requests_total",
    "Total number of requests to a Tango device by operation, counted on arrival whatever the outcome; "
    + "requests naming no device of this server count under device=\"(unknown)\".",
    ["device", "operation"], (c) => {
      for (const d of source.deviceMetrics()) {
        OPERATION_NAMES.forEach((operation, i) => c.inc({ device: d.device, operation }, d.requests[i] ?? 0));
      }
      const unknown = source.unknownDeviceMetrics;
      OPERATION_NAMES.forEach((operation, i) => {
        const n = unknown.requests[i] ?? 0;
        if (n > 0) c.inc({ device: unknown.device, operation }, n);
      });
    });
  registerRecordCounter(registry, "tango_errors_total",
    "Total number of Tango errors returned to clients by root-cause reason: each DevFailed thrown, each failed element "
    + "of a MultiDevFailed, each attribute of a read reply carrying an error; at most 50 reasons per device, "
    + "the others under reason=\"other\".",
    ["device", "reason"], (c) => {
      for (const d of [...source.deviceMetrics(), source.unknownDeviceMetrics]) {
        for (const [reason, n] of d.errors.entries()) c.inc({ device: d.device, reason }, n);
      }
    });
  new RecordHistogram({
    name: "tango_command_duration_seconds",
    help: "Time a Tango command took on the device in seconds, from its lookup to its result, whatever the outcome "
      + "(always-executed hook, state check, argin check, execution, argout check; not the monitor wait).",
    labelNames: ["device", "command"], buckets: TANGO_BUCKETS_SECONDS, registry,
    series: () => namedSeries(source, "command", (d) => d.commands),
  });
  new RecordHistogram({
    name: "tango_attribute_read_duration_seconds",
    help: "Time reading one Tango attribute took in seconds (read method, value check, quality; "
      + "not the always-executed and read_attr_hardware hooks, which run once per call).",
    labelNames: ["device", "attribute"], buckets: TANGO_BUCKETS_SECONDS, registry,
    series: () => namedSeries(source, "attribute", (d) => d.reads),
  });
  new RecordHistogram({
    name: "tango_attribute_write_duration_seconds",
    help: "Time writing one Tango attribute took in seconds, once its value passed the checks "
      + "(state check, write method; not the hooks that run once per call).",
    labelNames: ["device", "attribute"], buckets: TANGO_BUCKETS_SECONDS, registry,
    series: () => namedSeries(source, "attribute", (d) => d.writes),
  });
  new RecordHistogram({
    name: "tango_serialization_wait_seconds",
    help: "Time a request waited for its Tango serialization monitor in seconds (0 when free), "
      + "one sample per request that takes the monitor.",
    labelNames: ["device"], buckets: TANGO_BUCKETS_SECONDS, registry,
    series: function* () {
      for (const d of source.deviceMetrics()) yield { labels: { device: d.device }, record: d.serializationWait };
    },
  });
  registerRecordGauge(registry, "tango_device_state",
    "State the Tango device last set: 1 for the current state, 0 for the 13 others; a device not exported reports UNKNOWN.",
    ["device", "state"], (g) => {
      for (const d of source.deviceMetrics()) {
        const current = d.state() ?? DevState.UNKNOWN;
        for (const [state, value] of STATES) g.set({ device: d.device, state }, value === current ? 1 : 0);
      }
    });
  registerRecordGauge(registry, "tango_device_exported",
    "Whether the Tango device is exported and serves requests (1) or not (0: its init failed, or a restart or shutdown is under way).",
    ["device"], (g) => {
      for (const d of source.deviceMetrics()) g.set({ device: d.device }, d.state() === undefined ? 0 : 1);
    });
  const lockedDevices = source.lockedDevices?.bind(source);
  if (lockedDevices !== undefined) {
    registerRecordGauge(registry, "tango_device_locked",
      "Whether a client holds a valid lock on the Tango device (1) or not (0).", ["device"], (g) => {
        const locked = new Set(lockedDevices());
        for (const d of source.deviceMetrics()) g.set({ device: d.device }, locked.has(d.device) ? 1 : 0);
      });
  }
  new Gauge({
    name: "tango_build_info",
    help: "Build information of the Tango device server (package, Node.js and server IDL versions); always 1.",
    labelNames: ["version", "node_version", "idl_version"], registers: [registry],
  }).set({ version: opts.version, node_version: opts.nodeVersion ?? process.version, idl_version: String(SERVER_IDL_VERSION) }, 1);
  registerEventMetrics(registry, source);
  const storeStats = source.storeStats?.bind(source);
  if (storeStats !== undefined) registerStoreMetrics(registry, storeStats);
  registerIsolationMetrics(registry, source);
}
