import { expect } from "chai";
import { createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { DevFailed, DeviceProxy, Reason } from "../../src/client/index.js";
import type { Http2Connection } from "../../src/client/transport/http2-connection.js";
import { transportOf } from "../../src/client/transport/open-connection.js";
import { MessageReader, grpcTimeoutOf } from "../../src/client/transport/grpc-frames.js";
import { fromGrpcError, toGrpcStatus } from "../../src/grpc/index.js";
import { INFO, callError, http2Connection } from "../support/http2-connection.js";
import { memoryLogger } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";

/** The gRPC frame of `message`: flag 0, big-endian length, bytes. */
function framed(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** A node:http2 server that hands each stream, with its headers and request body, to the current `reply`. */
interface RawServer {
  readonly address: string;
  reply: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer) => void;
  /** Each stream's reset code once it closed (0: closed normally). */
  readonly closes: number[];
  close(): Promise<void>;
}

async function startRawServer(): Promise<RawServer> {
  const server: Http2Server = createServer();
  const raw: RawServer = {
    address: "", closes: [],
    reply: (stream) => stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, { endStream: true }),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sessions) s.destroy();
    }),
  };
  const sessions = new Set<import("node:http2").ServerHttp2Session>();
  server.on("session", (s) => { sessions.add(s); s.on("close", () => sessions.delete(s)); });
  server.on("stream", (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => undefined);
    stream.on("close", () => raw.closes.push(stream.rstCode));
    stream.on("end", () => raw.reply(stream, headers, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(raw, { address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
}

describe("the client's http2 transport", function () {
  this.timeout(60_000);

  describe("on the wire (a raw HTTP/2 server)", () => {
    let raw: RawServer;
    let conn: Http2Connection | undefined;

    before(async () => { raw = await startRawServer(); });
    after(async () => { await raw.close(); });
    afterEach(() => { conn?.close(); conn = undefined; });

    it("sends gRPC's headers, the deadline, the client metadata and one prefixed message; reads a reply cut into 1-byte frames", async () => {
      let seen: { headers: IncomingHttpHeaders; body: Buffer } | undefined;
      raw.reply = (stream, headers, body) => {
        seen = { headers, body };
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        const bytes = framed(INFO.responseSerialize({ dev_class: "TangoTest" }));
        for (const b of bytes) stream.write(Buffer.of(b));
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end();
      };
      conn = http2Connection(raw.address);
      await conn.connect(Date.now() + 2_000);
      const start = Date.now();
      const res = await conn.unary<{ dev_class: unknown }>(INFO, { device: "a/b/c" }, start + 3_000);
      expect(res.dev_class).to.equal("TangoTest");
      const h = seen?.headers ?? expect.fail("no request");
      expect(h).to.include({ ":method": "POST", ":path": "/tango.v1.Device/Info", "content-type": "application/grpc", te: "trailers",
        "tango-client-pid": "4242", "tango-client-host": "testhost" });
      const timeout = /^(\d+)m$/.exec(String(h["grpc-timeout"]));
      expect(Number(timeout?.[1])).to.be.within(2_500, 3_000);
      const body = seen?.body ?? Buffer.alloc(0);
      expect(body[0], "uncompressed").to.equal(0);
      expect(body.readUInt32BE(1), "the length prefix").to.equal(body.length - 5);
      expect(INFO.requestDeserialize(body.subarray(5))).to.deep.include({ device: "a/b/c" });
    });

    it("reads a trailers-only error: status, percent-decoded message and a Tango stack from grpc-status-details-bin", async () => {
      const df = new DevFailed([
        { reason: "API_Root", desc: "the cause: 100 % ünïcode", origin: "Root::origin()" },
        { reason: "API_Top", desc: "the frame on top", origin: "Top::origin()" },
      ]);
      const status = toGrpcStatus(df, memoryLogger().logger);
      const [details] = status.metadata.get("grpc-status-details-bin");
      raw.reply = (stream) => stream.respond({
        ":status": 200, "content-type": "application/grpc", "grpc-status": String(status.code),
        "grpc-message": encodeURIComponent("the cause: 100 % ünïcode"),
        "grpc-status-details-bin": Buffer.from(details as Buffer).toString("base64").replace(/=+$/, ""),
      }, { endStream: true });
      conn = http2Connection(raw.address);
      await conn.connect(Date.now() + 2_000);
      const err = await callError(conn.unary(INFO, { device: "a/b/c" }, Date.now() + 2_000));
      expect(err.code).to.equal(status.code);
      expect(err.details).to.equal("the cause: 100 % ünïcode");
      const decoded = fromGrpcError(err);
      expect(decoded).to.be.instanceOf(DevFailed);
      expect((decoded as DevFailed).errors).to.deep.equal(df.errors);
    });

    it("refuses a reply over maxMessageBytes with RESOURCE_EXHAUSTED, as grpc-js says it, and resets the stream", async () => {
      raw.reply = (stream) => {
        stream.respond({ ":status": 200, "content-type": "application/grpc" });
        stream.end(framed(Buffer.alloc(2_000)));
      };
      conn = http2Connection(raw.address, { maxMessageBytes: 1_000 });
      await conn.connect(Date.now() + 2_000);
      const err = await callError(conn.unary(INFO, { device: "a/b/c" }, Date.now() + 2_000));
      expect(err.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
      expect(err.details).to.equal("Received message larger than max (2000 vs 1000)");
      const sent = await callError(conn.unary(INFO, { device: "x".repeat(2_000) }, Date.now() + 2_000));
      expect(sent.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
      expect(sent.details).to.equal("Attempted to send message with a size larger than 1000");
    });

    it("ends a call at its deadline with DEADLINE_EXCEEDED, and on abort with CANCELLED, resetting the stream (CANCEL) both times", async () => {
      raw.reply = () => undefined; // never answers
      conn = http2Connection(raw.address);
      await conn.connect(Date.now() + 2_000);
      const closes = raw.closes.length;
      const start = Date.now();
      const late = await callError(conn.unary(INFO, { device: "a/b/c" }, start + 200));
      expect(late.code).to.equal(grpc.status.DEADLINE_EXCEEDED);
      expect(Date.now() - start).to.be.within(190, 1_000);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const cancelled = await callError(conn.unary(INFO, { device: "a/b/c" }, Infinity, ac.signal));
      expect(cancelled.code).to.equal(grpc.status.CANCELLED);
      await waitFor(() => raw.closes.length === closes + 2, "the server saw both streams reset");
      expect(raw.closes.slice(closes)).to.deep.equal([8, 8]);
      expect(conn.isReady, "the connection stays usable").to.equal(true);
    });

    // Last of this block: it closes the raw server.
    it("sees a server that goes away (GOAWAY, close) as a lost connection; the next connect starts afresh, refused at once", async () => {
      raw.reply = (stream) => {
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(framed(INFO.responseSerialize({ dev_class: "C" })));
      };
      const c = http2Connection(raw.address);
      conn = c;
      await c.connect(Date.now() + 2_000);
      expect((await c.unary<{ dev_class: unknown }>(INFO, { device: "a/b/c" }, Date.now() + 2_000)).dev_class).to.equal("C");
      expect(c.isLost).to.equal(false);
      await raw.close();
      await waitFor(() => c.isLost, "the connection is lost");
      expect(c.isReady).to.equal(false);
      const start = Date.now();
      const err = await c.connect(Date.now() + 5_000).then(() => expect.fail("connected"), (e: unknown) => e);
      expect(err).to.have.property("kind", "refused");
      expect(Date.now() - start).to.be.lessThan(2_000);
    });
  });

  describe("pure parts", () => {
    it("cuts messages out of any chunking, and views a message held in one chunk without copying it", () => {
      const messages = [Buffer.from("first"), Buffer.alloc(0), Buffer.from("a third, longer message")];
      const wire = Buffer.concat(messages.map(framed));
      for (const size of [1, 2, 3, 7, wire.length]) {
        const reader = new MessageReader(1_000);
        const out: Buffer[] = [];
        for (let i = 0; i < wire.length; i += size) out.push(...reader.push(wire.subarray(i, i + size)));
        expect(out.map((b) => b.toString()), `chunks of ${size}`).to.deep.equal(messages.map((b) => b.toString()));
        expect(reader.pendingBytes).to.equal(0);
      }
      const [view] = new MessageReader(1_000).push(wire);
      expect(view?.buffer).to.equal(wire.buffer);
      // A prefix alone in its chunk, as our server sends a large message: the rest is its body.
      const large = Buffer.alloc(600, 7);
      const split = new MessageReader(1_000);
      expect(split.push(framed(large).subarray(0, 5))).to.deep.equal([]);
      expect(split.push(framed(large).subarray(5))).to.deep.equal([large]);
    });

    it("writes grpc-timeout in at most 8 digits", () => {
      expect(grpcTimeoutOf(3_000)).to.equal("3000m");
      expect(grpcTimeoutOf(0.2)).to.equal("1m");
      expect(grpcTimeoutOf(1e9)).to.equal("1000000S");
      expect(grpcTimeoutOf(1e12)).to.equal("277778H");
    });

    it("takes the transport from the option, else TANGO_CLIENT_TRANSPORT, else http2; refuses another name", () => {
      expect(transportOf(undefined, "")).to.equal("http2");
      expect(transportOf(undefined, "grpc-js")).to.equal("grpc-js");
      expect(transportOf("http2", "grpc-js")).to.equal("http2");
      expect(() => transportOf(undefined, "h3")).to.throw(DevFailed).with.property("reason", Reason.MethodArgument);
      expect(() => new DeviceProxy("tango://127.0.0.1:1/a/b/c#dbase=no", { transport: "h3" as "http2" })).to.throw(DevFailed);
    });
  });
});

