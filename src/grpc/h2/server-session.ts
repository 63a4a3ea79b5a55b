import type { Socket } from "node:net";
import type { Metadata } from "@grpc/grpc-js";
import { FrameReader } from "../../http2/frame-reader.js";
import {
  CONNECTION_PREFACE, DEFAULT_MAX_FRAME_BYTES, DEFAULT_WINDOW_BYTES, ErrorCode, Flag, FrameType, MAX_WINDOW_BYTES,
  ProtocolError, Setting, frameOf, frameOfUint32, goawayFrameOf, settingsFrameOf, unpadded,
} from "../../http2/frames.js";
import { HpackDecoder, HpackError, type HeaderList } from "../../http2/hpack.js";
import { ServerStream } from "./server-stream.js";

export { ServerStream, type ServerStreamHandler } from "./server-stream.js";

/** The limits and callbacks of a server session. */
export interface ServerSessionOptions {
  /** Our receive window, per stream and for the connection, bytes. */
  readonly windowBytes: number;
  /** Streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); more are refused. */
  readonly maxConcurrentStreams: number;
  /** Largest header block of one request, encoded, and its header list, decoded (SETTINGS_MAX_HEADER_LIST_SIZE). */
  readonly maxHeaderListBytes: number;
  /** A request's headers arrived on a new stream: the handler takes the stream from here. */
  readonly onStream: (stream: ServerStream, headers: HeaderList, endStream: boolean) => void;
  /** The connection ended; called once. */
  readonly onClose: () => void;
}

/** How long a session that sent GOAWAY after a protocol error waits for the client to close. */
const GOAWAY_LINGER_MS = 1_000;
/** Bytes waiting in the socket above which a session stops answering control frames: a peer that does not read. */
const MAX_UNREAD_CONTROL_BYTES = 1024 * 1024;
/** Resets by the client per RESET_WINDOW_MS above which the connection ends (HTTP/2 "rapid reset"). */
const MAX_RESETS_PER_WINDOW = 1_000;
const RESET_WINDOW_MS = 1_000;

/**
 * One client connection of the server, framed here over the socket (RFC 9113) rather than by
 * node:http2, whose per-stream objects cost more than a whole small gRPC call: the preface and
 * SETTINGS, HPACK (decoding requests, the dynamic table kept), flow control both ways, PING,
 * RST_STREAM, GOAWAY (graceful: the streams in flight finish), CONTINUATION, and the limits a
 * server facing any peer needs: concurrent streams, header list size, frame size, resets, and a
 * peer that sends but never reads.
 *
 * Writes made while handling one batch of input are corked and leave in one system call.
 *
 * @internal Used by the gRPC server (grpc-server-h2.ts).
 */
export class ServerSession {
  readonly socket: Socket;
  /** The client as grpc-js's `getPeer()` spells it: `<address>:<port>`, e.g. `127.0.0.1:50744` or `::1:50744`. */
  readonly peer: string;
  readonly #opts: ServerSessionOptions;
  readonly #reader: FrameReader;
  readonly #decoder = new HpackDecoder();
  readonly #streams = new Map<number, ServerStream>();
  /** Streams with data waiting for a window, or for the socket to drain. */
  readonly #blocked = new Set<ServerStream>();
  #hasPreface = false;
  #prefaceBytes: Buffer | undefined;
  #lastStreamId = 0;
  #isGoingAway = false;
  #isClosed = false;
  #isCorked = false;
  #headerBlock: { streamId: number; flags: number; fragments: Buffer[]; bytes: number } | undefined;
  #sendWindow = DEFAULT_WINDOW_BYTES;
  #remoteInitialWindow = DEFAULT_WINDOW_BYTES;
  #remoteMaxFrame = DEFAULT_MAX_FRAME_BYTES;
  /** What the client may still send on the connection before our next WINDOW_UPDATE. */
  #recvWindow: number;
  #unackedBytes = 0;
  #resets = 0;
  #resetWindowStart = 0;
  /** The metadata of the last header list, which a client sends again call after call (the decoder gives the same list). */
  #lastMetadata: { readonly headers: HeaderList; readonly metadata: Metadata } | undefined;

