import { expect } from "chai";
import { AttrQuality, CmdArgType, DevState, MultiDevFailed, Reason } from "../../src/core/index.js";
import type { AttributeValue, DevFailed } from "../../src/core/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import type { RequestApi, ServerConfig } from "../../src/server/index.js";
import { CTX, expectDevFailed, startServer } from "../support/test-server.js";

const PS = "lab/ps/1";

describe("PowerSupply", () => {
  let ts: Awaited<ReturnType<typeof startServer>> | undefined;
  afterEach(async () => { await ts?.close(); ts = undefined; });

  /** Starts a server of the built-in classes with one PowerSupply, optionally with device properties. */
  async function start(properties?: Record<string, string[]>): Promise<RequestApi> {
    const classes: ServerConfig["classes"] = [{ name: "PowerSupply", devices: [{ name: PS, ...(properties && { properties }) }] }];
    ts = await startServer({ classes: Object.fromEntries(BUILTIN_CLASSES), devices: {}, config: { classes } });
    return ts.server.api;
  }

  const writeCurrent = (api: RequestApi, amps: number): Promise<void> =>
    api.writeAttributes(CTX, PS, [{ name: "current", value: { type: CmdArgType.DevDouble, value: amps } }]);

  async function read(api: RequestApi, name: string): Promise<AttributeValue> {
    const [v] = await api.readAttributes(CTX, PS, [name]);
    if (v === undefined) expect.fail(`no value for ${name}`);
    return v;
  }

  const run = (api: RequestApi, command: string): Promise<unknown> => api.commandInout(CTX, PS, command, undefined);

  /** Expects a write to fail with `reason` on its only attribute, and returns that error. */
  async function expectWriteFailed(p: Promise<void>, reason: string): Promise<DevFailed["errors"][0]> {
    const err: unknown = await p.then(() => undefined, (e: unknown) => e);
    expect(err, "the write succeeded").to.be.instanceOf(MultiDevFailed);
    const first = (err as MultiDevFailed).errors[0];
    expect(first.errors[0].reason, first.errors[0].desc).to.equal(reason);
    return first.errors[0];
  }

  it("is a built-in class and starts OFF with the default status", async () => {
    const api = await start();
    expect((await api.info(CTX, PS)).devClass).to.equal("PowerSupply");
    expect(await api.state(CTX, PS)).to.equal(DevState.OFF);
    expect(await api.status(CTX, PS)).to.equal("The device is in OFF state.");
  });

  it("goes ON with On and OFF with Off", async () => {
    const api = await start();
    await run(api, "On");
    expect(await api.state(CTX, PS)).to.equal(DevState.ON);
    await run(api, "Off");
    expect(await api.state(CTX, PS)).to.equal(DevState.OFF);
  });

  it("refuses commands in the wrong state with API_CommandNotAllowed and cppTango's text", async () => {
    const api = await start();
    let df = await expectDevFailed(run(api, "Off"), Reason.CommandNotAllowed);
    expect(df.desc).to.equal("Command Off not allowed when the device is in OFF state");
    df = await expectDevFailed(run(api, "Reset"), Reason.CommandNotAllowed);
    expect(df.desc).to.equal("Command Reset not allowed when the device is in OFF state");
    await run(api, "On");
    df = await expectDevFailed(run(api, "On"), Reason.CommandNotAllowed);
    expect(df.desc).to.equal("Command On not allowed when the device is in ON state");
  });

  it("reads the set point as the output current when ON, 0 when OFF, and the voltage follows R·I", async () => {
    const api = await start();
    await writeCurrent(api, 2);
    let current = await read(api, "current");
    expect([current.value, current.wValue]).to.deep.equal([0, 2]);
    expect((await read(api, "voltage")).value).to.equal(0);
    await run(api, "On");
    current = await read(api, "current");
    expect([current.value, current.wValue, current.quality]).to.deep.equal([2, 2, AttrQuality.ATTR_VALID]);
    expect((await read(api, "voltage")).value).to.equal(5);
    await writeCurrent(api, 3);
    expect((await read(api, "voltage")).value).to.equal(7.5);
  });

  it("declares units, limits and alarm levels", async () => {
    const api = await start();
    const [current, voltage] = await api.getAttributeConfig(CTX, PS, ["current", "voltage"]);
    expect(current).to.deep.include({ unit: "A", minValue: "0", maxValue: "10" });
    expect(current?.alarms).to.deep.include({ maxWarning: "8", maxAlarm: "9" });
    expect(voltage).to.deep.include({ unit: "V", writableAttrName: "None" });
  });

  it("refuses a set point outside 0–10 A with API_WAttrOutsideLimit and keeps the previous one", async () => {
    const api = await start();
    await writeCurrent(api, 1);
    await expectWriteFailed(writeCurrent(api, 10.5), Reason.WAttrOutsideLimit);
    await expectWriteFailed(writeCurrent(api, -1), Reason.WAttrOutsideLimit);
    expect((await read(api, "current")).wValue).to.equal(1);
  });

  it("reads ALARM past the current's warning and alarm levels while ON", async () => {
    const api = await start();
    await run(api, "On");
    await writeCurrent(api, 8.5);
    expect((await read(api, "current")).quality).to.equal(AttrQuality.ATTR_WARNING);
    await writeCurrent(api, 9.2);
    expect((await read(api, "current")).quality).to.equal(AttrQuality.ATTR_ALARM);
    expect(await api.state(CTX, PS)).to.equal(DevState.ALARM);
    expect(await api.status(CTX, PS)).to.equal("The device is in ALARM state.\nAlarm : Value too high for Current");
    await run(api, "Off");
    expect(await api.state(CTX, PS)).to.equal(DevState.OFF);
  });

  it("trips to FAULT above max_current, refuses On and writes there, and Reset returns to OFF", async () => {
    const api = await start();
    await run(api, "On");
    await writeCurrent(api, 9.7);
    expect(await api.state(CTX, PS)).to.equal(DevState.FAULT);
    expect(await api.status(CTX, PS)).to.equal(
      "Over-current trip: set point 9.7 A is above max_current 9.5 A. Reset, lower the current, then On.");
    expect((await read(api, "current")).value).to.equal(0);
    expect((await read(api, "voltage")).value).to.equal(0);
    await expectDevFailed(run(api, "On"), Reason.CommandNotAllowed);
    const err = await expectWriteFailed(writeCurrent(api, 1), Reason.AttrNotAllowed);
    expect(err.desc).to.equal("It is currently not allowed to write attribute current. The device state is FAULT");

    await run(api, "Reset");
    expect(await api.state(CTX, PS)).to.equal(DevState.OFF);
    expect(await api.status(CTX, PS)).to.equal("The device is in OFF state.");
    await run(api, "On");
    expect(await api.state(CTX, PS), "the set point is kept, so On trips again").to.equal(DevState.FAULT);
    await run(api, "Reset");
    await writeCurrent(api, 4);
    await run(api, "On");
    expect(await api.state(CTX, PS)).to.equal(DevState.ON);
    expect((await read(api, "current")).value).to.equal(4);
  });

  it("takes max_current and resistance from its device properties", async () => {
    const api = await start({ max_current: ["3"], resistance: ["10"] });
    await run(api, "On");
    await writeCurrent(api, 2);
    expect((await read(api, "voltage")).value).to.equal(20);
    await writeCurrent(api, 3.5);
    expect(await api.state(CTX, PS)).to.equal(DevState.FAULT);
  });

  it("applies a property put at run time at the next Init, which also leaves FAULT", async () => {
    const api = await start();
    await run(api, "On");
    await writeCurrent(api, 9.7);
    await api.putProperty(CTX, PS, [{ name: "max_current", values: ["10"] }, { name: "resistance", values: ["1"] }]);
    await run(api, "Init");
    expect(await api.state(CTX, PS)).to.equal(DevState.OFF);
    await run(api, "On");
    expect(await api.state(CTX, PS)).to.equal(DevState.ALARM);
    expect((await read(api, "voltage")).value).to.equal(9.7);
  });

  it("fails its init, and stays unexported, when a property is out of range", async () => {
    const api = await start({ resistance: ["-1"] });
    const df = await expectDevFailed(api.state(CTX, PS), Reason.BadConfigurationProperty);
    expect(df.desc).to.equal(`Property resistance of ${PS} must be >= 0, got -1`);
    expect(df.errors.map((e) => e.reason)).to.include(Reason.InitThrowsException);
    expect(ts?.server.readiness().isReady).to.equal(false);
  });
});
