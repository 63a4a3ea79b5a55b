import {
  DATA_COPY_LIMIT_BYTES, ErrorCode, Flag, FRAME_HEADER_BYTES, FrameType, frameOfUint32, headerFramesOf, putFrameHeader,
} from "../../http2/frames.js";
import { MESSAGE_PREFIX_BYTES } from "../../http2/grpc-messages.js";
import type { ServerSession } from "./server-session.js";

/** What a server stream does with what the client sends. */
export interface ServerStreamHandler {
  /** A piece of the request body; `endStream` when the client has sent all. */
  onData(chunk: Buffer, endStream: boolean): void;
  /** The stream ended before we ended it: reset by the client (its code), or the connection lost (undefined). */
  onClose(rstCode: number | undefined): void;
  /** Everything written has left for the socket, after a write that had to wait. */
  onDrain(): void;
}

/** What a stream sends, in order: the header blocks are whole frames already, data goes as windows allow. */
type Outgoing = { readonly frames: Buffer } | { readonly data: Buffer };

/**
 * One stream of a ServerSession: the request body handed to its handler (the stream's window
 * credited as it goes), the reply sent as flow control allows (HEADERS, DATA, trailers with
 * END_STREAM), and resets either way. A reply that fits the windows, as a unary call's does,
 * leaves in one write.
 *
 * @internal Made by ServerSession.
 */
export class ServerStream {
  readonly id: number;
  readonly #session: ServerSession;
  handler: ServerStreamHandler | undefined;
  #sendWindow: number;
  /** What waits for a window, in order. */
  readonly #queue: Outgoing[] = [];
  #isRemoteOpen: boolean;
  #isLocalEnded = false;
  #isClosed = false;
  #unacked = 0;
  /** A write had to wait: onDrain once all is out. */
  #needsDrain = false;

  constructor(session: ServerSession, id: number, sendWindow: number, isRemoteOpen: boolean) {
    this.#session = session;
    this.id = id;
    this.#sendWindow = sendWindow;
    this.#isRemoteOpen = isRemoteOpen;
  }

  /** The connection's socket (peer address, TLS). */
  get session(): ServerSession {
    return this.#session;
  }

  /** Whether the reply has ended (trailers sent, or reset). */
  get isEnded(): boolean {
    return this.#isLocalEnded || this.#isClosed;
  }

