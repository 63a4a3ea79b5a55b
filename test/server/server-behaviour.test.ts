import { expect } from "chai";
import {
  AttrQuality, CmdArgType, DevDouble, DevState, Device, attribute, command,
} from "../../src/device/index.js";
import { DevSource, MultiDevFailed, Reason } from "../../src/core/index.js";
import { CTX, defer, expectDevFailed, startServer } from "../support/test-server.js";

/** A small device declared in the test, as PyTango's tests do. */
class Probe extends Device {
  #volts = 0;
  #events: string[] = [];
  gate = defer();

  override initDevice(): void {
    this.setState(DevState.ON);
  }

  @attribute({ dtype: DevDouble, maxAlarm: 10, maxWarning: 5, label: "Voltage" })
  get voltage(): number { return this.#volts; }
  set voltage(v: number) { this.#volts = v; }

  @attribute({ dtype: DevDouble, minValue: 0, maxValue: 100 })
  get limited(): number { return 1; }
  set limited(_v: number) {}

  @attribute({ dtype: DevDouble })
  get broken(): number { throw new Error("sensor unplugged"); }

  @command({ dtypeOut: CmdArgType.DevVarStringArray })
  async Slow(): Promise<string[]> {
    this.#events.push(`start ${this.name}`);
    await this.gate.promise;
    this.#events.push(`end ${this.name}`);
    return this.#events;
  }

  @command({ dtypeOut: DevDouble })
  async ReadOwn(): Promise<number> {
    const [v] = await this.readAttributes(["voltage"]);
    return v?.value as number;
  }

  get events(): string[] { return this.#events; }
}

describe("DeviceServer request API", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  afterEach(async () => { await ts?.close(); });

  it("answers an unknown device with API_DeviceNotFound and cppTango's text", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] } });
    const df = await expectDevFailed(ts.server.api.ping(CTX, "no/such/dev"), Reason.DeviceNotFound);
    expect(df.desc).to.equal("Device no/such/dev not found");
  });

  it("matches names case-insensitively and replies with the declared case", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] } });
    const [v] = await ts.server.api.readAttributes(CTX, "TEST/PROBE/1", ["VOLTAGE"]);
    expect(v?.name).to.equal("voltage");
    const info = await ts.server.api.commandQuery(CTX, "test/probe/1", "readown");
    expect(info.name).to.equal("ReadOwn");
  });

  it("returns the other attributes when one read fails", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] } });
    const values = await ts.server.api.readAttributes(CTX, "test/probe/1", ["voltage", "broken", "nope", "State"]);
    expect(values.map((v) => v.name)).to.deep.equal(["voltage", "broken", "nope", "State"]);
    expect(values[0]?.value).to.equal(0);
    expect(values[1]?.errors?.[0]?.desc).to.equal("sensor unplugged");
    expect(values[2]?.errors?.[0]?.reason).to.equal(Reason.AttrNotFound);
    expect(values[2]?.errors?.[0]?.desc).to.equal("nope attribute not found");
    expect(values[3]?.value).to.equal(DevState.ON);
  });

  it("answers a CACHE read of an unpolled attribute with API_AttrNotPolled per attribute", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] } });
    const values = await ts.server.api.readAttributes(CTX, "test/probe/1", ["VOLTAGE"], { source: DevSource.CACHE });
    expect(values[0]?.name).to.equal("voltage");
    expect(values[0]?.errors?.[0]).to.deep.include({ reason: Reason.AttrNotPolled, desc: "Attribute voltage not polled" });
  });

  it("reports the failing index of a multi-write and keeps the successful writes", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] } });
    const api = ts.server.api;
    let err: unknown;
    try {
      await api.writeAttributes(CTX, "test/probe/1", [
        { name: "voltage", value: { type: CmdArgType.DevDouble, value: 3 } },
        { name: "limited", value: { type: CmdArgType.DevDouble, value: 101 } },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(MultiDevFailed);
    const m = err as MultiDevFailed;
    expect(m.errors.map((e) => [e.name, e.indexInCall, e.errors[0].reason])).to.deep.equal([["limited", 1, Reason.WAttrOutsideLimit]]);
    const [v] = await api.readAttributes(CTX, "test/probe/1", ["voltage"]);
    expect(v?.value).to.equal(3);
    expect(v?.wValue).to.equal(3);
  });

  it("sets ALARM quality past a threshold, turns an ON device's State to ALARM and lists it in Status", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] } });
    const api = ts.server.api;
    await api.writeAttributes(CTX, "test/probe/1", [{ name: "voltage", value: { type: CmdArgType.DevDouble, value: 10 } }]);
    const [v] = await api.readAttributes(CTX, "test/probe/1", ["voltage"]);
    expect(v?.quality).to.equal(AttrQuality.ATTR_ALARM);
    expect(await api.state(CTX, "test/probe/1")).to.equal(DevState.ALARM);
    expect(await api.status(CTX, "test/probe/1")).to.equal("The device is in ALARM state.\nAlarm : Value too high for Voltage");
    await api.writeAttributes(CTX, "test/probe/1", [{ name: "voltage", value: { type: CmdArgType.DevDouble, value: 6 } }]);
    expect((await api.readAttributes(CTX, "test/probe/1", ["voltage"]))[0]?.quality).to.equal(AttrQuality.ATTR_WARNING);
    await api.writeAttributes(CTX, "test/probe/1", [{ name: "voltage", value: { type: CmdArgType.DevDouble, value: 1 } }]);
    expect(await api.state(CTX, "test/probe/1")).to.equal(DevState.ON);
  });

  it("runs two slow commands on one device one after the other", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] } });
    const api = ts.server.api;
    const dev = ts.server.userDevices()[0]?.device as Probe;
    const a = api.commandInout(CTX, "test/probe/1", "Slow", undefined);
    const b = api.commandInout(CTX, "test/probe/1", "Slow", undefined);
    await new Promise((r) => setImmediate(r));
    expect(dev.events).to.deep.equal(["start test/probe/1"]);
    dev.gate.resolve();
    await Promise.all([a, b]);
    expect(dev.events).to.deep.equal(["start test/probe/1", "end test/probe/1", "start test/probe/1", "end test/probe/1"]);
  });

  it("overlaps slow commands on two devices", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1", "test/probe/2"] } });
    const [e1, e2] = ts.server.userDevices();
    const d1 = e1?.device as Probe;
    const d2 = e2?.device as Probe;
    const a = ts.server.api.commandInout(CTX, "test/probe/1", "Slow", undefined);
    const b = ts.server.api.commandInout(CTX, "test/probe/2", "Slow", undefined);
    await new Promise((r) => setImmediate(r));
    expect(d1.events).to.deep.equal(["start test/probe/1"]);
    expect(d2.events).to.deep.equal(["start test/probe/2"]);
    d1.gate.resolve();
    d2.gate.resolve();
    await Promise.all([a, b]);
  });

  it("gives a waiter API_CommandTimedOut after the monitor timeout", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] }, config: { monitorTimeoutMs: 50 } });
    const dev = ts.server.userDevices()[0]?.device as Probe;
    const slow = ts.server.api.commandInout(CTX, "test/probe/1", "Slow", undefined);
    const df = await expectDevFailed(ts.server.api.readAttributes(CTX, "test/probe/1", ["voltage"]), Reason.CommandTimedOut);
    expect(df.desc).to.match(/^Thread \d+ is not able to acquire serialization monitor "test\/probe\/1", it is currently held by thread \d+\.$/);
    dev.gate.resolve();
    await slow;
  });

  it("lets a command read its own device's attributes without deadlock", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1"] }, config: { monitorTimeoutMs: 200 } });
    const out = await ts.server.api.commandInout(CTX, "test/probe/1", "ReadOwn", undefined);
    expect(out).to.deep.equal({ type: CmdArgType.DevDouble, value: 0 });
  });

  for (const serialization of ["BY_DEVICE", "BY_CLASS", "BY_PROCESS"] as const) {
    it(`lets a command read its own device's attributes in ${serialization} without waiting on its lock`, async () => {
      ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1", "test/probe/2"] }, config: { serialization, monitorTimeoutMs: 200 } });
      const out = await ts.server.api.commandInout(CTX, "test/probe/2", "ReadOwn", undefined);
      expect(out).to.deep.equal({ type: CmdArgType.DevDouble, value: 0 });
    });
  }

  it("re-exports every device on the admin device's Init in BY_PROCESS, whose lock the Init holds", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1", "test/probe/2"] }, config: { serialization: "BY_PROCESS", monitorTimeoutMs: 200 } });
    const before = ts.server.userDevices().map((e) => e.device);
    await ts.server.api.commandInout(CTX, ts.server.adminName, "Init", undefined);
    const after = ts.server.userDevices().map((e) => e.device);
    expect(after.every((d, i) => d !== undefined && d === before[i])).to.equal(false);
    expect(ts.server.isReady).to.equal(true);
  });

  it("serializes BY_PROCESS across devices", async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["test/probe/1", "test/probe/2"] }, config: { serialization: "BY_PROCESS" } });
    const [e1, e2] = ts.server.userDevices();
    const a = ts.server.api.commandInout(CTX, "test/probe/1", "Slow", undefined);
    const b = ts.server.api.commandInout(CTX, "test/probe/2", "Slow", undefined);
    await new Promise((r) => setImmediate(r));
    expect((e2?.device as Probe).events).to.deep.equal([]);
    (e1?.device as Probe).gate.resolve();
    (e2?.device as Probe).gate.resolve();
    await Promise.all([a, b]);
  });
});
