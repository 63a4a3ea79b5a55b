import type { HeaderList } from "../../http2/hpack.js";
import { DATA_COPY_LIMIT_BYTES, ErrorCode, Flag, FRAME_HEADER_BYTES, FrameType, frameOfUint32, headerFramesOf, putFrameHeader } from "../../http2/frames.js";
import type { WireSession } from "./wire-session.js";

/** What a stream does with what it receives. */
export interface WireStreamHandler {
  /** Response headers, or trailers; `endStream` when the server ends the stream with them. */
  onHeaders(headers: HeaderList, endStream: boolean): void;
  /** A piece of the response body; `endStream` when it is the last. */
  onData(chunk: Buffer, endStream: boolean): void;
  /** The stream ended without the server ending it: reset by the server (its code), or the connection lost (undefined). */
  onClose(rstCode: number | undefined): void;
}

/** What arrived while the stream was paused, delivered in order on resume. */
type Held = { readonly data: Buffer; readonly bytes: number; readonly endStream: boolean } | { readonly headers: HeaderList; readonly endStream: boolean };

/**
 * One client stream of a WireSession: the request sent as flow control allows, the response
 * handed to its handler, a pause that stops crediting the server's window (so it waits), and a
 * reset (RST_STREAM CANCEL). It ends once: by the server's END_STREAM, a reset either way, or
 * the connection's end.
 *
 * @internal Made by WireSession.request.
 */
export class WireStream {
  readonly id: number;
  readonly #session: WireSession;
  readonly #handler: WireStreamHandler;
  readonly #headerBlock: Buffer;
  /** Request DATA not yet sent (whole buffers, the first possibly partly sent). */
  readonly #body: Buffer[];
  #sendWindow: number;
  #isStarted = false;
  #isEnded = false;
  #isPaused = false;
  #held: Held[] = [];
  /** Bytes received and handed on, not yet credited back to the server (the stream's window). */
  #unacked = 0;

  constructor(session: WireSession, id: number, handler: WireStreamHandler, sendWindow: number, headerBlock: Buffer, body: readonly Buffer[]) {
    this.#session = session;
    this.id = id;
    this.#handler = handler;
    this.#sendWindow = sendWindow;
    this.#headerBlock = headerBlock;
    this.#body = body.filter((b) => b.length > 0);
  }

  /** @internal Sends HEADERS (and CONTINUATION beyond `maxFrame`), then what DATA the windows allow. */
  start(maxFrame: number): void {
    this.#isStarted = true;
    this.#send(headerFramesOf(this.#headerBlock, this.id, this.#body.length === 0, maxFrame));
  }

  /** Stops crediting the server's window for this stream: once it is used up, the server waits. */
  pause(): void {
    this.#isPaused = true;
  }

