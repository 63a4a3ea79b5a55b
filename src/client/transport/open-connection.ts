import type { ChannelTarget, ClientConnection, ConnectionOptions, TargetSource } from "../connection.js";
import { GrpcJsConnection } from "./grpc-js-connection.js";

/** The transports a DeviceProxy can use (DeviceProxyOptions.transport). */
export type TransportName = "grpc-js";

/** A connection to `target` over `transport`. @internal */
export function openConnection(target: ChannelTarget | TargetSource, opts: ConnectionOptions & { readonly transport: TransportName }): ClientConnection {
  return new GrpcJsConnection(target, opts);
}
