import { connect as netConnect } from "node:net";
import { connect as tlsConnect, type ConnectionOptions as TlsOptions, type TLSSocket } from "node:tls";
import type { HeaderList } from "../../http2/hpack.js";
import {
  CONNECTION_PREFACE, DEFAULT_WINDOW_BYTES, Flag, FrameType, ProtocolError, Setting, frameOf, frameOfUint32, goawayFrameOf,
  settingsFrameOf, unpadded,
} from "../../http2/frames.js";
import { SessionCore } from "../../http2/session-core.js";
import { WireStream, type WireStreamHandler } from "./wire-stream.js";

export type { WireStreamHandler } from "./wire-stream.js";
export { WireStream } from "./wire-stream.js";

/** Where a session goes and how it is secured. */
export interface WireSessionOptions {
  readonly host: string;
  readonly port: number;
  /** TLS options (CA, certificate, key, servername); undefined for plaintext. */
  readonly tls?: TlsOptions | undefined;
  /** Our receive window, per stream and for the connection, bytes. */
  readonly windowBytes: number;
  /** The server's SETTINGS arrived: it speaks HTTP/2 and answers. */
  readonly onReady: () => void;
  /** The session can take no new stream (closed, failed, told to go away); called once, with why. */
  readonly onGone: (err: Error) => void;
}

/** How long a connection ended with our GOAWAY waits for the server to close it. */
const GOAWAY_LINGER_MS = 1_000;

/** Stream ids are 31 bits; a session that used them all is replaced. */
const MAX_STREAM_ID = 2 ** 31 - 1;

/** The largest header block taken from a server, encoded (a server's CONTINUATION without end is cut off there). */
const MAX_HEADER_BLOCK_BYTES = 1024 * 1024;

/**
 * One HTTP/2 connection of the client, framed here over a `net` or `tls` socket rather than
 * through node:http2 (whose per-stream objects cost more than a whole small gRPC call): the
 * preface and SETTINGS, HPACK (hpack.ts), flow control both ways, PING, RST_STREAM and GOAWAY
 * (RFC 9113), on the core it shares with the server's sessions (session-core.ts). Streams are
 * client-initiated requests whose body is sent whole at once, as every gRPC call of the client
 * is (unary and server-streaming).
 *
 * @internal
 */
export class WireSession extends SessionCore {
  readonly #opts: WireSessionOptions;
  readonly #streams = new Map<number, WireStream>();
  /** Streams waiting for the server's concurrency limit. */
  readonly #waiting: WireStream[] = [];
  readonly #pings = new Map<bigint, () => void>();
  #nextStreamId = 1;
  #pingCount = 0n;
  #isReady = false;
  #isGone = false;
  #isDestroyed = false;
  #remoteMaxStreams = Number.POSITIVE_INFINITY;
  #unackedBytes = 0;

  constructor(opts: WireSessionOptions) {
    const socket = opts.tls === undefined
      ? netConnect({ host: opts.host, port: opts.port, noDelay: true })
      : tlsConnect({ ...opts.tls, host: opts.host, port: opts.port, ALPNProtocols: ["h2"] });
    super(socket, { maxHeaderBlockBytes: MAX_HEADER_BLOCK_BYTES });
    this.#opts = opts;
    if (opts.tls !== undefined) {
      socket.once("secureConnect", () => {
        socket.setNoDelay(true);
        if ((socket as TLSSocket).alpnProtocol !== "h2") this.destroy(new Error("the server did not agree to HTTP/2 (ALPN h2)"));
      });
    }
    const window = opts.windowBytes;
    socket.write(Buffer.concat([
      CONNECTION_PREFACE,
      settingsFrameOf([[Setting.ENABLE_PUSH, 0], [Setting.INITIAL_WINDOW_SIZE, window]]),
      ...(window > DEFAULT_WINDOW_BYTES ? [frameOfUint32(FrameType.WINDOW_UPDATE, 0, window - DEFAULT_WINDOW_BYTES)] : []),
    ]));
    socket.on("data", (chunk: Buffer) => this.read(chunk));
    socket.on("error", (err) => this.destroy(err));
    socket.on("close", () => this.destroy(new Error("the connection closed")));
  }

  get isDestroyed(): boolean {
    return this.#isDestroyed;
  }

