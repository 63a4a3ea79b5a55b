import type { ServerInterceptor, ServiceDefinition } from "@grpc/grpc-js";
import type { Registry } from "prom-client";
import { RecordHistogram, registerRecordCounter } from "../metrics/index.js";
import { HANDLING_BUCKETS_SECONDS, MethodRecord, labelsOf } from "./grpc-method-record.js";
import { MeteredCall } from "./metered-call.js";

/** The gRPC server metrics of go-grpc-prometheus, in one registry. */
export interface GrpcServerMetrics {
  /** Counts every call of the grpc-js server it is given to; put it first, so it sees every status sent. */
  readonly interceptor: ServerInterceptor;
  /** The counts of one method, for a server that counts its calls itself (h2-grpc-server.ts). */
  recordOf(path: string, requestStream: boolean, responseStream: boolean): MethodRecord;
  /**
   * Creates every series of every method of `services` at zero (go-grpc-prometheus's
   * InitializeMetrics: started, msg counters, the histogram, and handled for all 17 codes), so
   * dashboards see zeros rather than gaps. A method never initialized gets its series on first call.
   */
  initialize(services: Iterable<ServiceDefinition>): void;
}

/**
 * Registers go-grpc-prometheus's server metrics in `registry`, with its names, help texts, labels,
 * label values and (handling-time histogram enabled) default buckets: grpc_server_started_total,
 * grpc_server_handled_total, grpc_server_msg_received_total, grpc_server_msg_sent_total and
 * grpc_server_handling_seconds. One set per registry: a second call on the same registry throws.
 *
 * Time runs from the call's arrival to its status. On the grpc-js transport, a status that
 * grpc-js sends by itself (deadline passed, a request message too large or undecodable) bypasses
 * interceptors: such a call counts as DeadlineExceeded if its deadline has passed, else as
 * Canceled. Our own HTTP/2 server counts every status as sent.
 */
export function createGrpcServerMetrics(registry: Registry): GrpcServerMetrics {
  const records = new Map<string, MethodRecord>();
  const recordOf = (path: string, requestStream: boolean, responseStream: boolean): MethodRecord => {
    let record = records.get(path);
    if (record === undefined) {
      record = new MethodRecord(labelsOf(path, requestStream, responseStream));
      records.set(path, record);
    }
    return record;
  };

  const labelNames = ["grpc_type", "grpc_service", "grpc_method"] as const;
  registerRecordCounter(registry, "grpc_server_started_total", "Total number of RPCs started on the server.", labelNames,
    (c) => { for (const r of records.values()) c.inc(r.labels, r.started); });
  registerRecordCounter(registry, "grpc_server_handled_total",
    "Total number of RPCs completed on the server, regardless of success or failure.", [...labelNames, "grpc_code"],
    (c) => { for (const r of records.values()) for (const h of r.handled.values()) c.inc(h.labels, h.count); });
  registerRecordCounter(registry, "grpc_server_msg_received_total", "Total number of RPC stream messages received on the server.",
    labelNames, (c) => { for (const r of records.values()) c.inc(r.labels, r.received); });
  registerRecordCounter(registry, "grpc_server_msg_sent_total", "Total number of gRPC stream messages sent by the server.",
    labelNames, (c) => { for (const r of records.values()) c.inc(r.labels, r.sent); });
  new RecordHistogram({
    name: "grpc_server_handling_seconds",
    help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
    labelNames, buckets: HANDLING_BUCKETS_SECONDS, registry,
    series: function* () {
      for (const r of records.values()) yield { labels: r.labels, record: r.handling };
    },
  });

  const interceptor: ServerInterceptor = (method, call) =>
    new MeteredCall(call, recordOf(method.path, method.requestStream, method.responseStream));

  return {
    interceptor,
    recordOf,
    initialize(services) {
      for (const service of services) {
        for (const def of Object.values(service)) recordOf(def.path, def.requestStream, def.responseStream);
      }
    },
  };
}
