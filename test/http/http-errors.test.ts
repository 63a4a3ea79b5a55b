import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { DevEncoded, DevLong, Device, command, type DevEncodedValue } from "../../src/device/index.js";
import { rawRequest, type RawAnswer } from "../support/raw-http.js";
import { TEST_TOKEN, startRestServer, type RestAnswer, type RestServer } from "../support/rest-server.js";

/** A device with what TangoTest lacks: a DevEncoded argin, a slow command. */
class EncodedProbe extends Device {
  @command({ dtypeIn: DevEncoded, dtypeOut: DevEncoded })
  Echo(argin: DevEncodedValue): DevEncodedValue { return argin; }

  @command({ dtypeIn: DevLong, docIn: "milliseconds" })
  async Sleep(ms: number): Promise<void> { await sleep(ms); }
}

const TG = "/api/v1/devices/sys/tg_test/1";
const A = "/api/v1/admin";
const AUTH = `Authorization: Bearer ${TEST_TOKEN}\r\n`;

type Json = Record<string, unknown>;

/** Expects the sidecar's error body with `status` and `reason` at the root; returns the root error. */
function expectError(res: RawAnswer | RestAnswer, status: number, reason: string): Json {
  const text = "raw" in res ? res.raw : res.text;
  expect(res.status, text).to.equal(status);
  const errors = (res.body as Json).errors as Json[];
  expect(errors, text).to.be.an("array").that.is.not.empty;
  expect(errors[0]?.reason, text).to.equal(reason);
  for (const e of errors) {
    expect(e, text).to.have.all.keys("reason", "description", "severity", "origin");
    expect(e.description, text).to.be.a("string").that.is.not.empty;
  }
  return errors[0] as Json;
}

/** A request head; `extra` are more header lines, each ending with CRLF. */
function head(method: string, path: string, extra = ""): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;
}