  constructor(socket: Socket, opts: ServerSessionOptions) {
    this.socket = socket;
    this.peer = `${socket.remoteAddress ?? "unknown"}:${socket.remotePort ?? 0}`;
    this.#opts = opts;
    this.#reader = new FrameReader(DEFAULT_MAX_FRAME_BYTES);
    this.#recvWindow = opts.windowBytes;
    socket.setNoDelay(true);
    const window = opts.windowBytes;
    this.write(Buffer.concat([
      settingsFrameOf([
        [Setting.MAX_CONCURRENT_STREAMS, opts.maxConcurrentStreams],
        [Setting.INITIAL_WINDOW_SIZE, window],
        [Setting.MAX_HEADER_LIST_SIZE, opts.maxHeaderListBytes],
      ]),
      ...(window > DEFAULT_WINDOW_BYTES ? [frameOfUint32(FrameType.WINDOW_UPDATE, 0, window - DEFAULT_WINDOW_BYTES)] : []),
    ]));
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
    socket.on("drain", () => this.#drained());
    socket.on("error", () => this.destroy());
    socket.on("close", () => this.destroy());
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /**
   * Graceful end: GOAWAY with the last stream taken, so the client opens no more; the
   * connection closes once the streams in flight have ended.
   */
  goAway(): void {
    if (this.#isGoingAway || this.#isClosed) return;
    this.#isGoingAway = true;
    this.write(goawayFrameOf(this.#lastStreamId, ErrorCode.NO_ERROR));
    if (this.#streams.size === 0) this.#endSocket();
  }

  /** Ends the connection now: every open stream hears it (onReset with no code). */
  destroy(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (!this.socket.writableEnded) this.socket.destroy();
    else setTimeout(() => this.socket.destroy(), GOAWAY_LINGER_MS).unref();
    const open = [...this.#streams.values()];
    this.#streams.clear();
    this.#blocked.clear();
    for (const stream of open) stream.closed(undefined);
    this.#opts.onClose();
  }

  /**
   * @internal The request metadata of `headers`, made by `make` once for a header list the
   * client repeats (handlers read request metadata, never change it).
   */
  metadataOf(headers: HeaderList, make: (headers: HeaderList) => Metadata): Metadata {
    const last = this.#lastMetadata;
    if (last !== undefined && last.headers === headers) return last.metadata;
    const metadata = make(headers);
    this.#lastMetadata = { headers, metadata };
    return metadata;
  }

  /** @internal Frames to send; corked until the current batch of work is done. */
  write(bytes: Buffer): void {
    if (this.#isClosed || this.socket.writableEnded) return;
    if (!this.#isCorked) {
      this.#isCorked = true;
      this.socket.cork();
      process.nextTick(this.#uncork);
    }
    this.socket.write(bytes);
  }

  readonly #uncork = (): void => {
    this.#isCorked = false;
    this.socket.uncork();
  };

  /** @internal Whether the socket holds more than it should before the client reads: writers wait. */
  get isSocketFull(): boolean {
    return this.socket.writableNeedDrain;
  }

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

  /** @internal The largest DATA payload the client takes. */
  get maxFrameBytes(): number {
    return this.#remoteMaxFrame;
  }

  /** @internal Our receive window per stream. */
  get windowBytes(): number {
    return this.#opts.windowBytes;
  }

  /** @internal A stream waits for a window or the socket: flushed when either frees. */
  blocked(stream: ServerStream): void {
    this.#blocked.add(stream);
  }

  /** @internal A stream ended both ways (or was reset). */
  released(stream: ServerStream): void {
    this.#streams.delete(stream.id);
    this.#blocked.delete(stream);
    if (this.#isGoingAway && this.#streams.size === 0) this.#endSocket();
  }

  #endSocket(): void {
    // The client closes once it has read the GOAWAY and its last replies; a client that does not is cut.
    this.socket.end();
    setTimeout(() => this.destroy(), GOAWAY_LINGER_MS).unref();
  }

  #read(chunk: Buffer): void {
    if (this.#isClosed) return;
    let data = chunk;
    if (!this.#hasPreface) {
      const got = this.#prefaceBytes === undefined ? chunk : Buffer.concat([this.#prefaceBytes, chunk]);
      if (got.length < CONNECTION_PREFACE.length) {
        if (!CONNECTION_PREFACE.subarray(0, got.length).equals(got)) this.destroy();
        else this.#prefaceBytes = got;
        return;
      }
      if (!got.subarray(0, CONNECTION_PREFACE.length).equals(CONNECTION_PREFACE)) {
        // Not HTTP/2 (an HTTP/1.1 request, TLS on a plaintext port): nothing to answer in its terms.
        this.destroy();
        return;
      }
      this.#hasPreface = true;
      this.#prefaceBytes = undefined;
      data = got.subarray(CONNECTION_PREFACE.length);
    }
    try {
      this.#reader.push(data, this.#onFrame);
    } catch (err) {
      if (!(err instanceof ProtocolError || err instanceof HpackError)) throw err;
      this.#fail(err instanceof HpackError ? ErrorCode.COMPRESSION_ERROR : err.code);
    }
  }

  /** A connection error: GOAWAY with its code, then the connection ends. */
  #fail(code: number): void {
    if (this.#isClosed) return;
    this.socket.end(goawayFrameOf(this.#lastStreamId, code));
    this.destroy();
  }

  readonly #onFrame = (type: number, flags: number, streamId: number, payload: Buffer): boolean => {
    this.#frame(type, flags, streamId, payload);
    return !this.#isClosed;
  };

  #frame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.#headerBlock !== undefined && type !== FrameType.CONTINUATION) throw new ProtocolError("a header block was interrupted");
    switch (type) {
      case FrameType.DATA:
        this.#data(flags, streamId, payload);
        return;
      case FrameType.HEADERS: {
        if (streamId === 0) throw new ProtocolError("HEADERS on stream 0");
        const fragment = unpadded(payload, flags, type);
        if (fragment === undefined) throw new ProtocolError("a HEADERS frame with bad padding");
        this.#headerBlock = { streamId, flags, fragments: [fragment], bytes: fragment.length };
        this.#checkHeaderBlockSize();
        if ((flags & Flag.END_HEADERS) !== 0) this.#endHeaderBlock();
        return;
      }
      case FrameType.CONTINUATION: {
        const block = this.#headerBlock;
        if (block === undefined || block.streamId !== streamId) throw new ProtocolError("an unexpected CONTINUATION frame");
        block.fragments.push(payload);
        block.bytes += payload.length;
        this.#checkHeaderBlockSize();
        if ((flags & Flag.END_HEADERS) !== 0) this.#endHeaderBlock();
        return;
      }
      case FrameType.RST_STREAM:
        if (payload.length !== 4) throw new ProtocolError("a RST_STREAM frame of the wrong size");
        if (streamId === 0) throw new ProtocolError("RST_STREAM on stream 0");
        this.#countReset();
        this.#streams.get(streamId)?.closed(payload.readUInt32BE(0));
        return;
      case FrameType.SETTINGS:
        if (streamId !== 0) throw new ProtocolError("SETTINGS on a stream");
        if ((flags & Flag.ACK) === 0) this.#settings(payload);
        return;
      case FrameType.PING:
        if (payload.length !== 8) throw new ProtocolError("a PING frame of the wrong size");
        if ((flags & Flag.ACK) === 0) this.#control(frameOf(FrameType.PING, Flag.ACK, 0, payload));
        return;
      case FrameType.GOAWAY:
        // The client opens no more streams; those in flight finish, then it closes.
        return;
      case FrameType.WINDOW_UPDATE:
        this.#windowUpdate(streamId, payload);
        return;
      case FrameType.PUSH_PROMISE:
        throw new ProtocolError("a PUSH_PROMISE from a client");
      default:
        // PRIORITY and unknown types are ignored (RFC 9113 §4.1, §5.5).
        return;
    }
  }

  #data(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new ProtocolError("DATA on stream 0");
    this.#recvWindow -= payload.length;
    if (this.#recvWindow < 0) throw new ProtocolError("DATA beyond the connection's flow-control window", ErrorCode.FLOW_CONTROL_ERROR);
    // The gRPC layer takes what arrives at once (a message is bounded by the receive limit):
    // the connection's window is credited back as data comes.
    this.#unackedBytes += payload.length;
    if (this.#unackedBytes >= this.#opts.windowBytes / 2) {
      this.write(frameOfUint32(FrameType.WINDOW_UPDATE, 0, this.#unackedBytes));
      this.#recvWindow += this.#unackedBytes;
      this.#unackedBytes = 0;
    }
    const data = unpadded(payload, flags, FrameType.DATA);
    if (data === undefined) throw new ProtocolError("a DATA frame with bad padding");
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId > this.#lastStreamId) throw new ProtocolError("DATA on a stream never opened");
      return; // a stream we ended or reset: its late data is dropped
    }
    stream.data(data, payload.length, (flags & Flag.END_STREAM) !== 0);
  }

  #checkHeaderBlockSize(): void {
    // A block is decoded whole, so its encoded size is bounded as it arrives (CONTINUATION floods).
    if (this.#headerBlock!.bytes > this.#opts.maxHeaderListBytes) {
      throw new ProtocolError(`a header block over ${this.#opts.maxHeaderListBytes} bytes`, ErrorCode.ENHANCE_YOUR_CALM);
    }
  }

  #endHeaderBlock(): void {
    const block = this.#headerBlock!;
    this.#headerBlock = undefined;
    // Decoded even for a stream refused: the table is the connection's.
    const headers = this.#decoder.decode(block.fragments.length === 1 ? block.fragments[0]! : Buffer.concat(block.fragments));
    const endStream = (block.flags & Flag.END_STREAM) !== 0;
    const { streamId } = block;
    const open = this.#streams.get(streamId);
    if (open !== undefined) {
      // Trailers from the client: gRPC has none, but they end its side of the stream.
      if (!endStream) throw new ProtocolError("a second header block without END_STREAM");
      open.data(Buffer.alloc(0), 0, true);
      return;
    }
    if (streamId % 2 === 0) throw new ProtocolError("a client stream with an even id");
    if (streamId <= this.#lastStreamId) throw new ProtocolError("HEADERS on a closed stream", ErrorCode.STREAM_CLOSED);
    this.#lastStreamId = streamId;
    if (this.#isGoingAway) {
      this.write(frameOfUint32(FrameType.RST_STREAM, streamId, ErrorCode.REFUSED_STREAM));
      return;
    }
    if (this.#streams.size >= this.#opts.maxConcurrentStreams) {
      this.write(frameOfUint32(FrameType.RST_STREAM, streamId, ErrorCode.REFUSED_STREAM));
      return;
    }
    let listBytes = 0;
    for (const [name, value] of headers) listBytes += name.length + value.length + 32;
    if (listBytes > this.#opts.maxHeaderListBytes) {
      this.write(frameOfUint32(FrameType.RST_STREAM, streamId, ErrorCode.ENHANCE_YOUR_CALM));
      return;
    }
    const stream = new ServerStream(this, streamId, this.#remoteInitialWindow, !endStream);
    this.#streams.set(streamId, stream);
    this.#opts.onStream(stream, headers, endStream);
  }

  #countReset(): void {
    const now = performance.now();
    if (now - this.#resetWindowStart > RESET_WINDOW_MS) {
      this.#resetWindowStart = now;
      this.#resets = 0;
    }
    if (++this.#resets > MAX_RESETS_PER_WINDOW) throw new ProtocolError("too many stream resets", ErrorCode.ENHANCE_YOUR_CALM);
  }

  /** Answers to the client's control frames; a client that sends them without reading ours is cut off. */
  #control(frame: Buffer): void {
    if (this.socket.writableLength > MAX_UNREAD_CONTROL_BYTES) throw new ProtocolError("the client does not read its answers", ErrorCode.ENHANCE_YOUR_CALM);
    this.write(frame);
  }

  #settings(payload: Buffer): void {
    if (payload.length % 6 !== 0) throw new ProtocolError("a SETTINGS frame of the wrong size", ErrorCode.FRAME_SIZE_ERROR);
    for (let at = 0; at < payload.length; at += 6) {
      const id = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      if (id === Setting.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW_BYTES) throw new ProtocolError("SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1", ErrorCode.FLOW_CONTROL_ERROR);
        const delta = value - this.#remoteInitialWindow;
        this.#remoteInitialWindow = value;
        for (const stream of this.#streams.values()) stream.addSendWindow(delta);
      } else if (id === Setting.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME_BYTES || value > 2 ** 24 - 1) throw new ProtocolError("SETTINGS_MAX_FRAME_SIZE out of range");
        this.#remoteMaxFrame = value;
      } else if (id === Setting.ENABLE_PUSH) {
        if (value > 1) throw new ProtocolError("SETTINGS_ENABLE_PUSH other than 0 or 1");
      }
      // HEADER_TABLE_SIZE: our encoder never uses the dynamic table. The others bind the client.
    }
    this.#control(frameOf(FrameType.SETTINGS, Flag.ACK, 0));
    this.#flushBlocked();
  }

  #windowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ProtocolError("a WINDOW_UPDATE frame of the wrong size", ErrorCode.FRAME_SIZE_ERROR);
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (streamId !== 0) {
      const stream = this.#streams.get(streamId);
      if (stream === undefined) return;
      if (increment === 0) stream.fail(ErrorCode.PROTOCOL_ERROR);
      else stream.addSendWindow(increment);
      return;
    }
    if (increment === 0) throw new ProtocolError("a WINDOW_UPDATE of 0 for the connection");
    this.#sendWindow += increment;
    if (this.#sendWindow > MAX_WINDOW_BYTES) throw new ProtocolError("the connection's send window went above 2^31-1", ErrorCode.FLOW_CONTROL_ERROR);
    this.#flushBlocked();
  }

  #drained(): void {
    this.#flushBlocked();
  }

  #flushBlocked(): void {
    if (this.#blocked.size === 0) return;
    const blocked = [...this.#blocked];
    this.#blocked.clear();
    for (const stream of blocked) stream.flush();
  }
}
