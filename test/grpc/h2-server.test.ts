import { expect } from "chai";
import { connect as http2Connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import { connect as netConnect, type Socket } from "node:net";
import { Metadata, status, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { H2GrpcServer } from "../../src/grpc/h2/h2-grpc-server.js";
import { FrameReader } from "../../src/http2/frame-reader.js";
import {
  CONNECTION_PREFACE, ErrorCode, FRAME_HEADER_BYTES, Flag, FrameType, frameOf, frameOfUint32, settingsFrameOf,
} from "../../src/http2/frames.js";
import { RESPONSE_HEADERS } from "../../src/grpc/h2/status-blocks.js";
import { HpackDecoder, encodeHeaderBlock } from "../../src/http2/hpack.js";
import { waitFor } from "../support/wait-for.js";

/** Bytes 0, 1, 2, … (mod 251): a pattern that shows a lost, doubled or reordered piece. */
function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

/** `message` with gRPC's 5-byte prefix. */
function framed(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** Cuts gRPC messages out of a response body. */
function messagesOf(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 5 <= body.length;) {
    const length = body.readUInt32BE(at + 1);
    out.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return out;
}

const identity = (b: Buffer): Buffer => b;
function method(name: string, requestStream: boolean, responseStream: boolean): ServiceDefinition[string] {
  return {
    path: `/test.Raw/${name}`, requestStream, responseStream, originalName: name,
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  };
}
const RAW_SERVICE: ServiceDefinition = {
  Echo: method("Echo", false, false),
  Hang: method("Hang", false, false),
  Stream: method("Stream", false, true),
  Chat: method("Chat", true, true),
};

interface Served {
  readonly server: H2GrpcServer;
  readonly port: number;
  /** Calls cancelled so far, by method. */
  readonly cancelled: string[];
  /** Calls whose handler ran, by method. */
  readonly started: string[];
}

/** An H2GrpcServer with test.Raw: Echo answers its request, Hang never answers, Stream sends N messages of 64 KiB, Chat echoes each message. */
async function serve(opts: { maxConcurrentStreams?: number; maxReceiveMessageBytes?: number } = {}): Promise<Served> {
  const server = new H2GrpcServer({
    maxReceiveMessageBytes: opts.maxReceiveMessageBytes ?? 16 << 20, maxSendMessageBytes: 16 << 20, windowBytes: 1 << 20,
    ...(opts.maxConcurrentStreams === undefined ? {} : { maxConcurrentStreams: opts.maxConcurrentStreams }),
  });
  const served = { server, port: 0, cancelled: [] as string[], started: [] as string[] };
  type Call = { request: Buffer; metadata: Metadata; once(e: string, f: () => void): void; on(e: string, f: (m: Buffer) => void): void;
    write(m: Buffer): boolean; end(): void };
  const handlers = {
    Echo: (call: Call, callback: (e: null, v: Buffer, trailer: Metadata) => void) => {
      served.started.push("Echo");
      const trailer = new Metadata();
      trailer.set("echo-bin", Buffer.from([0, 255, 1]));
      const [tag] = call.metadata.get("x-tag");
      if (tag !== undefined) trailer.set("x-tag", String(tag));
      callback(null, call.request, trailer);
    },
    Hang: (call: Call) => {
      served.started.push("Hang");
      call.once("cancelled", () => served.cancelled.push("Hang"));
    },
    Stream: (call: Call) => {
      served.started.push("Stream");
      let left = call.request.readUInt32BE(0);
      const piece = pattern(64 * 1024);
      const next = (): void => {
        while (left > 0) {
          left--;
          if (!call.write(piece)) {
            call.once("drain", next);
            return;
          }
        }
        call.end();
      };
      call.once("cancelled", () => served.cancelled.push("Stream"));
      next();
    },
    Chat: (call: Call) => {
      served.started.push("Chat");
      call.on("data", (m) => call.write(m));
      call.once("end" as "cancelled", () => call.end());
    },
  };
  // The handlers take what they use of grpc-js's call objects, which the server's calls give.
  server.addService(RAW_SERVICE, handlers as unknown as UntypedServiceImplementation);
  return Object.assign(served, { port: await server.listen("127.0.0.1", 0) });
}

/** A node:http2 (nghttp2) client call: the response headers, body and trailers. */
function h2Call(session: ClientHttp2Session, path: string, body: Buffer | undefined, headers: Record<string, string> = {}):
Promise<{ headers: IncomingHttpHeaders; body: Buffer; trailers: IncomingHttpHeaders; stream: ClientHttp2Stream }> {
  const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
  return new Promise((resolve, reject) => {
    let response: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => { response = h; });
    stream.on("trailers", (t) => { trailers = t; });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve({ headers: response, body: Buffer.concat(chunks), trailers, stream }));
    stream.on("error", reject);
    if (body === undefined) stream.end();
    else stream.end(body);
  });
}

/** A bare TCP client speaking HTTP/2 frames, which records every frame the server sends. */
class RawClient {
  readonly socket: Socket;
  readonly frames: Array<{ type: number; flags: number; streamId: number; payload: Buffer }> = [];
  readonly #reader = new FrameReader();
  #closed = false;

  constructor(port: number) {
    this.socket = netConnect({ host: "127.0.0.1", port });
    this.socket.on("data", (chunk: Buffer) => this.#reader.push(chunk, (type, flags, streamId, payload) => {
      this.frames.push({ type, flags, streamId, payload: Buffer.from(payload) });
      return true;
    }));
    this.socket.on("error", () => undefined);
    this.socket.on("close", () => { this.#closed = true; });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  start(settings: ReadonlyArray<readonly [number, number]> = []): void {
    this.socket.write(Buffer.concat([CONNECTION_PREFACE, settingsFrameOf(settings)]));
  }

  /** HEADERS for a gRPC request to `path`. */
  headers(streamId: number, path: string, endStream = false): Buffer {
    const block = encodeHeaderBlock([[":method", "POST"], [":scheme", "http"], [":path", path], [":authority", "x"], ["content-type", "application/grpc"]]);
    return frameOf(FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId, block);
  }

  data(streamId: number, payload: Buffer, endStream = true): Buffer {
    return frameOf(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, payload);
  }

  /** The GOAWAY's error code, once one arrived. */
  goawayCode(): number | undefined {
    const frame = this.frames.find((f) => f.type === FrameType.GOAWAY);
    return frame?.payload.readUInt32BE(4);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe("our HTTP/2 gRPC server (h2-grpc-server.ts)", function () {
  this.timeout(20_000);
  let served: Served;
  const sessions: ClientHttp2Session[] = [];
  const raws: RawClient[] = [];

  afterEach(async () => {
    for (const s of sessions.splice(0)) s.destroy();
    for (const r of raws.splice(0)) r.close();
    served.server.forceShutdown();
  });

  const session = (settings: Record<string, number> = {}): ClientHttp2Session => {
    const s = http2Connect(`http://127.0.0.1:${served.port}`, { settings });
    s.on("error", () => undefined);
    sessions.push(s);
    return s;
  };
  const raw = (): RawClient => {
    const r = new RawClient(served.port);
    raws.push(r);
    return r;
  };

  describe("against node:http2's client (nghttp2)", () => {
    it("echoes 300 kB both ways through a 1 KiB client window, bit-exact, with trailing metadata", async () => {
      served = await serve();
      const message = pattern(300_000);
      const reply = await h2Call(session({ initialWindowSize: 1024 }), "/test.Raw/Echo", framed(message), { "x-tag": "t1" });
      expect(reply.headers[":status"]).to.equal(200);
      expect(reply.headers["content-type"]).to.equal("application/grpc");
      expect(messagesOf(reply.body)).to.have.length(1);
      expect(messagesOf(reply.body)[0]!.equals(message)).to.equal(true);
      expect(reply.trailers["grpc-status"]).to.equal("0");
      expect(reply.trailers["x-tag"]).to.equal("t1");
      expect(Buffer.from(String(reply.trailers["echo-bin"]), "base64")).to.deep.equal(Buffer.from([0, 255, 1]));
    });

    it("holds a streamed reply while the client does not read, and finishes it once it does", async () => {
      served = await serve();
      const s = session({ initialWindowSize: 65_535 });
      const count = Buffer.alloc(4);
      count.writeUInt32BE(64);
      const stream = s.request({ ":method": "POST", ":path": "/test.Raw/Stream", "content-type": "application/grpc" });
      stream.end(framed(count));
      stream.pause();
      const chunks: Buffer[] = [];
      // 64 × 64 KiB = 4 MiB: without flow control and write back-pressure, it would all be sent at once.
      await new Promise((r) => setTimeout(r, 300));
      expect(served.started).to.deep.equal(["Stream"]);
      const ended = new Promise<void>((resolve) => stream.on("end", resolve));
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.resume();
      await ended;
      const messages = messagesOf(Buffer.concat(chunks));
      expect(messages).to.have.length(64);
      expect(messages.every((m) => m.equals(pattern(64 * 1024)))).to.equal(true);
    });

    it("answers each message of a bidirectional call as it comes", async () => {
      served = await serve();
      const reply = await h2Call(session(), "/test.Raw/Chat", Buffer.concat([framed(Buffer.from("one")), framed(Buffer.from("two"))]));
      expect(messagesOf(reply.body).map(String)).to.deep.equal(["one", "two"]);
      expect(reply.trailers["grpc-status"]).to.equal("0");
    });

    it("ends a call DEADLINE_EXCEEDED at its grpc-timeout, and tells the handler (cancelled)", async () => {
      served = await serve();
      const started = performance.now();
      const reply = await h2Call(session(), "/test.Raw/Hang", framed(Buffer.from("x")), { "grpc-timeout": "100m" });
      expect(performance.now() - started).to.be.within(80, 2_000);
      expect(reply.headers["grpc-status"]).to.equal(String(status.DEADLINE_EXCEEDED));
      expect(reply.headers["grpc-message"]).to.equal("Deadline exceeded");
      expect(served.cancelled).to.deep.equal(["Hang"]);
    });

    it("tells the handler when the client resets its stream", async () => {
      served = await serve();
      const stream = session().request({ ":method": "POST", ":path": "/test.Raw/Hang", "content-type": "application/grpc" });
      stream.on("error", () => undefined);
      stream.end(framed(Buffer.from("x")));
      await waitFor(() => served.started.length === 1, "the call starting", 5_000);
      stream.close(constants.NGHTTP2_CANCEL);
      await waitFor(() => served.cancelled.length === 1, "the handler hearing of the reset", 5_000);
    });

    it("refuses what it does not serve: an unknown method, a GET, a content type, a compressed request", async () => {
      served = await serve();
      const s = session();
      const unknown = await h2Call(s, "/test.Raw/Nope", framed(Buffer.alloc(0)));
      expect(unknown.headers["grpc-status"]).to.equal(String(status.UNIMPLEMENTED));
      expect(unknown.headers["grpc-message"]).to.equal("The server does not implement the method /test.Raw/Nope");
      const get = await h2Call(s, "/test.Raw/Echo", undefined, { ":method": "GET" });
      expect(get.headers[":status"]).to.equal(405);
      const text = await h2Call(s, "/test.Raw/Echo", Buffer.from("hi"), { "content-type": "text/plain" });
      expect(text.headers[":status"]).to.equal(415);
      const gzip = await h2Call(s, "/test.Raw/Echo", framed(Buffer.from("x")), { "grpc-encoding": "gzip" });
      expect(gzip.headers["grpc-status"]).to.equal(String(status.UNIMPLEMENTED));
      expect(served.started).to.deep.equal([]);
    });

    it("refuses a message over the receive limit from its prefix, before the handler runs", async () => {
      served = await serve({ maxReceiveMessageBytes: 1000 });
      const reply = await h2Call(session(), "/test.Raw/Echo", framed(pattern(5000)));
      expect(reply.headers["grpc-status"]).to.equal(String(status.RESOURCE_EXHAUSTED));
      expect(reply.headers["grpc-message"]).to.equal("Received message larger than max (5000 vs 1000)");
      expect(served.started).to.deep.equal([]);
    });

    it("shuts down gracefully: GOAWAY, the call in flight finishes, then the connection closes", async () => {
      served = await serve();
      const s = session();
      const count = Buffer.alloc(4);
      count.writeUInt32BE(8);
      const stream = s.request({ ":method": "POST", ":path": "/test.Raw/Stream", "content-type": "application/grpc" });
      stream.end(framed(count));
      stream.pause();
      await waitFor(() => served.started.length === 1, "the stream starting", 5_000);
      let done = false;
      served.server.tryShutdown(() => { done = true; });
      const goaway = new Promise<void>((resolve) => s.once("goaway", () => resolve()));
      await goaway;
      expect(done, "waits for the call").to.equal(false);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.resume();
      await new Promise<void>((resolve) => stream.on("end", resolve));
      expect(messagesOf(Buffer.concat(chunks))).to.have.length(8);
      await waitFor(() => done, "the shutdown's end", 5_000);
    });
  });

  describe("against a peer that breaks the rules", () => {
    it("closes a connection that does not open with HTTP/2's preface", async () => {
      served = await serve();
      const r = raw();
      r.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      await waitFor(() => r.isClosed, "the server closing the connection", 5_000);
    });

    it("answers SETTINGS and PING, and refuses streams over its concurrency limit (REFUSED_STREAM)", async () => {
      served = await serve({ maxConcurrentStreams: 2 });
      const r = raw();
      r.start();
      r.socket.write(frameOf(FrameType.PING, 0, 0, Buffer.from("12345678")));
      for (const id of [1, 3, 5]) r.socket.write(r.headers(id, "/test.Raw/Hang"));
      await waitFor(() => r.frames.some((f) => f.type === FrameType.RST_STREAM), "a RST_STREAM", 5_000);
      const rst = r.frames.filter((f) => f.type === FrameType.RST_STREAM);
      expect(rst.map((f) => [f.streamId, f.payload.readUInt32BE(0)])).to.deep.equal([[5, ErrorCode.REFUSED_STREAM]]);
      expect(r.frames.some((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) !== 0)).to.equal(true);
      const pong = r.frames.find((f) => f.type === FrameType.PING);
      expect(pong?.flags).to.equal(Flag.ACK);
      expect(String(pong?.payload)).to.equal("12345678");
      const settings = r.frames.find((f) => f.type === FrameType.SETTINGS && f.flags === 0)!.payload;
      expect(settings.readUInt16BE(0)).to.equal(3); // SETTINGS_MAX_CONCURRENT_STREAMS
      expect(settings.readUInt32BE(2)).to.equal(2);
    });

    it("decodes a request whose headers come in CONTINUATION frames, and answers it", async () => {
      served = await serve();
      const r = raw();
      r.start();
      const block = r.headers(1, "/test.Raw/Echo").subarray(9);
      r.socket.write(Buffer.concat([
        frameOf(FrameType.HEADERS, 0, 1, block.subarray(0, 10)),
        frameOf(FrameType.CONTINUATION, 0, 1, block.subarray(10, 20)),
        frameOf(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(20)),
        r.data(1, framed(Buffer.from("hello"))),
      ]));
      await waitFor(() => r.frames.some((f) => f.type === FrameType.HEADERS && (f.flags & Flag.END_STREAM) !== 0), "the reply's trailers", 5_000);
      const data = r.frames.find((f) => f.type === FrameType.DATA);
      expect(messagesOf(data!.payload).map(String)).to.deep.equal(["hello"]);
      const decoder = new HpackDecoder();
      const trailers = r.frames.filter((f) => f.type === FrameType.HEADERS).map((f) => decoder.decode(f.payload));
      expect(trailers[1]).to.deep.include(["grpc-status", "0"]);
    });

    for (const [what, send, code] of [
      ["a frame over SETTINGS_MAX_FRAME_SIZE", (r: RawClient) => r.socket.write(frameOf(FrameType.DATA, 0, 1, Buffer.alloc(20_000))), ErrorCode.FRAME_SIZE_ERROR],
      ["a header block that never ends (a CONTINUATION flood)", (r: RawClient) => {
        r.socket.write(frameOf(FrameType.HEADERS, 0, 1, Buffer.alloc(100)));
        for (let i = 0; i < 8; i++) r.socket.write(frameOf(FrameType.CONTINUATION, 0, 1, Buffer.alloc(10_000)));
      }, ErrorCode.ENHANCE_YOUR_CALM],
      ["streams opened and reset by the thousand (rapid reset)", (r: RawClient) => {
        const frames: Buffer[] = [];
        for (let id = 1; id < 2 * 1100; id += 2) frames.push(r.headers(id, "/test.Raw/Hang"), frameOfUint32(FrameType.RST_STREAM, id, ErrorCode.CANCEL));
        r.socket.write(Buffer.concat(frames));
      }, ErrorCode.ENHANCE_YOUR_CALM],
      ["a stream id going backwards", (r: RawClient) => r.socket.write(Buffer.concat([r.headers(5, "/test.Raw/Hang"), r.headers(3, "/test.Raw/Hang")])),
        ErrorCode.STREAM_CLOSED],
    ] as const) {
      it(`ends the connection with GOAWAY for ${what}`, async () => {
        served = await serve();
        const r = raw();
        r.start();
        send(r);
        await waitFor(() => r.goawayCode() !== undefined, "a GOAWAY", 5_000);
        expect(r.goawayCode()).to.equal(code);
        await waitFor(() => r.isClosed, "the server closing the connection", 5_000);
      });
    }

    it("cuts off a client that sends PINGs but never reads the answers", async () => {
      served = await serve();
      const r = raw();
      r.start();
      r.socket.pause();
      const ping = frameOf(FrameType.PING, 0, 0, Buffer.alloc(8));
      const burst = Buffer.concat(Array.from({ length: 10_000 }, () => ping));
      // At most ~50 MB of PINGs: the server's answers fill the socket buffers and its own 1 MiB allowance long before.
      r.socket.setMaxListeners(0);
      for (let i = 0; i < 300 && !r.isClosed; i++) {
        if (!r.socket.write(burst)) await new Promise((resolve) => { r.socket.once("drain", resolve); r.socket.once("close", resolve); });
      }
      // Reading again, the client finds the server's last word, and the end of the connection.
      r.socket.resume();
      await waitFor(() => r.isClosed, "the server closing the connection", 10_000);
      expect(r.goawayCode()).to.equal(ErrorCode.ENHANCE_YOUR_CALM);
    });
  });
});

describe("our HTTP/2 gRPC server's reply layout", () => {
  it("puts a reply's message at 5 mod 8 of the write, where aligned arrays are aligned", () => {
    // HEADERS (frame header and block), DATA's frame header, the message's prefix.
    expect((FRAME_HEADER_BYTES + RESPONSE_HEADERS.length + FRAME_HEADER_BYTES + 5) % 8).to.equal(5);
    expect(new HpackDecoder().decode(RESPONSE_HEADERS)).to.deep.include(["content-type", "application/grpc"]);
  });
});
