import { status } from "@grpc/grpc-js";
import { DurationRecord } from "../metrics/index.js";

// The per-method counts behind go-grpc-prometheus's series, and the label values it spells. The
// exports serve grpc-metrics.ts only (@internal); they stay out of index.ts.

/** go-grpc-prometheus's grpc_type label: which sides stream. */
export type GrpcType = "unary" | "client_stream" | "server_stream" | "bidi_stream";

/** The labels every series has. */
export type MethodLabel = "grpc_type" | "grpc_service" | "grpc_method";
/** One method's label values. */
export type MethodLabels = Readonly<Record<MethodLabel, string>>;
/** grpc_server_handled_total's labels: a method's and the code. */
export type HandledLabels = MethodLabels & { readonly grpc_code: string };

/** Go's `codes.Code.String()`, the grpc_code label values; a Record, so every code is spelled. */
const GO_CODE_NAMES: Readonly<Record<status, string>> = {
  [status.OK]: "OK",
  [status.CANCELLED]: "Canceled",
  [status.UNKNOWN]: "Unknown",
  [status.INVALID_ARGUMENT]: "InvalidArgument",
  [status.DEADLINE_EXCEEDED]: "DeadlineExceeded",
  [status.NOT_FOUND]: "NotFound",
  [status.ALREADY_EXISTS]: "AlreadyExists",
  [status.PERMISSION_DENIED]: "PermissionDenied",
  [status.RESOURCE_EXHAUSTED]: "ResourceExhausted",
  [status.FAILED_PRECONDITION]: "FailedPrecondition",
  [status.ABORTED]: "Aborted",
  [status.OUT_OF_RANGE]: "OutOfRange",
  [status.UNIMPLEMENTED]: "Unimplemented",
  [status.INTERNAL]: "Internal",
  [status.UNAVAILABLE]: "Unavailable",
  [status.DATA_LOSS]: "DataLoss",
  [status.UNAUTHENTICATED]: "Unauthenticated",
};
const ALL_CODES = Object.keys(GO_CODE_NAMES).map(Number);

/** prometheus.DefBuckets, go-grpc-prometheus's default for grpc_server_handling_seconds. */
export const HANDLING_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The grpc_code label value of a status code, as Go spells it (`DeadlineExceeded`); a number
 * outside the 17 codes is `Code(N)`, as Go prints it.
 * @internal
 */
export function goCodeName(code: number): string {
  return GO_CODE_NAMES[code as status] ?? `Code(${code})`;
}

/** The grpc_type of a method from its streaming flags. */
function grpcTypeOf(requestStream: boolean, responseStream: boolean): GrpcType {
  if (requestStream) return responseStream ? "bidi_stream" : "client_stream";
  return responseStream ? "server_stream" : "unary";
}

/**
 * `/tango.v1.Device/State` → service `tango.v1.Device`, method `State` (Go's splitMethodName).
 * @internal
 */
export function labelsOf(path: string, requestStream: boolean, responseStream: boolean): MethodLabels {
  const name = path.startsWith("/") ? path.slice(1) : path;
  const slash = name.indexOf("/");
  const [service, method] = slash < 0 ? ["unknown", "unknown"] : [name.slice(0, slash), name.slice(slash + 1)];
  return { grpc_type: grpcTypeOf(requestStream, responseStream), grpc_service: service, grpc_method: method };
}

/**
 * One method's counts as plain numbers. prom-client 15 hashes and validates the labels on every
 * `inc`/`observe`, even through a `labels()` child (~0.7 µs each, ~3.5 µs per unary call, 8 % of
 * grpc-js's own server cost, DESIGN §8), so calls only bump these fields and the series are
 * built from them when the registry is scraped.
 * @internal
 */
export class MethodRecord {
  started = 0;
  received = 0;
  sent = 0;
  /** Calls per status code, each with its label set built once. All 17 codes start at 0. */
  readonly handled = new Map<number, { readonly labels: HandledLabels; count: number }>();
  /** grpc_server_handling_seconds of the method. */
  readonly handling = new DurationRecord(HANDLING_BUCKETS_SECONDS);

  constructor(readonly labels: MethodLabels) {
    for (const code of ALL_CODES) this.handled.set(code, { labels: { ...labels, grpc_code: goCodeName(code) }, count: 0 });
  }

  end(code: number, seconds: number): void {
    const handled = this.handled.get(code);
    if (handled === undefined) this.handled.set(code, { labels: { ...this.labels, grpc_code: goCodeName(code) }, count: 1 });
    else handled.count++;
    this.handling.observe(seconds);
  }
}
