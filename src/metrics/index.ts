// Metrics: plain records the request path updates (no prom-client there, DESIGN §8), and their
// prom-client export built at scrape time. Imports only core and prom-client, so the server
// (records) and the adapters and CLI (export) can all use it: core ← metrics ← server ← grpc | http ← cli.

export { registerTangoMetrics } from "./tango-metrics.js";
export type { TangoMetricsSource, TangoMetricsOptions } from "./tango-metrics.js";
export { DeviceMetrics, TANGO_BUCKETS_SECONDS, UNKNOWN_DEVICE } from "./device-metrics.js";
export type { EventCounts } from "./device-metrics.js";
export type { StoreCounts } from "./store-metrics.js";
export { Operation, OPERATION_NAMES } from "./operation.js";
export type { OperationName } from "./operation.js";
export { ReasonCounts, MAX_REASON_LABELS, OTHER_REASON } from "./reason-counts.js";
export { DurationRecord } from "./duration-record.js";
export { RecordHistogram } from "./record-histogram.js";
export type { RecordSeries, RecordHistogramOptions } from "./record-histogram.js";
export { registerRecordCounter, registerRecordGauge } from "./record-collectors.js";
