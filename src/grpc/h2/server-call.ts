import { EventEmitter } from "node:events";
import type { TLSSocket } from "node:tls";
import { Metadata, status, type MetadataValue } from "@grpc/grpc-js";
import { ErrorCode } from "../../http2/frames.js";
import { MessageError, MessageReader } from "../../http2/grpc-messages.js";
import type { HeaderList } from "../../http2/hpack.js";
import type { MethodRecord } from "../grpc-method-record.js";
import { RESPONSE_HEADERS, statusBlockOf, type SentStatus } from "./status-blocks.js";
import type { ServerStream, ServerStreamHandler } from "./server-stream.js";

/** One method as the server dispatches it. @internal */
export interface ServedMethod {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly deserialize: (bytes: Buffer) => unknown;
  readonly serialize: (value: unknown) => Buffer;
  /** grpc-js's handler shape: `(call, callback)` for unary requests, `(call)` for streamed ones. */
  readonly handler: (call: ServerCall, callback: UnaryCallback) => void;
  /** Its metrics, when the server has them. */
  readonly record: MethodRecord | undefined;
}

/** A unary handler's answer, as grpc-js's `sendUnaryData`. */
export type UnaryCallback = (error: CallStatusError | null, value?: unknown, trailer?: Metadata) => void;

/** What a handler fails a call with: grpc-js's ServiceError or StatusObject, or any Error (UNKNOWN). */
export interface CallStatusError {
  readonly code?: number;
  readonly details?: string;
  readonly message?: string;
  readonly metadata?: Metadata;
}

/** What a call needs of its server. @internal */
export interface CallHost {
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  /** Arms the call's deadline timer soon, unless it has ended by then (most calls end within the turn that starts them). */
  armDeadlineLater(call: ServerCall): void;
}

/** Headers that are the transport's, not the caller's metadata. */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "user-agent", "content-length",
]);

/** Longest delay setTimeout keeps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One gRPC call on a ServerStream, shaped as grpc-js's server call objects so that the same
 * handlers serve it (the device service, grpc-health-check, @grpc/reflection): `request`,
 * `metadata`, `cancelled` and its "cancelled" event, `getPeer()`, `getDeadline()`,
 * `getAuthContext()`; for streamed replies `write()` with "drain", `end()`, "finish", and an
 * "error" event that ends the call with that status; for streamed requests "data" and "end".
 *
 * A unary reply goes out as one write: headers, message and trailers.
 *
 * @internal Made by the gRPC server for each stream.
 */
export class ServerCall extends EventEmitter implements ServerStreamHandler {
  request: unknown = undefined;
  cancelled = false;
  readonly #stream: ServerStream;
  readonly #method: ServedMethod;
  readonly #host: CallHost;
  readonly #rawHeaders: HeaderList;
  readonly #reader: MessageReader;
  readonly #deadline: number;
  readonly #startMs = performance.now();
  #metadata: Metadata | undefined;
  #responseMetadata: Metadata | undefined;
  #timer: NodeJS.Timeout | undefined;
  #messages = 0;
  #isHeadersSent = false;
  #isEnded = false;

