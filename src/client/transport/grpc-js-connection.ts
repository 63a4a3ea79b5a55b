import * as grpc from "@grpc/grpc-js";
import { FLOW_CONTROL_WINDOW_BYTES } from "../../core/defaults.js";
import {
  abortable, ConnectError, DEFAULT_KEEPALIVE, DEVICE_SERVICE, healthCheck, isServingStatus,
  type ChannelTarget, type ClientConnection, type ConnectionOptions, type Method, type TargetSource,
} from "../connection.js";
import { tlsFailureAt } from "./connect-failure.js";

/** grpc-js options no user needs to touch; the comments say why each one is set. */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // Our own channel per connection: a new channel after a failure then connects at once,
  // instead of sharing a subchannel that sits in grpc-js's reconnect backoff (spec §10.3: we do
  // not answer "the connection request was delayed").
  "grpc.use_local_subchannel_pool": 1,
  // A Tango client keeps its connection: an idle channel going IDLE would look like a lost server.
  "grpc.client_idle_timeout_ms": 2 ** 31 - 1,
  // channelz keeps per-call counters and timestamps that nothing here reads.
  "grpc.enable_channelz": 0,
  // DESIGN §8: the 64 KiB default window stalls large arrays.
  "grpc-node.flow_control_window": FLOW_CONTROL_WINDOW_BYTES,
};

/**
 * One grpc-js channel to one device server, made on demand and replaced after a failure (spec
 * §10.3). It knows nothing of Tango semantics: DeviceProxy decides what a failure means.
 *
 * @internal
 */
export class GrpcJsConnection implements ClientConnection {
  readonly #source: ChannelTarget | TargetSource;
  readonly #options: grpc.ChannelOptions;
  readonly #metadata: grpc.Metadata;
  /** The target of the current channel (or of the last one). */
  #target: ChannelTarget | undefined;
  #client: grpc.Client | undefined;
  /** A channel being made, once its target is known (TargetSource): callers meanwhile share it. */
  #opening: Promise<grpc.Client> | undefined;
  /** Counts close() calls: a channel whose target came after a close() is not made. */
  #closes = 0;
  #generation = 0;
  /** The current channel has been READY: a later state other than READY means it was lost. */
  #hasBeenReady = false;

