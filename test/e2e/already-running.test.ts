import { expect } from "chai";
import { createServer, type AddressInfo } from "node:net";
import { DeviceProxy } from "../../src/client/index.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { ALREADY_RUNNING, ALREADY_RUNNING_BLOCKED } from "../../src/server/registry/already-running.js";
import type { LogLine, LogSink } from "../support/log-sink.js";
import { exitCodeOf, startCliServer, type CliServer } from "../support/cli-server.js";
import { startTestDatabase, type TestDatabase } from "../support/test-database.js";
import { emptyTables, openTestDb } from "../support/test-db.js";

/*
 * A server started while the same server/instance runs (cppTango's Util::server_already_running):
 * real `tango-grpc serve --server TangoTest --instance e2e` processes with TANGO_HOST, on a
 * DataBase device served by this test process.
 */

const ADMIN = "dserver/TangoTest/e2e";

/** A port free on 127.0.0.1 now (the OS picks it), for a server that must come back on the same one. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The message of the error the fatal "startup failed" line carries. */
function startupFailure(logs: LogSink): string {
  const line: LogLine | undefined = logs.find("startup failed");
  expect(line, "a fatal \"startup failed\" line").to.not.equal(undefined);
  return String((line?.err as { message?: unknown } | undefined)?.message);
}

describe("a server started while it already runs", function () {
  this.timeout(60_000);
  let storage: SqlDb;
  let db: TestDatabase | undefined;
  const servers: CliServer[] = [];

  before(async () => { storage = await openTestDb(); });
  after(async () => { await storage?.close(); });
  beforeEach(async () => {
    db = await startTestDatabase(storage);
    await db.client.addServer("TangoTest/e2e", [["test/e2e/1", "TangoTest"]]);
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
      await s.exited;
    }
    await db?.stop();
    await emptyTables(storage);
  });

  function serverProcess(env: Record<string, string> = {}): CliServer {
    if (db === undefined) throw new Error("no database");
    const server = startCliServer(["--server", "TangoTest", "--instance", "e2e"], { TANGO_HOST: db.tangoHost, ...env });
    servers.push(server);
    return server;
  }

  it("refuses with cppTango's words and exit code 1 while the first answers, and starts once the first was killed with SIGKILL", async () => {
    if (db === undefined) throw new Error("no database");
    const first = serverProcess();
    const firstPort = (await first.logs.waitFor("Ready to accept request")).grpcPort as number;
    const firstIor = `grpc://127.0.0.1:${firstPort}`;

    const second = serverProcess();
    expect(await exitCodeOf(second), second.stderr()).to.equal(1);
    const refusal = startupFailure(second.logs);
    expect(refusal.startsWith(ALREADY_RUNNING), refusal).to.equal(true);
    expect(second.stderr(), "the operator reads it on stderr too").to.contain(`tango-grpc: ${ALREADY_RUNNING}`);
    expect(refusal).to.contain(`${ADMIN} answers at ${firstIor}`).and.contain(`pid ${first.child.pid}`);
    expect(second.logs.find("Ready to accept request"), "the second was never ready").to.equal(undefined);
    // The refused server registered nothing and unexported nothing: the database still has the first.
    expect(await db.client.importDevice(ADMIN)).to.include({ isExported: true, ior: firstIor, pid: first.child.pid });
    expect(await db.client.importDevice("test/e2e/1")).to.include({ isExported: true, ior: firstIor });
    const proxy = new DeviceProxy(`tango://127.0.0.1:${firstPort}/test/e2e/1`, { timeoutMs: 3000, token: "" });
    try {
      await proxy.ping();
    } finally {
      proxy.close();
    }

    first.child.kill("SIGKILL");
    await first.exited;
    expect(await db.client.importDevice(ADMIN), "a stale registration").to.include({ isExported: true, ior: firstIor });
    const third = serverProcess();
    const thirdPort = (await third.logs.waitFor("Ready to accept request")).grpcPort as number;
    expect(third.logs.find("the database has this server exported, but it does not answer there: a stale registration, replaced"))
      .to.include({ ior: firstIor, pid: first.child.pid });
    expect(await db.client.importDevice(ADMIN)).to.include({ isExported: true, ior: `grpc://127.0.0.1:${thirdPort}`, pid: third.child.pid });
  });

  it("starts again after kill -9 on the same address, where the ping reaches the starting server itself (a restarted container)", async () => {
    const port = await freePort();
    const env = { TANGO_GRPC_PORT: String(port), TANGO_ADVERTISE_ADDRESS: `127.0.0.1:${port}` };
    const first = serverProcess(env);
    await first.logs.waitFor("Ready to accept request");
    first.child.kill("SIGKILL");
    await first.exited;
    const again = serverProcess(env);
    await again.logs.waitFor("Ready to accept request");
    expect(again.logs.find("the database has this server exported, but it does not answer there: a stale registration, replaced"))
      .to.include({ ior: `grpc://127.0.0.1:${port}`, pid: first.child.pid });
    expect(await db?.client.importDevice(ADMIN)).to.include({ isExported: true, ior: `grpc://127.0.0.1:${port}`, pid: again.child.pid });
  });

  it("refuses as cppTango does when the first is registered but does not answer in time (stopped with SIGSTOP)", async () => {
    if (db === undefined) throw new Error("no database");
    const first = serverProcess();
    const firstPort = (await first.logs.waitFor("Ready to accept request")).grpcPort as number;
    first.child.kill("SIGSTOP");
    try {
      const second = serverProcess();
      expect(await exitCodeOf(second), second.stderr()).to.equal(1);
      const refusal = startupFailure(second.logs);
      expect(refusal.startsWith(ALREADY_RUNNING_BLOCKED), refusal).to.equal(true);
      expect(refusal).to.contain(`has ${ADMIN} exported at grpc://127.0.0.1:${firstPort}`);
    } finally {
      first.child.kill("SIGCONT");
    }
    expect(await db.client.importDevice(ADMIN)).to.include({ isExported: true, ior: `grpc://127.0.0.1:${firstPort}` });
  });
});
