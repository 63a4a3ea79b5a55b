import { expect } from "chai";
import { AttributeProxy, DevState, DeviceProxy, Reason } from "../../src/client/index.js";
import { DataBase } from "../../src/database/database.js";
import { withStorage } from "../../src/database/database-core.js";
import { migrate } from "../../src/database/sql/migrations.js";
import { openPgliteDb } from "../../src/database/sql/pglite-db.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { TangoTest } from "../../src/devices/index.js";
import { DeviceTestContext } from "../../src/testing/index.js";
import { expectDevFailed } from "../support/test-server.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";

/** The storage of this file: embedded PostgreSQL in memory, migrated (one function, for a harness to swap). */
async function openTestDb(): Promise<SqlDb> {
  const db = await openPgliteDb();
  await migrate(db);
  return db;
}

/** End to end: the client resolves names through the real DataBase device, as a server registered them. */
describe("DeviceProxy names through the DataBase device", function () {
  this.timeout(60_000);
  let db: SqlDb;
  let database: DeviceTestContext;
  let sp: ServerProcess;
  const closers: Array<{ close(): unknown }> = [];
  const track = <P extends { close(): unknown }>(p: P): P => {
    closers.push(p);
    return p;
  };
  const call = (command: string, argin: unknown): Promise<unknown> => database.proxy.commandInout(command, argin);
  const named = (name: string): DeviceProxy => track(new DeviceProxy(name, { tangoHost: database.grpcAddress }));

  before(async () => {
    db = await openTestDb();
    [database, sp] = await Promise.all([
      DeviceTestContext.start(withStorage(DataBase, db), { deviceName: "sys/database/2", server: "DataBaseds", instance: "2", timeoutMs: 10_000 }),
      startServerProcess(),
    ]);
    // What the server's registration does (DbAddServer, DbExportDevice), and an operator's aliases.
    await call("DbAddServer", ["Fixture/proc", "sys/tg_test/1", "TangoTest"]);
    await call("DbExportDevice", ["sys/tg_test/1", `grpc://${sp.address}`, "127.0.0.1", "4242", "6"]);
    await call("DbPutDeviceAlias", ["sys/tg_test/1", "tg"]);
    await call("DbPutAttributeAlias", ["sys/tg_test/1/double_scalar", "tg_ds"]);
  });
  after(async () => {
    await Promise.all([database?.close(), sp?.close()]);
    await db?.close();
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c.close();
  });

  it("finds a device by name, by alias, and an attribute by its alias", async () => {
    expect(await named("sys/tg_test/1").commandInout("DevDouble", 2.5)).to.equal(2.5);
    const alias = named("TG");
    expect(await alias.state()).to.equal(DevState.RUNNING);
    expect(alias.name).to.equal("sys/tg_test/1");
    const attr = track(new AttributeProxy<number>("tg_ds", { tangoHost: database.grpcAddress }));
    await attr.write(1.25);
    expect((await attr.read()).wValue).to.equal(1.25);
    expect(attr.name).to.equal("double_scalar");
  });

  it("gives the database's DB_DeviceNotDefined for an unknown device, with the client's frames", async () => {
    const df = await expectDevFailed(named("no/such/device").state(), "DB_DeviceNotDefined");
    expect(df.errors.map((e) => [e.reason, e.desc])).to.deep.equal([
      ["DB_DeviceNotDefined", "device no/such/device not defined in the database !"],
      ["API_CommandFailed", "Failed to execute command_inout on device sys/database/2, command DbImportDevice"],
      ["API_DeviceNotDefined", "Can't connect to device no/such/device"],
    ]);
  });

  it("says API_DeviceNotExported after a clean stop, and finds the server restarted on another port", async () => {
    const dev = named("sys/tg_test/1");
    expect(await dev.commandInout("DevLong", 1)).to.equal(1);
    await sp.kill("SIGTERM");
    await call("DbUnExportServer", "Fixture/proc");
    await expectDevFailed(dev.commandInout("DevLong", 2), Reason.DeviceNotExported);

    // Back on another port, registered again: the next call finds it.
    const restarted = track(await DeviceTestContext.start(TangoTest, { deviceName: "sys/tg_test/1", server: "Fixture", instance: "proc" }));
    await call("DbExportDevice", ["sys/tg_test/1", `grpc://${restarted.grpcAddress}`, "127.0.0.1", "4243", "6"]);
    expect(await dev.commandInout("DevLong", 3)).to.equal(3);
    expect(dev.address).to.equal(restarted.grpcAddress);
  });
});
