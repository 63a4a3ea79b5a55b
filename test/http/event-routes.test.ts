import { get as httpGet, type IncomingMessage } from "node:http";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import {
  CmdArgType, DevEnum, DevFailed, DevLong, DevState, DevString, Device, attribute, command,
} from "../../src/device/index.js";
import type { ServerConfig } from "../../src/server/index.js";
import { CTX } from "../support/test-server.js";
import { TEST_TOKEN, startRestServer, type RestAnswer, type RestServer } from "../support/rest-server.js";
import { SseParser, SseReader, type SseMessage } from "../support/sse-reader.js";
import { waitFor } from "../support/wait-for.js";

/** A device whose code pushes its events: change events on count, mode and blob, data-ready on count. */
class Pusher extends Device {
  #count = 0;
  #blob = "";

  override initDevice(): void {
    this.setState(DevState.ON);
    this.setChangeEvent("count", true, false);
    this.setChangeEvent("mode", true, false);
    this.setChangeEvent("blob", true, false);
    this.setDataReadyEvent("count", true);
  }

  @attribute({ dtype: DevLong })
  get count(): number { return this.#count; }

  @attribute({ dtype: DevEnum, enumLabels: ["Off", "Auto", "Manual"] })
  get mode(): number { return 1; }

  @attribute({ dtype: DevString })
  get blob(): string { return this.#blob; }

  /** Adds 1 to count `n` times, pushing a change event each time. */
  @command({ dtypeIn: DevLong })
  Push(n: number): void {
    for (let i = 0; i < n; i++) this.pushChangeEvent("count", ++this.#count);
  }

  /** Pushes an error event on count. */
  @command()
  Break(): void {
    this.pushChangeEvent("count", DevFailed.of("PUSHER_Broken", "the counter is broken", "Pusher::Break"));
  }

  @command({ dtypeIn: DevLong })
  Ready(counter: number): void {
    this.pushDataReadyEvent("count", counter);
  }

  /** Sets blob to `text` and pushes it. */
  @command({ dtypeIn: DevString })
  SetBlob(text: string): void {
    this.#blob = text;
    this.pushChangeEvent("blob", text);
  }
}

const PUSHER = "test/push/1";
const PU = `/api/v1/devices/${PUSHER}`;
const TG = "/api/v1/devices/sys/tg_test/1";
const SERVER = { classes: { Pusher }, devices: { TangoTest: ["sys/tg_test/1"], Pusher: [PUSHER] } };
const EVENTS = (heartbeatMs: number, queueDepth = 1000): Partial<ServerConfig> => ({ events: { heartbeatMs, queueDepth } });

type Json = Record<string, unknown>;

describe("REST event streams (Server-Sent Events)", () => {
  let rs: RestServer;
  /** Every stream a test opened: aborted after it, before the server closes. */
  let controllers: AbortController[] = [];

  afterEach(async () => {
    for (const c of controllers) c.abort();
    controllers = [];
    // The next test starts with no subscription left (the server sees the clients go a little later).
    await waitFor(() => rs.server.events.subscriptionCount === 0, "the removal of every subscription");
  });

  /** Opens a stream; resolves with the response once its headers are in (within 5 s). */
  async function open(server: RestServer, path: string, token?: string): Promise<{ res: Response; sse: SseReader }> {
    const controller = new AbortController();
    controllers.push(controller);
    const timer = setTimeout(() => controller.abort(new Error(`no response headers for ${path} within 5 s`)), 5_000);
    try {
      const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
      const res = await fetch(`${server.url}${path}`, { headers, signal: controller.signal });
      if (res.body === null) throw new Error(`no body for ${path}`);
      return { res, sse: new SseReader(res.body) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Expects a JSON error body with `status` and `reason` at the root, and no subscription left. */
  function expectRefusal(res: RestAnswer, status: number, reason: string): void {
    expect(res.status, res.text).to.equal(status);
    expect(res.headers.get("content-type")).to.match(/^application\/json/);
    const errors = (res.body as Json).errors as Json[];
    expect(errors[0]?.reason, res.text).to.equal(reason);
    for (const e of errors) expect(e).to.have.all.keys("reason", "description", "severity", "origin");
  }

  const run = (server: RestServer, cmd: string, argin?: unknown): Promise<RestAnswer> =>
    server.request("PUT", `${PU}/commands/${cmd}`, { body: argin, token: TEST_TOKEN });

  describe("on a running server", () => {
    before(async () => { rs = await startRestServer({ ...SERVER, config: EVENTS(200) }); });
    after(async () => { await rs?.close(); });

    it("starts with the current value, then streams each push in order with increasing ids", async () => {
      const { res, sse } = await open(rs, `${PU}/attributes/count/events?type=change`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.equal("text/event-stream");
      expect(res.headers.get("cache-control")).to.equal("no-cache");

      const first = await sse.nextJson();
      expect(first.event).to.equal("change");
      expect(first.json).to.include({ device: PUSHER, attribute: "count", event: "change", sequence: Number(first.id) });
      expect(first.json.time).to.be.a("number").within(Date.now() - 60_000, Date.now() + 1_000);
      const value = first.json.value as Json;
      expect(value).to.have.all.keys("name", "value", "quality", "timestamp");
      expect(value).to.include({ name: "count", quality: "ATTR_VALID" });
      const start = value.value as number;

      expect((await run(rs, "Push", 3)).status).to.equal(200);
      let lastId = Number(first.id);
      for (let i = 1; i <= 3; i++) {
        const e = await sse.nextJson();
        expect(e.event).to.equal("change");
        expect(Number(e.id)).to.be.greaterThan(lastId);
        expect(e.json.sequence).to.equal(Number(e.id));
        expect(e.json.value).to.include({ name: "count", value: start + i, quality: "ATTR_VALID" });
        expect(e.json).to.not.have.property("missed");
        lastId = Number(e.id);
      }
    });

    it("sends an error pushed by the device as an event with the error stack", async () => {
      const { sse } = await open(rs, `${PU}/attributes/count/events`);
      await sse.nextJson();
      expect((await run(rs, "Break")).status).to.equal(200);
      const e = await sse.nextJson();
      expect(e.event).to.equal("change");
      expect(e.json).to.not.have.property("value");
      expect(e.json.errors).to.deep.equal([
        { reason: "PUSHER_Broken", description: "the counter is broken", severity: "ERR", origin: "Pusher::Break" },
      ]);
    });

    it("writes a DevEnum value by its label, as GET …/value does", async () => {
      const { res, sse } = await open(rs, `${PU}/attributes/mode/events`);
      expect(res.status).to.equal(200);
      const first = await sse.nextJson();
      const { body } = await rs.request("GET", `${PU}/attributes/mode/value`);
      expect((first.json.value as Json).value).to.equal("Auto").and.equal((body as Json).value);
    });

    it("sends heartbeats as comment lines", async () => {
      const { sse } = await open(rs, `${PU}/attributes/count/events`);
      await sse.nextJson();
      const beats: string[] = [];
      while (beats.length < 2) {
        const m = await sse.next(2_000);
        expect(m, "the stream ended").to.not.equal(undefined);
        if (m !== undefined && m.event === undefined) beats.push(...m.comments);
      }
      for (const b of beats) expect(b).to.match(/^heartbeat \d{13}$/);
    });

    it("streams configuration and data-ready events", async () => {
      const conf = await open(rs, `${PU}/attributes/count/events?type=attr_conf`);
      const c = await conf.sse.nextJson();
      expect(c.event).to.equal("attr_conf");
      expect(c.json.config).to.include({ name: "count", data_type: "DevLong", writable: "READ" });

      // data-ready has no first event: the headers come at once, the events when pushed
      const ready = await open(rs, `${PU}/attributes/count/events?type=data_ready`);
      expect(ready.res.status).to.equal(200);
      await waitFor(() => rs.server.events.subscriptionCount === 2, "both subscriptions");
      expect((await run(rs, "Ready", 7)).status).to.equal(200);
      const d = await ready.sse.nextJson();
      expect(d.event).to.equal("data_ready");
      expect(d.json).to.include({ device: PUSHER, attribute: "count", event: "data_ready" });
      expect(d.json.dataReady).to.deep.equal({ dataType: "DevLong", counter: 7 });
    });

    it("streams the device's interface changes, starting with its interface", async () => {
      const { res, sse } = await open(rs, `${PU}/events?type=intr_change`);
      expect(res.status).to.equal(200);
      const e = await sse.nextJson();
      expect(e.event).to.equal("intr_change");
      expect(e.json).to.include({ device: PUSHER, attribute: "", event: "intr_change" });
      const change = e.json.interfaceChange as { commands: Json[]; attributes: Json[]; deviceStarted: boolean };
      expect(change.deviceStarted).to.equal(false);
      expect(change.commands.map((c) => c.name)).to.include.members(["Push", "Break", "Init", "State"]);
      expect(change.commands.find((c) => c.name === "Push")?.info).to.include({ in_type: "DevLong", out_type: "DevVoid" });
      expect(change.attributes.map((a) => a.name)).to.include.members(["count", "mode", "blob", "State", "Status"]);
    });

    it("closes the subscription when the client cancels its reader", async () => {
      const { sse } = await open(rs, `${PU}/attributes/count/events`);
      await sse.nextJson();
      await waitFor(() => rs.server.events.subscriptionCount === 1, "the subscription");
      await sse.cancel();
      await waitFor(() => rs.server.events.subscriptionCount === 0, "the subscription's removal");
    });

    it("is described in the OpenAPI document as text/event-stream, its errors as JSON", async () => {
      const { body } = await rs.request("GET", "/openapi.json");
      const paths = (body as { paths: Record<string, Record<string, Json>> }).paths;
      const D = "/api/v1/devices/{domain}/{family}/{member}";
      const enums: Record<string, string[]> = {
        [`${D}/attributes/{attr}/events`]: ["change", "periodic", "archive", "user_event", "attr_conf", "data_ready", "alarm"],
        [`${D}/events`]: ["intr_change"],
      };
      for (const [path, types] of Object.entries(enums)) {
        const op = paths[path]?.get as {
          tags: string[]; summary: string; parameters: Array<{ in: string; name: string; schema: Json }>;
          responses: Record<string, { content: Json }>;
        };
        expect(op.tags, path).to.deep.equal(["devices"]);
        expect(op.summary, path).to.match(/Server-Sent Events/);
        expect(op.parameters.find((p) => p.in === "query" && p.name === "type")?.schema.enum, path).to.deep.equal(types);
        expect(Object.keys(op.responses).sort(), path).to.deep.equal(["200", "400", "404", "405", "408", "414", "431", "500", "501", "503"]);
        expect(op.responses["200"]?.content, path).to.have.all.keys("text/event-stream");
        for (const code of ["400", "404", "503"]) expect(op.responses[code]?.content, `${path} ${code}`).to.have.all.keys("application/json");
      }
    });

    describe("refusals, as JSON error bodies before any stream", () => {
      afterEach(() => { expect(rs.server.events.subscriptionCount, "subscriptions left").to.equal(0); });

      it("answers an unknown attribute or device with 404", async () => {
        expectRefusal(await rs.request("GET", `${PU}/attributes/nosuch/events`), 404, "API_AttrNotFound");
        expectRefusal(await rs.request("GET", "/api/v1/devices/no/such/dev/attributes/count/events"), 404, "API_DeviceNotFound");
        expectRefusal(await rs.request("GET", "/api/v1/devices/no/such/dev/events"), 404, "API_DeviceNotFound");
      });

      it("answers an attribute neither polled nor pushed with 400 API_AttributePollingNotStarted", async () => {
        expectRefusal(await rs.request("GET", `${TG}/attributes/double_scalar/events?type=change`), 400, "API_AttributePollingNotStarted");
        expectRefusal(await rs.request("GET", `${PU}/attributes/count/events?type=periodic`), 400, "API_AttributePollingNotStarted");
      });

      it("answers an unknown or misplaced event type with 400 HTTP_BadRequest", async () => {
        expectRefusal(await rs.request("GET", `${PU}/attributes/count/events?type=bogus`), 400, "HTTP_BadRequest");
        expectRefusal(await rs.request("GET", `${PU}/attributes/count/events?type=intr_change`), 400, "HTTP_BadRequest");
        expectRefusal(await rs.request("GET", `${PU}/events?type=change`), 400, "HTTP_BadRequest");
      });

      it("has no HEAD twin: HEAD is 405, with GET as the only method allowed", async () => {
        const res = await fetch(`${rs.url}${PU}/attributes/count/events`, { method: "HEAD", signal: AbortSignal.timeout(5_000) });
        expect(res.status).to.equal(405);
        expect(res.headers.get("allow")).to.equal("GET");
      });
    });
  });

  describe("with polling configured", () => {
    before(async () => {
      rs = await startRestServer({
        config: {
          ...EVENTS(3000),
          classes: [{
            name: "TangoTest",
            devices: [{
              name: "sys/tg_test/1",
              // values change every 100 ms instead of 2 s
              properties: { polled_attr: ["double_scalar", "100", "long_scalar", "100"], Sleep_period: 100 },
              attributeProperties: { double_scalar: { abs_change: "0.1" } },
            }],
          }],
        },
      });
    });
    after(async () => { await rs?.close(); });

    it("streams the changes polling finds", async () => {
      const { sse } = await open(rs, `${TG}/attributes/double_scalar/events?type=change`);
      const values: unknown[] = [];
      let lastId = -1;
      while (values.length < 3) {
        const e = await sse.nextJson();
        expect(Number(e.id)).to.be.greaterThan(lastId);
        lastId = Number(e.id);
        values.push((e.json.value as Json).value);
      }
      expect(new Set(values).size).to.equal(3);
    });

    it("answers a polled attribute without change thresholds with 400 API_EventPropertiesNotSet", async () => {
      expectRefusal(await rs.request("GET", `${TG}/attributes/long_scalar/events?type=change`), 400, "API_EventPropertiesNotSet");
    });
  });

  describe("with protectReads", () => {
    before(async () => { rs = await startRestServer({ ...SERVER, protectReads: true }); });
    after(async () => { await rs?.close(); });

    it("needs the bearer token", async () => {
      const { res, sse } = await open(rs, `${PU}/attributes/count/events`, TEST_TOKEN);
      expect(res.status).to.equal(200);
      expect((await sse.nextJson()).event).to.equal("change");
      await sse.cancel();
      await waitFor(() => rs.server.events.subscriptionCount === 0, "the subscription's removal");
      // After the stream: Node's fetch opens a spare connection when a stream is cancelled, which
      // the sidecar's close would wait on until fetch drops it (~4 s) unless a request uses it.
      const refused = await rs.request("GET", `${PU}/attributes/count/events`);
      expectRefusal(refused, 401, "HTTP_Unauthorized");
      expect(refused.headers.get("www-authenticate")).to.match(/^Bearer /);
    });
  });

  describe("at shutdown", () => {
    beforeEach(async () => { rs = await startRestServer({ ...SERVER, config: EVENTS(3000) }); });
    afterEach(async () => { await rs?.close(); });

    it("ends the stream with an error event when the device server shuts down, and refuses new ones", async () => {
      const { sse } = await open(rs, `${PU}/attributes/count/events`);
      await sse.nextJson();
      const shutdown = rs.server.shutdown(1000);
      const e = await sse.nextJson();
      expect(e.event).to.equal("error");
      expect(e.json).to.deep.equal({
        errors: [{ reason: "API_ShutdownInProgress", description: "The device server is shutting down", severity: "ERR", origin: "DeviceServer::request" }],
      });
      expect(await sse.next(), "the end of the stream").to.equal(undefined);
      await shutdown;
      expect(rs.server.events.subscriptionCount).to.equal(0);
      const refused = await rs.request("GET", `${PU}/attributes/count/events`);
      expect(refused.status).to.equal(503);
      expect((refused.body as { errors: Json[] }).errors[0]?.reason).to.equal("API_ShutdownInProgress");
    });

    it("ends open streams when the HTTP sidecar closes, without waiting for the clients", async () => {
      const { sse } = await open(rs, `${PU}/attributes/count/events`);
      await sse.nextJson();
      const timer = new AbortController();
      try {
        const closed = await Promise.race([rs.http.close().then(() => true), sleep(5_000, false, { signal: timer.signal })]);
        expect(closed, "the sidecar closed within 5 s").to.equal(true);
      } finally {
        timer.abort();
      }
      const e = await sse.nextJson();
      expect(e.event).to.equal("error");
      expect((e.json.errors as Json[])[0]?.reason).to.equal("API_ShutdownInProgress");
      expect(await sse.next(), "the end of the stream").to.equal(undefined);
      expect(rs.server.events.subscriptionCount).to.equal(0);
    });
  });

  describe("with a client that does not read", () => {
    let res: IncomingMessage | undefined;
    beforeEach(async () => { rs = await startRestServer({ ...SERVER, config: EVENTS(3000, 4) }); });
    afterEach(async () => {
      res?.destroy();
      await rs?.close();
    });

    const PUSHES = 400;

    /**
     * Opens a blob stream over node:http (whose response can be paused), reads the first event,
     * stops reading, then pushes PUSHES values of 64 KiB one per turn, so that the writer runs
     * between them: ~26 MB, more than the loopback's socket buffers hold.
     */
    async function stallClient(): Promise<{ response: IncomingMessage; parser: SseParser }> {
      const parser = new SseParser();
      const controller = new AbortController();
      controllers.push(controller);
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        httpGet(`${rs.url}${PU}/attributes/blob/events`, { signal: controller.signal }, resolve).on("error", reject);
      });
      res = response;
      expect(response.statusCode).to.equal(200);
      response.setEncoding("utf8");
      response.on("data", (text: string) => parser.push(text));
      await waitFor(() => parser.messages.length >= 1, "the first event");
      response.pause();
      const filler = "x".repeat(64 * 1024);
      for (let i = 1; i <= PUSHES; i++) {
        await rs.server.api.commandInout(CTX, PUSHER, "SetBlob", { type: CmdArgType.DevString, value: `${i}:${filler}` });
        await nextTurn();
      }
      return { response, parser };
    }

    it("writes no more while the response is full; the bounded queue drops the oldest and says how many", async () => {
      const { response, parser } = await stallClient();
      response.resume();
      const last = `${PUSHES}:`;
      const valueOf = (m: SseMessage): string => ((JSON.parse(m.data ?? "{}") as Json).value as Json).value as string;
      await waitFor(() => parser.messages.some((m) => m.data !== undefined && valueOf(m).startsWith(last)), "the last push", 10_000);

      const events = parser.messages.filter((m) => m.event === "change").map((m) => ({ id: Number(m.id), json: JSON.parse(m.data ?? "{}") as Json }));
      const missed = events.map((e) => (e.json.missed as number | undefined) ?? 0);
      expect(missed.some((n) => n > 0), "some events were dropped").to.equal(true);
      expect(events.length, "events received").to.be.lessThan(PUSHES + 1);
      // Nothing is lost silently: a gap in the ids is exactly what `missed` says.
      for (let i = 1; i < events.length; i++) {
        expect(events[i]?.id, `event ${i}`).to.equal((events[i - 1]?.id ?? 0) + 1 + (missed[i] ?? 0));
      }
      expect(events.length + missed.reduce((a, b) => a + b, 0)).to.equal(PUSHES + 1);
    });

    it("does not hold up the server's close at shutdown", async () => {
      await stallClient();
      const timer = new AbortController();
      try {
        const done = await Promise.race([rs.close().then(() => true), sleep(5_000, false, { signal: timer.signal })]);
        expect(done, "the server and its sidecar closed within 5 s").to.equal(true);
      } finally {
        timer.abort();
      }
      expect(rs.server.events.subscriptionCount).to.equal(0);
    });
  });
});
