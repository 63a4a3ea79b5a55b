import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { DevFailed, DeviceProxy, EventType, Reason, type EventData } from "../../src/client/index.js";
import type { Http2Connection } from "../../src/client/transport/http2-connection.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { TlsFileWatcher } from "../../src/server/index.js";
import { INFO, METADATA, callError, http2Connection } from "../support/http2-connection.js";
import { GrpcJsConnection } from "../../src/client/transport/grpc-js-connection.js";
import { channelSecurityOf } from "../../src/client/tls-options.js";
import { closedPort } from "../support/ports.js";
import { makeTestPki, type TestPki } from "../support/test-certs.js";
import { expectDevFailed, memoryLogger, startServer } from "../support/test-server.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";

/** The http2 transport against real servers: a server process, and TLS servers in this process. */
describe("the client's http2 transport against servers", function () {
  this.timeout(60_000);

  describe("against a server process", () => {
    let sp: ServerProcess;
    const proxies: DeviceProxy[] = [];
    let conn: Http2Connection | undefined;

    function proxy(device: string, opts: ConstructorParameters<typeof DeviceProxy>[1] = {}): DeviceProxy {
      const p = new DeviceProxy(sp.trl(device), { transport: "http2", ...opts });
      proxies.push(p);
      return p;
    }

    /** How `p` failed, as a DevFailed. */
    async function devFailed(p: Promise<unknown>): Promise<DevFailed> {
      const err = await p.then(() => expect.fail("the call succeeded"), (e: unknown) => e);
      expect(err).to.be.instanceOf(DevFailed);
      return err as DevFailed;
    }

    /** An error frame with the size in "Received message larger than max (N vs M)" left out. */
    function sizeApart(e: DevFailed["errors"][number]): DevFailed["errors"][number] {
      return { ...e, desc: e.desc.replace(/larger than max \(\d+ vs/, "larger than max (N vs") };
    }

    before(async () => {
      sp = await startServerProcess({
        tangoTest: {
          properties: { polled_attr: ["double_scalar", "100"] },
          attributeProperties: { double_scalar: { abs_change: "0.01" } },
        },
        events: { heartbeatMs: 500 },
      });
    });
    after(async () => { await sp?.close(); });
    afterEach(async function () {
      for (const p of proxies.splice(0)) p.close();
      conn?.close();
      conn = undefined;
      sp.signal("SIGCONT");
      if (this.currentTest?.state === "failed") {
        await sp.kill();
        await sp.restart();
      }
    });

    it("makes calls of every kind: commands, reads, writes, info, properties, the blackbox", async () => {
      const dev = proxy("sys/tg_test/1");
      expect(await dev.ping()).to.be.greaterThan(0);
      expect((await dev.info()).devClass).to.equal("TangoTest");
      expect(await dev.commandInout("DevVoid")).to.equal(undefined);
      expect(await dev.commandInout("DevDouble", 1.5)).to.equal(1.5);
      expect(await dev.commandInout("DevString", "ünï")).to.equal("ünï");
      expect(await dev.commandInout("DevVarStringArray", ["a", "b"])).to.deep.equal(["a", "b"]);
      await dev.writeAttribute("long_scalar_w", 42);
      expect((await dev.readAttribute("long_scalar_w")).value).to.equal(42);
      const [a, b] = await dev.readAttributes(["short_scalar", "no_such_attribute"]);
      expect(a?.name).to.equal("short_scalar");
      expect(b?.error?.reason).to.equal(Reason.AttrNotFound);
      await dev.putProperty({ http2_probe: ["1"] });
      expect(await dev.getProperty(["http2_probe"])).to.deep.equal({ http2_probe: ["1"] });
      await dev.commandInout("DevVoid");
      // double_scalar is polled every 100 ms, and the polling's reads are in the blackbox too.
      const clientLines = (await dev.blackBox(10)).filter((line) => !line.endsWith("requested from polling"));
      expect(clientLines[0]).to.match(/\(cmd = DevVoid\) .*\(TypeScript client with PID \d+\)$/);
    });

    it("sends and receives 1,000,000 doubles bit-exact, as bytes and as packed values", async () => {
      const big = new Float64Array(1_000_000);
      for (let i = 0; i < big.length; i++) big[i] = i * 1.000001 + Math.PI;
      big.set([NaN, -0, Number.MIN_VALUE, -Infinity, Number.MAX_VALUE], 0);
      for (const arrayEncoding of ["bytes", "packed"] as const) {
        const back = await proxy("sys/tg_test/1", { arrayEncoding }).commandInout<Float64Array>("DevVarDoubleArray", big, { timeoutMs: 20_000 });
        expect(back, arrayEncoding).to.be.instanceOf(Float64Array);
        expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(big.buffer)), arrayEncoding).to.equal(true);
      }
    });

    it("gives the same Tango errors as grpc-js: a server's stack decoded exactly, a size limit, a refused port", async () => {
      const other = (device: string, opts: ConstructorParameters<typeof DeviceProxy>[1] = {}): DeviceProxy => proxy(device, { ...opts, transport: "grpc-js" });
      const calls: ((p: (d: string, o?: ConstructorParameters<typeof DeviceProxy>[1]) => DeviceProxy) => Promise<unknown>)[] = [
        (p) => p("sys/tg_test/1").commandInout("NoSuchCommand"),
        (p) => p("sys/tg_test/1").commandInout("DevShort", 70000),
        (p) => p("sys/tg_test/1").readAttribute("no_such_attribute"),
        (p) => p("no/such/device").state(),
        (p) => p("sys/tg_test/1", { maxMessageBytes: 100_000 }).commandInout("DevVarDoubleArray", new Float64Array(20_000)),
        (p) => p("sys/tg_test/1", { maxMessageBytes: 100_000 }).readAttribute("double_image_ro"),
      ];
      const texts: string[] = [];
      for (const call of calls) {
        const [h2, gj] = [await devFailed(call(proxy)), await devFailed(call(other))];
        // A read reply's size varies by a byte or two between calls (timestamps, random values): compare it apart.
        expect(h2.errors.map(sizeApart), gj.message).to.deep.equal(gj.errors.map(sizeApart));
        texts.push(h2.message);
      }
      expect(texts.slice(-2).join("\n")).to.contain("Attempted to send message with a size larger than 100000").and.contain("Received message larger than max (");
      const port = await closedPort();
      const start = Date.now();
      const refused = await expectDevFailed(new DeviceProxy(`tango://127.0.0.1:${port}/a/b/c#dbase=no`, { transport: "http2" }).ping(), Reason.ServerNotRunning);
      expect(Date.now() - start, "at once, not after the timeout").to.be.lessThan(1_500);
      expect(refused.desc).to.contain(`127.0.0.1:${port}`);
    });

    it("gives API_DeviceTimedOut for a slow command and API_CommunicationFailed, never a resend, for one whose server is killed", async () => {
      const slow = proxy("test/slow/1", { timeoutMs: 300 });
      const start = Date.now();
      const df = await expectDevFailed(slow.commandInout("Sleep", 1_500), Reason.DeviceTimedOut);
      expect(df.desc).to.equal("Timeout (300 mS) exceeded on device test/slow/1, command Sleep");
      expect(Date.now() - start).to.be.within(290, 600);
      const long = proxy("test/slow/1", { timeoutMs: 20_000 });
      const reader = proxy("test/slow/1", { timeoutMs: 20_000 });
      await reader.ping();
      const outcome = expectDevFailed(long.commandInout("Sleep", 10_000), Reason.CommunicationFailed);
      await waitFor(async () => (await reader.blackBox(1))[0]?.includes("(cmd = Sleep)") === true, "Sleep started");
      await sp.kill("SIGKILL");
      expect((await outcome).desc).to.contain("may have been executed");
      await sp.restart();
      // A read on the connection the kill broke: reconnected and sent, without an error.
      expect(await reader.state()).to.exist;
      expect(await long.state()).to.exist;
    });

    it("drops a connection whose server is frozen (SIGSTOP) when a keepalive PING goes unanswered", async () => {
      conn = http2Connection(sp.address, { keepalive: { timeMs: 200, timeoutMs: 300 } });
      await conn.connect(Date.now() + 2_000);
      await conn.unary(INFO, { device: "sys/tg_test/1" }, Date.now() + 2_000);
      sp.signal("SIGSTOP");
      const start = Date.now();
      // No deadline: only the keepalive can end this call.
      const err = await callError(conn.unary(INFO, { device: "sys/tg_test/1" }, Infinity));
      expect(err.code).to.equal(grpc.status.UNAVAILABLE);
      expect(Date.now() - start, "within a PING period and its timeout").to.be.lessThan(1_500);
      expect(conn.isLost).to.equal(true);
      sp.signal("SIGCONT");
      await conn.connect(Date.now() + 5_000);
      expect((await conn.unary<{ dev_class: unknown }>(INFO, { device: "sys/tg_test/1" }, Date.now() + 2_000)).dev_class).to.equal("TangoTest");
    });

    it("on grpc-js too, drops a connection whose server is frozen (SIGSTOP) when a keepalive PING goes unanswered", async () => {
      const gj = new GrpcJsConnection({ address: sp.address, security: channelSecurityOf("127.0.0.1", false, undefined) },
        { maxMessageBytes: 1 << 20, metadata: METADATA, keepalive: { timeMs: 200, timeoutMs: 300 } });
      try {
        await gj.connect(Date.now() + 2_000);
        await gj.unary(INFO, { device: "sys/tg_test/1" }, Date.now() + 2_000);
        sp.signal("SIGSTOP");
        const start = Date.now();
        const err = await callError(gj.unary(INFO, { device: "sys/tg_test/1" }, Infinity));
        expect(err.code).to.equal(grpc.status.UNAVAILABLE);
        expect(Date.now() - start, "within a PING period and its timeout").to.be.lessThan(1_500);
      } finally {
        sp.signal("SIGCONT");
        gj.close();
      }
    });

    it("streams events, and resubscribes after the server is killed and restarted", async () => {
      const events: EventData<number>[] = [];
      await proxy("sys/tg_test/1").subscribeEvent<number>("double_scalar", EventType.CHANGE_EVENT, (e) => { events.push(e); });
      await waitFor(() => events.filter((e) => e.value !== undefined).length >= 2, "two events", 10_000);
      await sp.kill("SIGKILL");
      await waitFor(() => events.some((e) => e.error?.reason === Reason.EventTimeout), "the error event", 5_000);
      const before = events.length;
      await sp.restart();
      await waitFor(() => events.slice(before).some((e) => e.value !== undefined && e.resubscribed), "a resubscribed event", 5_000);
    });
  });

  describe("TLS (a server in this process, certificates made by the test)", () => {
    let pki: TestPki;
    let files: TlsFileWatcher;
    let closeAll: () => Promise<void>;
    const servers: Record<"tls" | "mtls", GrpcServerHandle | undefined> = { tls: undefined, mtls: undefined };
    const proxies: DeviceProxy[] = [];

    function proxy(kind: "tls" | "mtls", transport: "http2" | "grpc-js", tls: object | undefined, scheme = "tango+tls"): DeviceProxy {
      const p = new DeviceProxy(`${scheme}://127.0.0.1:${servers[kind]?.port ?? 0}/sys/tg_test/1#dbase=no`, { transport, timeoutMs: 5_000, ...(tls === undefined ? {} : { tls }) });
      proxies.push(p);
      return p;
    }

    before(async () => {
      pki = makeTestPki();
      const identity = pki.server();
      const { logger } = memoryLogger();
      files = await TlsFileWatcher.open({ certFile: identity.certFile, keyFile: identity.keyFile, clientCaFile: pki.ca.certFile, reloadIntervalMs: 60_000 }, logger);
      const ts = await startServer({ classes: Object.fromEntries(BUILTIN_CLASSES), devices: { TangoTest: ["sys/tg_test/1"] }, config: { server: "TangoTest", instance: "tls" } });
      for (const kind of ["tls", "mtls"] as const) {
        servers[kind] = await startGrpcServer({
          api: ts.server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: ts.server.log,
          tls: { files, requireClientCert: kind === "mtls" },
        });
      }
      closeAll = async () => {
        await servers.tls?.close(1000);
        await servers.mtls?.close(1000);
        await ts.close();
      };
    });
    after(async () => {
      await closeAll?.();
      files?.close();
      pki?.remove();
    });
    afterEach(() => { for (const p of proxies.splice(0)) p.close(); });

    it("calls through TLS with the test's CA, and with a client certificate where the server requires one", async () => {
      expect(await proxy("tls", "http2", { ca: pki.ca.cert }).commandInout("DevDouble", 2.5)).to.equal(2.5);
      const client = pki.client("operator");
      expect(await proxy("mtls", "http2", { ca: pki.ca.cert, cert: client.cert, key: client.key }).commandInout("DevLong", 7)).to.equal(7);
    });

    it("fails as grpc-js does: an untrusted server, a missing or untrusted client certificate, plaintext to a TLS port", async () => {
      const cases: [kind: "tls" | "mtls", tls: object | undefined, scheme?: string][] = [
        ["tls", { ca: pki.otherCa.cert }],
        ["mtls", { ca: pki.ca.cert }],
        ["mtls", { ca: pki.ca.cert, ...((c) => ({ cert: c.cert, key: c.key }))(pki.client("intruder", "otherCa")) }],
        ["tls", undefined, "tango"],
      ];
      for (const [kind, tls, scheme] of cases) {
        const h2 = await proxy(kind, "http2", tls, scheme).ping().then(() => expect.fail("connected"), (e: unknown) => e);
        const gj = await proxy(kind, "grpc-js", tls, scheme).ping().then(() => expect.fail("connected"), (e: unknown) => e);
        expect(h2).to.be.instanceOf(DevFailed);
        expect((h2 as DevFailed).errors, (gj as DevFailed).message).to.deep.equal((gj as DevFailed).errors);
      }
    });
  });
});
