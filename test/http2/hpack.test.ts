import { expect } from "chai";
import { createServer, type IncomingHttpHeaders, type ServerHttp2Session } from "node:http2";
import { connect, type AddressInfo, type Socket } from "node:net";
import { HpackDecoder, HpackError, encodeHeaderBlock, type HeaderList } from "../../src/http2/hpack.js";

/** Bytes from hex as printed in RFC 7541 Appendix C (spaces and newlines ignored). */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

/** Decodes `blocks` in order on one decoder, as one connection would. */
function decodeAll(tableSize: number, blocks: readonly Buffer[]): HeaderList[] {
  const decoder = new HpackDecoder(tableSize);
  return blocks.map((block) => decoder.decode(block));
}

/** Expects `decode` to throw an HpackError. */
function expectHpackError(decode: () => unknown): void {
  expect(decode).to.throw(HpackError);
}

describe("HPACK (RFC 7541)", () => {
  describe("the examples of Appendix C", () => {
    const requests: HeaderList[] = [
      [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"]],
      [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"],
        ["cache-control", "no-cache"]],
      [[":method", "GET"], [":scheme", "https"], [":path", "/index.html"], [":authority", "www.example.com"],
        ["custom-key", "custom-value"]],
    ];
    const responses: HeaderList[] = [
      [[":status", "302"], ["cache-control", "private"], ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
        ["location", "https://www.example.com"]],
      [[":status", "307"], ["cache-control", "private"], ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
        ["location", "https://www.example.com"]],
      [[":status", "200"], ["cache-control", "private"], ["date", "Mon, 21 Oct 2013 20:13:22 GMT"],
        ["location", "https://www.example.com"], ["content-encoding", "gzip"],
        ["set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"]],
    ];

    it("C.3: requests without Huffman coding", () => {
      expect(decodeAll(4096, [
        hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"),
        hex("8286 84be 5808 6e6f 2d63 6163 6865"),
        hex("8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"),
      ])).to.deep.equal(requests);
    });

    it("C.4: requests with Huffman coding", () => {
      expect(decodeAll(4096, [
        hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"),
        hex("8286 84be 5886 a8eb 1064 9cbf"),
        hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"),
      ])).to.deep.equal(requests);
    });

    /** After C.5's or C.6's third block, the 256-byte table holds set-cookie (62), content-encoding, date (64). */
    function expectEvicted(decoder: HpackDecoder): void {
      expect(decoder.decode(hex("be bf c0"))).to.deep.equal([
        ["set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"],
        ["content-encoding", "gzip"], ["date", "Mon, 21 Oct 2013 20:13:22 GMT"],
      ]);
      expectHpackError(() => decoder.decode(hex("c1")));
    }

    it("C.5: responses without Huffman coding, a 256-byte table and evictions", () => {
      const decoder = new HpackDecoder(256);
      expect([
        hex(`4803 3330 3258 0770 7269 7661 7465 611d
             4d6f 6e2c 2032 3120 4f63 7420 3230 3133
             2032 303a 3133 3a32 3120 474d 546e 1768
             7474 7073 3a2f 2f77 7777 2e65 7861 6d70
             6c65 2e63 6f6d`),
        hex("4803 3330 37c1 c0bf"),
        hex(`88c1 611d 4d6f 6e2c 2032 3120 4f63 7420
             3230 3133 2032 303a 3133 3a32 3220 474d
             54c0 5a04 677a 6970 7738 666f 6f3d 4153
             444a 4b48 514b 425a 584f 5157 454f 5049
             5541 5851 5745 4f49 553b 206d 6178 2d61
             6765 3d33 3630 303b 2076 6572 7369 6f6e
             3d31`),
      ].map((block) => decoder.decode(block))).to.deep.equal(responses);
      expectEvicted(decoder);
    });

    it("C.6: responses with Huffman coding, a 256-byte table and evictions", () => {
      const decoder = new HpackDecoder(256);
      expect([
        hex(`4882 6402 5885 aec3 771a 4b61 96d0 7abe
             9410 54d4 44a8 2005 9504 0b81 66e0 82a6
             2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8
             e9ae 82ae 43d3`),
        hex("4883 640e ffc1 c0bf"),
        hex(`88c1 6196 d07a be94 1054 d444 a820 0595
             040b 8166 e084 a62d 1bff c05a 839b d9ab
             77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b
             3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
             9587 3160 65c0 03ed 4ee5 b106 3d50 07`),
      ].map((block) => decoder.decode(block))).to.deep.equal(responses);
      expectEvicted(decoder);
    });

    it("C.2: never-indexed and size-updated literals leave the table as the RFC says", () => {
      const decoder = new HpackDecoder();
      expect(decoder.decode(hex("1008 7061 7373 776f 7264 0673 6563 7265 74"))).to.deep.equal([["password", "secret"]]);
      expectHpackError(() => decoder.decode(hex("be"))); // never indexed: not in the table
      expect(decoder.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572 be")))
        .to.deep.equal([["custom-key", "custom-header"], ["custom-key", "custom-header"]]);
      expect(decoder.decode(hex("20 3f e1 1f 82"))).to.deep.equal([[":method", "GET"]]); // 0, then 4096
      expectHpackError(() => decoder.decode(hex("be"))); // emptied by the update to 0
    });
  });

  describe("malformed blocks", () => {
    it("an index beyond the tables, or index 0", () => {
      expectHpackError(() => new HpackDecoder().decode(hex("be")));
      expectHpackError(() => new HpackDecoder().decode(hex("80")));
      expectHpackError(() => new HpackDecoder().decode(hex("7e 00"))); // literal name at index 62
    });

    it("a truncated integer, and one beyond 2^31 - 1", () => {
      expectHpackError(() => new HpackDecoder().decode(hex("ff")));
      expectHpackError(() => new HpackDecoder().decode(hex("ff 80")));
      expectHpackError(() => new HpackDecoder().decode(hex("0f ff ff ff ff 0f")));
    });

    it("a truncated string", () => {
      expectHpackError(() => new HpackDecoder().decode(hex("00 05 61 62")));
      expectHpackError(() => new HpackDecoder().decode(hex("04 03 2f 61"))); // value of :path
      expectHpackError(() => new HpackDecoder().decode(hex("00 01 61"))); // no value at all
    });

    it("a Huffman string with padding not all ones, over 7 bits, or EOS", () => {
      const literal = (name: string) => new HpackDecoder().decode(hex(`00 ${name} 01 61`));
      expect(literal("81 1f")).to.deep.equal([["a", "a"]]); // 'a' = 00011, padded with 111
      expectHpackError(() => literal("81 18")); // padded with 000
      expectHpackError(() => literal("82 1f ff")); // 11 bits of padding
      expectHpackError(() => literal("84 ff ff ff ff")); // EOS (30 ones)
    });

    it("a table size update above the maximum, or after a field", () => {
      expect(new HpackDecoder(256).decode(hex("3f e1 01 82"))).to.deep.equal([[":method", "GET"]]); // 256
      expectHpackError(() => new HpackDecoder(256).decode(hex("3f e2 01 82"))); // 257
      expectHpackError(() => new HpackDecoder().decode(hex("82 20")));
    });
  });

  describe("encodeHeaderBlock", () => {
    it("Huffman-codes the values it is told to, as RFC 7541's C.4.1 does www.example.com", () => {
      const block = encodeHeaderBlock([[":authority", "www.example.com"]], { huffmanValues: new Set([":authority"]) });
      // Literal without indexing, name index 1; then H and length 12, and C.4.1's bytes.
      expect(block.toString("hex")).to.equal("018cf1e3c2e5f23a6ba0ab90f4ff");
      const every = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
      const fields: HeaderList = [["x-all", every], ["x-text", "application/grpc"], ["x-empty", ""]];
      const coded = encodeHeaderBlock(fields, { huffmanValues: new Set(["x-all", "x-text", "x-empty"]) });
      expect(new HpackDecoder().decode(coded)).to.deep.equal(fields);
    });

    it("indexes static fields and names, and writes lengths over 127 in several octets", () => {
      const long = "v".repeat(300);
      const fields: HeaderList = [[":method", "POST"], [":scheme", "https"], [":path", "/tango.v1.Device/Info"],
        ["content-type", "application/grpc"], ["x-long", long], ["te", "trailers"], ["x-long", ""]];
      const block = encodeHeaderBlock(fields);
      expect(new HpackDecoder().decode(block)).to.deep.equal(fields);
      expect(block.subarray(0, 2)).to.deep.equal(hex("83 87")); // indexed fields
      expect(block.subarray(2, 4)).to.deep.equal(hex("04 15")); // :path by index 4, then 21 octets
      const longAt = block.indexOf(Buffer.concat([hex("00 06"), Buffer.from("x-long")]));
      expect(longAt).to.be.greaterThan(0);
      expect(block.subarray(longAt + 8, longAt + 11)).to.deep.equal(hex("7f ad 01")); // 300 = 127 + 173
    });

    it("writes latin1 byte strings and refuses characters above U+00FF", () => {
      const value = "\u00e9\u00ff\u0000~";
      expect(new HpackDecoder().decode(encodeHeaderBlock([["x-bytes", value]]))).to.deep.equal([["x-bytes", value]]);
      expect(() => encodeHeaderBlock([["x-text", "\u{1f600}"]])).to.throw(TypeError);
    });
  });

  describe("against node:http2 (nghttp2)", function () {
    this.timeout(20_000);
    const WAIT_MS = 5_000;
    const TEXT = "\u00e9\u{1f600} value";
    /** TEXT as a byte string: its UTF-8 octets, one character each. */
    const TEXT_BYTES = Buffer.from(TEXT).toString("latin1");
    /** Tab and every printable octet, each after "eeeeeeeeee" so that nghttp2 finds Huffman coding shorter. */
    const RICH = ["\t", ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)),
      ...Array.from({ length: 128 }, (_, i) => String.fromCharCode(0x80 + i))].map((c) => `eeeeeeeeee${c}`).join("");

    it("sends requests that the server reads, and decodes its replies and trailers on one table", async () => {
      const seen: IncomingHttpHeaders[] = [];
      const sessions = new Set<ServerHttp2Session>();
      const server = createServer();
      server.on("session", (session) => sessions.add(session));
      server.on("stream", (stream, headers) => {
        seen.push(headers);
        stream.respond({ ":status": 200, "x-repeat": ["one", "two"], "x-latin": "\u00e9", "x-text": TEXT_BYTES,
          "x-rich": RICH }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "x-trailer": `done ${headers[":path"]}`, "grpc-status": "0" }));
        stream.end("body");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
      try {
        const frames = frameReader(socket);
        socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), frame(4, 0, 0)]));
        const decoder = new HpackDecoder();
        const exchanges: Exchange[] = [];
        for (const [streamId, path] of [[1, "/x"], [3, "/y"]] as const) {
          socket.write(frame(1, 0x5, streamId, encodeHeaderBlock([[":method", "GET"], [":scheme", "http"], [":path", path],
            [":authority", "127.0.0.1"], ["x-custom", TEXT_BYTES]])));
          exchanges.push(await exchange(socket, frames, decoder, streamId, WAIT_MS));
        }

        // node:http2 reads header values as latin1: the UTF-8 octets come back one character each.
        expect(seen.map((h) => [h[":method"], h[":path"], h[":scheme"], h["x-custom"]])).to.deep.equal([
          ["GET", "/x", "http", TEXT_BYTES], ["GET", "/y", "http", TEXT_BYTES]]);
        expect(Buffer.from(String(seen[0]?.["x-custom"]), "latin1").toString()).to.equal(TEXT);

        for (const [i, { headers, trailers, body }] of exchanges.entries()) {
          expect(headers[0]).to.deep.equal([":status", "200"]);
          expect(headers.filter(([name]) => name.startsWith("x-"))).to.deep.equal([["x-repeat", "one"],
            ["x-repeat", "two"], ["x-latin", "\u00e9"], ["x-text", TEXT_BYTES], ["x-rich", RICH]]);
          expect(trailers).to.deep.equal([["x-trailer", `done /${i === 0 ? "x" : "y"}`], ["grpc-status", "0"]]);
          expect(body.toString()).to.equal("body");
        }
        const [first, second] = exchanges.map((e) => e.blockSizes[0] ?? 0);
        expect(first).to.be.lessThan(RICH.length); // x-rich went Huffman-coded
        expect(second).to.be.lessThan(100); // the repeated fields came from the dynamic table
      } finally {
        socket.destroy();
        for (const session of sessions) session.destroy();
        await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), WAIT_MS, "server close");
      }
    });
  });
});

interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** One HTTP/2 frame: 24-bit length, type, flags, 31-bit stream id, payload. */
function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** Rejects after `ms` unless `promise` settles first. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Cuts the bytes of `socket` into frames; `next` waits for the next one. */
function frameReader(socket: Socket): { next(ms: number): Promise<Frame> } {
  let buffered = Buffer.alloc(0);
  const frames: Frame[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 9 && buffered.length >= 9 + buffered.readUIntBE(0, 3)) {
      const length = buffered.readUIntBE(0, 3);
      frames.push({ type: buffered[3] ?? 0, flags: buffered[4] ?? 0, streamId: buffered.readUInt32BE(5) & 0x7fffffff,
        payload: buffered.subarray(9, 9 + length) });
      buffered = buffered.subarray(9 + length);
    }
    wake?.();
  });
  socket.on("error", () => undefined);
  socket.on("close", () => { ended = true; wake?.(); });
  return {
    async next(ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const next = frames.shift();
        if (next) return next;
        if (ended) throw new Error("connection closed");
        await withTimeout(new Promise<void>((resolve) => { wake = resolve; }), deadline - Date.now(), "a frame");
      }
    },
  };
}

interface Exchange {
  readonly headers: HeaderList;
  readonly trailers: HeaderList;
  readonly body: Buffer;
  /** Size of each header block of the stream, in order. */
  readonly blockSizes: number[];
}

