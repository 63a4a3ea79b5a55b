import { expect } from "chai";
import { DeviceProxy, Reason } from "../../src/client/index.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { exitCodeOf, startCliServer, type CliServer } from "../support/cli-server.js";
import { startTestDatabase, type TestDatabase } from "../support/test-database.js";
import { emptyTables, openTestDb } from "../support/test-db.js";
import { expectDevFailed } from "../support/test-server.js";

/*
 * `tango-grpc serve --server X --instance Y` as a real process with TANGO_HOST: no config, the
 * devices come from the database (the DataBase device on embedded PostgreSQL, served by this
 * test process).
 */

async function readyz(port: number): Promise<{ status: number; reason: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, reason: ((await res.json()) as { reason: string }).reason };
}

describe("a server process with TANGO_HOST", function () {
  this.timeout(60_000);
  let storage: SqlDb;
  const databases: TestDatabase[] = [];
  const servers: CliServer[] = [];
  const proxies: DeviceProxy[] = [];

  before(async () => { storage = await openTestDb(); });
  after(async () => { await storage?.close(); });
  afterEach(async () => {
    for (const p of proxies.splice(0)) p.close();
    for (const s of servers.splice(0)) {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
      await s.exited;
    }
    for (const db of databases.splice(0)) await db.stop();
    await emptyTables(storage);
  });

  /** A database where the server TangoTest/e2e has the device test/e2e/1 (on `port`: 0, the OS picks). */
  async function databaseWithServer(port = 0): Promise<TestDatabase> {
    const db = await startTestDatabase(storage, port);
    databases.push(db);
    await db.client.addServer("TangoTest/e2e", [["test/e2e/1", "TangoTest"]]);
    return db;
  }

  function serverProcess(tangoHost: string): CliServer {
    const server = startCliServer(["--server", "TangoTest", "--instance", "e2e"], { TANGO_HOST: tangoHost });
    servers.push(server);
    return server;
  }

  function proxyOf(grpcPort: number): DeviceProxy {
    const p = new DeviceProxy(`tango://127.0.0.1:${grpcPort}/test/e2e/1`, { timeoutMs: 3000, token: "" });
    proxies.push(p);
    return p;
  }

  it("registers its address, is found by name through the database, saves a run-time property there, unexports on SIGTERM, and is found again on its new port", async () => {
    const db = await databaseWithServer();
    const server = serverProcess(db.tangoHost);
    const ready = await server.logs.waitFor("Ready to accept request");
    const grpcPort = ready.grpcPort as number;
    const ior = `grpc://127.0.0.1:${grpcPort}`;
    expect(await db.client.importDevice("test/e2e/1")).to.include({ isExported: true, ior, pid: server.child.pid });
    expect(await db.client.importDevice("dserver/TangoTest/e2e")).to.include({ isExported: true, ior });

    const byName = new DeviceProxy("test/e2e/1", { tangoHost: db.tangoHost, timeoutMs: 3000, token: "" });
    proxies.push(byName);
    await byName.putProperty({ Speed: ["5"] });
    expect(await db.client.deviceProperty("test/e2e/1", "Speed")).to.deep.equal(["5"]);
    expect(await proxyOf(grpcPort).getProperty("Speed")).to.deep.equal({ Speed: ["5"] });

    server.child.kill("SIGTERM");
    expect(await exitCodeOf(server), server.stderr()).to.equal(0);
    expect(server.logs.find("server unexported from the database")).to.not.equal(undefined);
    expect(await db.client.importDevice("test/e2e/1")).to.include({ isExported: false, ior });
    expect(await db.client.importDevice("dserver/TangoTest/e2e")).to.include({ isExported: false });

    const again = serverProcess(db.tangoHost);
    const port = (await again.logs.waitFor("Ready to accept request")).grpcPort as number;
    expect(await byName.getProperty("Speed"), "the same proxy, through the database").to.deep.equal({ Speed: ["5"] });
    expect(await db.client.importDevice("test/e2e/1")).to.include({ isExported: true, ior: `grpc://127.0.0.1:${port}` });
  });

  it("waits, not ready, for a database that starts after it, and keeps answering reads once the database is gone", async () => {
    const first = await databaseWithServer();
    const port = first.port;
    await first.stop();
    databases.splice(databases.indexOf(first), 1);
    const server = serverProcess(`127.0.0.1:${port}`);
    const listening = await server.logs.waitFor("listening; exporting the devices");
    await server.logs.waitFor("the database could not be read; trying again before exporting the devices");
    const waiting = await readyz(listening.httpPort as number);
    expect(waiting.status).to.equal(503);
    expect(waiting.reason).to.contain(`waiting for the database at 127.0.0.1:${port}`);

    const db = await databaseWithServer(port);
    const ready = await server.logs.waitFor("Ready to accept request");
    expect(await readyz(listening.httpPort as number)).to.deep.include({ status: 200 });
    expect(await db.client.importDevice("test/e2e/1")).to.include({ isExported: true });

    await db.stop();
    databases.splice(databases.indexOf(db), 1);
    const dev = proxyOf(ready.grpcPort as number);
    expect(typeof (await dev.readAttribute("long_scalar")).value).to.equal("number");
    await expectDevFailed(dev.putProperty({ Speed: ["6"] }), Reason.DatabaseAccess);

    server.child.kill("SIGTERM");
    expect(await exitCodeOf(server), server.stderr()).to.equal(0);
    expect(server.logs.find("the server could not be unexported from the database")).to.not.equal(undefined);
  });
});
