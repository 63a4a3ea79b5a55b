import { ClientErrors } from "../client-errors.js";
import type { ChannelTarget, ClientConnection, ConnectionOptions, TargetSource } from "../connection.js";
import { GrpcJsConnection } from "./grpc-js-connection.js";
import { Http2Connection } from "./http2-connection.js";

/** The transports a DeviceProxy can use (DeviceProxyOptions.transport). */
export type TransportName = "http2" | "grpc-js";

/** The environment variable that sets the transport of every proxy of a process that does not choose one. */
export const TRANSPORT_ENV = "TANGO_CLIENT_TRANSPORT";

/**
 * The transport to use: the one given, else TANGO_CLIENT_TRANSPORT's, else http2.
 *
 * @throws DevFailed API_MethodArgument for another name.
 */
export function transportOf(given: string | undefined, env: string | undefined = process.env[TRANSPORT_ENV]): TransportName {
  const name = given ?? (env === "" ? undefined : env) ?? "http2";
  if (name === "http2" || name === "grpc-js") return name;
  const from = given === undefined ? `${TRANSPORT_ENV}` : "transport";
  throw ClientErrors.methodArgument(`${from} is "http2" or "grpc-js"; got ${JSON.stringify(name)}`, "DeviceProxy::DeviceProxy");
}

/** A connection to `target` over `transport`. @internal */
export function openConnection(target: ChannelTarget | TargetSource, opts: ConnectionOptions & { readonly transport: TransportName }): ClientConnection {
  return opts.transport === "http2" ? new Http2Connection(target, opts) : new GrpcJsConnection(target, opts);
}
