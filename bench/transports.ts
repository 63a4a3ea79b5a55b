import type { DeviceProxyOptions } from "../src/client/index.js";

/*
 * The DeviceProxy's client transports the bench measures side by side. `DeviceProxyOptions` has
 * no `transport` option yet (it is coming: "http2" | "grpc-js"); until it does, ClientTransport
 * is "grpc-js", the one transport there is, and the `transport` field the bench passes is one
 * the client does not read. Once the option lands, ClientTransport takes its values by itself,
 * and BENCH_TRANSPORTS is the one line to change to measure them side by side.
 */

/** The option's values once DeviceProxyOptions has `transport`; "grpc-js", its one transport, until then. */
export type ClientTransport = DeviceProxyOptions extends { readonly transport?: infer T }
  ? (unknown extends T ? "grpc-js" : NonNullable<T>)
  : "grpc-js";

/** The transports the DeviceProxy rows run on, in this order; the first one is the headline row. */
export const BENCH_TRANSPORTS: readonly [ClientTransport, ...ClientTransport[]] = ["grpc-js"];

/** `options` with the DeviceProxy's transport set to `transport`. */
export function withTransport(transport: ClientTransport, options: DeviceProxyOptions = {}): DeviceProxyOptions {
  return { ...options, ...({ transport } as Partial<DeviceProxyOptions>) };
}
