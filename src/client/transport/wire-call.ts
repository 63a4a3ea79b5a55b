import * as grpc from "@grpc/grpc-js";
import { constants, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from "node:http2";
import { MessageReader, statusOf, statusOfHttp } from "./grpc-frames.js";

/** Longest delay setTimeout keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How a call ended: gRPC's status, its text and the trailing metadata. */
export interface CallEnd {
  readonly code: grpc.status;
  readonly details: string;
  readonly metadata: grpc.Metadata;
}

/** What a call does with what it receives. */
export interface CallHandlers {
  /** Largest message received, bytes. */
  readonly maxMessageBytes: number;
  /** Epoch ms, or Infinity: then the call ends DEADLINE_EXCEEDED and its stream is cancelled. */
  readonly deadline: number;
  /** Each message of the reply, as its bytes (a view of the received data, not a copy). */
  onMessage(bytes: Buffer): void;
  /** Called once, when the call ends however it ends. */
  onEnd(end: CallEnd): void;
}

/**
 * One gRPC call on one HTTP/2 stream (gRPC's HTTP/2 protocol): the request's message sent, the
 * reply's messages cut out of its DATA, its status read from the trailers (or from a
 * trailers-only reply), a stream reset or a lost connection turned into a status as grpc-js does.
 *
 * @internal
 */
export class Http2Call {
  readonly #handlers: CallHandlers;
  readonly #reader: MessageReader;
  readonly #stream: ClientHttp2Stream | undefined;
  readonly #session: ClientHttp2Session;
  #timer: NodeJS.Timeout | undefined;
  #status: CallEnd | undefined;
  #isEnded = false;

  constructor(session: ClientHttp2Session, headers: OutgoingHttpHeaders, frames: readonly Buffer[], handlers: CallHandlers) {
    this.#handlers = handlers;
    this.#session = session;
    this.#reader = new MessageReader(handlers.maxMessageBytes);
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headers);
    } catch (err) {
      // The session closed or went away since the caller looked.
      this.#stream = undefined;
      queueMicrotask(() => this.#end(grpc.status.UNAVAILABLE, `Connection dropped: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    this.#stream = stream;
    const waitMs = handlers.deadline - Date.now();
    if (waitMs <= MAX_TIMER_MS) {
      this.#timer = setTimeout(() => this.#cancel(grpc.status.DEADLINE_EXCEEDED, "Deadline exceeded"), Math.max(0, waitMs));
    }
    stream.on("response", (h) => {
      const httpStatus = Number(h[":status"]);
      if (httpStatus !== 200) this.#cancel(statusOfHttp(httpStatus), `Received HTTP status code ${httpStatus}`);
      // A trailers-only reply: its status is in these headers.
      else this.#status ??= statusOf(h);
    });
    stream.on("data", (chunk: Buffer) => this.#data(chunk));
    stream.on("trailers", (t) => {
      this.#status ??= statusOf(t) ?? { code: grpc.status.UNKNOWN, details: "No status received", metadata: new grpc.Metadata() };
    });
    stream.on("end", () => this.#endWithStatus());
    // Its cause is read in "close" (the reset code, the session's state).
    stream.on("error", () => undefined);
    stream.on("close", () => this.#endWithStatus());
    for (let i = 0; i < frames.length - 1; i++) stream.write(frames[i]);
    stream.end(frames[frames.length - 1]);
  }

  /** Ends the call CANCELLED ("Cancelled on client") and resets its stream (RST_STREAM CANCEL). */
  cancel(): void {
    this.#cancel(grpc.status.CANCELLED, "Cancelled on client");
  }

  /** Stops reading the reply: the server's flow-control window then fills and it waits. */
  pause(): void {
    this.#stream?.pause();
  }

  /** Reads the reply again. */
  resume(): void {
    this.#stream?.resume();
  }

  #data(chunk: Buffer): void {
    if (this.#isEnded) return;
    let messages: Buffer[];
    try {
      messages = this.#reader.push(chunk);
    } catch (err) {
      const e = err as { code: grpc.status; details: string };
      this.#cancel(e.code, e.details);
      return;
    }
    for (const m of messages) {
      if (this.#isEnded) return;
      this.#handlers.onMessage(m);
    }
  }

  #endWithStatus(): void {
    if (this.#isEnded) return;
    const status = this.#status;
    if (status !== undefined) {
      this.#end(status.code, status.details, status.metadata);
      return;
    }
    const stream = this.#stream;
    if (stream === undefined || !stream.closed) return;
    if (this.#session.destroyed || this.#session.closed) {
      this.#end(grpc.status.UNAVAILABLE, "Connection dropped");
      return;
    }
    const rst = stream.rstCode ?? constants.NGHTTP2_NO_ERROR;
    if (rst === constants.NGHTTP2_REFUSED_STREAM) this.#end(grpc.status.UNAVAILABLE, "Stream refused by server");
    else if (rst === constants.NGHTTP2_CANCEL) this.#end(grpc.status.CANCELLED, "Call cancelled");
    else if (rst === constants.NGHTTP2_ENHANCE_YOUR_CALM) this.#end(grpc.status.RESOURCE_EXHAUSTED, "Bandwidth exhausted or memory limit exceeded");
    else if (rst === constants.NGHTTP2_INADEQUATE_SECURITY) this.#end(grpc.status.PERMISSION_DENIED, "Protocol not secure enough");
    else this.#end(grpc.status.INTERNAL, `Received RST_STREAM with code ${rst}`);
  }

  #cancel(code: grpc.status, details: string): void {
    if (this.#isEnded) return;
    this.#end(code, details);
    const stream = this.#stream;
    if (stream !== undefined && !stream.closed) stream.close(constants.NGHTTP2_CANCEL);
  }

  #end(code: grpc.status, details: string, metadata = new grpc.Metadata()): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    clearTimeout(this.#timer);
    this.#handlers.onEnd({ code, details, metadata });
  }
}

