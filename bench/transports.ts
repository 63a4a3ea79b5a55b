import type { DeviceProxyOptions } from "../src/client/index.js";

/** The DeviceProxy's client transports (DeviceProxyOptions.transport). */
export type ClientTransport = NonNullable<DeviceProxyOptions["transport"]>;

/** The transports the DeviceProxy rows run on, in this order; the first one is the headline row. */
export const BENCH_TRANSPORTS: readonly [ClientTransport, ...ClientTransport[]] = ["http2", "grpc-js"];

/** `options` with the DeviceProxy's transport set to `transport`. */
export function withTransport(transport: ClientTransport, options: DeviceProxyOptions = {}): DeviceProxyOptions {
  return { ...options, transport };
}
