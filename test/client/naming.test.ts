import { expect } from "chai";
import { AttributeProxy, DevFailed, DevState, DeviceProxy, Reason, parseTangoHost } from "../../src/client/index.js";
import { expectDevFailed } from "../support/test-server.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";
import { startFakeDatabase, type FakeDatabase } from "./naming-fake-database.js";

/** The error frames of a DevFailed, root cause first, as [reason, desc]. */
const framesOf = (df: DevFailed): string[][] => df.errors.map((e) => [e.reason, e.desc]);

/**
 * Names resolved through a Tango database (spec §2.2, §15): a fake DataBase device answering
 * DbImportDevice, DbGetAliasDevice and DbGetAliasAttribute as cppTango's does, and a real
 * TangoTest server process that it says is at its gRPC address.
 */
describe("DeviceProxy names through the Tango database", function () {
  this.timeout(60_000);
  let db: FakeDatabase;
  let sp: ServerProcess;
  const proxies: Array<{ close(): void }> = [];
  /** A proxy closed after the test. */
  function track<P extends { close(): void }>(p: P): P {
    proxies.push(p);
    return p;
  }
  const named = (name: string): DeviceProxy => track(new DeviceProxy(name, { tangoHost: db.address }));

  before(async () => {
    [db, sp] = await Promise.all([startFakeDatabase(), startServerProcess()]);
  });
  after(async () => {
    await Promise.all([db?.close(), sp?.close()]);
  });
  beforeEach(() => {
    db.state.reset();
    db.state.export("sys/tg_test/1", sp.port);
    db.state.export("test/slow/1", sp.port);
  });
  afterEach(() => {
    for (const p of proxies.splice(0)) p.close();
  });

  it("finds a device by its name with the tangoHost option, and asks the database once, not per call", async () => {
    const dev = named("SYS/TG_TEST/1");
    expect(dev.name).to.equal("sys/tg_test/1");
    expect(dev.address, "not looked up before the first call").to.equal(undefined);
    expect(dev.trl).to.equal(`tango://${db.address}/sys/tg_test/1#dbase=yes`);
    expect(await dev.state()).to.equal(DevState.RUNNING);
    expect(await dev.commandInout("DevDouble", 1.5)).to.equal(1.5);
    expect((await dev.readAttribute("short_scalar")).name).to.equal("short_scalar");
    expect(dev.address).to.equal(sp.address);
    expect(db.state.calls).to.deep.equal(["DbImportDevice sys/tg_test/1"]);
    // Calls made at once on a new proxy share one lookup.
    const many = named("sys/tg_test/1");
    expect(await Promise.all([1, 2, 3, 4].map((i) => many.commandInout("DevLong", i)))).to.deep.equal([1, 2, 3, 4]);
    expect(db.state.count("DbImportDevice")).to.equal(2);
  });

  it("bounds the lookup by the call's timeout, and a proxy closed meanwhile does not connect", async () => {
    db.state.importDelayMs = 1_000;
    const slow = track(new DeviceProxy("sys/tg_test/1", { tangoHost: db.address, timeoutMs: 300 }));
    const start = Date.now();
    const df = await expectDevFailed(slow.state(), Reason.DeviceTimedOut);
    expect(Date.now() - start).to.be.lessThan(900);
    // The lookup waits what is left of the call's 300 ms when it starts: a millisecond may have gone.
    const waited = /^Timeout \((\d+) mS\) exceeded on device sys\/database\/2, command DbImportDevice$/.exec(df.desc);
    expect(Number(waited?.[1]), df.desc).to.be.within(250, 300);
    expect(df.errors.at(-1)).to.include({ reason: Reason.CantConnectToDatabase, desc: `Failed to connect to database on ${db.address}` });

    const closing = named("sys/tg_test/1");
    const call = closing.state();
    await waitFor(() => db.state.count("DbImportDevice") === 2, "the second lookup started");
    closing.close();
    const closed = await expectDevFailed(call, Reason.CantConnectToDevice);
    expect(closed.desc).to.contain("The proxy was closed while the device's address was being looked up");
  });

  it("reads TANGO_HOST from the environment, and the option wins over it", async () => {
    const saved = process.env.TANGO_HOST;
    process.env.TANGO_HOST = db.address;
    try {
      const dev = track(new DeviceProxy("sys/tg_test/1"));
      expect(await dev.commandInout("DevLong", 7)).to.equal(7);
      // "" turns the environment's database off: the name has no host:port, and nothing to ask.
      const df = (() => {
        try {
          return new DeviceProxy("sys/tg_test/1", { tangoHost: "" });
        } catch (err) {
          return err;
        }
      })();
      expect(df).to.be.instanceOf(DevFailed).with.property("reason", Reason.WrongDeviceNameSyntax);
      expect((df as DevFailed).desc).to.contain("has no host:port").and.contain("TANGO_HOST");
    } finally {
      if (saved === undefined) delete process.env.TANGO_HOST;
      else process.env.TANGO_HOST = saved;
    }
  });

  it("takes tango://db:port/d/f/m#dbase=yes, and tango://db:port/d/f/m without the modifier, as the database", async () => {
    const explicit = track(new DeviceProxy(`tango://${db.address}/sys/tg_test/1#dbase=yes`));
    expect(await explicit.commandInout("DevString", "a")).to.equal("a");
    // No modifier: the call goes to db:port first, which has no sys/tg_test/1 but finds it.
    const either = track(new DeviceProxy(`tango://${db.address}/sys/tg_test/1`));
    expect(either.trl).to.equal(`tango://${db.address}/sys/tg_test/1#dbase=no`);
    expect(await either.commandInout("DevString", "b")).to.equal("b");
    expect(either.trl).to.equal(`tango://${db.address}/sys/tg_test/1#dbase=yes`);
    expect(either.address).to.equal(sp.address);
    expect(await either.commandInout("DevString", "c")).to.equal("c");
    expect(db.state.count("DbImportDevice")).to.equal(2);
  });

  it("leaves #dbase=no TRLs, and a server's own host:port, to the server: no lookup", async () => {
    const direct = track(new DeviceProxy(`tango://${sp.address}/sys/tg_test/1#dbase=no`, { tangoHost: db.address }));
    expect(await direct.state()).to.equal(DevState.RUNNING);
    const either = track(new DeviceProxy(`tango://${sp.address}/sys/tg_test/1`, { tangoHost: db.address }));
    expect(await either.state()).to.equal(DevState.RUNNING);
    expect(either.trl).to.equal(`tango://${sp.address}/sys/tg_test/1#dbase=no`);
    // A server that does not have the device, and is no database: its own error, unchanged.
    const missing = track(new DeviceProxy(`tango://${sp.address}/no/such/device`));
    const df = await expectDevFailed(missing.state(), Reason.DeviceNotFound);
    expect(df.errors).to.have.length(1);
    expect(db.state.calls).to.deep.equal([]);
  });

  it("resolves a device alias with DbGetAliasDevice, then goes by the device's name", async () => {
    db.state.deviceAliases.set("tg", "sys/tg_test/1");
    const dev = named("TG");
    expect(dev.name).to.equal("TG");
    expect(await dev.commandInout("DevShort", 3)).to.equal(3);
    expect(dev.name).to.equal("sys/tg_test/1");
    expect(await dev.state()).to.equal(DevState.RUNNING);
    expect(db.state.calls).to.deep.equal(["DbGetAliasDevice TG", "DbImportDevice sys/tg_test/1"]);
    const viaDb = track(new DeviceProxy(`tango://${db.address}/tg`));
    expect(await viaDb.status()).to.be.a("string");
  });

  it("passes up the database's error for an unknown alias, with its client frame", async () => {
    const df = await expectDevFailed(named("no_such_alias").state(), "DB_DeviceNotDefined");
    expect(framesOf(df)).to.deep.equal([
      ["DB_DeviceNotDefined", "No device found for alias 'no_such_alias'"],
      ["API_CommandFailed", "Failed to execute command_inout on device sys/database/2, command DbGetAliasDevice"],
    ]);
  });

  it("resolves an attribute alias with DbGetAliasAttribute for AttributeProxy", async () => {
    db.state.attributeAliases.set("ds", "sys/tg_test/1/double_scalar");
    const attr = track(new AttributeProxy<number>("ds", { tangoHost: db.address }));
    expect(attr.name).to.equal("ds");
    await attr.write(4.5);
    expect(attr.name).to.equal("double_scalar");
    expect(attr.device.name).to.equal("sys/tg_test/1");
    expect((await attr.read()).wValue).to.equal(4.5);
    expect((await attr.getConfig()).name).to.equal("double_scalar");
    expect(db.state.count("DbGetAliasAttribute")).to.equal(1);
    const plain = track(new AttributeProxy<number>("sys/tg_test/1/short_scalar", { tangoHost: db.address }));
    expect((await plain.read()).name).to.equal("short_scalar");
    const unknown = track(new AttributeProxy("nope", { tangoHost: db.address }));
    const df = await expectDevFailed(unknown.read(), "DB_AliasNotDefined");
    expect(df.errors.at(-1)?.desc).to.equal("Failed to execute command_inout on device sys/database/2, command DbGetAliasAttribute");
  });

  it("says API_DeviceNotExported with cppTango's hint for a device whose server does not run", async () => {
    db.state.devices.set("test/dbref/1", { isExported: false, ior: "nada" });
    db.state.devices.set("test/dbref/2", { isExported: false, ior: `grpc://${sp.address}` });
    for (const device of ["test/dbref/1", "test/dbref/2"]) {
      const dev = named(device);
      const df = await expectDevFailed(dev.connect(), Reason.DeviceNotExported);
      expect(framesOf(df)).to.deep.equal([
        ["API_DeviceNotExported", `Device ${device} is not exported (hint: try starting the device server)`],
      ]);
    }
    // The next call asks again: the server may have started since.
    const dev = named("test/dbref/1");
    await expectDevFailed(dev.state(), Reason.DeviceNotExported);
    db.state.export("test/dbref/1", sp.port);
    await expectDevFailed(dev.state(), Reason.DeviceNotFound); // the fixture has no such device, but it was reached
  });

  it("passes up DB_DeviceNotDefined for an unknown device, with the database's and the client's frames", async () => {
    const df = await expectDevFailed(named("no/such/device").commandInout("DevVoid"), "DB_DeviceNotDefined");
    expect(framesOf(df)).to.deep.equal([
      ["DB_DeviceNotDefined", "device no/such/device not defined in the database !"],
      ["API_CommandFailed", "Failed to execute command_inout on device sys/database/2, command DbImportDevice"],
      ["API_DeviceNotDefined", "Can't connect to device no/such/device"],
      // cppTango's command_inout frames every failure, connecting included.
      ["API_CommandFailed", "Failed to execute command_inout on device no/such/device, command DevVoid"],
    ]);
    // Through db:port without a modifier too: the database answered, so it is one.
    const either = track(new DeviceProxy(`tango://${db.address}/no/such/device`));
    expect(framesOf(await expectDevFailed(either.state(), "DB_DeviceNotDefined"))).to.have.length(3);
  });

  it("refuses a CORBA reference (a cppTango server) and an address that is not grpc://", async () => {
    db.state.devices.set("cpp/tango/1", { isExported: true, ior: "IOR:010000001700000049444c3a54616e676f2f4465766963655f353a312e300000" });
    db.state.devices.set("odd/address/1", { isExported: true, ior: "http://127.0.0.1:1" });
    const cpp = await expectDevFailed(named("cpp/tango/1").state(), Reason.CantConnectToDevice);
    expect(cpp.desc).to.match(/^Failed to connect to device cpp\/tango\/1\nThe database gives it the CORBA reference IOR:0100000017/)
      .and.contain("cppTango (CORBA) device server, which this gRPC client cannot talk to");
    const odd = await expectDevFailed(named("odd/address/1").state(), Reason.CantConnectToDevice);
    expect(odd.desc).to.contain(`"http://127.0.0.1:1", which is not grpc://host:port or grpcs://host:port`);
  });

  it("refuses a malformed TANGO_HOST with API_TangoHostNotSet when the proxy is made", () => {
    for (const text of ["db", "db:", ":10000", "db:10000,", "db:x"]) {
      expect(() => new DeviceProxy("sys/tg_test/1", { tangoHost: text }), text)
        .to.throw(DevFailed).with.property("reason", Reason.TangoHostNotSet);
    }
  });
});

describe("parseTangoHost", () => {
  it("reads one or several host:port, in order, IPv6 in brackets", () => {
    expect(parseTangoHost("DB:10000")).to.deep.equal([{ host: "db", port: 10000, address: "db:10000" }]);
    expect(parseTangoHost("db1:10000, db2:20000,[::1]:1").map((d) => d.address)).to.deep.equal(["db1:10000", "db2:20000", "[::1]:1"]);
  });

  it("gives cppTango's description for a wrong syntax, and what is wrong", () => {
    try {
      parseTangoHost("db1:10000,,db2:1");
      expect.fail("parsed");
    } catch (err) {
      expect(err).to.be.instanceOf(DevFailed);
      const df = err as DevFailed;
      expect(df.reason).to.equal(Reason.TangoHostNotSet);
      expect(df.desc).to.equal("TANGO_HOST env. variable syntax incorrect (e.g. TANGO_HOST=<host>:<port>,<host>:<port>)\n" +
        "\"db1:10000,,db2:1\": an entry is empty");
      expect(df.errors[0].origin).to.equal("Database::Database");
    }
  });
});
