import { expect } from "chai";
import { createServer, type Server } from "node:net";
import { Database, Reason } from "../../src/client/index.js";
import { useTestDatabase } from "../support/test-database.js";
import { expectDevFailed } from "../support/test-server.js";

/** The Database client against the real DataBase device (embedded storage), through gRPC. */
describe("Database (client of sys/database/2)", function () {
  this.timeout(60_000);
  const tdb = useTestDatabase();
  let db: Database;

  beforeEach(() => { db = new Database(tdb.tangoHost, { timeoutMs: 5000 }); });
  afterEach(() => db.close());

  it("adds a server with its devices, lists servers, classes and devices, and deletes it", async () => {
    await db.addServer("Motor/1", [{ name: "lab/motor/1", className: "Motor" }, { name: "lab/motor/2", className: "Motor" }]);
    await db.addDevice({ server: "Motor/1", name: "lab/enc/1", className: "Encoder" });
    expect(await db.getServerList()).to.deep.equal(["Motor/1"]);
    expect(await db.getServerList("Mot*")).to.deep.equal(["Motor/1"]);
    expect(await db.getServerList("Nothing*")).to.deep.equal([]);
    expect(await db.getServerNameList()).to.deep.equal(["Motor"]);
    expect(await db.getInstanceNameList("Motor")).to.deep.equal(["1"]);
    expect(await db.getClassList()).to.include.members(["Motor", "Encoder"]);
    expect(await db.getServerClassList("Motor/1")).to.have.members(["DServer", "Encoder", "Motor"]);
    expect(await db.getDeviceName("Motor/1", "Motor")).to.deep.equal(["lab/motor/1", "lab/motor/2"]);
    expect(await db.getDeviceName("*", "Encoder")).to.deep.equal(["lab/enc/1"]);
    expect(await db.getDeviceList("lab/*")).to.deep.equal(["lab/enc/1", "lab/motor/1", "lab/motor/2"]);
    expect(await db.getDeviceClassList("Motor/1")).to.deep.include({ name: "lab/motor/1", className: "Motor" });
    expect(await db.getClassForDevice("LAB/MOTOR/2")).to.equal("Motor");
    expect(await db.getDeviceExportedList()).to.deep.equal([]);

    await db.deleteDevice("lab/motor/2");
    expect(await db.getDeviceName("Motor/1", "*")).to.deep.equal(["dserver/Motor/1", "lab/enc/1", "lab/motor/1"]);
    await db.deleteServer("Motor/1");
    expect(await db.getServerList()).to.deep.equal([]);
    const df = await expectDevFailed(db.deleteServer("Motor/1"), "DB_IncorrectServerName");
    expect(df.errors.at(-1)?.reason).to.equal(Reason.CommandFailed);
    await expectDevFailed(db.addDevice({ server: "Motor/1", name: "badname", className: "Motor" }), "DB_IncorrectDeviceName");
  });

  it("decodes a device's info and import info, exported or not, and refuses an unknown device", async () => {
    await db.addServer("Motor/1", [{ name: "lab/motor/1", className: "Motor" }]);
    expect(await db.getDeviceInfo("lab/motor/1")).to.deep.equal({
      name: "lab/motor/1", className: "Motor", server: "Motor/1", host: "nada", ior: "nada", version: "0",
      isExported: false, pid: 0, startedDate: undefined, stoppedDate: undefined,
    });
    await db.commandInout("DbExportDevice", ["lab/motor/1", "grpc://10.0.0.5:50051", "lab-host", "4242", "6"]);
    const info = await db.getDeviceInfo("lab/motor/1");
    expect(info).to.include({ ior: "grpc://10.0.0.5:50051", host: "lab-host", version: "6", isExported: true, pid: 4242, stoppedDate: undefined });
    expect(info.startedDate).to.match(/ at \d\d:\d\d:\d\d$/);
    expect(await db.importDevice("lab/motor/1")).to.deep.equal({
      name: "lab/motor/1", className: "Motor", server: "Motor/1", host: "lab-host", ior: "grpc://10.0.0.5:50051",
      version: "6", isExported: true, pid: 4242,
    });
    expect(await db.getDeviceExportedList("lab/*")).to.deep.equal(["lab/motor/1"]);
    expect(await db.getDeviceExportedForClass("Motor")).to.deep.equal(["lab/motor/1"]);
    await db.unexportServer("Motor/1");
    const stopped = await db.getDeviceInfo("lab/motor/1");
    expect(stopped.isExported).to.equal(false);
    expect(stopped.stoppedDate).to.be.a("string");

    const df = await expectDevFailed(db.getDeviceInfo("no/such/device"), "DB_DeviceNotDefined");
    expect(df.errors[0].desc).to.equal("device no/such/device not defined in the database !");
    await expectDevFailed(db.importDevice("no/such/device"), "DB_DeviceNotDefined");
  });

  it("puts, finds and deletes a device alias", async () => {
    await db.addServer("Motor/1", [{ name: "lab/motor/1", className: "Motor" }]);
    await db.putDeviceAlias("lab/motor/1", "m1");
    expect(await db.getAliasFromDevice("lab/motor/1")).to.equal("m1");
    expect(await db.getDeviceFromAlias("m1")).to.equal("lab/motor/1");
    expect(await db.getDeviceAliasList("m*")).to.deep.equal(["m1"]);
    await db.deleteDeviceAlias("m1");
    await expectDevFailed(db.getAliasFromDevice("lab/motor/1"), "DB_AliasNotDefined");
    const df = await expectDevFailed(db.getDeviceFromAlias("m1"), "DB_DeviceNotDefined");
    expect(df.errors[0].desc).to.equal("No device found for alias 'm1'");
  });

  it("puts, gets by name and pattern, and deletes device properties", async () => {
    await db.putDeviceProperty("lab/motor/1", { speed: "2.5", axes: ["x", "y", "line1\nline2"], accel: [] });
    expect(await db.getDeviceProperty("lab/motor/1")).to.deep.equal({ axes: ["x", "y", "line1\nline2"], speed: ["2.5"] });
    expect(await db.getDeviceProperty("lab/motor/1", "speed")).to.deep.equal({ speed: ["2.5"] });
    // A property asked by name that is not set comes back empty, as PyTango's do.
    expect(await db.getDeviceProperty("lab/motor/1", ["speed", "missing"])).to.deep.equal({ speed: ["2.5"], missing: [] });
    expect(await db.getDeviceProperty("lab/motor/1", "sp*")).to.deep.equal({ speed: ["2.5"] });
    expect(await db.getDevicePropertyList("lab/motor/1")).to.deep.equal(["axes", "speed"]);
    expect(await db.getDeviceProperty("lab/motor/1", "nothing*")).to.deep.equal({});
    await db.deleteDeviceProperty("lab/motor/1", "ax*");
    expect(await db.getDeviceProperty("lab/motor/1")).to.deep.equal({ speed: ["2.5"] });
    await db.deleteDeviceProperty("lab/motor/1", ["speed", "never_set"]);
    expect(await db.getDeviceProperty("lab/motor/1")).to.deep.equal({});
  });

  it("puts, gets and deletes class and free properties", async () => {
    await db.putClassProperty("Motor", { cprop: ["c1", "c2"], other: "x" });
    expect(await db.getClassProperty("Motor")).to.deep.equal({ cprop: ["c1", "c2"], other: ["x"] });
    expect(await db.getClassProperty("Motor", ["cprop", "missing"])).to.deep.equal({ cprop: ["c1", "c2"], missing: [] });
    expect(await db.getClassProperty("Motor", "C*")).to.deep.equal({ cprop: ["c1", "c2"] });
    expect(await db.getClassPropertyList("Motor")).to.deep.equal(["cprop", "other"]);
    await db.deleteClassProperty("Motor", "*");
    expect(await db.getClassProperty("Motor")).to.deep.equal({});

    await db.putProperty("Beamline", { energy: "12.4", modes: ["a", "b"] });
    expect(await db.getProperty("Beamline", ["energy", "missing"])).to.deep.equal({ energy: ["12.4"], missing: [] });
    expect(await db.getProperty("Beamline")).to.deep.equal({ energy: ["12.4"], modes: ["a", "b"] });
    expect(await db.getPropertyList("Beamline", "m*")).to.deep.equal(["modes"]);
    expect(await db.getObjectList("Beam*")).to.deep.equal(["Beamline"]);
    await db.deleteProperty("Beamline", "energy");
    expect(await db.getProperty("Beamline")).to.deep.equal({ modes: ["a", "b"] });
  });

  it("puts, gets and deletes device and class attribute properties", async () => {
    await db.putDeviceAttributeProperty("lab/motor/1", { position: { unit: "mm", values: ["a", "b"] }, speed: { label: "Speed" } });
    expect(await db.getDeviceAttributeProperty("lab/motor/1")).to.deep.equal({
      position: { unit: ["mm"], values: ["a", "b"] }, speed: { label: ["Speed"] },
    });
    expect(await db.getDeviceAttributeProperty("lab/motor/1", ["position", "none"])).to.deep.equal({
      position: { unit: ["mm"], values: ["a", "b"] }, none: {},
    });
    expect(await db.getDeviceAttributeList("lab/motor/1", "s*")).to.deep.equal(["speed"]);
    await db.deleteDeviceAttributeProperty("lab/motor/1", { position: "val*", speed: ["label"] });
    expect(await db.getDeviceAttributeProperty("lab/motor/1")).to.deep.equal({ position: { unit: ["mm"] } });

    await db.putClassAttributeProperty("Motor", { position: { unit: "mm", min_value: "0" } });
    expect(await db.getClassAttributeProperty("Motor", "pos*")).to.deep.equal({ position: { min_value: ["0"], unit: ["mm"] } });
    expect(await db.getClassAttributeList("Motor")).to.deep.equal(["position"]);
    await db.deleteClassAttributeProperty("Motor", { position: ["unit"] });
    expect(await db.getClassAttributeProperty("Motor")).to.deep.equal({ position: { min_value: ["0"] } });
  });

  it("pings the database, tells what it holds, and runs any command", async () => {
    expect(await db.ping()).to.be.a("number").and.be.greaterThan(0);
    expect(await db.getInfo()).to.match(/^TANGO Database sys\/database\/2\n/);
    expect(await db.commandInout<string[]>("DbGetHostList", "*")).to.be.an("array");
    await expectDevFailed(db.commandInout("DbNoSuchCommand"), Reason.CommandNotFound);
    expect(db.tangoHost).to.equal(tdb.tangoHost);
  });

  it("takes TANGO_HOST, and says clearly when it is missing or malformed", () => {
    const saved = process.env.TANGO_HOST;
    try {
      process.env.TANGO_HOST = `${tdb.tangoHost}, 127.0.0.1:1`;
      const fromEnv = new Database();
      expect(fromEnv.tangoHost).to.equal(`${tdb.tangoHost},127.0.0.1:1`);
      fromEnv.close();
      delete process.env.TANGO_HOST;
      let df = expectThrown(() => new Database());
      expect(df.reason).to.equal(Reason.TangoHostNotSet);
      expect(df.desc).to.equal("TANGO_HOST env. variable not set, set it and retry (e.g. TANGO_HOST=<host>:<port>)");
      df = expectThrown(() => new Database({ tangoHost: "nocolon" }));
      expect(df.reason).to.equal(Reason.TangoHostNotSet);
    } finally {
      if (saved === undefined) delete process.env.TANGO_HOST;
      else process.env.TANGO_HOST = saved;
    }
  });

  describe("with several databases in TANGO_HOST", () => {
    let closed: Server;
    let deadPort: number;
    before(async () => {
      // A port that was just free: nothing listens there.
      closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      deadPort = (closed.address() as { port: number }).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
    });

    it("uses the next one when the first cannot be reached", async () => {
      const two = new Database(`127.0.0.1:${deadPort},${tdb.tangoHost}`, { timeoutMs: 3000 });
      try {
        await two.addServer("Motor/1", [{ name: "lab/motor/1", className: "Motor" }]);
        expect(await two.getServerList()).to.deep.equal(["Motor/1"]);
      } finally {
        two.close();
      }
    });

    it("says API_CantConnectToDatabase above the last failure when none answers", async () => {
      const none = new Database(`127.0.0.1:${deadPort}`, { timeoutMs: 2000 });
      try {
        const df = await expectDevFailed(none.getServerList(), Reason.ServerNotRunning);
        expect(df.errors.at(-1)).to.include({ reason: Reason.CantConnectToDatabase, desc: `Failed to connect to database on 127.0.0.1:${deadPort}` });
      } finally {
        none.close();
      }
    });
  });
});

function expectThrown(fn: () => unknown): { reason: string; desc: string } {
  try {
    fn();
  } catch (err) {
    return err as { reason: string; desc: string };
  }
  throw new Error("expected a throw");
}
