import type * as grpc from "@grpc/grpc-js";
import { CLIENT_KEEPALIVE_TIME_MS, CLIENT_KEEPALIVE_TIMEOUT_MS } from "../core/defaults.js";
import { loadTangoProto } from "../grpc/wire.js";
import type { ChannelSecurity } from "./tls-options.js";

/** Why a connection could not be made. */
export class ConnectError extends Error {
  override readonly name = "ConnectError";
  constructor(readonly kind: "refused" | "timeout" | "tls" | "tlsPort" | "closed", detail: string) {
    super(detail);
  }
}

/** Where a channel goes: the server's `host:port` and how to secure the connection. */
export interface ChannelTarget {
  readonly address: string;
  readonly security: ChannelSecurity;
}

/**
 * Where the next channel goes, asked each time one is made (a name looked up in the Tango
 * database: the server may have moved). Bounded by `deadline` (epoch ms, or Infinity); a
 * DevFailed it throws is the connection attempt's failure.
 */
export type TargetSource = (deadline: number) => ChannelTarget | Promise<ChannelTarget>;

/** A method of tango.v1.Device (or of the health service), with its (de)serializers. */
export interface Method {
  readonly path: string;
  readonly requestSerialize: (value: object) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => object;
}

/** Dead-peer detection: a PING this often while calls are in flight, answered within `timeoutMs`. */
export interface KeepaliveOptions {
  readonly timeMs: number;
  readonly timeoutMs: number;
}

/** The keepalive of both transports (spec §10.3). */
export const DEFAULT_KEEPALIVE: KeepaliveOptions = Object.freeze({ timeMs: CLIENT_KEEPALIVE_TIME_MS, timeoutMs: CLIENT_KEEPALIVE_TIMEOUT_MS });

/**
 * What makes a connection: the largest message either way, the metadata every call carries, and
 * the keepalive (DEFAULT_KEEPALIVE when not given; tests shorten it).
 */
export interface ConnectionOptions {
  readonly maxMessageBytes: number;
  readonly metadata: grpc.Metadata;
  readonly keepalive?: KeepaliveOptions;
}

/**
 * How a call failed, whatever the transport: the gRPC status code, its text, and the trailing
 * metadata (where `grpc-status-details-bin` carries the Tango error). grpc-js's ServiceError is one.
 */
export interface CallError extends Error {
  readonly code: grpc.status;
  readonly details: string;
  readonly metadata: grpc.Metadata;
}

/**
 * A server-streaming call as the event subscriptions use it: messages (`data`), one `error` when
 * it ends otherwise than by a cancel() of ours, flow control (pause/resume). grpc-js's
 * ClientReadableStream is one.
 */
export interface ServerStream<Res> {
  on(event: "data", listener: (message: Res) => void): this;
  on(event: "error", listener: (err: CallError) => void): this;
  on(event: "end", listener: () => void): this;
  /** Ends the call; an `error` with CANCELLED follows (as grpc-js does). */
  cancel(): void;
  pause(): this;
  resume(): this;
}

/**
 * One connection to one device server, made on demand and replaced after a failure (spec
 * §10.3): the seam between the client's Tango rules (Invoker, EventSubscriptions) and a
 * transport (grpc-js, or HTTP/2 framed by the client: WireSession). It knows nothing of Tango semantics.
 *
 * @internal
 */
export interface ClientConnection {
  /** Counts the channels made: a new one may lead to a restarted server, so caches are stale. */
  readonly generation: number;
  /** Whether the channel was connected and has lost its connection since. */
  readonly isLost: boolean;
  /** Whether the channel is connected now. */
  readonly isReady: boolean;
  /** Whether the channel speaks TLS (false before the first channel of a TargetSource). */
  readonly isTls: boolean;
  /**
   * Connects unless connected, by `deadline` (epoch ms, or Infinity). A refused connection fails
   * at once with a ConnectError, and the next attempt starts afresh.
   */
  connect(deadline: number, signal?: AbortSignal): Promise<void>;
  /** Sends one unary call on the current channel; rejects with a CallError. */
  unary<Res>(method: Method, request: object, deadline: number, signal?: AbortSignal): Promise<Res>;
  /** Opens a server-streaming call on the current channel (`connect` first); messages decoded by `decode`. */
  serverStream<Res>(method: Method, request: object, decode: (bytes: Buffer) => Res): ServerStream<Res>;
  /** Whether the server's health service says tango.v1.Device is SERVING, by `deadline`. */
  isServing(deadline: number): Promise<boolean>;
  /** Drops the channel (and any call still on it); the next `connect` makes a new one. */
  reset(): void;
  /** Closes the channel for good (a later call would reconnect); a channel being made is not made. */
  close(): void;
}

/** grpc.health.v1's name of our service: SERVING once every device is exported. */
export const DEVICE_SERVICE = "tango.v1.Device";

/** tango.v1.Device's methods by name, from the loaded proto. */
export function deviceMethods(): Readonly<Record<string, Method>> {
  return loadTangoProto().deviceService as unknown as Record<string, Method>;
}

/** grpc.health.v1.Health/Check, from the loaded protos. */
export function healthCheck(): Method {
  const service = loadTangoProto().packageDefinition["grpc.health.v1.Health"] as unknown as Record<string, Method> | undefined;
  const check = service?.Check;
  if (check === undefined) throw new Error("grpc.health.v1.Health/Check is not loaded");
  return check;
}

/** Whether a Health/Check answer says SERVING. */
export function isServingStatus(res: { status?: unknown } | undefined): boolean {
  return res?.status === "SERVING" || res?.status === 1;
}

/** `promise`, or the signal's reason once it aborts (the promise itself goes on). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