  /** Hands on what arrived meanwhile, then credits the window again. */
  resume(): void {
    if (!this.#isPaused) return;
    this.#isPaused = false;
    const held = this.#held;
    this.#held = [];
    for (let i = 0; i < held.length; i++) {
      if (this.#isEnded) return;
      const h = held[i]!;
      if ("data" in h) this.#deliver(h.data, h.bytes, h.endStream);
      else this.#deliverHeaders(h.headers, h.endStream);
      if (this.#isPaused) {
        this.#held.push(...held.slice(i + 1));
        return;
      }
    }
    this.#credit();
  }

  /** Ends the stream from our side: RST_STREAM CANCEL; the handler hears nothing more. */
  cancel(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    if (this.#isStarted) this.#session.write(frameOfUint32(FrameType.RST_STREAM, this.id, ErrorCode.CANCEL));
    this.#session.released(this);
  }

  /** @internal Sends what the windows allow of the request body. */
  flush(): void {
    if (this.#isEnded || !this.#isStarted) return;
    const maxFrame = this.#session.maxFrameBytes;
    while (this.#body.length > 0 && this.#sendWindow > 0) {
      const head = this.#body[0]!;
      const granted = this.#session.takeSendWindow(Math.min(head.length, this.#sendWindow, maxFrame));
      if (granted === 0) break;
      this.#sendWindow -= granted;
      const piece = head.subarray(0, granted);
      if (granted === head.length) this.#body.shift();
      else this.#body[0] = head.subarray(granted);
      this.#session.writeData(this.id, piece, this.#body.length === 0 ? Flag.END_STREAM : 0);
    }
  }

  /** @internal The server's WINDOW_UPDATE for this stream, or a change of its initial window. */
  addSendWindow(delta: number): void {
    this.#sendWindow += delta;
    this.flush();
  }

  /** @internal Response headers or trailers. */
  headers(headers: HeaderList, endStream: boolean): void {
    if (this.#isEnded) return;
    if (this.#isPaused) this.#held.push({ headers, endStream });
    else this.#deliverHeaders(headers, endStream);
  }

  /** @internal A DATA frame's data; `bytes` counts its padding too (flow control does). */
  data(data: Buffer, bytes: number, endStream: boolean): void {
    if (this.#isEnded) return;
    if (this.#isPaused) this.#held.push({ data, bytes, endStream });
    else {
      this.#deliver(data, bytes, endStream);
      if (!this.#isPaused) this.#credit();
    }
  }

  /** @internal The server reset the stream. */
  reset(code: number): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#session.released(this);
    this.#handler.onClose(code);
  }

  /** @internal The connection ended (or a GOAWAY left this stream unprocessed). */
  closed(code: number | undefined): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#handler.onClose(code);
  }

  /** HEADERS and the request's DATA go out in one write when the windows allow, as for most calls. */
  #send(headersFrames: Buffer): void {
    if (this.#body.length === 0) {
      this.#session.write(headersFrames);
      return;
    }
    let bodyBytes = 0;
    for (const part of this.#body) bodyBytes += part.length;
    const fits = bodyBytes <= this.#session.maxFrameBytes && bodyBytes <= this.#sendWindow && bodyBytes <= this.#session.sendWindowBytes;
    if (!fits) {
      this.#session.write(headersFrames);
      this.flush();
      return;
    }
    this.#sendWindow -= this.#session.takeSendWindow(bodyBytes);
    // A large body is not copied but written after the frame headers: the session's cork makes it one system call still.
    const copied = bodyBytes < DATA_COPY_LIMIT_BYTES;
    const out = Buffer.allocUnsafe(headersFrames.length + FRAME_HEADER_BYTES + (copied ? bodyBytes : 0));
    let at = headersFrames.copy(out, 0);
    putFrameHeader(out, at, bodyBytes, FrameType.DATA, Flag.END_STREAM, this.id);
    at += FRAME_HEADER_BYTES;
    if (copied) {
      for (const part of this.#body) at += part.copy(out, at);
      this.#session.write(out);
    } else {
      this.#session.write(out);
      for (const part of this.#body) this.#session.write(part);
    }
    this.#body.length = 0;
  }

  #deliverHeaders(headers: HeaderList, endStream: boolean): void {
    if (endStream) this.#remoteEnded();
    this.#handler.onHeaders(headers, endStream);
  }

  #deliver(data: Buffer, bytes: number, endStream: boolean): void {
    this.#unacked += bytes;
    if (endStream) this.#remoteEnded();
    if (data.length > 0 || endStream) this.#handler.onData(data, endStream);
  }

  /** The server ended its side: the stream is over (our request was sent whole, or is no longer needed). */
  #remoteEnded(): void {
    this.#isEnded = true;
    if (this.#body.length > 0) this.#session.write(frameOfUint32(FrameType.RST_STREAM, this.id, ErrorCode.NO_ERROR));
    this.#session.released(this);
  }

  /** Credits the server with what was handed on, once it is half the window. */
  #credit(): void {
    if (this.#isEnded || this.#unacked < this.#session.windowBytes / 2) return;
    this.#session.write(frameOfUint32(FrameType.WINDOW_UPDATE, this.id, this.#unacked));
    this.#unacked = 0;
  }
}
