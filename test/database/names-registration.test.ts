import { expect } from "chai";
import { forEachBackend } from "../support/test-db.js";
import { expectDevFailed } from "../support/test-server.js";
import { call, useDataBase } from "./names-fixture.js";

/* Adding, moving, deleting and renaming servers and devices (DbAddServer, DbAddDevice, DbDeleteDevice, DbDeleteServer, DbRenameServer). */

forEachBackend("DataBase registration of servers and devices", (_backend, openDb) => {
  const suite = useDataBase(openDb);

  const deviceCount = async (): Promise<number> => (await call(suite.ctx, "DbGetDeviceWideList", "*") as string[]).length;

  it("adds a server's devices and its admin device, keeping the names' case", async () => {
    await call(suite.ctx, "DbAddServer", ["Motors/Lab", "Lab/Motor/X", "Motor", "lab/motor/y", "Motor"]);
    expect(await call(suite.ctx, "DbGetDeviceClassList", "motors/lab")).to.deep.equal(
      ["dserver/Motors/Lab", "DServer", "Lab/Motor/X", "Motor", "lab/motor/y", "Motor"]);
    expect(await call(suite.ctx, "DbGetDeviceList", ["MOTORS/*", "motor"])).to.deep.equal(["Lab/Motor/X", "lab/motor/y"]);
  });

  it("moves a device added to another server, leaving one registration", async () => {
    await call(suite.ctx, "DbAddServer", ["A/1", "lab/dev/1", "C"]);
    await call(suite.ctx, "DbAddServer", ["B/1", "LAB/DEV/1", "C"]);
    expect(await call(suite.ctx, "DbGetDeviceList", ["A/1", "*"])).to.deep.equal(["dserver/A/1"]);
    expect(await call(suite.ctx, "DbGetDeviceList", ["B/1", "*"])).to.deep.equal(["dserver/B/1", "LAB/DEV/1"]);
    await call(suite.ctx, "DbAddDevice", ["A/1", "lab/dev/1", "C2"]);
    expect(await call(suite.ctx, "DbGetClassForDevice", "lab/dev/1")).to.equal("C2");
    expect(await deviceCount()).to.equal(3);
  });

  it("drops a tango: prefix and a database address from the device name", async () => {
    await call(suite.ctx, "DbAddDevice", ["S/1", "tango://dbhost:10000/a/b/c", "C"]);
    await call(suite.ctx, "DbAddDevice", ["S/1", "tango:d/e/f", "C"]);
    expect(await call(suite.ctx, "DbGetDeviceList", ["S/1", "C"])).to.deep.equal(["a/b/c", "d/e/f"]);
  });

  for (const bad of ["baddevicename", "a/b", "a/b/c/d", "a//c", "/b/c", "a/b/", "a/*/c", `a/${"f".repeat(86)}/c`, "//host/a/b"]) {
    it(`refuses the device name ${JSON.stringify(bad.length > 30 ? `${bad.slice(0, 20)}…` : bad)} and adds nothing`, async () => {
      for (const [command, argin] of [["DbAddDevice", ["S/1", bad, "C"]], ["DbAddServer", ["S/1", "ok/dev/1", "C", bad, "C"]]] as const) {
        const df = await expectDevFailed(suite.ctx.proxy.commandInout(command, argin), "DB_IncorrectDeviceName");
        expect(df.errors[0].desc).to.equal(`device name (${bad}) syntax error (should be [tango:][//instance/]domain/family/member)`);
      }
      expect(await deviceCount()).to.equal(0);
    });
  }

  it("refuses too few arguments to DbAddServer and DbAddDevice", async () => {
    for (const command of ["DbAddServer", "DbAddDevice"]) {
      const df = await expectDevFailed(suite.ctx.proxy.commandInout(command, ["S/1", "a/b/c"]), "DB_IncorrectArguments");
      expect(df.errors[0].desc).to.equal("incorrect no. of input arguments, needs at least 3 (server,device,class)");
    }
  });

  it("adds a device with an alias, and refuses an alias another device has", async () => {
    await call(suite.ctx, "DbAddDevice", ["S/1", "a/b/1", "C", "first"]);
    expect(await call(suite.ctx, "DbGetAliasDevice", "FIRST")).to.equal("a/b/1");
    const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbAddDevice", ["S/1", "a/b/2", "C", "First"]), "DB_SQLError");
    expect(df.errors[0].desc).to.equal("alias First already exists !");
    expect(await deviceCount()).to.equal(2);
  });

  it("deletes a device with its properties and attribute aliases, and only them", async () => {
    await call(suite.ctx, "DbAddServer", ["S/1", "a/b/1", "C", "a/b/2", "C"]);
    for (const dev of ["a/b/1", "a/b/2"]) {
      await suite.db.query("INSERT INTO property_device (device, name, idx, value) VALUES ($1, 'p', 1, 'v')", [dev]);
      await suite.db.query("INSERT INTO property_attribute_device (device, attribute, name, idx, value) VALUES ($1, 'x', 'unit', 1, 'mm')", [dev]);
      await call(suite.ctx, "DbPutAttributeAlias", [`${dev}/x`, `alias_${dev.slice(-1)}`]);
    }
    await call(suite.ctx, "DbDeleteDevice", "A/B/1");
    expect(await call(suite.ctx, "DbGetDeviceList", ["S/1", "C"])).to.deep.equal(["a/b/2"]);
    expect(await suite.db.query("SELECT device FROM property_device")).to.deep.equal([{ device: "a/b/2" }]);
    expect(await suite.db.query("SELECT device FROM property_attribute_device")).to.deep.equal([{ device: "a/b/2" }]);
    expect(await call(suite.ctx, "DbGetAttributeAliasList", "*")).to.deep.equal(["alias_2"]);
  });

  it("deletes a server's devices, its admin device included, and keeps other servers", async () => {
    await call(suite.ctx, "DbAddServer", ["S/1", "a/b/1", "C"]);
    await call(suite.ctx, "DbAddServer", ["S/2", "a/b/2", "C"]);
    await call(suite.ctx, "DbDeleteServer", "s/1");
    expect(await call(suite.ctx, "DbGetServerList", "*")).to.deep.equal(["S/2"]);
    await expectDevFailed(suite.ctx.proxy.commandInout("DbDeleteServer", "S/1"), "DB_IncorrectServerName");
    for (const bad of ["S*", "S/%", "nosuchserver"]) {
      const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbDeleteServer", bad), "DB_IncorrectServerName");
      expect(df.errors[0].desc).to.equal("failed to delete server, server name incorrect");
    }
  });

  it("renames a server, its admin device and the admin device's properties", async () => {
    await call(suite.ctx, "DbAddServer", ["Old/1", "a/b/1", "C"]);
    await suite.db.query("INSERT INTO property_device (device, name, idx, value) VALUES ('dserver/Old/1', 'polling_threads_pool_size', 1, '2')");
    await call(suite.ctx, "DbRenameServer", ["old/1", "New/2"]);
    expect(await call(suite.ctx, "DbGetDeviceClassList", "New/2")).to.deep.equal(["a/b/1", "C", "dserver/New/2", "DServer"]);
    expect(await call(suite.ctx, "DbGetServerList", "*")).to.deep.equal(["New/2"]);
    expect(await call(suite.ctx, "DbGetDeviceMemberList", "dserver/*")).to.deep.equal(["2"]);
    expect(await suite.db.query("SELECT device FROM property_device")).to.deep.equal([{ device: "dserver/New/2" }]);
  });

  it("refuses a rename with cppTango's errors: argument count, syntax, a name in use, an unknown server", async () => {
    await call(suite.ctx, "DbAddServer", ["A/1", "a/b/1", "C"]);
    await call(suite.ctx, "DbAddServer", ["B/1", "a/b/2", "C"]);
    const cases: [unknown, string, string][] = [
      [["A/1"], "DB_WrongArgNUmber", "Wrong number of args (two required: old name and new name)"],
      [["A/1", "B"], "Db_WrongArgument", "Wrong syntax in command args (ds_exec_name/inst_name)"],
      [["A/1", "b/1"], "Db_WrongArgument", "Device server process name b/1 is already used"],
      [["No/such", "C/1"], "DB_IncorrectServerName", "Server No/such not defined in database !"],
    ];
    for (const [argin, reason, desc] of cases) {
      const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbRenameServer", argin), reason);
      expect(df.errors[0].desc).to.equal(desc);
    }
    expect(await call(suite.ctx, "DbGetServerList", "*")).to.deep.equal(["A/1", "B/1"]);
  });
});