  constructor(target: ChannelTarget | TargetSource, opts: ConnectionOptions) {
    this.#source = target;
    this.#target = typeof target === "function" ? undefined : target;
    this.#metadata = opts.metadata;
    const keepalive = opts.keepalive ?? DEFAULT_KEEPALIVE;
    this.#options = {
      ...CHANNEL_OPTIONS,
      "grpc.max_receive_message_length": opts.maxMessageBytes,
      "grpc.max_send_message_length": opts.maxMessageBytes,
      // Dead-peer detection as the http2 transport's: a PING this often while calls are in
      // flight (grpc-js pings only then by default), a connection whose PING goes unanswered dropped.
      "grpc.keepalive_time_ms": keepalive.timeMs,
      "grpc.keepalive_timeout_ms": keepalive.timeoutMs,
    };
  }

  /** Counts the channels made: a new one may lead to a restarted server, so caches are stale. */
  get generation(): number {
    return this.#generation;
  }

  /** Whether the channel was connected and has lost its connection since. */
  get isLost(): boolean {
    if (this.#client === undefined || !this.#hasBeenReady) return false;
    return this.#client.getChannel().getConnectivityState(false) !== grpc.connectivityState.READY;
  }

  /** Whether the channel is connected now. */
  get isReady(): boolean {
    return this.#client?.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
  }

  /**
   * Connects unless connected, by `deadline` (epoch ms, or Infinity). A refused connection fails
   * at once, without waiting for the deadline, and drops the channel so that the next attempt
   * starts afresh.
   */
  async connect(deadline: number, signal?: AbortSignal): Promise<void> {
    const client = this.#client ?? await this.#open(deadline, signal);
    const channel = client.getChannel();
    for (;;) {
      signal?.throwIfAborted();
      const state = channel.getConnectivityState(true);
      if (state === grpc.connectivityState.READY) {
        this.#hasBeenReady = true;
        return;
      }
      if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) {
        const tls = await this.#tlsFailure(deadline);
        this.reset();
        if (tls !== undefined) throw new ConnectError(tls.kind, tls.detail);
        throw new ConnectError("refused", "connection refused or address not reachable");
      }
      if (this.#hasBeenReady) {
        // A lost connection: start from a fresh channel (no reconnect backoff, no stale state).
        this.reset();
        return this.connect(deadline, signal);
      }
      const isChanged = await waitForStateChange(channel, state, deadline, signal);
      if (!isChanged) {
        this.reset();
        throw new ConnectError("timeout", "connection not established in time");
      }
    }
  }

  /** Whether the channel speaks TLS (false before the first channel of a TargetSource). */
  get isTls(): boolean {
    return this.#target?.security.isTls ?? false;
  }

  /** The channel made now, or once its TargetSource tells where; a caller's abort ends its wait only. */
  #open(deadline: number, signal: AbortSignal | undefined): grpc.Client | Promise<grpc.Client> {
    if (this.#opening !== undefined) return abortable(this.#opening, signal);
    const source = this.#source;
    const closes = this.#closes;
    const made = typeof source === "function" ? source(deadline) : source;
    if (!(made instanceof Promise)) return this.#make(made);
    this.#opening ??= made.then((target) => {
      if (this.#closes !== closes) throw new ConnectError("closed", "the connection was closed while its target was looked up");
      return this.#client ?? this.#make(target);
    }).finally(() => { this.#opening = undefined; });
    return abortable(this.#opening, signal);
  }

  #make(target: ChannelTarget): grpc.Client {
    this.#target = target;
    const options = { ...this.#options, ...target.security.options };
    this.#client = new grpc.Client(target.address, target.security.credentials, options);
    this.#generation++;
    return this.#client;
  }

  /** Why the channel failed, when TLS is the cause (see tlsFailureAt). */
  #tlsFailure(deadline: number): Promise<{ kind: "tls" | "tlsPort"; detail: string } | undefined> {
    return this.#target === undefined ? Promise.resolve(undefined) : tlsFailureAt(this.#target, deadline);
  }

  /** Sends one unary call on the current channel; rejects with the grpc-js ServiceError. */
  unary<Res>(method: Method, request: object, deadline: number, signal?: AbortSignal): Promise<Res> {
    const client = this.#client;
    if (client === undefined) return Promise.reject(new Error("not connected"));
    return new Promise<Res>((resolve, reject) => {
      const call = client.makeUnaryRequest<object, object>(
        method.path, method.requestSerialize, method.responseDeserialize, request, this.#metadata,
        { deadline },
        (err, res) => {
          signal?.removeEventListener("abort", onAbort);
          if (err !== null) reject(err);
          else resolve(res as Res);
        },
      );
      const onAbort = (): void => call.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Opens a server-streaming call on the current channel (`connect` first); its messages are
   * decoded by `decode`. The caller listens to the stream and cancels it.
   */
  serverStream<Res>(method: Method, request: object, decode: (bytes: Buffer) => Res): grpc.ClientReadableStream<Res> {
    const client = this.#client;
    if (client === undefined) throw new Error("not connected");
    return client.makeServerStreamRequest<object, Res>(method.path, method.requestSerialize, decode, request, this.#metadata, {});
  }

  /**
   * Asks the server's health service whether tango.v1.Device is SERVING (every device exported),
   * by `deadline`; false when it says otherwise or does not answer in time.
   */
  isServing(deadline: number): Promise<boolean> {
    const check = healthCheck();
    const client = this.#client;
    if (client === undefined) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      client.makeUnaryRequest<object, { status?: unknown }>(check.path, check.requestSerialize, check.responseDeserialize as (b: Buffer) => { status?: unknown },
        { service: DEVICE_SERVICE }, this.#metadata, { deadline }, (err, res) => {
          resolve(err === null && isServingStatus(res));
        });
    });
  }

  /** Drops the channel (and any call still on it); the next `connect` makes a new one. */
  reset(): void {
    this.#client?.close();
    this.#client = undefined;
    this.#hasBeenReady = false;
  }

  /** Closes the channel for good (a later call would reconnect); a channel being made is not made. */
  close(): void {
    this.#closes++;
    this.reset();
  }
}

function waitForStateChange(channel: ReturnType<grpc.Client["getChannel"]>, state: grpc.connectivityState, deadline: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const onAbort = (): void => reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    channel.watchConnectivityState(state, deadline, (err) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(err === undefined);
    });
  });
}
