import type { Socket } from "node:net";
import { FrameReader } from "./frame-reader.js";
import {
  DATA_COPY_LIMIT_BYTES, DEFAULT_MAX_FRAME_BYTES, DEFAULT_WINDOW_BYTES, ErrorCode, FRAME_HEADER_BYTES, Flag, FrameType,
  MAX_WINDOW_BYTES, ProtocolError, Setting, frameOf, putFrameHeader, unpadded,
} from "./frames.js";
import { HpackDecoder, HpackError, type HeaderList } from "./hpack.js";

/** Bytes waiting in the socket above which a session stops answering control frames: a peer that does not read. */
const MAX_UNREAD_CONTROL_BYTES = 1024 * 1024;

/**
 * What the client's and the server's HTTP/2 sessions share (RFC 9113): frames read in place
 * from the socket (FrameReader), header blocks joined from HEADERS and CONTINUATION and decoded
 * on the connection's HPACK table, the peer's SETTINGS and the connection's send window,
 * answers to control frames (with a bound on a peer that never reads them), and writes corked
 * until the current turn of work is done, so that they leave in one system call.
 *
 * A subclass gives the frames that depend on its side (DATA, RST_STREAM, PING answers, GOAWAY,
 * PUSH_PROMISE) through `frame`, its streams' windows, and what a protocol error does.
 *
 * @internal
 */
export abstract class SessionCore {
  /** The connection's socket (its peer address, TLS). */
  readonly socket: Socket;
  readonly #reader: FrameReader;
  readonly #decoder = new HpackDecoder();
  readonly #maxHeaderBlockBytes: number;
  /** A header block being read: its stream, flags, and fragments until END_HEADERS. */
  #headerBlock: { streamId: number; flags: number; fragments: Buffer[]; bytes: number } | undefined;
  #isCorked = false;
  #sendWindow = DEFAULT_WINDOW_BYTES;
  /** The peer's SETTINGS_INITIAL_WINDOW_SIZE: the send window each new stream starts with. */
  protected remoteInitialWindow = DEFAULT_WINDOW_BYTES;
  #remoteMaxFrame = DEFAULT_MAX_FRAME_BYTES;

  /** `maxFrameBytes`: our SETTINGS_MAX_FRAME_SIZE; `maxHeaderBlockBytes`: the largest header block taken, encoded. */
  constructor(socket: Socket, limits: { readonly maxFrameBytes?: number; readonly maxHeaderBlockBytes: number }) {
    this.socket = socket;
    this.#reader = new FrameReader(limits.maxFrameBytes);
    this.#maxHeaderBlockBytes = limits.maxHeaderBlockBytes;
  }

  /** Whether the session has ended: no frame is read any more. */
  protected abstract get isEnded(): boolean;

  /** A whole header block of `streamId`, decoded. */
  protected abstract headers(streamId: number, headers: HeaderList, endStream: boolean): void;

  /** A frame of the other types (DATA, RST_STREAM, PING, GOAWAY, PUSH_PROMISE, and those to ignore). */
  protected abstract frame(type: number, flags: number, streamId: number, payload: Buffer): void;

  /** A WINDOW_UPDATE for one stream (`increment` > 0). */
  protected abstract streamWindowUpdate(streamId: number, increment: number): void;

  /** Every open stream's send window moves by `delta` (a new SETTINGS_INITIAL_WINDOW_SIZE). */
  protected abstract addStreamSendWindows(delta: number): void;

  /** The connection's window grew: streams with data waiting send what they can. */
  protected abstract flushStreams(): void;

  /** The peer's SETTINGS were applied and acknowledged. */
  protected abstract settingsApplied(): void;

  /** A setting the core does not apply itself (SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_ENABLE_PUSH...). */
  protected abstract setting(id: number, value: number): void;

  /** The peer broke the protocol (a connection error): `code` is the GOAWAY's. */
  protected abstract protocolError(err: Error, code: number): void;

  /** @internal Frames to send; corked until the current turn of work is done, then one system call. */
  write(bytes: Buffer): void {
    if (this.isEnded || this.socket.writableEnded) return;
    if (!this.#isCorked) {
      this.#isCorked = true;
      this.socket.cork();
      process.nextTick(this.#uncork);
    }
    this.socket.write(bytes);
  }

  /** @internal One DATA frame of `data`: its header, then the data, copied behind it when short (DATA_COPY_LIMIT_BYTES). */
  writeData(streamId: number, data: Buffer, flags: number): void {
    const copied = data.length < DATA_COPY_LIMIT_BYTES;
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + (copied ? data.length : 0));
    putFrameHeader(frame, 0, data.length, FrameType.DATA, flags, streamId);
    if (copied) data.copy(frame, FRAME_HEADER_BYTES);
    this.write(frame);
    if (!copied) this.write(data);
  }

