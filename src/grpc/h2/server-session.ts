import type { Socket } from "node:net";
import type { Metadata } from "@grpc/grpc-js";
import {
  CONNECTION_PREFACE, DEFAULT_MAX_FRAME_BYTES, DEFAULT_WINDOW_BYTES, ErrorCode, Flag, FrameType, ProtocolError, Setting,
  frameOf, frameOfUint32, goawayFrameOf, settingsFrameOf, unpadded,
} from "../../http2/frames.js";
import type { HeaderList } from "../../http2/hpack.js";
import { SessionCore } from "../../http2/session-core.js";
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
/** Resets by the client per RESET_WINDOW_MS above which the connection ends (HTTP/2 "rapid reset"). */
const MAX_RESETS_PER_WINDOW = 1_000;
const RESET_WINDOW_MS = 1_000;

/**
 * One client connection of the server, framed here over the socket (RFC 9113) rather than by
 * node:http2, whose per-stream objects cost more than a whole small gRPC call, on the core it
 * shares with the client's sessions (session-core.ts): the preface and SETTINGS, HPACK
 * (decoding requests, the dynamic table kept), flow control both ways, PING, RST_STREAM, GOAWAY
 * (graceful: the streams in flight finish), CONTINUATION, and the limits a server facing any
 * peer needs: concurrent streams, header list size, frame size, resets, and a peer that sends
 * but never reads.
 *
 * @internal Used by the gRPC server (h2-grpc-server.ts).
 */
export class ServerSession extends SessionCore {
  /** The client as grpc-js's `getPeer()` spells it: `<address>:<port>`, e.g. `127.0.0.1:50744` or `::1:50744`. */
  readonly peer: string;
  readonly #opts: ServerSessionOptions;
  readonly #streams = new Map<number, ServerStream>();
  /** Streams with data waiting for a window, or for the socket to drain. */
  readonly #blocked = new Set<ServerStream>();
  #hasPreface = false;
  #prefaceBytes: Buffer | undefined;
  #lastStreamId = 0;
  #isGoingAway = false;
  #isClosed = false;
  /** What the client may still send on the connection before our next WINDOW_UPDATE. */
  #recvWindow: number;
  #unackedBytes = 0;
  #resets = 0;
  #resetWindowStart = 0;
  /** The metadata of the last header list, which a client sends again call after call (the decoder gives the same list). */
  #lastMetadata: { readonly headers: HeaderList; readonly metadata: Metadata } | undefined;

  constructor(socket: Socket, opts: ServerSessionOptions) {
    super(socket, { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, maxHeaderBlockBytes: opts.maxHeaderListBytes });
    this.peer = `${socket.remoteAddress ?? "unknown"}:${socket.remotePort ?? 0}`;
    this.#opts = opts;
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
    socket.on("data", (chunk: Buffer) => this.#received(chunk));
    socket.on("drain", () => this.flushStreams());
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

  /** Ends the connection now: every open stream hears it (onClose with no code). */
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

  /** @internal Whether the socket holds more than it should before the client reads: writers wait. */
  get isSocketFull(): boolean {
    return this.socket.writableNeedDrain;
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

  protected override get isEnded(): boolean {
    return this.#isClosed;
  }

  /** A connection error: GOAWAY with its code, then the connection ends. */
  protected override protocolError(_err: Error, code: number): void {
    if (this.#isClosed) return;
    this.socket.end(goawayFrameOf(this.#lastStreamId, code));
    this.destroy();
  }

  protected override frame(type: number, flags: number, streamId: number, payload: Buffer): void {
    switch (type) {
      case FrameType.DATA:
        this.#data(flags, streamId, payload);
        return;
      case FrameType.RST_STREAM:
        if (payload.length !== 4) throw new ProtocolError("a RST_STREAM frame of the wrong size", ErrorCode.FRAME_SIZE_ERROR);
        if (streamId === 0) throw new ProtocolError("RST_STREAM on stream 0");
        this.#countReset();
        this.#streams.get(streamId)?.closed(payload.readUInt32BE(0));
        return;
      case FrameType.PING:
        if (payload.length !== 8) throw new ProtocolError("a PING frame of the wrong size", ErrorCode.FRAME_SIZE_ERROR);
        if ((flags & Flag.ACK) === 0) this.control(frameOf(FrameType.PING, Flag.ACK, 0, payload));
        return;
      case FrameType.GOAWAY:
        // The client opens no more streams; those in flight finish, then it closes.
        return;
      case FrameType.PUSH_PROMISE:
        throw new ProtocolError("a PUSH_PROMISE from a client");
      default:
        // PRIORITY and unknown types are ignored (RFC 9113 §4.1, §5.5).
        return;
    }
  }

  protected override headers(streamId: number, headers: HeaderList, endStream: boolean): void {
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
    if (this.#isGoingAway || this.#streams.size >= this.#opts.maxConcurrentStreams) {
      this.write(frameOfUint32(FrameType.RST_STREAM, streamId, ErrorCode.REFUSED_STREAM));
      return;
    }
    let listBytes = 0;
    for (const [name, value] of headers) listBytes += name.length + value.length + 32;
    if (listBytes > this.#opts.maxHeaderListBytes) {
      this.write(frameOfUint32(FrameType.RST_STREAM, streamId, ErrorCode.ENHANCE_YOUR_CALM));
      return;
    }
    const stream = new ServerStream(this, streamId, this.remoteInitialWindow, !endStream);
    this.#streams.set(streamId, stream);
    this.#opts.onStream(stream, headers, endStream);
  }

  protected override streamWindowUpdate(streamId: number, increment: number): void {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) return;
    if (increment === 0) stream.fail(ErrorCode.PROTOCOL_ERROR);
    else stream.addSendWindow(increment);
  }

  protected override addStreamSendWindows(delta: number): void {
    for (const stream of this.#streams.values()) stream.addSendWindow(delta);
  }

  protected override flushStreams(): void {
    if (this.#blocked.size === 0) return;
    const blocked = [...this.#blocked];
    this.#blocked.clear();
    for (const stream of blocked) stream.flush();
  }

  protected override setting(id: number, value: number): void {
    if (id === Setting.ENABLE_PUSH && value > 1) throw new ProtocolError("SETTINGS_ENABLE_PUSH other than 0 or 1");
    // HEADER_TABLE_SIZE: our encoder never uses the dynamic table. The others bind the client.
  }

  protected override settingsApplied(): void {
    this.flushStreams();
  }

  #endSocket(): void {
    // The client closes once it has read the GOAWAY and its last replies; a client that does not is cut.
    this.socket.end();
    setTimeout(() => this.destroy(), GOAWAY_LINGER_MS).unref();
  }

  #received(chunk: Buffer): void {
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
    this.read(data);
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

  #countReset(): void {
    const now = performance.now();
    if (now - this.#resetWindowStart > RESET_WINDOW_MS) {
      this.#resetWindowStart = now;
      this.#resets = 0;
    }
    if (++this.#resets > MAX_RESETS_PER_WINDOW) throw new ProtocolError("too many stream resets", ErrorCode.ENHANCE_YOUR_CALM);
  }
}
