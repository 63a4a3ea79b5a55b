import * as grpc from "@grpc/grpc-js";
import type { IncomingHttpHeaders } from "node:http2";
import { MessageReader, statusOf, statusOfHttp } from "./grpc-frames.js";
import type { HeaderList } from "../../http2/hpack.js";
import { ErrorCode } from "../../http2/frames.js";
import type { WireSession, WireStream, WireStreamHandler } from "./wire-session.js";

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
 * One gRPC call on one HTTP/2 stream of a WireSession (gRPC's HTTP/2 protocol): the request's
 * message sent, the reply's messages cut out of its DATA, its status read from the trailers (or
 * from a trailers-only reply), a stream reset or a lost connection turned into a status as
 * grpc-js does.
 *
 * @internal
 */
export class WireCall implements WireStreamHandler {
  readonly #handlers: CallHandlers;
  readonly #reader: MessageReader;
  readonly #stream: WireStream | undefined;
  #timer: NodeJS.Timeout | undefined;
  #status: CallEnd | undefined;
  #hasResponse = false;
  #isEnded = false;

  constructor(session: WireSession, headerBlock: Buffer, frames: readonly Buffer[], handlers: CallHandlers) {
    this.#handlers = handlers;
    this.#reader = new MessageReader(handlers.maxMessageBytes);
    let stream: WireStream;
    try {
      stream = session.request(headerBlock, frames, this);
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

  onHeaders(list: HeaderList, endStream: boolean): void {
    if (this.#isEnded) return;
    const headers = headersOf(list);
    if (!this.#hasResponse) {
      this.#hasResponse = true;
      const httpStatus = Number(headers[":status"]);
      if (httpStatus !== 200) {
        this.#cancel(statusOfHttp(httpStatus), `Received HTTP status code ${httpStatus}`);
        return;
      }
      // A trailers-only reply: its status is in these headers.
      this.#status ??= statusOf(headers);
    } else {
      this.#status ??= statusOf(headers) ?? { code: grpc.status.UNKNOWN, details: "No status received", metadata: new grpc.Metadata() };
    }
    if (endStream) this.#endWithStatus();
  }

  onData(chunk: Buffer, endStream: boolean): void {
    if (this.#isEnded) return;
    if (chunk.length > 0) this.#data(chunk);
    if (endStream) this.#endWithStatus();
  }

  onClose(rstCode: number | undefined): void {
    if (rstCode === undefined) this.#end(grpc.status.UNAVAILABLE, "Connection dropped");
    else if (rstCode === ErrorCode.REFUSED_STREAM) this.#end(grpc.status.UNAVAILABLE, "Stream refused by server");
    else if (rstCode === ErrorCode.CANCEL) this.#end(grpc.status.CANCELLED, "Call cancelled");
    else if (rstCode === ErrorCode.ENHANCE_YOUR_CALM) this.#end(grpc.status.RESOURCE_EXHAUSTED, "Bandwidth exhausted or memory limit exceeded");
    else if (rstCode === ErrorCode.INADEQUATE_SECURITY) this.#end(grpc.status.PERMISSION_DENIED, "Protocol not secure enough");
    else this.#end(grpc.status.INTERNAL, `Received RST_STREAM with code ${rstCode}`);
  }

  #data(chunk: Buffer): void {
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

  /** The server ended the stream: the call ends with its status (none: as a stream closed without one). */
  #endWithStatus(): void {
    const status = this.#status;
    if (status === undefined) this.#end(grpc.status.INTERNAL, `Received RST_STREAM with code ${ErrorCode.NO_ERROR}`);
    else this.#finish(status);
  }

  #cancel(code: grpc.status, details: string): void {
    if (this.#isEnded) return;
    this.#end(code, details);
    this.#stream?.cancel();
  }

  #end(code: grpc.status, details: string): void {
    let metadata: grpc.Metadata | undefined;
    this.#finish({ code, details, get metadata() { return metadata ??= new grpc.Metadata(); } });
  }

  /** Ends the call once; `end.metadata` is left unread (the trailers' is made on first use). */
  #finish(end: CallEnd): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    clearTimeout(this.#timer);
    this.#handlers.onEnd(end);
  }
}

/** A header list as node:http2 gives headers: a repeated name's values in an array. */
function headersOf(list: HeaderList): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of list) {
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = [seen, value];
  }
  return headers as IncomingHttpHeaders;
}