  readonly #uncork = (): void => {
    this.#isCorked = false;
    this.socket.uncork();
  };

  /** @internal Takes up to `want` bytes of the connection's send window. */
  takeSendWindow(want: number): number {
    const granted = Math.min(want, this.#sendWindow);
    this.#sendWindow -= granted;
    return granted;
  }

  /** @internal What the connection's send window has left. */
  get sendWindowBytes(): number {
    return this.#sendWindow;
  }

  /** @internal The largest DATA payload the peer takes. */
  get maxFrameBytes(): number {
    return this.#remoteMaxFrame;
  }

  /** Reads a chunk from the socket: each whole frame is handled, a protocol error ends the session. */
  protected read(chunk: Buffer): void {
    try {
      this.#reader.push(chunk, this.#onFrame);
    } catch (err) {
      // Only what the peer sent is its protocol error; a handler's own exception goes on up.
      if (err instanceof HpackError) this.protocolError(err, ErrorCode.COMPRESSION_ERROR);
      else if (err instanceof ProtocolError) this.protocolError(err, err.code);
      else throw err;
    }
  }

  /** Answers a control frame of the peer (a PING or SETTINGS ACK); a peer that sends them but never reads is cut off. */
  protected control(frame: Buffer): void {
    if (this.socket.writableLength > MAX_UNREAD_CONTROL_BYTES) throw new ProtocolError("the peer does not read its answers", ErrorCode.ENHANCE_YOUR_CALM);
    this.write(frame);
  }

  readonly #onFrame = (type: number, flags: number, streamId: number, payload: Buffer): boolean => {
    if (this.#headerBlock !== undefined && type !== FrameType.CONTINUATION) throw new ProtocolError("a header block was interrupted");
    switch (type) {
      case FrameType.HEADERS: {
        if (streamId === 0) throw new ProtocolError("HEADERS on stream 0");
        const fragment = unpadded(payload, flags, type);
        if (fragment === undefined) throw new ProtocolError("a HEADERS frame with bad padding");
        this.#headerBlock = { streamId, flags, fragments: [fragment], bytes: 0 };
        this.#addFragmentBytes(fragment.length);
        if ((flags & Flag.END_HEADERS) !== 0) this.#endHeaderBlock();
        break;
      }
      case FrameType.CONTINUATION: {
        const block = this.#headerBlock;
        if (block === undefined || block.streamId !== streamId) throw new ProtocolError("an unexpected CONTINUATION frame");
        block.fragments.push(payload);
        this.#addFragmentBytes(payload.length);
        if ((flags & Flag.END_HEADERS) !== 0) this.#endHeaderBlock();
        break;
      }
      case FrameType.SETTINGS:
        if (streamId !== 0) throw new ProtocolError("SETTINGS on a stream");
        if ((flags & Flag.ACK) === 0) this.#settings(payload);
        break;
      case FrameType.WINDOW_UPDATE:
        this.#windowUpdate(streamId, payload);
        break;
      default:
        this.frame(type, flags, streamId, payload);
    }
    return !this.isEnded;
  };

  #addFragmentBytes(bytes: number): void {
    const block = this.#headerBlock!;
    block.bytes += bytes;
    // A block is decoded whole, so its encoded size is bounded as it arrives (CONTINUATION floods).
    if (block.bytes > this.#maxHeaderBlockBytes) {
      throw new ProtocolError(`a header block over ${this.#maxHeaderBlockBytes} bytes`, ErrorCode.ENHANCE_YOUR_CALM);
    }
  }

  #endHeaderBlock(): void {
    const block = this.#headerBlock!;
    this.#headerBlock = undefined;
    // Decoded even for a stream no longer followed: the table is the connection's.
    const headers = this.#decoder.decode(block.fragments.length === 1 ? block.fragments[0]! : Buffer.concat(block.fragments));
    this.headers(block.streamId, headers, (block.flags & Flag.END_STREAM) !== 0);
  }

  #settings(payload: Buffer): void {
    if (payload.length % 6 !== 0) throw new ProtocolError("a SETTINGS frame of the wrong size", ErrorCode.FRAME_SIZE_ERROR);
    for (let at = 0; at < payload.length; at += 6) {
      const id = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      if (id === Setting.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW_BYTES) throw new ProtocolError("SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1", ErrorCode.FLOW_CONTROL_ERROR);
        const delta = value - this.remoteInitialWindow;
        this.remoteInitialWindow = value;
        this.addStreamSendWindows(delta);
      } else if (id === Setting.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME_BYTES || value > 2 ** 24 - 1) throw new ProtocolError("SETTINGS_MAX_FRAME_SIZE out of range");
        this.#remoteMaxFrame = value;
      } else {
        this.setting(id, value);
      }
    }
    this.control(frameOf(FrameType.SETTINGS, Flag.ACK, 0));
    this.settingsApplied();
  }

  #windowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ProtocolError("a WINDOW_UPDATE frame of the wrong size", ErrorCode.FRAME_SIZE_ERROR);
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (streamId !== 0) {
      this.streamWindowUpdate(streamId, increment);
      return;
    }
    if (increment === 0) throw new ProtocolError("a WINDOW_UPDATE of 0 for the connection");
    this.#sendWindow += increment;
    if (this.#sendWindow > MAX_WINDOW_BYTES) throw new ProtocolError("the connection's send window went above 2^31-1", ErrorCode.FLOW_CONTROL_ERROR);
    this.flushStreams();
  }
}