/** Reads frames until stream `streamId` ends, acknowledging SETTINGS and decoding its header blocks with `decoder`. */
async function exchange(socket: Socket, frames: { next(ms: number): Promise<Frame> }, decoder: HpackDecoder,
  streamId: number, ms: number): Promise<Exchange> {
  const lists: HeaderList[] = [];
  const blockSizes: number[] = [];
  const body: Buffer[] = [];
  let block: Buffer[] = [];
  let endStream = false;
  const done = (): Exchange => ({ headers: lists[0] ?? [], trailers: lists[1] ?? [], body: Buffer.concat(body), blockSizes });
  for (;;) {
    const { type, flags, streamId: id, payload } = await frames.next(ms);
    if (type === 4 && (flags & 0x1) === 0) socket.write(frame(4, 0x1, 0)); // SETTINGS ACK
    if (type === 7 || (type === 3 && id === streamId)) throw new Error(`GOAWAY or RST_STREAM: ${payload.toString("hex")}`);
    if (id !== streamId) continue;
    if (type === 0) {
      body.push(payload); // DATA (never padded by node)
      if (flags & 0x1) return done();
    }
    if (type === 1) {
      // HEADERS: drop padding (0x8) and priority (0x20) if any.
      const padding = flags & 0x8 ? (payload[0] ?? 0) : 0;
      const start = (flags & 0x8 ? 1 : 0) + (flags & 0x20 ? 5 : 0);
      block = [payload.subarray(start, payload.length - padding)];
      endStream = (flags & 0x1) !== 0;
    }
    if (type === 9) block.push(payload); // CONTINUATION
    if ((type === 1 || type === 9) && flags & 0x4) {
      const joined = Buffer.concat(block);
      blockSizes.push(joined.length);
      lists.push(decoder.decode(joined));
      if (endStream) return done();
    }
  }
}
