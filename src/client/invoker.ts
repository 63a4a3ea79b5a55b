import * as grpc from "@grpc/grpc-js";
import { DevFailed } from "../core/index.js";
import { PING_AFTER_TIMEOUT_MS } from "../core/defaults.js";
import { fromGrpcError } from "../grpc/wire.js";
import { ClientErrors } from "./client-errors.js";
import { ConnectError, deviceMethods, type CallError, type ClientConnection } from "./connection.js";
import { tlsFailureOf } from "./tls-failure.js";
import type { CallOptions } from "./types.js";

/** What a call is, for the reconnection rules and the error messages. */
export interface Operation {
  /** As messages name it: `command DevDouble`, `read_attributes`. */
  readonly label: string;
  /** A read may be sent again after the connection broke mid-call (spec §10.3); others never. */
  readonly isRead: boolean;
}

/** The proxy settings the invoker reads at each call (they can change between calls). */
export interface InvokerSettings {
  readonly device: string;
  readonly address: string;
  readonly timeoutMs: number;
  readonly transparentReconnection: boolean;
}

/**
 * Runs one request with Tango's client rules (spec §10.3): connect first (a refused connection
 * fails at once), one deadline for the whole call, a ping after a timeout, and transparent
 * reconnection that re-sends only reads. Errors come out as DevFailed (or the server's
 * MultiDevFailed); an abort rejects with the signal's reason.
 *
 * @internal
 */
export class Invoker {
  readonly #conn: ClientConnection;
  readonly #settings: InvokerSettings;

  constructor(conn: ClientConnection, settings: InvokerSettings) {
    this.#conn = conn;
    this.#settings = settings;
  }

  /** Counts the channels made (see ClientConnection.generation). */
  get generation(): number {
    return this.#conn.generation;
  }

  /**
   * Sends `request` to `method`. A Tango error from the server goes through `onServerError`
   * (where the proxy adds its frame); the client's own errors do not. A function `request` is
   * called once connected, so it may use what connecting learnt (the device name of an alias).
   */
  async invoke<Res>(
    method: string, request: object | (() => object), op: Operation, opts?: CallOptions,
    onServerError?: (df: DevFailed) => DevFailed,
  ): Promise<Res> {
    const m = deviceMethods()[method];
    if (m === undefined) throw new TypeError(`tango.v1.Device has no method ${method}`);
    const s = this.#settings;
    const timeoutMs = opts?.timeoutMs ?? s.timeoutMs;
    const deadline = timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs;
    const signal = opts?.signal;
    for (let attempt = 0; ; attempt++) {
      this.#checkLost(op.label);
      await this.#connect(deadline, timeoutMs, signal);
      try {
        return await this.#conn.unary<Res>(m, typeof request === "function" ? request() : request, deadline, signal);
      } catch (err) {
        if (!isServiceError(err)) throw err;
        const tango = fromGrpcError(err);
        if (tango !== undefined) throw tango instanceof DevFailed && onServerError !== undefined ? onServerError(tango) : tango;
        if (signal?.aborted === true) throw signal.reason;
        if (err.code === grpc.status.DEADLINE_EXCEEDED) throw await this.#timedOut(timeoutMs, op);
        if (err.code === grpc.status.UNAVAILABLE || !this.#conn.isReady) {
          this.#conn.reset();
          // TLS 1.3 clients learn of a refused client certificate only after the handshake.
          const tlsDetail = this.#conn.isTls ? tlsFailureOf(err.details) : undefined;
          if (tlsDetail !== undefined) throw ClientErrors.tlsFailed(s.device, s.address, tlsDetail);
          if (op.isRead && s.transparentReconnection && attempt === 0) continue;
          throw ClientErrors.communicationFailed(s.device, op.label, detailOf(err));
        }
        throw ClientErrors.transport(s.device, op.label, grpc.status[err.code], err.details);
      }
    }
  }

  /** Connects now unless connected, within the call's timeout (reported as a `label` call). */
  async connect(label: string, opts?: CallOptions): Promise<void> {
    const timeoutMs = opts?.timeoutMs ?? this.#settings.timeoutMs;
    this.#checkLost(label);
    await this.#connect(timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs, timeoutMs, opts?.signal);
  }

  /** Without transparent reconnection, a lost connection is reported once, then forgotten. */
  #checkLost(label: string): void {
    if (this.#settings.transparentReconnection || !this.#conn.isLost) return;
    this.#conn.reset();
    throw ClientErrors.connectionLost(this.#settings.device, label);
  }

  async #connect(deadline: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const s = this.#settings;
    try {
      await this.#conn.connect(deadline, signal);
    } catch (err) {
      if (!(err instanceof ConnectError)) throw err;
      if (err.kind === "tls") throw ClientErrors.tlsFailed(s.device, s.address, err.message);
      if (err.kind === "tlsPort") throw ClientErrors.tlsExpected(s.device, s.address);
      if (err.kind === "closed") throw ClientErrors.closedWhileResolving(s.device);
      throw err.kind === "refused"
        ? ClientErrors.serverNotRunning(s.device, s.address, err.message)
        : ClientErrors.cantConnect(s.device, s.address, timeoutMs);
    }
  }

  /**
   * spec §10.3 item 2 (cppTango): a ping tells a busy device from a dead connection. Either way
   * the call timed out; only a dead connection is dropped (the next call reconnects).
   */
  async #timedOut(timeoutMs: number, op: Operation): Promise<DevFailed> {
    const s = this.#settings;
    const isAlive = await this.#pings();
    if (!isAlive) this.#conn.reset();
    return ClientErrors.deviceTimedOut(timeoutMs, s.device, op.label, isAlive);
  }

  async #pings(): Promise<boolean> {
    const ping = deviceMethods().Ping;
    if (ping === undefined || !this.#conn.isReady) return false;
    try {
      await this.#conn.unary(ping, { device: this.#settings.device }, Date.now() + PING_AFTER_TIMEOUT_MS);
      return true;
    } catch (err) {
      // A Tango error is an answer: the server is there.
      if (isServiceError(err)) return fromGrpcError(err) !== undefined;
      throw err;
    }
  }
}

function isServiceError(err: unknown): err is CallError {
  return err instanceof Error && typeof (err as Partial<CallError>).code === "number" &&
    (err as Partial<CallError>).metadata instanceof grpc.Metadata;
}

function detailOf(err: CallError): string {
  return `gRPC status ${grpc.status[err.code]}: ${err.details}`;
}
