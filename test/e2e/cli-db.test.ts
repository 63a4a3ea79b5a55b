import { expect } from "chai";
import { runCli } from "../../src/cli/run-cli.js";
import { Database } from "../../src/client/index.js";
import { runCliProcess, type CliResult } from "../support/cli-process.js";
import { useTestDatabase } from "../support/test-database.js";
import { closedPort } from "../support/ports.js";

/** A spawned CLI run ends in well under this, tsx compilation included. */
const SPAWN_TIMEOUT_MS = 20_000;
/** CLI processes at once: the machine's cores are shared. */
const CONCURRENCY = 3;

/** `tango-grpc db …` as a real process, with TANGO_HOST as given (unset when undefined). */
function spawnDb(args: readonly string[], tangoHost: string | undefined): Promise<CliResult> {
  return runCliProcess(["db", ...args], { timeoutMs: SPAWN_TIMEOUT_MS, env: { TANGO_HOST: tangoHost, TANGO_TOKEN: undefined } });
}

/** Several runs, a few at a time; results in the order of `runs`. */
async function spawnAll(runs: readonly (readonly string[])[], tangoHost: string | undefined): Promise<CliResult[]> {
  const results: CliResult[] = new Array<CliResult>(runs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < runs.length) {
      const i = next++;
      results[i] = await spawnDb(runs[i] ?? [], tangoHost);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

/** A successful run's stdout; its exit code and stderr checked, naming the arguments. */
function ok(result: CliResult | undefined, what: string): string {
  expect(result, what).to.not.equal(undefined);
  const r = result as CliResult;
  expect(r.code, `${what}: ${r.stderr}`).to.equal(0);
  expect(r.stderr, what).to.equal("");
  return r.stdout;
}

/** `tango-grpc db …` in this process (the same code as a real process, without its start-up cost). */
async function dbInProcess(tangoHost: string, ...args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["db", ...args], {
    env: { TANGO_HOST: tangoHost },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe("tango-grpc db (the Tango database's client verbs)", function () {
  this.timeout(120_000);
  const tdb = useTestDatabase();
  let db: Database;

  beforeEach(() => { db = new Database(tdb.tangoHost, { timeoutMs: 5000 }); });
  afterEach(() => db.close());

  it("declares servers and devices, sets properties and an alias, then removes them", async () => {
    ok(await spawnDb(["add-server", "Motor/1", "Motor", "lab/motor/1", "lab/motor/2"], tdb.tangoHost), "add-server");
    const puts = await spawnAll([
      ["add-device", "Motor/1", "Encoder", "lab/enc/1", "--json"],
      ["put-property", "lab/motor/1", "axes", "x", "y"],
      ["put-property", "lab/motor/1", "--attribute", "position", "unit", "mm", "--json"],
      ["put-property", "--class", "Motor", "speed", "2.5"],
      ["put-property", "--class", "Motor", "--attribute", "position", "min_value", "0"],
      ["put-property", "--free", "Beamline", "energy", "12.4"],
      ["alias", "lab/motor/1", "m1", "--json"],
    ], tdb.tangoHost);
    expect(JSON.parse(ok(puts[0], "add-device"))).to.deep.equal({ server: "Motor/1", device: "lab/enc/1", className: "Encoder" });
    expect(ok(puts[1], "put-property")).to.equal("");
    expect(JSON.parse(ok(puts[2], "put-property --attribute"))).to.deep.equal(
      { device: "lab/motor/1", attribute: "position", property: "unit", values: ["mm"] });
    for (const i of [3, 4, 5]) ok(puts[i], `put-property ${i}`);
    expect(JSON.parse(ok(puts[6], "alias set"))).to.deep.equal({ device: "lab/motor/1", alias: "m1" });

    expect(await db.getDeviceName("Motor/1", "*")).to.deep.equal(["dserver/Motor/1", "lab/enc/1", "lab/motor/1", "lab/motor/2"]);
    expect(await db.getDeviceProperty("lab/motor/1")).to.deep.equal({ axes: ["x", "y"] });
    expect(await db.getDeviceAttributeProperty("lab/motor/1")).to.deep.equal({ position: { unit: ["mm"] } });
    expect(await db.getClassProperty("Motor")).to.deep.equal({ speed: ["2.5"] });
    expect(await db.getClassAttributeProperty("Motor")).to.deep.equal({ position: { min_value: ["0"] } });
    expect(await db.getProperty("Beamline")).to.deep.equal({ energy: ["12.4"] });
    expect(await db.getAliasFromDevice("lab/motor/1")).to.equal("m1");

    const deletes = await spawnAll([
      ["delete-property", "lab/motor/1", "--attribute", "position", "unit"],
      ["delete-property", "--class", "Motor", "sp*", "--json"],
      ["delete-property", "--free", "Beamline", "energy"],
      ["delete-alias", "m1"],
      ["delete-device", "lab/motor/2", "--json"],
    ], tdb.tangoHost);
    ok(deletes[0], "delete-property --attribute");
    expect(JSON.parse(ok(deletes[1], "delete-property --class"))).to.deep.equal({ class: "Motor", properties: ["sp*"] });
    ok(deletes[2], "delete-property --free");
    ok(deletes[3], "delete-alias");
    expect(JSON.parse(ok(deletes[4], "delete-device"))).to.deep.equal({ device: "lab/motor/2" });
    expect(await db.getDeviceAttributeProperty("lab/motor/1")).to.deep.equal({});
    expect(await db.getClassProperty("Motor")).to.deep.equal({});
    expect(await db.getProperty("Beamline")).to.deep.equal({});
    expect(await db.getDeviceAliasList()).to.deep.equal([]);
    expect(await db.getDeviceList("lab/*")).to.deep.equal(["lab/enc/1", "lab/motor/1"]);

    const deleted = await spawnDb(["delete-server", "Motor/1", "--with-properties", "--json"], tdb.tangoHost);
    expect(JSON.parse(ok(deleted, "delete-server"))).to.deep.equal({ server: "Motor/1", devices: ["dserver/Motor/1", "lab/enc/1", "lab/motor/1"] });
    expect(await db.getServerList()).to.deep.equal([]);
    expect(await db.getDeviceProperty("lab/motor/1")).to.deep.equal({});
  });

  it("lists and looks up what the database holds, in text and JSON", async () => {
    await db.addServer("Motor/1", [{ name: "lab/motor/1", className: "Motor" }]);
    await db.addServer("Motor/2", [{ name: "lab/motor/2", className: "Motor" }]);
    await db.commandInout("DbExportDevice", ["lab/motor/1", "grpc://10.0.0.5:50051", "lab-host", "4242", "6"]);
    await db.putDeviceAlias("lab/motor/1", "m1");
    await db.putDeviceProperty("lab/motor/1", { axes: ["x", "y"], note: "line1\nline2" });
    await db.putDeviceAttributeProperty("lab/motor/1", { position: { unit: "mm", format: "%6.2f" } });
    await db.putClassProperty("Motor", { speed: "2.5" });
    await db.putProperty("Beamline", { energy: "12.4" });

    const [servers, instances, classes, devices, byServer, exported, info, check, alias, deviceOf, aliases, props, attrProps,
      classProps, freeProps, ping] = await spawnAll([
      ["servers"],
      ["instances", "Motor", "--json"],
      ["classes", "--server", "Motor/1"],
      ["devices", "lab/*", "--json"],
      ["devices", "--server", "Motor/2"],
      ["exported", "lab/*"],
      ["info", "lab/motor/1"],
      ["check-device", "LAB/MOTOR/1", "--json"],
      ["alias", "lab/motor/1"],
      ["device-of", "m1", "--json"],
      ["aliases"],
      ["get-property", "lab/motor/1", "axes", "note", "missing"],
      ["get-property", "lab/motor/1", "--attribute", "pos*", "unit"],
      ["get-property", "--class", "Motor", "--json"],
      ["get-property", "--free", "Beamline", "--json"],
      ["ping-database", "--json"],
    ], tdb.tangoHost);
    expect(ok(servers, "servers")).to.equal("Motor/1\nMotor/2\n");
    expect(JSON.parse(ok(instances, "instances"))).to.deep.equal({ server: "Motor", instances: ["1", "2"] });
    expect(ok(classes, "classes")).to.equal("DServer\nMotor\n");
    expect(JSON.parse(ok(devices, "devices"))).to.deep.equal({ devices: ["lab/motor/1", "lab/motor/2"] });
    expect(ok(byServer, "devices --server")).to.equal("dserver/Motor/2\nlab/motor/2\n");
    expect(ok(exported, "exported")).to.equal("lab/motor/1\n");
    const infoText = ok(info, "info");
    expect(infoText).to.match(/^device: +lab\/motor\/1\nclass: +Motor\nserver: +Motor\/1\nhost: +lab-host\nexported: +yes\n/);
    expect(infoText).to.match(/^address: +grpc:\/\/10\.0\.0\.5:50051$/m).and.match(/^pid: +4242$/m).and.match(/^stopped: +never$/m);
    expect(JSON.parse(ok(check, "check-device"))).to.deep.equal({ device: "lab/motor/1", isDefined: true, isExported: true });
    expect(ok(alias, "alias")).to.equal("m1\n");
    expect(JSON.parse(ok(deviceOf, "device-of"))).to.deep.equal({ alias: "m1", device: "lab/motor/1" });
    expect(ok(aliases, "aliases")).to.equal("m1\n");
    expect(ok(props, "get-property")).to.equal("axes: x\n      y\nnote: line1\n      line2\nmissing: (not set)\n");
    expect(ok(attrProps, "get-property --attribute")).to.equal("position.unit: mm\n");
    expect(JSON.parse(ok(classProps, "get-property --class"))).to.deep.equal({ class: "Motor", properties: { speed: ["2.5"] } });
    expect(JSON.parse(ok(freeProps, "get-property --free"))).to.deep.equal({ object: "Beamline", properties: { energy: ["12.4"] } });
    const pinged = JSON.parse(ok(ping, "ping-database")) as { tangoHost: string; usec: number };
    expect(pinged.tangoHost).to.equal(tdb.tangoHost);
    expect(pinged.usec).to.be.a("number").and.be.greaterThan(0);
  });

  it("reports the database's errors with exit code 1, and usage mistakes with 2", async () => {
    const dead = `127.0.0.1:${await closedPort()}`;
    const [unknown, unknownJson, badServer, noValue, both, extra] = await spawnAll([
      ["info", "no/such/device"],
      ["check-device", "no/such/device", "--json"],
      ["delete-server", "NoSuch/server"],
      ["put-property", "lab/motor/1", "axes"],
      ["classes", "M*", "--server", "Motor/1"],
      ["device-of", "a", "b"],
    ], tdb.tangoHost);
    expect(unknown?.code).to.equal(1);
    expect(unknown?.stdout).to.equal("");
    expect(unknown?.stderr).to.equal(
      "tango-grpc: API_CommandFailed: Failed to execute command_inout on device sys/database/2, command DbGetDeviceInfo\n" +
      "tango-grpc: DB_DeviceNotDefined: device no/such/device not defined in the database !\n");
    expect(unknownJson?.code).to.equal(1);
    const error = JSON.parse(unknownJson?.stdout ?? "") as { error: { errors: { reason: string }[] } };
    expect(error.error.errors.map((e) => e.reason)).to.deep.equal(["DB_DeviceNotDefined", "API_CommandFailed"]);
    expect(badServer?.code).to.equal(1);
    expect(badServer?.stderr).to.match(/^tango-grpc: DB_IncorrectServerName: Server NoSuch\/server not defined in database !$/m);
    expect(noValue?.code).to.equal(2);
    expect(noValue?.stderr).to.match(/^tango-grpc: db put-property: give a property name and at least one value\nUsage: tango-grpc db put-property /);
    expect(both?.code).to.equal(2);
    expect(extra?.code).to.equal(2);
    expect(extra?.stderr).to.include('unexpected argument "b"');

    const [noHost, unreachable, waited, unknownCommand] = await Promise.all([
      spawnDb(["servers"], undefined),
      spawnDb(["servers", "--host", dead], tdb.tangoHost),
      spawnDb(["ping-database", "--wait", "1", "--timeout", "500"], dead),
      spawnDb(["nope"], tdb.tangoHost),
    ]);
    expect(noHost.code).to.equal(2);
    expect(noHost.stderr).to.match(/^tango-grpc: db servers: API_TangoHostNotSet: no Tango database is set: set TANGO_HOST=<host>:<port> or give --host <host:port>\n/);
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.match(new RegExp(`^tango-grpc: API_CantConnectToDatabase: Failed to connect to database on ${dead}\n`));
    expect(waited.code).to.equal(1);
    expect(waited.stderr).to.include("API_CantConnectToDatabase");
    expect(unknownCommand.code).to.equal(2);
    expect(unknownCommand.stderr).to.match(/^tango-grpc: db: unknown command "nope"\n.*\nCommands: add-server, /);
  });

  it("works on class attribute properties, and lists by class", async () => {
    await db.addServer("Motor/1", [{ name: "lab/motor/1", className: "Motor" }, { name: "lab/enc/1", className: "Encoder" }]);
    await db.commandInout("DbExportDevice", ["lab/enc/1", "grpc://10.0.0.5:50051", "lab-host", "4242", "6"]);
    const run = (...args: string[]): Promise<CliResult> => dbInProcess(tdb.tangoHost, ...args);
    ok(await run("put-property", "--class", "Motor", "--attribute", "position", "unit", "mm"), "put --class --attribute");
    ok(await run("put-property", "--class", "Motor", "--attribute", "position", "format", "%6.2f"), "put --class --attribute");
    expect(ok(await run("get-property", "--class", "Motor", "--attribute", "position"), "get")).to.equal("position.format: %6.2f\nposition.unit: mm\n");
    ok(await run("delete-property", "--class", "Motor", "--attribute", "position", "f*"), "delete");
    expect(JSON.parse(ok(await run("get-property", "--class", "Motor", "--attribute", "*", "--json"), "get --json"))).to.deep.equal(
      { class: "Motor", attributes: { position: { unit: ["mm"] } } });
    expect(ok(await run("devices", "--class", "Encoder"), "devices --class")).to.equal("lab/enc/1\n");
    expect(ok(await run("devices", "--server", "Motor/1", "--class", "Motor"), "devices --server --class")).to.equal("lab/motor/1\n");
    expect(ok(await run("exported", "--class", "Encoder"), "exported --class")).to.equal("lab/enc/1\n");
    expect(ok(await run("classes", "M*"), "classes")).to.equal("Motor\n");
    expect((await run("put-property", "--free", "X", "--attribute", "a", "p", "v")).code).to.equal(2);
    expect((await run("get-property", "--class", "C", "--free", "X")).code).to.equal(2);
    expect((await run("get-property")).stderr).to.include("missing <device> (or give --class <class> or --free <object>)");
  });

  it("has a help for the group and for each command, and the program help lists it", async () => {
    const [program, group, command] = await Promise.all([
      runCliProcess(["--help"], { timeoutMs: SPAWN_TIMEOUT_MS }),
      spawnDb(["--help"], undefined),
      spawnDb(["put-property", "--help"], undefined),
    ]);
    expect(ok(program, "--help")).to.match(/^ {2}db\s+edit and query the Tango database/m);
    const groupText = ok(group, "db --help");
    for (const sub of ["add-server", "delete-server", "add-device", "delete-device", "put-property", "get-property", "delete-property",
      "servers", "instances", "classes", "devices", "exported", "info", "check-device", "alias", "device-of", "aliases",
      "delete-alias", "ping-database"]) {
      expect(groupText).to.match(new RegExp(`^ {2}${sub} `, "m"));
    }
    const commandText = ok(command, "db put-property --help");
    expect(commandText).to.match(/^Usage: tango-grpc db put-property /);
    expect(commandText).to.include("--host <host:port>").and.include("--attribute <attr>");
  });
});
