import { expect } from "chai";
import { hostname } from "node:os";
import { DeviceProxy, Reason } from "../../src/client/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { Device, DevState } from "../../src/device/index.js";
import { StartupFailed, startServe, type ServeHandle } from "../../src/serve/start-serve.js";
import { FakeProcess, LogSink } from "../support/log-sink.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { startFakeDatabase } from "../support/fake-database.js";
import { startTestDatabase, type TestDatabase } from "../support/test-database.js";
import { emptyTables, openTestDb } from "../support/test-db.js";
import { expectDevFailed } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";
import { makeTestPki } from "../support/test-certs.js";

/*
 * A device server with a Tango database (TANGO_HOST): what it asks the database at start, at run
 * time and at stop, and how it lives with a database that is down. The database is the DataBase
 * device on embedded PostgreSQL, served on an OS-picked port; the exact requests are checked on a
 * stand-in that records them (test/support/fake-database.ts).
 */

/** A device whose init fails while `isFailing` is set. */
class Flaky extends Device {
  static isFailing = false;

  override initDevice(): void {
    if (Flaky.isFailing) throw new Error("the hardware is not there yet");
    this.setState(DevState.ON);
  }
}

const BASE_ENV = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0" };
const SERVER_ID = "Reg/t1";
const DEVICE = "test/reg/1";

/** A server Reg/t1 with one TangoTest device, registering in the database at `tangoHost`, checking it every 200 ms. */
function configFor(tangoHost: string): Record<string, unknown> {
  return {
    server: "Reg", instance: "t1", tangoHost, advertiseAddress: "127.0.0.1", shutdownGraceMs: 2000, logLevel: "debug",
    databaseClient: { timeoutMs: 1000, retryMaxMs: 100, checkIntervalMs: 200 },
    classes: [{ name: "TangoTest", devices: [{ name: DEVICE, properties: { Speed: "1", Other: "x" } }] }],
  };
}

async function readyz(port: number): Promise<{ status: number; body: { ready: boolean; reason: string } }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() as { ready: boolean; reason: string } };
}

