import { expect } from "chai";
import { formatInfoDate } from "../../src/database/names/tango-dates.js";
import { forEachBackend } from "../support/test-db.js";
import { expectDevFailed } from "../support/test-server.js";
import { call, useDataBase } from "./names-fixture.js";

/* A server's life in the database: export, import, a clean stop, a restart on another address; event channels. */

type LongString = [number[], string[]];

forEachBackend("DataBase export and import", (_backend, openDb) => {
  const suite = useDataBase(openDb);
  beforeEach(async () => {
    await call(suite.ctx, "DbAddServer", ["Motors/lab", "lab/motor/1", "Motor"]);
  });

  /** A date DbGetDeviceInfo may show for an event between `from` and now. */
  const isDateSince = (text: string | undefined, from: Date): boolean => {
    for (let t = Math.floor(from.getTime() / 1000) * 1000; t <= Date.now(); t += 1000) if (formatInfoDate(new Date(t)) === text) return true;
    return false;
  };

  it("answers a device never exported with nada, version 0 and pid 0, its name lower-cased as asked", async () => {
    expect(await call(suite.ctx, "DbImportDevice", "DSERVER/Motors/LAB")).to.deep.equal(
      [[0, 0], ["dserver/motors/lab", "nada", "0", "Motors/lab", "nada", "DServer"]]);
    expect(await call(suite.ctx, "DbGetDeviceInfo", "lab/motor/1")).to.deep.equal(
      [[0, 0], ["lab/motor/1", "nada", "0", "Motors/lab", "nada", "?", "?", "Motor"]]);
  });

  it("registers a server's address, forgets it as exported at a clean stop, and finds the new one after a restart", async () => {
    const start = new Date();
    for (const dev of ["dserver/Motors/lab", "lab/motor/1"]) await call(suite.ctx, "DbExportDevice", [dev, "grpc://motors.lab:50051", "pod-7", "4242", "6"]);
    expect(await call(suite.ctx, "DbImportDevice", "lab/motor/1")).to.deep.equal(
      [[1, 4242], ["lab/motor/1", "grpc://motors.lab:50051", "6", "Motors/lab", "pod-7", "Motor"]]);
    expect(await call(suite.ctx, "DbGetDeviceExportedList", "*")).to.deep.equal(["dserver/Motors/lab", "lab/motor/1"]);

    await call(suite.ctx, "DbUnExportServer", "MOTORS/LAB");
    const stopped = await call(suite.ctx, "DbGetDeviceInfo", "lab/motor/1") as LongString;
    expect(stopped[0]).to.deep.equal([0, 4242]);
    expect(stopped[1].slice(0, 5)).to.deep.equal(["lab/motor/1", "grpc://motors.lab:50051", "6", "Motors/lab", "pod-7"]);
    expect(isDateSince(stopped[1][5], start), `started ${stopped[1][5]}`).to.equal(true);
    expect(isDateSince(stopped[1][6], start), `stopped ${stopped[1][6]}`).to.equal(true);
    expect(await call(suite.ctx, "DbGetDeviceExportedList", "*")).to.deep.equal([]);

    await call(suite.ctx, "DbExportDevice", ["lab/motor/1", "grpcs://motors.lab:50443", "pod-8", "null", "6"]);
    expect(await call(suite.ctx, "DbImportDevice", "Lab/Motor/1")).to.deep.equal(
      [[1, -1], ["lab/motor/1", "grpcs://motors.lab:50443", "6", "Motors/lab", "pod-8", "Motor"]]);
  });

  it("imports a device by its alias", async () => {
    await call(suite.ctx, "DbPutDeviceAlias", ["lab/motor/1", "MotorX"]);
    await call(suite.ctx, "DbExportDevice", ["lab/motor/1", "grpc://h:1", "h", "1", "6"]);
    expect(await call(suite.ctx, "DbImportDevice", "motorx")).to.deep.equal([[1, 1], ["motorx", "grpc://h:1", "6", "Motors/lab", "h", "Motor"]]);
    expect((await call(suite.ctx, "DbGetDeviceInfo", "MotorX") as LongString)[1][0]).to.equal("motorx");
  });

  it("records the host on the server's record when there is one", async () => {
    await call(suite.ctx, "DbPutServerInfo", ["Motors/lab", "old-host", "1", "2"]);
    await call(suite.ctx, "DbExportDevice", ["dserver/Motors/lab", "grpc://new-host:1", "new-host", "1", "6"]);
    expect(await call(suite.ctx, "DbGetServerInfo", "motors/LAB")).to.deep.equal(["motors/LAB", "new-host", "1", "2"]);
    expect(await call(suite.ctx, "DbGetHostServersInfo", "new-host")).to.deep.equal(["Motors/lab", "1", "2"]);
    expect(await call(suite.ctx, "DbGetHostServerList", "new-*")).to.deep.equal(["Motors/lab"]);
  });

  it("finds a server by its host with or without the host's domain", async () => {
    await call(suite.ctx, "DbExportDevice", ["dserver/Motors/lab", "grpc://h:1", "node1.example.org", "1", "6"]);
    expect(await call(suite.ctx, "DbGetHostServerList", "node1")).to.deep.equal(["Motors/lab"]);
    expect(await call(suite.ctx, "DbGetHostServerList", "node")).to.deep.equal([]);
  });

  it("refuses to export an unknown device or too little export information", async () => {
    const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbExportDevice", ["No/Such/Device", "grpc://h:1", "h", "1", "6"]), "DB_DeviceNotDefined");
    expect(df.errors[0].desc).to.equal("device no/such/device not defined in the database !");
    await expectDevFailed(suite.ctx.proxy.commandInout("DbExportDevice", ["lab/motor/1", "grpc://h:1", "h", "1"]), "DB_IncorrectArguments");
    expect((await call(suite.ctx, "DbImportDevice", "lab/motor/1") as LongString)[0]).to.deep.equal([0, 0]);
  });

  it("answers each of many DbExportDevice calls sent at once on its own, written or unknown", async () => {
    const devices = Array.from({ length: 300 }, (_, i) => `lab/axis/${i}`);
    await call(suite.ctx, "DbAddServer", ["Axes/lab", ...devices.flatMap((d) => [d, "Axis"])]);
    const calls = [
      ...devices.map((d, i) => suite.ctx.proxy.commandInout("DbExportDevice", [d, `grpc://axes:${1000 + i}`, "pod-1", String(i), "6"])),
      suite.ctx.proxy.commandInout("DbExportDevice", ["no/such/axis", "grpc://axes:1", "pod-1", "1", "6"]),
    ];
    const results = await Promise.allSettled(calls);
    expect(results.slice(0, -1).every((r) => r.status === "fulfilled"), "every known device's call").to.equal(true);
    const unknown = results.at(-1);
    expect(unknown?.status).to.equal("rejected");
    expect(((unknown as PromiseRejectedResult).reason as { errors: Array<{ reason: string; desc: string }> }).errors[0]).to.include(
      { reason: "DB_DeviceNotDefined", desc: "device no/such/axis not defined in the database !" });
    expect(await call(suite.ctx, "DbImportDevice", "lab/axis/299")).to.deep.equal(
      [[1, 299], ["lab/axis/299", "grpc://axes:1299", "6", "Axes/lab", "pod-1", "Axis"]]);
    expect(await call(suite.ctx, "DbGetDeviceExportedList", "lab/axis/*")).to.have.length(300);
  });

  it("unexports one device and no other", async () => {
    for (const dev of ["dserver/Motors/lab", "lab/motor/1"]) await call(suite.ctx, "DbExportDevice", [dev, "grpc://h:1", "h", "1", "6"]);
    await call(suite.ctx, "DbUnExportDevice", "LAB/MOTOR/1");
    await call(suite.ctx, "DbUnExportDevice", "no/such/device");
    expect(await call(suite.ctx, "DbGetDeviceExportedList", "*")).to.deep.equal(["dserver/Motors/lab"]);
    expect(await call(suite.ctx, "DbGetExportdDeviceListForClass", "DServer")).to.deep.equal(["dserver/Motors/lab"]);
  });

  it("keeps event channels: export, import by any case, unexport, export again", async () => {
    await call(suite.ctx, "DbExportEvent", ["Motors.Events", "grpc://h:2", "h", "12", "1"]);
    expect(await call(suite.ctx, "DbImportEvent", "MOTORS.events")).to.deep.equal([[1, 12], ["motors.events", "grpc://h:2", "1", "h"]]);
    await call(suite.ctx, "DbUnExportEvent", "motors.EVENTS");
    expect(await call(suite.ctx, "DbImportEvent", "motors.events")).to.deep.equal([[0, 12], ["motors.events", "grpc://h:2", "1", "h"]]);
    await call(suite.ctx, "DbExportEvent", ["motors.events", "grpc://h:3", "h2", "13", "1"]);
    expect(await call(suite.ctx, "DbImportEvent", "motors.events")).to.deep.equal([[1, 13], ["motors.events", "grpc://h:3", "1", "h2"]]);
    await expectDevFailed(suite.ctx.proxy.commandInout("DbExportEvent", ["e", "grpc://h:3"]), "DB_IncorrectArguments");
  });

  it("lists the database servers' addresses from their grpc:// registrations", async () => {
    expect(await call(suite.ctx, "DbGetCSDbServerList")).to.deep.equal([]);
    await call(suite.ctx, "DbAddServer", ["DataBaseds/2", "sys/database/2", "DataBase"]);
    await call(suite.ctx, "DbAddServer", ["DataBaseds/3", "sys/database/3", "DataBase"]);
    await call(suite.ctx, "DbExportDevice", ["sys/database/2", "grpc://db-0.tango:10000", "db-0", "1", "6"]);
    await call(suite.ctx, "DbExportDevice", ["sys/database/3", "grpcs://db-1.tango:10000", "db-1", "1", "6"]);
    expect(await call(suite.ctx, "DbGetCSDbServerList")).to.deep.equal(["db-0.tango:10000", "db-1.tango:10000"]);
    await call(suite.ctx, "DbExportDevice", ["sys/database/3", "IOR:0100000017000000", "db-1", "1", "5"]);
    const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbGetCSDbServerList"), "DB_WrongIORForDbServer");
    expect(df.errors[0].desc).to.equal("Wrong IOR in database for at least one of the database server(s)");
  });
});