  /**
   * Opens a stream: HEADERS with `headerBlock` (encodeHeaderBlock's), then `body` as
   * DATA with END_STREAM, within the flow-control windows. Throws when the session takes no new stream.
   */
  request(headerBlock: Buffer, body: readonly Buffer[], handler: WireStreamHandler): WireStream {
    if (this.#isGone) throw new Error("the session takes no new stream");
    const id = this.#nextStreamId;
    this.#nextStreamId += 2;
    if (this.#nextStreamId > MAX_STREAM_ID) this.#gone(new Error("the session used all its stream ids"));
    const stream = new WireStream(this, id, handler, this.remoteInitialWindow, headerBlock, body);
    if (this.#streams.size >= this.#remoteMaxStreams) this.#waiting.push(stream);
    else this.#open(stream);
    return stream;
  }

  /** Sends a PING; `onAck` is called when the server answers it. */
  ping(onAck: () => void): void {
    if (this.#isDestroyed) return;
    const payload = Buffer.allocUnsafe(8);
    const key = ++this.#pingCount;
    payload.writeBigUInt64BE(key);
    this.#pings.set(key, onAck);
    this.write(frameOf(FrameType.PING, 0, 0, payload));
  }

  /** Keeps the process alive while the session is open (calls in flight), or not. */
  ref(): void {
    this.socket.ref();
  }

  unref(): void {
    this.socket.unref();
  }

  /** Takes no new stream; the connection ends once the streams in flight have ended. */
  close(): void {
    this.#gone(new Error("the session was closed"));
    if (this.#streams.size === 0 && this.#waiting.length === 0) this.destroy();
  }

  /** Ends the connection now: every stream still open ends (`onClose` with no code). */
  destroy(err?: Error): void {
    if (this.#isDestroyed) return;
    this.#isDestroyed = true;
    this.#gone(err ?? new Error("the session was destroyed"));
    const socket = this.socket;
    if (!socket.writableEnded) socket.destroy();
    // Ended with a GOAWAY: closed once it is out, or after a second whatever the server does.
    else setTimeout(() => socket.destroy(), GOAWAY_LINGER_MS).unref();
    const open = [...this.#streams.values(), ...this.#waiting];
    this.#streams.clear();
    this.#waiting.length = 0;
    for (const stream of open) stream.closed(undefined);
  }

  /** @internal Our receive window per stream, bytes. */
  get windowBytes(): number {
    return this.#opts.windowBytes;
  }

  /** @internal A stream ended (its END_STREAM both ways, a reset either way). */
  released(stream: WireStream): void {
    if (!this.#streams.delete(stream.id)) {
      const at = this.#waiting.indexOf(stream);
      if (at >= 0) this.#waiting.splice(at, 1);
    }
    while (this.#waiting.length > 0 && this.#streams.size < this.#remoteMaxStreams) this.#open(this.#waiting.shift()!);
    if (this.#isGone && this.#streams.size === 0 && this.#waiting.length === 0) this.destroy();
  }

  /** @internal Credits `bytes` of DATA consumed on `stream` (0: the connection only). */
  consumed(bytes: number): void {
    this.#unackedBytes += bytes;
    if (this.#unackedBytes >= this.#opts.windowBytes / 2) {
      this.write(frameOfUint32(FrameType.WINDOW_UPDATE, 0, this.#unackedBytes));
      this.#unackedBytes = 0;
    }
  }

  protected override get isEnded(): boolean {
    return this.#isDestroyed;
  }

  protected override protocolError(err: Error, code: number): void {
    // end(), not destroy(): the GOAWAY that says why goes out first.
    this.socket.end(goawayFrameOf(0, code));
    this.destroy(new Error(`HTTP/2 protocol error from the server: ${err.message}`));
  }

  protected override headers(streamId: number, headers: HeaderList, endStream: boolean): void {
    this.#streams.get(streamId)?.headers(headers, endStream);
  }

  protected override frame(type: number, flags: number, streamId: number, payload: Buffer): void {
    switch (type) {
      case FrameType.DATA: {
        this.consumed(payload.length);
        const data = unpadded(payload, flags, type);
        if (data === undefined) throw new ProtocolError("a DATA frame with bad padding");
        this.#streams.get(streamId)?.data(data, payload.length, (flags & Flag.END_STREAM) !== 0);
        return;
      }
      case FrameType.RST_STREAM:
        if (payload.length !== 4) throw new ProtocolError("a RST_STREAM frame of the wrong size");
        this.#streams.get(streamId)?.reset(payload.readUInt32BE(0));
        return;
      case FrameType.PING:
        if (payload.length !== 8) throw new ProtocolError("a PING frame of the wrong size");
        if ((flags & Flag.ACK) === 0) this.control(frameOf(FrameType.PING, Flag.ACK, 0, payload));
        else this.#pingAnswered(payload.readBigUInt64BE(0));
        return;
      case FrameType.GOAWAY:
        this.#goaway(payload);
        return;
      case FrameType.PUSH_PROMISE:
        throw new ProtocolError("a PUSH_PROMISE, which the client disabled");
      default:
        // PRIORITY and unknown types are ignored (RFC 9113 §4.1, §5.5).
        return;
    }
  }

  protected override streamWindowUpdate(streamId: number, increment: number): void {
    this.#streams.get(streamId)?.addSendWindow(increment);
  }

  protected override addStreamSendWindows(delta: number): void {
    for (const stream of this.#streams.values()) stream.addSendWindow(delta);
  }

  protected override flushStreams(): void {
    for (const stream of this.#streams.values()) stream.flush();
  }

  protected override setting(id: number, value: number): void {
    if (id === Setting.MAX_CONCURRENT_STREAMS) this.#remoteMaxStreams = value;
  }

  protected override settingsApplied(): void {
    if (!this.#isReady) {
      this.#isReady = true;
      this.#opts.onReady();
    }
    this.flushStreams();
  }

  #open(stream: WireStream): void {
    this.#streams.set(stream.id, stream);
    stream.start(this.maxFrameBytes);
  }

  #gone(err: Error): void {
    if (this.#isGone) return;
    this.#isGone = true;
    this.#opts.onGone(err);
  }

  #goaway(payload: Buffer): void {
    if (payload.length < 8) throw new ProtocolError("a GOAWAY frame of the wrong size");
    const lastStreamId = payload.readUInt32BE(0) & 0x7fffffff;
    const code = payload.readUInt32BE(4);
    this.#gone(new Error(`the server sent GOAWAY (code ${code})`));
    // Streams above the last one processed were not: they end as a lost connection's do.
    for (const stream of [...this.#streams.values(), ...this.#waiting]) {
      if (stream.id > lastStreamId) {
        this.released(stream);
        stream.closed(undefined);
      }
    }
    if (this.#streams.size === 0) this.destroy();
  }

  #pingAnswered(key: bigint): void {
    const onAck = this.#pings.get(key);
    this.#pings.delete(key);
    onAck?.();
  }
}
