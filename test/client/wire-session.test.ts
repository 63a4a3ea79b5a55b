import { expect } from "chai";
import { createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream, type Settings } from "node:http2";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import type { Method } from "../../src/client/connection.js";
import { channelSecurityOf } from "../../src/client/tls-options.js";
import { Http2Connection } from "../../src/client/transport/http2-connection.js";
import { METADATA } from "../support/http2-connection.js";
import { waitFor } from "../support/wait-for.js";

/** A method whose messages are raw bytes both ways. */
const RAW: Method = { path: "/test.Raw/Call", requestSerialize: (b) => b as Buffer, responseDeserialize: (b) => b };

/** `message` with gRPC's 5-byte prefix. */
function framed(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** Bytes 0, 1, 2, … (mod 251): a pattern that shows a lost, doubled or reordered piece. */
function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

interface Peer {
  readonly address: string;
  /** Streams open now, and the most seen at once. */
  open: number;
  maxOpen: number;
  readonly sessions: Set<ServerHttp2Session>;
  close(): Promise<void>;
}

/** A node:http2 server with `settings`, answering each stream with `reply(stream, headers, body)`. */
async function startPeer(settings: Settings, reply: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer) => void): Promise<Peer> {
  const server: Http2Server = createServer({ settings, maxSessionMemory: 1000 });
  const peer: Peer = {
    address: "", open: 0, maxOpen: 0, sessions: new Set(),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of peer.sessions) s.destroy();
    }),
  };
  server.on("session", (s) => { peer.sessions.add(s); s.on("close", () => peer.sessions.delete(s)); });
  server.on("stream", (stream, headers) => {
    peer.maxOpen = Math.max(peer.maxOpen, ++peer.open);
    stream.on("close", () => peer.open--);
    stream.on("error", () => undefined);
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => reply(stream, headers, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(peer, { address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
}

function connectionTo(address: string, metadata = METADATA): Http2Connection {
  return new Http2Connection({ address, security: channelSecurityOf("127.0.0.1", false, undefined) }, { maxMessageBytes: 16 << 20, metadata });
}

/** Answers with the request's message, then status OK. */
function echo(stream: ServerHttp2Stream, _headers: IncomingHttpHeaders, body: Buffer): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  stream.end(body);
}

describe("the client's HTTP/2 framing (WireSession) against node:http2", function () {
  this.timeout(20_000);
  const peers: Peer[] = [];
  const connections: Http2Connection[] = [];
  async function peer(settings: Settings, reply: Parameters<typeof startPeer>[1]): Promise<Http2Connection> {
    const p = await startPeer(settings, reply);
    peers.push(p);
    const c = connectionTo(p.address);
    connections.push(c);
    await c.connect(Date.now() + 5_000);
    return c;
  }
  afterEach(async () => {
    for (const c of connections.splice(0)) c.close();
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  it("sends a request larger than the server's windows and frame size, and takes a reply larger than its own window, bit-exact", async () => {
    // The server's stream window is 1 KiB and its connection window the default 64 KiB: the
    // request goes out as the server's WINDOW_UPDATEs allow. The 3 MiB reply needs ours.
    const c = await peer({ initialWindowSize: 1024 }, (stream, headers, body) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0", "x-received": String(body.length - 5) }));
      stream.end(framed(pattern(3 << 20)));
    });
    const request = pattern(300_000);
    const reply = await c.unary<Buffer>(RAW, request, Date.now() + 10_000);
    expect(reply.equals(pattern(3 << 20))).to.equal(true);
    for (let i = 0; i < 3; i++) expect((await c.unary<Buffer>(RAW, request, Date.now() + 10_000)).length).to.equal(3 << 20);
  });

  it("sends a header block larger than a frame as HEADERS and CONTINUATION", async () => {
    const p = await startPeer({}, (stream, headers) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(framed(Buffer.from(String(headers["x-big"]).length.toString())));
    });
    peers.push(p);
    const md = METADATA.clone();
    md.set("x-big", "v".repeat(40_000));
    const c = connectionTo(p.address, md);
    connections.push(c);
    await c.connect(Date.now() + 5_000);
    expect((await c.unary<Buffer>(RAW, Buffer.from("x"), Date.now() + 5_000)).toString()).to.equal("40000");
  });

  it("keeps to the server's SETTINGS_MAX_CONCURRENT_STREAMS: calls beyond it wait their turn", async () => {
    const c = await peer({ maxConcurrentStreams: 2 }, (stream, headers, body) => setTimeout(() => echo(stream, headers, body), 30));
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => c.unary<Buffer>(RAW, Buffer.from(`call ${i}`), Date.now() + 10_000)));
    expect(replies.map(String)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `call ${i}`));
    expect(peers[0]!.maxOpen).to.equal(2);
  });

  it("holds a paused stream's messages and stops crediting its window, so the server waits; resume delivers them in order", async () => {
    const messages = 64;
    let written = 0;
    const c = await peer({}, (stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      const writeNext = (): void => {
        if (written === messages) {
          stream.end();
          return;
        }
        const m = Buffer.alloc(64 * 1024, written++);
        if (stream.write(framed(m))) setImmediate(writeNext);
        else stream.once("drain", writeNext);
      };
      writeNext();
    });
    const got: number[] = [];
    const stream = c.serverStream(RAW, Buffer.from("go"), (b) => b[0]!);
    const ended = new Promise<void>((resolve, reject) => { stream.on("end", resolve); stream.on("error", reject); });
    stream.on("data", (first: number) => {
      got.push(first);
      if (got.length === 1) stream.pause();
    });
    await waitFor(() => got.length === 1, "the first message");
    await new Promise((r) => setTimeout(r, 300));
    // 4 MiB written at most: the window (1 MiB) and the socket buffers hold the rest back.
    expect(got).to.have.length(1);
    expect(written, "the server waits for window").to.be.lessThan(messages);
    stream.resume();
    await ended;
    expect(got).to.deep.equal(Array.from({ length: messages }, (_, i) => i));
  });

  it("answers the server's PING; after a GOAWAY the connection leaves service, and a call below its last stream id still finishes", async () => {
    let pending: ServerHttp2Stream | undefined;
    const c = await peer({}, (stream, headers, body) => {
      if (String(body.subarray(5)) === "hold") pending = stream;
      else echo(stream, headers, body);
    });
    const session = [...peers[0]!.sessions][0]!;
    const rtt = await new Promise<number>((resolve, reject) => session.ping((err, ms) => (err ? reject(err) : resolve(ms))));
    expect(rtt).to.be.a("number");
    const held = c.unary<Buffer>(RAW, Buffer.from("hold"), Date.now() + 5_000);
    await waitFor(() => pending !== undefined, "the held call at the server");
    session.goaway(0, 1); // NO_ERROR, streams up to 1 processed
    await waitFor(() => !c.isReady, "the connection leaves service");
    echo(pending!, {}, framed(Buffer.from("late")));
    expect(String(await held)).to.equal("late");
  });

  it("drops the connection on a frame the server should not send (GOAWAY FRAME_SIZE_ERROR): the call ends UNAVAILABLE", async () => {
    // A TCP server that answers the preface with SETTINGS, then any request with a malformed WINDOW_UPDATE.
    const sockets = new Set<Socket>();
    const received: Buffer[] = [];
    const tcp = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
      socket.on("data", (chunk: Buffer) => {
        received.push(chunk);
        // The request's HEADERS (type 1) came: 3 bytes where WINDOW_UPDATE has 4.
        if (Buffer.concat(received).includes(Buffer.from([1, 0x04, 0, 0, 0, 1]))) socket.write(Buffer.from([0, 0, 3, 8, 0, 0, 0, 0, 0, 0, 0, 1]));
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    try {
      const c = connectionTo(`127.0.0.1:${(tcp.address() as AddressInfo).port}`);
      connections.push(c);
      await c.connect(Date.now() + 5_000);
      const err = await c.unary<Buffer>(RAW, Buffer.from("x"), Date.now() + 5_000).then(() => expect.fail("answered"), (e: unknown) => e);
      expect(err).to.include({ code: 14, details: "Connection dropped" });
      expect(c.isReady).to.equal(false);
      // The GOAWAY the client sent before closing: type 7, error FRAME_SIZE_ERROR (6, RFC 9113 §6.9 for a WINDOW_UPDATE not 4 bytes long).
      const GOAWAY = Buffer.from([0, 0, 8, 7, 0, 0, 0, 0, 0]);
      await waitFor(() => Buffer.concat(received).includes(GOAWAY), "the client's GOAWAY");
      const bytes = Buffer.concat(received);
      const goaway = bytes.indexOf(GOAWAY);
      expect(bytes.readUInt32BE(goaway + 13)).to.equal(6);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => tcp.close(resolve));
    }
  });
});