  /**
   * Sends, in order: `headerBlock` (HPACK-encoded response headers) as HEADERS, `message` as one
   * gRPC message (its 5-byte prefix added) in DATA, `trailerBlock` as HEADERS ending the stream;
   * each may be left out. Returns false when some of it has to wait for a window or the socket:
   * onDrain follows once it is out.
   */
  send(headerBlock: Buffer | undefined, message: Buffer | undefined, trailerBlock: Buffer | undefined): boolean {
    if (this.isEnded) return false;
    if (trailerBlock !== undefined) this.#isLocalEnded = true;
    const maxFrame = this.#session.maxFrameBytes;
    const dataBytes = message === undefined ? 0 : MESSAGE_PREFIX_BYTES + message.length;
    if (this.#queue.length === 0 && (headerBlock?.length ?? 0) <= maxFrame && (trailerBlock?.length ?? 0) <= maxFrame
      && (message === undefined || this.#fits(dataBytes))) {
      // The common case, a unary reply: everything in one write. A large message is not copied
      // but written after the frame headers: the session's cork makes it one system call still.
      const copied = message !== undefined && message.length < DATA_COPY_LIMIT_BYTES ? message.length : 0;
      let out = Buffer.allocUnsafe((headerBlock === undefined ? 0 : FRAME_HEADER_BYTES + headerBlock.length)
        + (message === undefined ? 0 : FRAME_HEADER_BYTES + MESSAGE_PREFIX_BYTES + copied)
        + (trailerBlock === undefined ? 0 : FRAME_HEADER_BYTES + trailerBlock.length));
      let at = 0;
      if (headerBlock !== undefined) at = this.#putHeaders(out, at, headerBlock, false);
      if (message !== undefined) {
        this.#sendWindow -= this.#session.takeSendWindow(dataBytes);
        putFrameHeader(out, at, dataBytes, FrameType.DATA, 0, this.id);
        out[at + FRAME_HEADER_BYTES] = 0;
        out.writeUInt32BE(message.length, at + FRAME_HEADER_BYTES + 1);
        at += FRAME_HEADER_BYTES + MESSAGE_PREFIX_BYTES;
        if (copied > 0) at += message.copy(out, at);
        else if (message.length > 0) {
          this.#session.write(out.subarray(0, at));
          this.#session.write(message);
          out = out.subarray(at);
          at = 0;
        }
      }
      if (trailerBlock !== undefined) this.#putHeaders(out, at, trailerBlock, true);
      if (out.length > 0) this.#session.write(out);
      if (this.#isLocalEnded) this.#ended();
      if (!this.#session.isSocketFull) return true;
      this.#needsDrain = true;
      this.#session.blocked(this);
      return false;
    }
    if (headerBlock !== undefined) this.#queue.push({ frames: headerFramesOf(headerBlock, this.id, false, maxFrame) });
    if (message !== undefined) {
      const prefix = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES);
      prefix[0] = 0;
      prefix.writeUInt32BE(message.length, 1);
      this.#queue.push({ data: prefix });
      if (message.length > 0) this.#queue.push({ data: message });
    }
    if (trailerBlock !== undefined) this.#queue.push({ frames: headerFramesOf(trailerBlock, this.id, true, maxFrame) });
    this.flush();
    if (this.#queue.length === 0 && !this.#session.isSocketFull) return true;
    this.#needsDrain = true;
    this.#session.blocked(this);
    return false;
  }

  /** Writes one HEADERS frame of `block` at `at` of `out`; returns where it ends. */
  #putHeaders(out: Buffer, at: number, block: Buffer, endStream: boolean): number {
    putFrameHeader(out, at, block.length, FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), this.id);
    return at + FRAME_HEADER_BYTES + block.copy(out, at + FRAME_HEADER_BYTES);
  }

  /** Ends the stream with RST_STREAM (`code`); the handler hears nothing more. */
  reset(code: number): void {
    if (this.#isClosed) return;
    const wasOpen = !this.#isLocalEnded || this.#queue.length > 0;
    this.#close();
    if (wasOpen) this.#session.write(frameOfUint32(FrameType.RST_STREAM, this.id, code));
  }

  /** @internal A stream error of the client's making: RST_STREAM `code`, and the handler hears of it. */
  fail(code: number): void {
    if (this.#isClosed) return;
    this.reset(code);
    this.handler?.onClose(code);
  }

  /** @internal Sends what the windows allow of what waits. */
  flush(): void {
    if (this.#isClosed) return;
    const maxFrame = this.#session.maxFrameBytes;
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if ("frames" in head) {
        this.#session.write(head.frames);
        this.#queue.shift();
        continue;
      }
      const granted = this.#session.takeSendWindow(Math.min(head.data.length, this.#sendWindow, maxFrame));
      if (granted === 0) break;
      this.#sendWindow -= granted;
      this.#session.writeData(this.id, head.data.subarray(0, granted), 0);
      if (granted === head.data.length) this.#queue.shift();
      else this.#queue[0] = { data: head.data.subarray(granted) };
    }
    if (this.#queue.length > 0 || this.#session.isSocketFull) {
      this.#session.blocked(this);
      return;
    }
    if (this.#isLocalEnded) this.#ended();
    if (this.#needsDrain) {
      this.#needsDrain = false;
      this.handler?.onDrain();
    }
  }

  /** @internal The client's WINDOW_UPDATE for this stream, or a change of its initial window. */
  addSendWindow(delta: number): void {
    this.#sendWindow += delta;
    if (this.#sendWindow > 2 ** 31 - 1) {
      this.fail(ErrorCode.FLOW_CONTROL_ERROR);
      return;
    }
    if (this.#queue.length > 0) this.flush();
  }

  /** @internal A DATA frame's data; `bytes` counts its padding too (flow control does). */
  data(data: Buffer, bytes: number, endStream: boolean): void {
    if (this.#isClosed) return;
    if (!this.#isRemoteOpen) {
      // Data after END_STREAM: a stream error (RFC 9113 §5.1, half-closed remote).
      this.fail(ErrorCode.STREAM_CLOSED);
      return;
    }
    this.#unacked += bytes;
    if (endStream) {
      this.#isRemoteOpen = false;
      if (this.#isLocalEnded && this.#queue.length === 0) this.#close();
    } else if (this.#unacked >= this.#session.windowBytes / 2) {
      this.#session.write(frameOfUint32(FrameType.WINDOW_UPDATE, this.id, this.#unacked));
      this.#unacked = 0;
    }
    this.handler?.onData(data, endStream);
  }

  /** @internal The client reset the stream. */
  closed(code: number | undefined): void {
    if (this.#isClosed) return;
    this.#close();
    this.handler?.onClose(code);
  }

  /** Our side is out whole: the stream is over, or waits for the client's END_STREAM. */
  #ended(): void {
    if (!this.#isRemoteOpen) {
      this.#close();
      return;
    }
    // The reply is complete while the client still sends (a refused request): tell it to stop.
    this.#close();
    this.#session.write(frameOfUint32(FrameType.RST_STREAM, this.id, ErrorCode.NO_ERROR));
  }

  #close(): void {
    this.#isClosed = true;
    this.#queue.length = 0;
    this.#session.released(this);
  }

  #fits(bytes: number): boolean {
    return bytes <= this.#sendWindow && bytes <= this.#session.sendWindowBytes && bytes <= this.#session.maxFrameBytes;
  }
}
