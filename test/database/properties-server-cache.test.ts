import { expect } from "chai";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import type { DeviceTestContext } from "../../src/testing/index.js";
import { expectDevFailed } from "../support/test-server.js";
import { emptyTables, forEachBackend } from "../support/test-db.js";
import {
  addDevices, callerOf, countStatements, startDataBase, type CountingDb, type DbCall,
} from "./properties-fixture.js";

/* DbGetDataForServerCache: what a device server reads from the database at start. */

forEachBackend("DataBase DbGetDataForServerCache", (_backend, openDb) => {
  let db: SqlDb | undefined;
  let counting: CountingDb | undefined;
  let ctx: DeviceTestContext | undefined;
  let call: DbCall;

  before(async () => {
    db = await openDb();
    counting = countStatements(db);
    ctx = await startDataBase(counting.db);
    call = callerOf(ctx);
  });
  after(async () => {
    await ctx?.close();
    await db?.close();
  });
  beforeEach(async () => { if (db !== undefined) await emptyTables(db); });

  /** A server Motion/lab of two classes, another server's device, and what they have in the database. */
  async function seedMotion(sql: SqlDb): Promise<void> {
    await addDevices(sql, [
      { name: "dserver/Motion/lab", server: "Motion/lab", class: "DServer", exported: true, ior: "IOR:adm", host: "host1", version: "5", pid: 42 },
      { name: "lab/motor/2", server: "Motion/lab", class: "Motor" },
      { name: "lab/motor/1", server: "Motion/lab", class: "Motor" },
      { name: "lab/ctrl/1", server: "Motion/lab", class: "Controller" },
      { name: "other/motor/1", server: "Other/1", class: "Motor" },
      { name: "sys/access_control/1", server: "TangoAccessControl/1", class: "TangoAccessControl" },
    ]);
    await sql.query("INSERT INTO event (name, exported, ior, host, server, pid, version) VALUES ('notifd/factory/HOST', true, 'IOR:nf', 'HOST', 'notifd', 7, '4')");
    await call("DbPutClassProperty", ["Motor", "1", "velocity", "1", "1"]);
    await call("DbPutClassProperty", ["Default", "1", "x", "1", "y"]);
    await call("DbPutDeviceProperty", ["dserver/Motion/lab", "1", "polling_threads_pool_conf", "1", "lab/motor/1"]);
    await call("DbPutDeviceProperty", ["other/motor/1", "1", "not_mine", "1", "x"]);
    await call("DbPutDeviceAttributeProperty2", ["lab/motor/1", "1", "position", "2", "__value", "1", "3", "unit", "1", "mm"]);
    await call("DbPutDevicePipeProperty", ["lab/motor/1", "1", "status", "1", "label", "1", "S"]);
    await call("DbPutClassPipeProperty", ["Motor", "1", "status", "1", "label", "1", "C"]);
    await call("DbPutProperty", ["CtrlSystem", "1", "Services", "1", "AccessControl/tango:sys/access_control/1"]);
  }

  const ADMIN = ["dserver/Motion/lab", "IOR:adm", "5", "Motion/lab", "host1", "1", "42", "DServer"];
  const HEAD = ["DServer", "0", "Default", "1", "x", "1", "y", "dserver/Motion/lab", "1", "polling_threads_pool_conf", "1", "lab/motor/1"];
  const TAIL = ["CtrlSystem", "1", "Services", "1", "AccessControl/tango:sys/access_control/1",
    "sys/access_control/1", "nada", "0", "TangoAccessControl/1", "nada", "0", "0", "TangoAccessControl"];

  it("lays out a server's start-up data as cppTango's ds_start, pipes included from Tango 9", async () => {
    if (db === undefined) throw new Error("no database");
    await seedMotion(db);
    expect(await call("DbGetDataForServerCache", ["Motion/lab", "HOST%%9"])).to.deep.equal([
      "release 1.13", ...ADMIN,
      "notifd/factory/HOST", "IOR:nf", "4", "HOST", "1", "7",
      "dserver/Motion/lab", "Not Found",
      ...HEAD,
      "Motion/lab", "2",
      "Controller", "0", "Controller", "0", "Controller", "0", "Controller", "1", "lab/ctrl/1",
      "lab/ctrl/1", "0", "lab/ctrl/1", "0", "lab/ctrl/1", "0",
      "Motor", "1", "velocity", "1", "1", "Motor", "0", "Motor", "1", "status", "1", "label", "1", "C",
      "Motor", "2", "lab/motor/1", "lab/motor/2",
      "lab/motor/1", "0", "lab/motor/1", "1", "position", "2", "unit", "1", "mm", "__value", "1", "3",
      "lab/motor/1", "1", "status", "1", "label", "1", "S",
      "lab/motor/2", "0", "lab/motor/2", "0", "lab/motor/2", "0",
      ...TAIL,
    ]);
  });

  it("leaves out the release and the pipe properties for a host given without a release of 9 or more", async () => {
    if (db === undefined) throw new Error("no database");
    await seedMotion(db);
    const expected = [
      ...ADMIN, "notifd/factory/HOST", "IOR:nf", "4", "HOST", "1", "7", "dserver/Motion/lab", "Not Found", ...HEAD,
      "Motion/lab", "2",
      "Controller", "0", "Controller", "0", "Controller", "1", "lab/ctrl/1", "lab/ctrl/1", "0", "lab/ctrl/1", "0",
      "Motor", "1", "velocity", "1", "1", "Motor", "0", "Motor", "2", "lab/motor/1", "lab/motor/2",
      "lab/motor/1", "0", "lab/motor/1", "1", "position", "2", "unit", "1", "mm", "__value", "1", "3",
      "lab/motor/2", "0", "lab/motor/2", "0",
      ...TAIL,
    ];
    expect(await call("DbGetDataForServerCache", ["motion/LAB", "HOST"])).to.deep.equal(
      expected.map((v) => (v === "dserver/Motion/lab" ? "dserver/motion/LAB" : v === "Motion/lab" ? "motion/LAB" : v))
        .map((v, i) => (i === 3 ? "Motion/lab" : v)));
    expect(await call("DbGetDataForServerCache", ["Motion/lab", "HOST%%8"])).to.deep.equal(expected);
  });

  it("finds the event factory of a host named with its domain under its short name", async () => {
    if (db === undefined) throw new Error("no database");
    await seedMotion(db);
    const reply = await call("DbGetDataForServerCache", ["Motion/lab", "HOST.example.org"]) as string[];
    expect(reply.slice(8, 14)).to.deep.equal(["notifd/factory/HOST.example.org", "IOR:nf", "4", "HOST", "1", "7"]);
  });

  it("answers an unknown server with its admin device not found, and nothing more", async () => {
    expect(await call("DbGetDataForServerCache", ["NoSuch/server", "HOST"])).to.deep.equal(["dserver/NoSuch/server", "Not Found"]);
    expect(await call("DbGetDataForServerCache", ["NoSuch/server", "HOST%%9"]))
      .to.deep.equal(["release 1.13", "dserver/NoSuch/server", "Not Found"]);
  });

  it("refuses an argin of other than two elements with cppTango's text", async () => {
    for (const argin of [[], ["TangoTest/test"], ["a", "b", "c"]]) {
      const df = await expectDevFailed(call("DbGetDataForServerCache", argin), "DB_IncorrectArguments");
      expect(df.desc).to.equal("Incorrect no. of input arguments, needs 2 (ds_name,host_name)");
    }
  });

  it("reads a server of 1,000 devices in a bounded number of statements", async () => {
    if (db === undefined) throw new Error("no database");
    await addDevices(db, [{ name: "dserver/Big/1", server: "Big/1", class: "DServer" }]);
    await db.query(`INSERT INTO device (name, domain, family, member, server, class)
      SELECT 'big/dev/' || i, 'big', 'dev', i::text, 'Big/1', 'BigClass' FROM generate_series(1, 1000) AS i`);
    await db.query(`INSERT INTO property_device (device, name, idx, value)
      SELECT 'big/dev/' || i, p, 1, 'v' || i FROM generate_series(1, 1000) AS i, unnest(ARRAY['a', 'b']) AS p`);
    await db.query(`INSERT INTO property_attribute_device (device, attribute, name, idx, value)
      SELECT 'big/dev/' || i, 'position', '__value', 1, i::text FROM generate_series(1, 1000) AS i`);
    counting?.reset();
    const reply = await call("DbGetDataForServerCache", ["Big/1", "HOST%%9"]) as string[];
    // Ten blocks of two before the device list; per device its name in the list, then its
    // properties (2 + 2 × 3), attribute properties (2 + 2 + 3) and pipe properties (2).
    expect(reply.length).to.equal(1 + 8 + 10 * 2 + 1000 + 1000 * (8 + 7 + 2) + 2);
    expect(reply.slice(-2)).to.deep.equal(["CtrlSystem", "0"]);
    // The admin device, two event channels, the device list, seven property tables.
    expect(counting?.statements(), "statements: one per table, not per device").to.equal(11);
  });
});