  constructor(stream: ServerStream, method: ServedMethod, headers: HeaderList, timeoutMs: number, host: CallHost) {
    super();
    this.#stream = stream;
    this.#method = method;
    this.#host = host;
    this.#rawHeaders = headers;
    this.#reader = new MessageReader(host.maxReceiveMessageBytes);
    this.#deadline = timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs;
    if (timeoutMs <= MAX_TIMER_MS) host.armDeadlineLater(this);
    if (method.record !== undefined) method.record.started++;
    if (method.responseStream || method.requestStream) {
      // grpc-js's streams end with the status of an "error" event.
      this.on("error", (err: CallStatusError) => this.#sendStatus(statusOf(err)));
    }
    stream.handler = this;
    if (method.requestStream) this.#invoke();
  }

  /** The request's metadata (its headers less the transport's), made on first use. */
  get metadata(): Metadata {
    return this.#metadata ??= this.#stream.session.metadataOf(this.#rawHeaders, metadataOf);
  }

  /** @internal Starts the deadline's timer, if the call is still running (CallHost.armDeadlineLater). */
  armDeadline(): void {
    if (this.#isEnded) return;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, this.#deadline - Date.now()));
  }

  getPeer(): string {
    return this.#stream.session.peer;
  }

  getDeadline(): number {
    return this.#deadline;
  }

  /** The `:authority` the client asked for. */
  getHost(): string {
    for (const [name, value] of this.#rawHeaders) if (name === ":authority") return value;
    return "";
  }

  getPath(): string {
    return this.#method.path;
  }

  /** The TLS peer, as grpc-js ≥ 1.12 gives it: the client certificate only when it was verified. */
  getAuthContext(): { readonly transportSecurityType?: string; readonly sslPeerCertificate?: ReturnType<TLSSocket["getPeerCertificate"]> } {
    const socket = this.#stream.session.socket as Partial<TLSSocket>;
    if (typeof socket.getPeerCertificate !== "function") return {};
    const cert = socket.authorized === true ? socket.getPeerCertificate() : undefined;
    return { transportSecurityType: "ssl", ...(cert === undefined || Object.keys(cert).length === 0 ? {} : { sslPeerCertificate: cert }) };
  }

  /** Metadata to send with the response headers (before the first message). */
  sendMetadata(metadata: Metadata): void {
    if (!this.#isHeadersSent) this.#responseMetadata = metadata;
  }

  /** Sends one message of a streamed reply; false when the caller should wait for "drain". */
  write(value: unknown, callback?: (err?: Error) => void): boolean {
    if (this.#isEnded) return false;
    const bytes = this.#serialize(value);
    if (bytes === undefined) return false;
    if (this.#method.record !== undefined) this.#method.record.sent++;
    const ready = this.#stream.send(this.#headersOnce(), bytes, undefined);
    if (callback !== undefined) queueMicrotask(callback);
    return ready;
  }

  /** Ends a streamed reply with status OK (and `metadata` as trailers). */
  end(metadata?: Metadata): void {
    this.#sendStatus({ code: status.OK, details: "OK", metadata });
  }

  // ServerStreamHandler: what the stream brings.

  onData(chunk: Buffer, endStream: boolean): void {
    if (this.#isEnded) return;
    let messages: Buffer[];
    try {
      messages = chunk.length === 0 ? [] : this.#reader.push(chunk);
    } catch (err) {
      if (!(err instanceof MessageError)) throw err;
      this.#sendStatus({ code: err.code, details: err.details });
      return;
    }
    for (const bytes of messages) {
      if (this.#isEnded) return;
      this.#received(bytes);
    }
    if (!endStream || this.#isEnded) return;
    if (this.#reader.pendingBytes > 0) {
      this.#sendStatus({ code: status.INTERNAL, details: "The request ended inside a message" });
    } else if (this.#method.requestStream) {
      this.emit("end");
    } else if (this.#messages === 0) {
      this.#sendStatus({ code: status.UNIMPLEMENTED, details: "No message received for unary call" });
    } else {
      this.#invoke();
    }
  }

  onClose(): void {
    // Reset by the client, or the connection lost: nothing more can be sent.
    this.#cancel(status.CANCELLED);
  }

  onDrain(): void {
    this.emit("drain");
  }

  #received(bytes: Buffer): void {
    this.#messages++;
    if (this.#method.record !== undefined) this.#method.record.received++;
    if (!this.#method.requestStream && this.#messages > 1) {
      this.#sendStatus({ code: status.UNIMPLEMENTED, details: "Received a second request message for server unary call" });
      return;
    }
    let request: unknown;
    try {
      request = this.#method.deserialize(bytes);
    } catch (err) {
      this.#sendStatus({ code: status.INTERNAL, details: `Error deserializing request: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    if (this.#method.requestStream) this.emit("data", request);
    else this.request = request;
  }

  #invoke(): void {
    if (this.#method.responseStream || this.#method.requestStream) {
      this.#method.handler(this, unusedCallback);
      return;
    }
    this.#method.handler(this, (err, value, trailer) => {
      if (this.#isEnded) return;
      if (err !== null && err !== undefined) {
        this.#sendStatus(statusOf(err));
        return;
      }
      const bytes = this.#serialize(value);
      if (bytes === undefined) return;
      if (this.#method.record !== undefined) this.#method.record.sent++;
      this.#finish({ code: status.OK, details: "OK", metadata: trailer }, bytes);
    });
  }

  /** The reply's bytes; undefined (the call failed) when they cannot be made or are too large. */
  #serialize(value: unknown): Buffer | undefined {
    let bytes: Buffer;
    try {
      bytes = this.#method.serialize(value);
    } catch (err) {
      this.#sendStatus({ code: status.INTERNAL, details: `Error serializing response: ${err instanceof Error ? err.message : String(err)}` });
      return undefined;
    }
    if (bytes.length > this.#host.maxSendMessageBytes) {
      this.#sendStatus({ code: status.RESOURCE_EXHAUSTED, details: `Sent message larger than max (${bytes.length} vs. ${this.#host.maxSendMessageBytes})` });
      return undefined;
    }
    return bytes;
  }

  #headersOnce(): Buffer | undefined {
    if (this.#isHeadersSent) return undefined;
    this.#isHeadersSent = true;
    const metadata = this.#responseMetadata;
    return metadata === undefined ? RESPONSE_HEADERS : statusBlockOf(undefined, metadata, true);
  }

  #sendStatus(sent: SentStatus): void {
    this.#finish(sent, undefined);
  }

  /** Ends the call: `message` (if any) and the status, in one write when the windows allow. */
  #finish(sent: SentStatus, message: Buffer | undefined): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#method.record?.end(sent.code, (performance.now() - this.#startMs) / 1000);
    const headers = message === undefined && !this.#isHeadersSent ? undefined : this.#headersOnce();
    // No headers sent and no message: a trailers-only reply, the status in the only header block.
    const trailers = statusBlockOf(sent, sent.metadata, headers === undefined && !this.#isHeadersSent);
    this.#isHeadersSent = true;
    this.#stream.send(headers, message, trailers);
    if (this.listenerCount("finish") > 0) this.emit("finish");
  }

  #expire(): void {
    if (this.#isEnded) return;
    this.#sendStatus({ code: status.DEADLINE_EXCEEDED, details: "Deadline exceeded" });
    this.#cancelled();
  }

  #cancel(code: number): void {
    if (this.#isEnded) {
      this.#cancelled();
      return;
    }
    this.#isEnded = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#method.record?.end(code, (performance.now() - this.#startMs) / 1000);
    this.#stream.reset(ErrorCode.CANCEL);
    this.#cancelled();
  }

  #cancelled(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.emit("cancelled");
  }
}

function unusedCallback(): void {
  // A streamed call answers through the call object.
}

/** The status a handler's error stands for, as grpc-js reads it. */
function statusOf(err: CallStatusError): SentStatus {
  const code = typeof err.code === "number" && Number.isInteger(err.code) && err.code >= 0 && err.code <= 16 ? err.code : status.UNKNOWN;
  return { code, details: err.details ?? err.message ?? "Unknown error", metadata: err.metadata };
}

/** The caller's metadata from the request headers: `-bin` values base64-decoded. */
export function metadataOf(headers: HeaderList): Metadata {
  const md = new Metadata();
  for (const [key, value] of headers) {
    if (key.startsWith(":") || TRANSPORT_HEADERS.has(key)) continue;
    try {
      if (key.endsWith("-bin")) {
        for (const part of value.split(",")) md.add(key, Buffer.from(part.trim(), "base64") as MetadataValue);
      } else {
        md.add(key, value);
      }
    } catch {
      // A key grpc-js refuses (characters outside its set) is left out, as grpc-js leaves it.
    }
  }
  return md;
}