describe("a device server with a Tango database", function () {
  this.timeout(30_000);
  let logs: LogSink;
  /** The storage of every database of this file, emptied after each test. */
  let storage: SqlDb;
  const databases: Array<{ stop(): Promise<void> }> = [];
  const handles: ServeHandle[] = [];
  const proxies: DeviceProxy[] = [];
  /** Run once the servers have stopped (files they read). */
  const cleanups: Array<() => void> = [];

  before(async () => { storage = await openTestDb(); });
  after(async () => { await storage?.close(); });
  beforeEach(() => { logs = new LogSink(); });
  afterEach(async () => {
    for (const p of proxies.splice(0)) p.close();
    for (const h of handles.splice(0)) await h.stop();
    for (const db of databases.splice(0)) await db.stop();
    for (const cleanup of cleanups.splice(0)) cleanup();
    await emptyTables(storage);
  });

  async function database(port = 0): Promise<TestDatabase> {
    const db = await startTestDatabase(storage, port);
    databases.push(db);
    return db;
  }

  /** A port where no database answers (one was there a moment ago). */
  async function closedPort(): Promise<number> {
    const gone = await startFakeDatabase();
    await gone.stop();
    return gone.port;
  }

  async function serveWith(opts: { config?: Record<string, unknown>; env?: Record<string, string>; server?: string; instance?: string; process?: FakeProcess }): Promise<ServeHandle> {
    const handle = await startServe({
      config: opts.config === undefined ? undefined : { data: opts.config, label: "test config" },
      env: { ...BASE_ENV, ...opts.env },
      classes: new Map([...BUILTIN_CLASSES, ["Flaky", Flaky]]),
      logDestination: logs,
      server: opts.server,
      instance: opts.instance,
      process: opts.process,
    });
    handles.push(handle);
    return handle;
  }

  function proxy(handle: ServeHandle, device = DEVICE): DeviceProxy {
    const p = new DeviceProxy(`tango://127.0.0.1:${handle.grpcPort}/${device}`, { timeoutMs: 3000, token: "" });
    proxies.push(p);
    return p;
  }

  it("asks for its data, adds only the devices the database lacks, exports each as [name, grpc://<address>, host, pid, 5] and unexports the server", async () => {
    const db = await startFakeDatabase();
    databases.push(db);
    const handle = await serveWith({ config: configFor(db.tangoHost) });
    const ior = `grpc://127.0.0.1:${handle.grpcPort}`;
    expect(db.state.calls.map((c) => c.command)).to.deep.equal([
      "DbGetDataForServerCache", "DbAddServer", "DbGetDataForServerCache", "DbExportDevice", "DbExportDevice",
    ]);
    expect(db.state.callsOf("DbGetDataForServerCache")[0]?.argin).to.deep.equal([SERVER_ID, hostname()]);
    expect(db.state.callsOf("DbAddServer")[0]?.argin).to.deep.equal([SERVER_ID, DEVICE, "TangoTest"]);
    const exports = db.state.callsOf("DbExportDevice").map((c) => c.argin).sort();
    expect(exports).to.deep.equal([
      ["dserver/Reg/t1", ior, hostname(), String(process.pid), "5"],
      [DEVICE, ior, hostname(), String(process.pid), "5"],
    ]);
    expect(await db.client.importDevice(DEVICE)).to.include({ isExported: true, ior, server: SERVER_ID, className: "TangoTest" });

    expect(await handle.stop()).to.equal(0);
    expect(db.state.calls.at(-1)).to.deep.equal({ command: "DbUnExportServer", argin: SERVER_ID });
    expect(await db.client.importDevice(DEVICE)).to.include({ isExported: false });
    expect(await db.client.importDevice("dserver/Reg/t1")).to.include({ isExported: false });

    db.state.calls.length = 0;
    await serveWith({ config: configFor(db.tangoHost) });
    expect(db.state.callsOf("DbAddServer"), "devices already in the database are not added again").to.deep.equal([]);
    expect(await db.client.importDevice(DEVICE)).to.include({ isExported: true });
  });

  it("is found in the database while it runs, and known there as stopped after a clean stop", async () => {
    const db = await database();
    const handle = await serveWith({ config: configFor(db.tangoHost) });
    const ior = `grpc://127.0.0.1:${handle.grpcPort}`;
    expect(await db.client.importDevice(DEVICE)).to.deep.equal({ isExported: true, ior, pid: process.pid, server: SERVER_ID, className: "TangoTest" });
    expect(await db.client.importDevice("dserver/Reg/t1")).to.include({ isExported: true, ior, className: "DServer" });
    expect(await handle.stop()).to.equal(0);
    expect(await db.client.importDevice(DEVICE)).to.include({ isExported: false, ior });
    const again = await serveWith({ config: configFor(db.tangoHost) });
    expect(await db.client.importDevice(DEVICE)).to.include({ isExported: true, ior: `grpc://127.0.0.1:${again.grpcPort}` });
  });

  it("with no config, takes its devices and their properties from the database (serve --server X --instance Y)", async () => {
    const db = await database();
    await db.client.addServer("TangoTest/fromdb", [["test/db/1", "TangoTest"], ["test/db/2", "NoSuchClass"]]);
    await db.client.putDeviceProperty("test/db/1", "Speed", ["7"]);
    const handle = await serveWith({ env: { TANGO_HOST: db.tangoHost }, server: "TangoTest", instance: "fromdb" });
    expect(handle.adminDevice).to.equal("dserver/TangoTest/fromdb");
    expect(handle.devices).to.deep.equal(["test/db/1"]);
    expect(logs.find("a device of the database is not served: this program has no such class")).to.include({ device: "test/db/2", className: "NoSuchClass" });
    expect(await proxy(handle, "test/db/1").getProperty("Speed")).to.deep.equal({ Speed: ["7"] });
    // Without advertiseAddress, the host name and the gRPC port.
    expect((await db.client.importDevice("test/db/1"))?.ior).to.equal(`grpc://${hostname()}:${handle.grpcPort}`);
  });

  it("tries the next TANGO_HOST entry when one cannot be reached", async () => {
    const gone = await closedPort();
    const db = await database();
    const handle = await serveWith({ config: configFor(`127.0.0.1:${gone},${db.tangoHost}`) });
    expect(await db.client.importDevice(DEVICE)).to.include({ isExported: true, ior: `grpc://127.0.0.1:${handle.grpcPort}` });
    expect(logs.find("the database could not be read; trying again before exporting the devices")).to.equal(undefined);
  });

  it("registers grpcs://<address> when it speaks TLS, so that clients dial it with TLS", async () => {
    const pki = makeTestPki();
    cleanups.push(() => pki.remove());
    const db = await database();
    const server = pki.server();
    const handle = await serveWith({ config: { ...configFor(db.tangoHost), tls: { certFile: server.certFile, keyFile: server.keyFile } } });
    expect((await db.client.importDevice(DEVICE))?.ior).to.equal(`grpcs://127.0.0.1:${handle.grpcPort}`);
  });

  it("registers a device whose init failed at start once DevRestart brings it up", async () => {
    const db = await database();
    Flaky.isFailing = true;
    const config = { ...configFor(db.tangoHost), classes: [...configFor(db.tangoHost).classes as object[], { name: "Flaky", devices: [{ name: "test/flaky/1" }] }] };
    const handle = await serveWith({ config });
    expect(await db.client.importDevice("test/flaky/1")).to.include({ isExported: false, ior: "nada" });
    expect(await db.client.importDevice(DEVICE)).to.include({ isExported: true });
    Flaky.isFailing = false;
    await proxy(handle, handle.adminDevice).commandInout("DevRestart", "test/flaky/1");
    expect(await db.client.importDevice("test/flaky/1")).to.include({ isExported: true, ior: `grpc://127.0.0.1:${handle.grpcPort}` });
  });

  it("refuses to start when the database does not know the server and no config names a device", async () => {
    const db = await database();
    const err = await startServe({
      config: undefined, env: { ...BASE_ENV, TANGO_HOST: db.tangoHost }, classes: BUILTIN_CLASSES, logDestination: logs, server: "Nobody", instance: "x",
    }).then(() => expect.fail("the server started"), (e: unknown) => e);
    expect(err).to.be.instanceOf(StartupFailed);
    expect((err as StartupFailed).exitCode).to.equal(1);
    expect(String((err as StartupFailed).message)).to.contain(`The device server Nobody/x is not defined in the database at ${db.tangoHost}`);
    expect(await db.client.importDevice("dserver/Nobody/x")).to.equal(undefined);
  });

  it("serves the database's properties over the config's, and writes run-time changes through before acknowledging them", async () => {
    const db = await database();
    await db.client.putDeviceProperty(DEVICE, "Speed", ["9"]);
    const handle = await serveWith({ config: configFor(db.tangoHost) });
    const dev = proxy(handle);
    expect(await dev.getProperty(["Speed", "Other"])).to.deep.equal({ Speed: ["9"], Other: ["x"] });

    await dev.putProperty({ Speed: ["10", "11"] });
    expect(await db.client.deviceProperty(DEVICE, "speed")).to.deep.equal(["10", "11"]);
    expect(await dev.getProperty("Speed")).to.deep.equal({ Speed: ["10", "11"] });

    await dev.deleteProperty("Speed");
    expect(await db.client.deviceProperty(DEVICE, "Speed")).to.equal(undefined);
    expect(await dev.getProperty("Speed"), "the config's value, as the next start will see it").to.deep.equal({ Speed: ["1"] });

    await dev.pollAttribute("double_scalar", 500);
    expect(await db.client.deviceProperty(DEVICE, "polled_attr")).to.deep.equal(["double_scalar", "500"]);
  });

  it("waits for a database that is down at start, saying so in its log and /readyz, and serves once it answers", async () => {
    const port = await closedPort();
    const starting = serveWith({ config: configFor(`127.0.0.1:${port}`) });
    const listening = await logs.waitFor("listening; exporting the devices");
    const waiting = await logs.waitFor("the database could not be read; trying again before exporting the devices");
    expect(waiting).to.include({ level: 40, tangoHost: `127.0.0.1:${port}` });
    const before = await readyz(listening.httpPort as number);
    expect(before.status).to.equal(503);
    expect(before.body.reason).to.match(new RegExp(`^waiting for the database at 127\\.0\\.0\\.1:${port}: try \\d+ failed \\(API_`));

    const db = await database(port);
    const handle = await starting;
    expect(logs.find("the database answered")).to.not.equal(undefined);
    expect(await db.client.importDevice(DEVICE)).to.include({ isExported: true });
    expect((await readyz(handle.httpPort)).body).to.deep.include({ ready: true });
  });

  it("ends a start still waiting for the database when asked to stop, with exit code 0", async () => {
    const port = await closedPort();
    const proc = new FakeProcess();
    const starting = startServe({
      config: { data: configFor(`127.0.0.1:${port}`), label: "test config" }, env: BASE_ENV, classes: BUILTIN_CLASSES, logDestination: logs, process: proc,
    });
    await logs.waitFor("the database could not be read; trying again before exporting the devices");
    proc.emit("SIGTERM", "SIGTERM");
    const err = await starting.then(() => expect.fail("the server started"), (e: unknown) => e);
    expect(err).to.be.instanceOf(StartupFailed);
    expect((err as StartupFailed).exitCode).to.equal(0);
    expect(logs.find("stopped before the server was ready")).to.not.equal(undefined);
    expect(logs.find("startup failed")).to.equal(undefined);
  });

  it("keeps serving when the database goes away, refuses property changes meanwhile, and registers again once it is back", async () => {
    const db = await database();
    const handle = await serveWith({ config: configFor(db.tangoHost) });
    const dev = proxy(handle);
    await db.stop();
    databases.splice(databases.indexOf(db), 1);

    expect(typeof (await dev.readAttribute("double_scalar")).value).to.equal("number");
    const df = await expectDevFailed(dev.putProperty({ Speed: "2" }), Reason.DatabaseAccess);
    expect(df.desc).to.contain(`The properties of ${DEVICE} could not be saved: the database at ${db.tangoHost} cannot be reached`);
    expect(await dev.getProperty("Speed")).to.deep.equal({ Speed: ["1"] });
    await logs.waitFor("the database cannot be reached; the server goes on serving");
    expect((await readyz(handle.httpPort)).status).to.equal(200);

    // It comes back empty (a fresh store): the server adds and exports its devices again.
    await emptyTables(storage);
    const back = await database(db.port);
    await waitFor(async () => (await back.client.importDevice(DEVICE))?.isExported === true, "the device exported again", 10_000);
    expect(await back.client.importDevice(DEVICE)).to.include({ server: SERVER_ID, className: "TangoTest" });
    expect((await back.client.importDevice("dserver/Reg/t1"))?.ior).to.equal(`grpc://127.0.0.1:${handle.grpcPort}`);
    await logs.waitFor("registered in the database again");
    await dev.putProperty({ Speed: "3" });
    expect(await back.client.deviceProperty(DEVICE, "Speed")).to.deep.equal(["3"]);
  });
});
