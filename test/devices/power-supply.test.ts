import { expect } from "chai";
import { AttrQuality, DevFailed, DevState, MultiDevFailed, Reason, type DeviceProxy } from "../../src/client/index.js";
import type { DevError } from "../../src/client/index.js";
import { PowerSupply } from "../../src/devices/index.js";
import { DeviceTestContext, type PropertyValues } from "../../src/testing/index.js";
import { expectDevFailed } from "../support/test-server.js";

describe("PowerSupply", () => {
  let ctx: DeviceTestContext<PowerSupply> | undefined;
  afterEach(async () => { await ctx?.close(); ctx = undefined; });

  /** Starts one PowerSupply, optionally with device properties, and returns its proxy. */
  async function start(properties?: PropertyValues): Promise<DeviceProxy> {
    ctx = await DeviceTestContext.start(PowerSupply, { deviceName: "lab/ps/1", ...(properties && { properties }) });
    return ctx.proxy;
  }

  const writeCurrent = (ps: DeviceProxy, amps: number): Promise<void> => ps.writeAttribute("current", amps);

  /** Expects a write to fail with `reason` on its only attribute, and returns that error. */
  async function expectWriteFailed(ps: DeviceProxy, amps: number, reason: string): Promise<DevError> {
    const err: unknown = await ps.writeAttributes({ current: amps }).then(() => undefined, (e: unknown) => e);
    expect(err, "the write succeeded").to.be.instanceOf(MultiDevFailed);
    const [first, ...others] = (err as MultiDevFailed).errors;
    expect(others).to.deep.equal([]);
    expect(first.name).to.equal("current");
    expect(first.errors[0].reason, first.errors[0].desc).to.equal(reason);
    return first.errors[0];
  }

  it("is a built-in class and starts OFF with the default status", async () => {
    const ps = await start();
    expect((await ps.info()).devClass).to.equal("PowerSupply");
    expect(await ps.state()).to.equal(DevState.OFF);
    expect(await ps.status()).to.equal("The device is in OFF state.");
  });

  it("goes ON with On and OFF with Off", async () => {
    const ps = await start();
    await ps.commandInout("On");
    expect(await ps.state()).to.equal(DevState.ON);
    await ps.commandInout("Off");
    expect(await ps.state()).to.equal(DevState.OFF);
  });

  it("refuses commands in the wrong state with API_CommandNotAllowed and cppTango's text", async () => {
    const ps = await start();
    let df = await expectDevFailed(ps.commandInout("Off"), Reason.CommandNotAllowed);
    expect(df.desc).to.equal("Command Off not allowed when the device is in OFF state");
    df = await expectDevFailed(ps.commandInout("Reset"), Reason.CommandNotAllowed);
    expect(df.desc).to.equal("Command Reset not allowed when the device is in OFF state");
    await ps.commandInout("On");
    df = await expectDevFailed(ps.commandInout("On"), Reason.CommandNotAllowed);
    expect(df.desc).to.equal("Command On not allowed when the device is in ON state");
  });

  it("reads the set point as the output current when ON, 0 when OFF, and the voltage follows R·I", async () => {
    const ps = await start();
    await writeCurrent(ps, 2);
    let current = await ps.readAttribute("current");
    expect([current.value, current.wValue]).to.deep.equal([0, 2]);
    expect((await ps.readAttribute("voltage")).value).to.equal(0);
    await ps.commandInout("On");
    current = await ps.readAttribute("current");
    expect([current.value, current.wValue, current.quality]).to.deep.equal([2, 2, AttrQuality.ATTR_VALID]);
    expect((await ps.readAttribute("voltage")).value).to.equal(5);
    await writeCurrent(ps, 3);
    expect((await ps.readAttribute("voltage")).value).to.equal(7.5);
  });

  it("declares units, limits and alarm levels", async () => {
    const ps = await start();
    const [current, voltage] = await ps.getAttributeConfig(["current", "voltage"]);
    expect(current).to.deep.include({ unit: "A", minValue: "0", maxValue: "10" });
    expect(current?.alarms).to.deep.include({ maxWarning: "8", maxAlarm: "9" });
    expect(voltage).to.deep.include({ unit: "V", writableAttrName: "None" });
  });

  it("refuses a set point outside 0–10 A with API_WAttrOutsideLimit and keeps the previous one", async () => {
    const ps = await start();
    await writeCurrent(ps, 1);
    await expectWriteFailed(ps, 10.5, Reason.WAttrOutsideLimit);
    await expectWriteFailed(ps, -1, Reason.WAttrOutsideLimit);
    expect((await ps.readAttribute("current")).wValue).to.equal(1);
  });

  it("reads ALARM past the current's warning and alarm levels while ON", async () => {
    const ps = await start();
    await ps.commandInout("On");
    await writeCurrent(ps, 8.5);
    expect((await ps.readAttribute("current")).quality).to.equal(AttrQuality.ATTR_WARNING);
    await writeCurrent(ps, 9.2);
    expect((await ps.readAttribute("current")).quality).to.equal(AttrQuality.ATTR_ALARM);
    expect(await ps.state()).to.equal(DevState.ALARM);
    expect(await ps.status()).to.equal("The device is in ALARM state.\nAlarm : Value too high for Current");
    await ps.commandInout("Off");
    expect(await ps.state()).to.equal(DevState.OFF);
  });

  it("trips to FAULT above max_current, refuses On and writes there, and Reset returns to OFF", async () => {
    const ps = await start();
    await ps.commandInout("On");
    await writeCurrent(ps, 9.7);
    expect(await ps.state()).to.equal(DevState.FAULT);
    expect(await ps.status()).to.equal(
      "Over-current trip: set point 9.7 A is above max_current 9.5 A. Reset, lower the current, then On.");
    expect((await ps.readAttribute("current")).value).to.equal(0);
    expect((await ps.readAttribute("voltage")).value).to.equal(0);
    await expectDevFailed(ps.commandInout("On"), Reason.CommandNotAllowed);
    const err = await expectWriteFailed(ps, 1, Reason.AttrNotAllowed);
    expect(err.desc).to.equal("It is currently not allowed to write attribute current. The device state is FAULT");

    await ps.commandInout("Reset");
    expect(await ps.state()).to.equal(DevState.OFF);
    expect(await ps.status()).to.equal("The device is in OFF state.");
    await ps.commandInout("On");
    expect(await ps.state(), "the set point is kept, so On trips again").to.equal(DevState.FAULT);
    await ps.commandInout("Reset");
    await writeCurrent(ps, 4);
    await ps.commandInout("On");
    expect(await ps.state()).to.equal(DevState.ON);
    expect((await ps.readAttribute("current")).value).to.equal(4);
  });

  it("takes max_current and resistance from its device properties", async () => {
    const ps = await start({ max_current: 3, resistance: "10" });
    await ps.commandInout("On");
    await writeCurrent(ps, 2);
    expect((await ps.readAttribute("voltage")).value).to.equal(20);
    await writeCurrent(ps, 3.5);
    expect(await ps.state()).to.equal(DevState.FAULT);
  });

  it("applies a property put at run time at the next Init, which also leaves FAULT", async () => {
    const ps = await start();
    await ps.commandInout("On");
    await writeCurrent(ps, 9.7);
    await ps.putProperty({ max_current: "10", resistance: "1" });
    await ps.commandInout("Init");
    expect(await ps.state()).to.equal(DevState.OFF);
    await ps.commandInout("On");
    expect(await ps.state()).to.equal(DevState.ALARM);
    expect((await ps.readAttribute("voltage")).value).to.equal(9.7);
  });

  it("fails its init, so is never exported, when a property is out of range", async () => {
    const err: unknown = await start({ resistance: -1 }).then(() => undefined, (e: unknown) => e);
    expect(err, "the device started").to.be.instanceOf(DevFailed);
    const df = err as DevFailed;
    expect([df.reason, df.desc]).to.deep.equal([Reason.BadConfigurationProperty, "Property resistance of lab/ps/1 must be >= 0, got -1"]);
    expect(df.errors.map((e) => e.reason)).to.include(Reason.InitThrowsException);
  });

  it("stays unexported after a DevRestart whose init fails, and says why to every call", async () => {
    const ps = await start();
    await ps.putProperty({ resistance: -1 });
    await expectDevFailed(ctx!.adminProxy.commandInout("DevRestart", "lab/ps/1"), Reason.BadConfigurationProperty);
    const df = await expectDevFailed(ps.state(), Reason.BadConfigurationProperty);
    expect(df.desc).to.equal("Property resistance of lab/ps/1 must be >= 0, got -1");
    expect(df.errors.map((e) => e.reason)).to.include(Reason.InitThrowsException);
  });

  it("keeps the set point on the live instance across Init, and clears FAULT there too", async () => {
    const ps = await start();
    await writeCurrent(ps, 9.7);
    await ps.commandInout("On");
    expect(ctx?.device.getState()).to.equal(DevState.FAULT);
    await ps.commandInout("Init");
    expect(ctx?.device.getState()).to.equal(DevState.OFF);
    expect((await ps.readAttribute("current")).wValue).to.equal(9.7);
  });
});