describe("HTTP sidecar errors: one shape for every error, strict input", () => {
  let rs: RestServer;
  before(async () => {
    rs = await startRestServer({ classes: { EncodedProbe }, devices: { TangoTest: ["sys/tg_test/1"], EncodedProbe: ["test/encoded/1"] } });
  });
  after(async () => { await rs?.close(); });
  const raw = (request: string): Promise<RawAnswer> => rawRequest(rs.http.port, request);

  describe("errors raised before any route runs", () => {
    it("answers a path that is not valid percent-encoding with 400 HTTP_BadRequest", async () => {
      for (const path of [`${TG}/commands/%zz`, `${TG}/attributes/%E0%A4%A`]) {
        const e = expectError(await raw(head("GET", path)), 400, "HTTP_BadRequest");
        expect(e.description).to.match(/percent-encoding/);
      }
    });

    it("answers a URL over 8 KiB with 414 HTTP_UriTooLong, also when Node's parser refuses the request line", async () => {
      expectError(await raw(head("GET", `/api/v1/${"a".repeat(9_000)}`)), 414, "HTTP_UriTooLong");
      expectError(await raw(head("GET", `${TG}/commands/${"a".repeat(9_000)}`)), 414, "HTTP_UriTooLong");
      expectError(await raw(head("GET", `/healthz?x=${"a".repeat(9_000)}`)), 414, "HTTP_UriTooLong");
      // 20 KiB: over Node's 16 KiB header limit, which counts the request line.
      expectError(await raw(head("GET", `/api/v1/${"a".repeat(20_000)}`)), 414, "HTTP_UriTooLong");
    });

    it("answers headers over Node's limit with 431 HTTP_HeadersTooLarge", async () => {
      expectError(await raw(head("GET", "/healthz", `X-Big: ${"a".repeat(20_000)}\r\n`)), 431, "HTTP_HeadersTooLarge");
    });

    it("answers a request that is not HTTP/1.1 (unknown method, bad chunk size) with 400 HTTP_BadRequest", async () => {
      expectError(await raw(head("FROB", "/healthz")), 400, "HTTP_BadRequest");
      const badChunk = `DELETE ${A}/logging/targets?device=a&target=b HTTP/1.1\r\nHost: x\r\n${AUTH}Content-Type: application/json\r\n`
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
      expect(expectError(await raw(badChunk), 400, "HTTP_BadRequest").description).to.match(/chunk/);
    });

    it("answers an unknown route with 404 HTTP_NotFound without repeating a long path in full", async () => {
      const e = expectError(await raw(head("GET", `/nope/${"b".repeat(5_000)}`)), 404, "HTTP_NotFound");
      expect((e.description as string).length).to.be.below(400);
    });

    it("answers a known path with another method with 405 HTTP_MethodNotAllowed and an Allow header", async () => {
      const res = await raw(head("PATCH", "/healthz"));
      expectError(res, 405, "HTTP_MethodNotAllowed");
      expect(res.headers.allow).to.equal("GET, HEAD");
      const cmd = await raw(head("POST", `${TG}/commands/DevString`, AUTH));
      expectError(cmd, 405, "HTTP_MethodNotAllowed");
      expect(cmd.headers.allow).to.equal("GET, HEAD, PUT");
    });
  });

  describe("bodies", () => {
    const put = (body: string, contentType?: string, extra = ""): string => `PUT ${TG}/commands/DevString HTTP/1.1\r\nHost: x\r\n${AUTH}`
      + `${contentType === undefined ? "" : `Content-Type: ${contentType}\r\n`}${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

    it("answers a body over the limit with 413 HTTP_PayloadTooLarge, before reading it", async () => {
      const request = `PUT ${TG}/commands/DevString HTTP/1.1\r\nHost: x\r\n${AUTH}Content-Type: application/json\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n`;
      expect(expectError(await raw(request), 413, "HTTP_PayloadTooLarge").description).to.match(/1048576 bytes/);
    });

    it("answers a body of another type, or of no type, with 415 HTTP_UnsupportedMediaType", async () => {
      expect(expectError(await raw(put("<a/>", "application/xml")), 415, "HTTP_UnsupportedMediaType").description).to.contain("application/xml");
      expect(expectError(await raw(put("\"a\"")), 415, "HTTP_UnsupportedMediaType").description).to.match(/no Content-Type/);
    });

    it("answers malformed JSON with 400 HTTP_BadRequest", async () => {
      expect(expectError(await raw(put("{a:", "application/json")), 400, "HTTP_BadRequest").description).to.match(/not valid JSON/);
    });

    it("refuses a body on a route that takes none (a chunked DELETE), with 400, before running anything", async () => {
      const chunked = `DELETE ${A}/logging/targets?device=sys/tg_test/1&target=console::cout HTTP/1.1\r\nHost: x\r\n${AUTH}`
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "d\r\n{\"force\":true\r\n1\r\n}\r\n0\r\n\r\n";
      expect(expectError(await raw(chunked), 400, "HTTP_BadRequest").description).to.match(/takes no body/);
      expectError(await rs.request("POST", `${A}/init`, { body: { really: true }, token: TEST_TOKEN }), 400, "HTTP_BadRequest");
      const get = `GET ${A}/blackbox HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 4\r\nConnection: close\r\n\r\n<a/>`;
      expect(expectError(await raw(get), 400, "HTTP_BadRequest").description).to.match(/takes no body/);
      // No body, an empty object and null are no body.
      expect((await rs.request("POST", `${A}/logging/stop`, { body: {}, token: TEST_TOKEN })).status).to.equal(200);
      expect((await rs.request("POST", `${A}/logging/start`, { body: "null", token: TEST_TOKEN })).status).to.equal(200);
    });

    it("refuses a property the body's schema does not declare, and does not coerce body types", async () => {
      const extra = await rs.request("POST", `${A}/commands/QueryDevice`, { body: { argin: null, argn: 1 }, token: TEST_TOKEN });
      expect(expectError(extra, 400, "HTTP_BadRequest").description).to.contain("\"argn\"");
      const target = await rs.request("POST", `${A}/logging/targets`, { body: { device: "sys/tg_test/1", target: "console::cout", x: 1 }, token: TEST_TOKEN });
      expect(expectError(target, 400, "HTTP_BadRequest").description).to.contain("\"x\"");
      expectError(await rs.request("POST", `${A}/logging/targets`, { body: { device: 5, target: "console::cout" }, token: TEST_TOKEN }), 400, "HTTP_BadRequest");
      expectError(await rs.request("POST", `${A}/logging/levels`, { body: [{ device: "sys/tg_test/1", level: "3" }], token: TEST_TOKEN }), 400, "HTTP_BadRequest");
    });
  });

  describe("command arguments", () => {
    const run = (cmd: string, body: unknown, device = TG): Promise<RestAnswer> =>
      rs.request("PUT", `${device}/commands/${cmd}`, { body: typeof body === "string" ? body : JSON.stringify(body), token: TEST_TOKEN });

    /** Per argin type of TangoTest's echo commands: a value and how it comes back, and values refused. */
    const ARGINS: Record<string, { good: unknown; out?: unknown; bad: unknown[] }> = {
      DevBoolean: { good: true, bad: [1, "true", null, [true]] },
      DevShort: { good: -32768, bad: [32768, 1.5, "1", true, [1]] },
      DevUShort: { good: 65535, bad: [-1, 65536, "1", 1.5] },
      DevLong: { good: 2147483647, bad: [2147483648, 1.5, "1", {}] },
      DevULong: { good: 4294967295, bad: [-1, 4294967296, "1"] },
      DevLong64: { good: "-9223372036854775808", bad: ["-9223372036854775809", 1.5, "1.5", " 1", true] },
      DevULong64: { good: "18446744073709551615", bad: [-1, "18446744073709551616", "0x1"] },
      DevFloat: { good: 1.5, bad: [1e39, "1.5", true] },
      DevDouble: { good: "NaN", bad: ["1.5", "nan", true, [1]] },
      DevString: { good: "ß", bad: [1, null, ["a"], { s: "a" }] },
      DevVarCharArray: { good: [0, 255], bad: [[256], [-1], "AQL/", [1.5]] },
      DevVarShortArray: { good: [1, -2], bad: [[40000], 1, ["1"]] },
      DevVarUShortArray: { good: [1, 2], bad: [[-1], [1, null]] },
      DevVarLongArray: { good: [1, -2], bad: [[2 ** 31], {}, [true]] },
      DevVarULongArray: { good: [1, 2], bad: [[-1], [2 ** 32]] },
      DevVarLong64Array: { good: [1, "-9223372036854775808"], bad: [["1.5"], [1.5]] },
      DevVarULong64Array: { good: [1, "18446744073709551615"], bad: [[-1], ["18446744073709551616"]] },
      DevVarFloatArray: { good: [1.5, "Infinity"], bad: [[1e39], ["x"]] },
      DevVarDoubleArray: { good: [1.5, "-Infinity"], bad: [["1"], 1.5, [[1]]] },
      DevVarStringArray: { good: ["a", ""], bad: [[1], "a", [null]] },
      DevVarLongStringArray: { good: { lvalue: [1], svalue: ["a"] }, bad: [{}, { lvalue: [1] }, { lvalue: [1.5], svalue: [] }, [[1], ["a"]]] },
      DevVarDoubleStringArray: { good: { dvalue: [1.5], svalue: ["a"] }, bad: [{}, { svalue: ["a"] }, { dvalue: ["x"], svalue: [] }] },
      DevVoid: { good: undefined, bad: [] }, // a DevVoid command ignores an argin (cppTango); test/e2e/error-words
    };

    it("refuses, for every argin type, what does not fit it with 400 API_IncompatibleCmdArgumentType naming the type", async () => {
      const commands = (await rs.request("GET", `${TG}/commands`)).body as Array<{ name: string; info: { in_type: string } }>;
      const types = new Set(commands.map((c) => c.info.in_type));
      for (const type of types) expect(ARGINS, `a row for ${type}`).to.have.property(type);
      // Every value as JSON, strings too (run() sends a string as it is).
      const runJson = (type: string, value: unknown): Promise<RestAnswer> => run(type, value === undefined ? "" : JSON.stringify(value));
      for (const [type, { good, out, bad }] of Object.entries(ARGINS)) {
        const res = await runJson(type, good);
        expect(res.status, `${type} ${JSON.stringify(good)}: ${res.text}`).to.equal(200);
        if (good !== undefined) expect((res.body as Json).output, type).to.deep.equal(out ?? good);
        for (const value of bad) {
          const e = expectError(await runJson(type, value), 400, "API_IncompatibleCmdArgumentType");
          expect(e.description, `${type} ${JSON.stringify(value)}`).to.contain(`Tango::${type}`);
        }
      }
    });

    it("needs both lvalue and svalue for DevVarLongStringArray, and no other key", async () => {
      for (const [body, missing] of [[{}, /"lvalue" is missing, "svalue" is missing/], [{ lvalue: [1] }, /"svalue" is missing/],
        [{ svalue: ["a"] }, /"lvalue" is missing/], [{ lvalue: [1], svalue: ["a"], dvalue: [] }, /"dvalue" is not one of its keys/]] as const) {
        const e = expectError(await run("DevVarLongStringArray", body), 400, "API_IncompatibleCmdArgumentType");
        expect(e.description, JSON.stringify(body)).to.match(missing).and.contain("Tango::DevVarLongStringArray");
      }
      const out = await run("DevVarLongStringArray", { lvalue: [], svalue: [] });
      expect(out.status, out.text).to.equal(200);
      expect((out.body as Json).output).to.deep.equal({ lvalue: [], svalue: [] });
    });

    it("needs both dvalue and svalue for DevVarDoubleStringArray, also on the admin route's argin", async () => {
      expectError(await run("DevVarDoubleStringArray", {}), 400, "API_IncompatibleCmdArgumentType");
      expectError(await run("DevVarDoubleStringArray", { dvalue: [1.5] }), 400, "API_IncompatibleCmdArgumentType");
      expect((await run("DevVarDoubleStringArray", { dvalue: [1.5], svalue: ["x"] })).status).to.equal(200);
      const admin = await rs.request("POST", `${A}/commands/SetLoggingLevel`, { body: { argin: { lvalue: [3] } }, token: TEST_TOKEN });
      expect(expectError(admin, 400, "API_IncompatibleCmdArgumentType").description).to.match(/"svalue" is missing/);
    });

    it("needs DevEncoded as exactly {format, data} with data in padded base64 or as bytes", async () => {
      const E = "/api/v1/devices/test/encoded/1";
      for (const body of [{ format: "raw" }, { data: "AQL/" }, { format: "raw", data: "AQL/", extra: 1 }, { format: "raw", data: "!!!!" }, { format: "raw", data: "AQL" }]) {
        expectError(await run("Echo", body, E), 400, "API_IncompatibleCmdArgumentType");
      }
      const ok = await run("Echo", { format: "raw", data: "AQL/" }, E);
      expect(ok.status, ok.text).to.equal(200);
      expect((ok.body as Json).output).to.deep.equal({ format: "raw", data: "AQL/" });
      expect((await run("Echo", { format: "raw", data: [1, 2, 255] }, E)).body).to.have.nested.property("output.data", "AQL/");
    });
  });

  describe("attribute values", () => {
    it("takes an image object with only data, width and height, its dimensions whole numbers", async () => {
      const write = (body: unknown): Promise<RestAnswer> => rs.request("PUT", `${TG}/attributes/double_image/value`, { body, token: TEST_TOKEN });
      for (const body of [{ data: [1, 2, 3, 4], width: 2, height: 2, depth: 1 }, { data: [1, 2, 3, 4], width: "2" }, { data: [1, 2], width: 1.5 }]) {
        expectError(await write(body), 400, "API_IncompatibleAttrDataType");
      }
      const ok = await write({ data: [1, 2, 3, 4], width: 2, height: 2 });
      expect(ok.status, ok.text).to.equal(200);
    });
  });

  describe("query parameters", () => {
    it("refuses an n that is too large, not integral, negative or not written in decimal", async () => {
      for (const n of ["99999999999999999999", "2147483648", "1.5", "-1", "0x10", "1e3", " 5", "5,6"]) {
        const e = expectError(await rs.request("GET", `${A}/blackbox?n=${encodeURIComponent(n)}`), 400, "HTTP_BadRequest");
        expect(e.description, n).to.match(/\bn\b/);
      }
      expect((await rs.request("GET", `${A}/blackbox?n=2147483647`)).status).to.equal(200);
    });

    it("refuses a query parameter the route does not declare, naming it", async () => {
      expect(expectError(await rs.request("GET", `${A}/blackbox?N=5`), 400, "HTTP_BadRequest").description).to.contain("\"N\"");
      expectError(await rs.request("GET", `${TG}/attributes/value?attr=short_scalar&atr=long_scalar`), 400, "HTTP_BadRequest");
      expectError(await rs.request("PUT", `${TG}/attributes/short_scalar_w/value?v=1&value=2`, { token: TEST_TOKEN }), 400, "HTTP_BadRequest");
    });
  });

  describe("a client that does not finish sending", () => {
    let slow: RestServer;
    before(async () => {
      slow = await startRestServer({
        receiveTimeoutMs: 300, requestTimeoutMs: 5_000,
        classes: { EncodedProbe }, devices: { EncodedProbe: ["test/encoded/1"] },
      });
    });
    after(async () => { await slow?.close(); });

    it("answers a body shorter than its Content-Length with 408 HTTP_RequestTimeout once the receive timeout is over", async () => {
      const started = Date.now();
      const res = await rawRequest(slow.http.port, `PUT /api/v1/devices/test/encoded/1/commands/Echo HTTP/1.1\r\nHost: x\r\n${AUTH}`
        + "Content-Type: application/json\r\nContent-Length: 30\r\nConnection: close\r\n\r\n\"abc", 5_000);
      expectError(res, 408, "HTTP_RequestTimeout");
      expect(Date.now() - started).to.be.below(4_000);
    });

    it("does not bound the answer: a command slower than the receive timeout still replies", async () => {
      const res = await slow.request("PUT", "/api/v1/devices/test/encoded/1/commands/Sleep", { body: 800, token: TEST_TOKEN });
      expect(res.status, res.text).to.equal(200);
    });
  });
});
