import * as grpc from "@grpc/grpc-js";
import { FLOW_CONTROL_WINDOW_BYTES } from "../../core/defaults.js";
import {
  abortable, ConnectError, DEFAULT_KEEPALIVE, DEVICE_SERVICE, healthCheck, isServingStatus,
  type ChannelTarget, type ClientConnection, type ConnectionOptions, type KeepaliveOptions, type Method, type ServerStream, type TargetSource,
} from "../connection.js";
import { tlsFailureAt } from "./connect-failure.js";
import { callErrorOf, framesOf, grpcTimeoutOf } from "./grpc-frames.js";
import { encodeHeaderBlock } from "../../http2/hpack.js";
import { Http2ServerStream } from "./http2-server-stream.js";
import { WireCall, type CallEnd } from "./wire-call.js";
import { WireSession } from "./wire-session.js";

/** One HTTP/2 session and what is known of it. */
interface Session {
  readonly wire: WireSession;
  /** The request headers of each method, encoded, less `grpc-timeout` (they name this session's target). */
  readonly headerBlocks: Map<string, Buffer>;
  /** Resolves when the server's SETTINGS arrive. */
  readonly whenReady: Promise<void>;
  /** The server's SETTINGS arrived: it speaks HTTP/2 and answers. */
  isReady: boolean;
  /** Closed, failed or told to go away: no new call goes on it. */
  isGone: boolean;
  /** Calls in flight: while there are some, the session keeps the process alive and is pinged. */
  calls: number;
  keepalive: NodeJS.Timeout | undefined;
  /** Resolves once the session is gone, with why. */
  readonly whenGone: Promise<Error>;
}

/**
 * One HTTP/2 connection to one device server (a WireSession: HTTP/2 framed by the client itself
 * over a net or tls socket), made on demand and replaced after a failure (spec §10.3), speaking
 * gRPC's HTTP/2 protocol: a call is one stream, its message 5-byte prefixed, its status read from
 * the trailers. It knows nothing of Tango semantics.
 *
 * @internal
 */
export class Http2Connection implements ClientConnection {
  readonly #source: ChannelTarget | TargetSource;
  readonly #maxMessageBytes: number;
  readonly #keepalive: KeepaliveOptions;
  /** The metadata every call carries, as header fields. */
  readonly #metadataFields: ReadonlyArray<readonly [string, string]>;
  #target: ChannelTarget | undefined;
  #session: Session | undefined;
  /**
   * The session being made, callers meanwhile share it: first its target is looked up (bounded
   * by the lookup's own deadline), then `ready` says when the server answers.
   */
  #opening: Promise<{ readonly ready: Promise<Session> }> | undefined;
  #closes = 0;
  #generation = 0;
  #hasBeenReady = false;

  constructor(target: ChannelTarget | TargetSource, opts: ConnectionOptions) {
    this.#source = target;
    this.#target = typeof target === "function" ? undefined : target;
    this.#maxMessageBytes = opts.maxMessageBytes;
    this.#keepalive = opts.keepalive ?? DEFAULT_KEEPALIVE;
    this.#metadataFields = Object.entries(opts.metadata.toHttp2Headers())
      .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, String(v)] as const));
  }

  get generation(): number {
    return this.#generation;
  }

  get isLost(): boolean {
    return this.#hasBeenReady && this.#session !== undefined && this.#session.isGone;
  }

  get isReady(): boolean {
    const s = this.#session;
    return s !== undefined && s.isReady && !s.isGone;
  }

  get isTls(): boolean {
    return this.#target?.security.isTls ?? false;
  }

  async connect(deadline: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const s = this.#session;
      if (s !== undefined && s.isReady && !s.isGone) {
        this.#hasBeenReady = true;
        return;
      }
      // A lost session: start from a fresh one.
      if (s !== undefined && s.isGone && this.#opening === undefined) this.reset();
      const opening = this.#opening ??= this.#open(deadline);
      try {
        // A lookup that fails (its DevFailed) or times out says so itself.
        const { ready } = await abortable(opening, signal);
        await this.#within(ready, deadline, signal);
      } finally {
        if (this.#opening === opening) this.#opening = undefined;
      }
    }
  }

  /** `ready`, or a ConnectError "timeout" at `deadline` (the session is then dropped). */
  async #within(ready: Promise<Session>, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    const waitMs = deadline - Date.now();
    if (waitMs > 2 ** 31 - 1) {
      await abortable(ready, signal);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectError("timeout", "connection not established in time")), Math.max(0, waitMs));
    });
    try {
      await abortable(Promise.race([ready, timeout]), signal);
    } catch (err) {
      if (err instanceof ConnectError && err.kind === "timeout") this.reset();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Looks the target up if needed, then makes a session; `ready` resolves on the server's SETTINGS. */
  async #open(deadline: number): Promise<{ readonly ready: Promise<Session> }> {
    const closes = this.#closes;
    const source = this.#source;
    const target = typeof source === "function" ? await source(deadline) : source;
    if (this.#closes !== closes) throw new ConnectError("closed", "the connection was closed while its target was looked up");
    this.#target = target;
    const session = this.#make(target);
    const ready = this.#handshake(session, target, deadline);
    // A caller that gave up meanwhile leaves nobody to hear the failure.
    ready.catch(() => undefined);
    return { ready };
  }

  /** Waits for the server's SETTINGS; a failure is a ConnectError that says why (see tlsFailureAt). */
  async #handshake(session: Session, target: ChannelTarget, deadline: number): Promise<Session> {
    try {
      await Promise.race([
        session.whenReady,
        session.whenGone.then((err) => { throw err; }),
      ]);
    } catch {
      const tls = session === this.#session ? await tlsFailureAt(target, deadline) : undefined;
      if (session === this.#session) this.reset();
      if (tls !== undefined) throw new ConnectError(tls.kind, tls.detail);
      throw new ConnectError("refused", "connection refused or address not reachable");
    }
    session.isReady = true;
    // Connecting kept the process alive; an idle session does not.
    if (session.calls === 0) session.wire.unref();
    return session;
  }

  #make(target: ChannelTarget): Session {
    this.reset();
    const colon = target.address.lastIndexOf(":");
    let onReady: () => void = () => undefined;
    const whenReady = new Promise<void>((resolve) => { onReady = resolve; });
    let onGone: (err: Error) => void = () => undefined;
    const whenGone = new Promise<Error>((resolve) => { onGone = resolve; });
    const wire = new WireSession({
      host: target.address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"),
      port: Number(target.address.slice(colon + 1)),
      tls: target.security.isTls ? target.security.tlsOptions : undefined,
      // DESIGN §8: the 64 KiB default window stalls large arrays (the streams' and the connection's).
      windowBytes: FLOW_CONTROL_WINDOW_BYTES,
      onReady: () => onReady(),
      // The cause shows in each call's status and in connect's diagnosis.
      onGone: (err) => {
        session.isGone = true;
        clearInterval(session.keepalive);
        onGone(err);
      },
    });
    const session: Session = {
      wire, headerBlocks: new Map(), whenReady, isReady: false, isGone: false, calls: 0, keepalive: undefined, whenGone,
    };
    this.#session = session;
    this.#generation++;
    return session;
  }

  unary<Res>(method: Method, request: object, deadline: number, signal?: AbortSignal): Promise<Res> {
    const session = this.#session;
    if (session === undefined || !session.isReady) return Promise.reject(new Error("not connected"));
    let bytes: Buffer;
    try {
      bytes = method.requestSerialize(request);
    } catch (err) {
      return Promise.reject(callErrorOf(grpc.status.INTERNAL, `Request message serialization failure: ${String(err)}`));
    }
    if (bytes.length > this.#maxMessageBytes) {
      return Promise.reject(callErrorOf(grpc.status.RESOURCE_EXHAUSTED, `Attempted to send message with a size larger than ${this.#maxMessageBytes}`));
    }
    if (signal?.aborted === true) return Promise.reject(callErrorOf(grpc.status.CANCELLED, "Cancelled on client"));
    return new Promise<Res>((resolve, reject) => {
      let reply: Buffer | undefined;
      const onEnd = (end: CallEnd): void => {
        signal?.removeEventListener("abort", onAbort);
        this.#callEnded(session);
        if (end.code !== grpc.status.OK) return reject(callErrorOf(end.code, end.details, end.metadata));
        if (reply === undefined) return reject(callErrorOf(grpc.status.UNIMPLEMENTED, "No message received for unary call"));
        try {
          resolve(method.responseDeserialize(reply) as Res);
        } catch (err) {
          reject(callErrorOf(grpc.status.INTERNAL, `Response message parsing error: ${String(err)}`));
        }
      };
      this.#callStarted(session);
      const call = new WireCall(session.wire, this.#headerBlockOf(session, method.path, deadline), framesOf(bytes), {
        maxMessageBytes: this.#maxMessageBytes, deadline, onEnd, onMessage: (m) => { reply ??= m; },
      });
      const onAbort = (): void => call.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  serverStream<Res>(method: Method, request: object, decode: (bytes: Buffer) => Res): ServerStream<Res> {
    const session = this.#session;
    if (session === undefined || !session.isReady) throw new Error("not connected");
    const stream = new Http2ServerStream<Res>(decode);
    const bytes = method.requestSerialize(request);
    this.#callStarted(session);
    stream.attach(new WireCall(session.wire, this.#headerBlockOf(session, method.path, Infinity), framesOf(bytes), {
      maxMessageBytes: this.#maxMessageBytes, deadline: Infinity,
      onMessage: (m) => stream.message(m),
      onEnd: (end) => {
        this.#callEnded(session);
        stream.ended(end);
      },
    }));
    return stream;
  }

  isServing(deadline: number): Promise<boolean> {
    if (!this.isReady) return Promise.resolve(false);
    return this.unary<{ status?: unknown }>(healthCheck(), { service: DEVICE_SERVICE }, deadline).then(isServingStatus, () => false);
  }

  reset(): void {
    const s = this.#session;
    this.#session = undefined;
    this.#hasBeenReady = false;
    if (s === undefined) return;
    s.isGone = true;
    clearInterval(s.keepalive);
    s.wire.destroy();
  }

  /**
   * Closes for good (a later call would reconnect). As grpc-js's channel.close(), the calls in
   * flight still end on the session, each bounded by its deadline; no new call starts on it.
   */
  close(): void {
    this.#closes++;
    const s = this.#session;
    if (s === undefined || s.calls === 0) {
      this.reset();
      return;
    }
    this.#session = undefined;
    this.#hasBeenReady = false;
    s.isGone = true;
    s.wire.close();
  }

  /**
   * The request headers of a call, encoded: gRPC's, the client's metadata (both kept per method
   * for the session), then the deadline.
   */
  #headerBlockOf(session: Session, path: string, deadline: number): Buffer {
    let block = session.headerBlocks.get(path);
    if (block === undefined) {
      const target = this.#target!;
      block = encodeHeaderBlock([
        [":method", "POST"], [":scheme", target.security.isTls ? "https" : "http"], [":path", path], [":authority", target.address],
        ["content-type", "application/grpc"], ["te", "trailers"], ["grpc-accept-encoding", "identity"], ["user-agent", USER_AGENT],
        ...this.#metadataFields,
      ]);
      session.headerBlocks.set(path, block);
    }
    if (!Number.isFinite(deadline)) return block;
    return Buffer.concat([block, encodeHeaderBlock([["grpc-timeout", grpcTimeoutOf(deadline - Date.now())]])]);
  }

  /** A call started: the session keeps the process alive and is watched by PINGs. */
  #callStarted(session: Session): void {
    if (session.calls++ > 0) return;
    session.wire.ref();
    const { timeMs, timeoutMs } = this.#keepalive;
    session.keepalive = setInterval(() => this.#ping(session, timeoutMs), timeMs);
  }

  #callEnded(session: Session): void {
    if (--session.calls > 0) return;
    clearInterval(session.keepalive);
    session.keepalive = undefined;
    if (!session.wire.isDestroyed) session.wire.unref();
  }

  /** Sends a PING; a session that does not answer within `timeoutMs` is dropped (its calls end UNAVAILABLE). */
  #ping(session: Session, timeoutMs: number): void {
    if (session.isGone) return;
    const timer = setTimeout(() => session.wire.destroy(new Error("keepalive: the server did not answer a PING in time")), timeoutMs);
    session.wire.ping(() => clearTimeout(timer));
  }
}

/** What this transport says it is. */
const USER_AGENT = "tango-grpc-http2/1";
