import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { AttrQuality, DevFailed, DevState, EventType, Reason, type DeviceProxy, type EventData } from "tango-grpc/client";
import { DeviceTestContext } from "tango-grpc/testing";
import { Motor, REASON_AT_LIMIT_SWITCH } from "../src/motor.js";
import { waitFor } from "./wait-for.js";

/** Awaits `call`, expects it to fail with `reason` at the root of the error stack, and returns the error. */
async function expectFailure(call: Promise<unknown>, reason: string): Promise<DevFailed> {
  const err: unknown = await call.then(() => undefined, (e: unknown) => e);
  expect(err, "the call succeeded").to.be.instanceOf(DevFailed);
  const df = err as DevFailed;
  expect(df.reason, df.message).to.equal(reason);
  return df;
}

async function positionOf(proxy: DeviceProxy): Promise<number> {
  return (await proxy.readAttribute<number>("position")).value ?? Number.NaN;
}

/** Waits until a move has ended (the state is no longer MOVING). */
async function moveEnded(proxy: DeviceProxy): Promise<void> {
  await waitFor(async () => (await proxy.state()) !== DevState.MOVING, "the end of the move");
}

describe("Motor", () => {
  let ctx: DeviceTestContext<Motor> | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  /** One Motor with these device properties; its proxy. */
  async function start(properties: Record<string, number> = {}): Promise<DeviceProxy> {
    ctx = await DeviceTestContext.start(Motor, { properties });
    return ctx.proxy;
  }

  it("starts ON and at rest at 0, with its properties' velocity and acceleration", async () => {
    const motor = await start({ Velocity: 2.5, Acceleration: 4 });
    expect(await motor.state()).to.equal(DevState.ON);
    expect(await motor.status()).to.equal("The motor is ON, at rest at 0 mm.");
    const [position, velocity, acceleration, low, high] = await motor.readAttributes(["position", "velocity", "acceleration", "lowLimit", "highLimit"]);
    expect([position?.value, position?.quality]).to.deep.equal([0, AttrQuality.ATTR_VALID]);
    expect([velocity?.value, acceleration?.value, low?.value, high?.value]).to.deep.equal([2.5, 4, false, false]);
    expect((await motor.getAttributeConfig("position")).unit).to.equal("mm");
  });

  it("moves in the background: Move returns at once, MOVING with a CHANGING position, then ON at the target", async () => {
    const motor = await start({ Velocity: 10 });
    await motor.commandInout("Move", 8);
    expect(await motor.state()).to.equal(DevState.MOVING);
    expect(await motor.status()).to.match(/^The motor is MOVING to 8 mm at 10 mm\/s, now at [\d.]+ mm\.$/);
    expect((await motor.readAttribute("position")).quality).to.equal(AttrQuality.ATTR_CHANGING);
    await moveEnded(motor);
    expect(await motor.state()).to.equal(DevState.ON);
    const position = await motor.readAttribute("position");
    expect([position.value, position.quality]).to.deep.equal([8, AttrQuality.ATTR_VALID]);
    expect(await motor.status()).to.equal("The motor is ON, at rest at 8 mm.");
  });

  it("starts a move when position is written, the target being the set value", async () => {
    const motor = await start({ Velocity: 20 });
    await motor.writeAttribute("position", -12.5);
    expect(await motor.state()).to.equal(DevState.MOVING);
    await moveEnded(motor);
    const position = await motor.readAttribute("position");
    expect([position.value, position.wValue]).to.deep.equal([-12.5, -12.5]);
  });

  it("stops where the stage is on Stop, and stays there", async () => {
    const motor = await start({ Velocity: 5 });
    await motor.commandInout("Move", 50);
    await waitFor(async () => (await positionOf(motor)) > 0.2, "the stage leaving 0");
    await motor.commandInout("Stop");
    expect(await motor.state()).to.equal(DevState.ON);
    const stoppedAt = await positionOf(motor);
    expect(stoppedAt).to.be.above(0.2).and.below(50);
    await sleep(200);
    expect(await positionOf(motor)).to.equal(stoppedAt);
  });

  it("refuses targets outside the soft limits with API_WAttrOutsideLimit, and does not move", async () => {
    const motor = await start({ MinPosition: -20, MaxPosition: 30 });
    let df = await expectFailure(motor.writeAttribute("position", 30.5), Reason.WAttrOutsideLimit);
    expect(df.errors[0].desc).to.equal("Set value for attribute position (30.5 mm) is above the maximum authorized, MaxPosition = 30 mm");
    df = await expectFailure(motor.commandInout("Move", -21), Reason.WAttrOutsideLimit);
    expect(df.errors[0].desc).to.equal("Move target -21 mm is below the minimum authorized, MinPosition = -20 mm");
    expect(await motor.state()).to.equal(DevState.ON);
    expect(await positionOf(motor)).to.equal(0);
  });

  it("stops on a limit switch in ALARM, from where it only moves back", async () => {
    const motor = await start({ Velocity: 200, HighLimitSwitch: 10 });
    await motor.commandInout("Move", 40);
    await moveEnded(motor);
    expect(await motor.state()).to.equal(DevState.ALARM);
    expect(await positionOf(motor)).to.equal(10);
    expect((await motor.readAttribute("highLimit")).value).to.equal(true);
    expect(ctx?.device.highLimit, "the live instance's flag").to.equal(true);
    expect(await motor.status()).to.equal("The motor is on its high limit switch at 10 mm: it can only move down.");

    const df = await expectFailure(motor.commandInout("Move", 11), REASON_AT_LIMIT_SWITCH);
    expect(df.errors[0].desc).to.equal("Move target 11 mm is beyond the limit switch the motor is on, at 10 mm");
    await motor.commandInout("Move", 3);
    await moveEnded(motor);
    expect(await motor.state()).to.equal(DevState.ON);
    const [position, high] = await motor.readAttributes(["position", "highLimit"]);
    expect([position?.value, high?.value]).to.deep.equal([3, false]);
  });

  it("refuses moves while OFF or MOVING, as Tango refuses a command or a write in the wrong state", async () => {
    const motor = await start({ Velocity: 1 });
    await motor.commandInout("Move", 5);
    let df = await expectFailure(motor.commandInout("Move", 1), Reason.CommandNotAllowed);
    expect(df.errors[0].desc).to.equal("Command Move not allowed when the device is in MOVING state");
    await expectFailure(motor.writeAttribute("position", 1), Reason.AttrNotAllowed);

    await motor.commandInout("Off");
    expect(await motor.state()).to.equal(DevState.OFF);
    const stoppedAt = await positionOf(motor);
    df = await expectFailure(motor.commandInout("Move", 1), Reason.CommandNotAllowed);
    expect(df.errors[0].desc).to.equal("Command Move not allowed when the device is in OFF state");
    df = await expectFailure(motor.writeAttribute("position", 1), Reason.AttrNotAllowed);
    expect(df.errors[0].desc).to.equal("It is currently not allowed to write attribute position. The device state is OFF");
    expect(await motor.status()).to.equal(`The motor is OFF at ${stoppedAt} mm.`);

    await motor.commandInout("On");
    expect(await motor.state()).to.equal(DevState.ON);
  });

  it("keeps velocity > 0 and acceleration >= 0 (min_value 0)", async () => {
    const motor = await start();
    let df = await expectFailure(motor.writeAttribute("velocity", 0), Reason.WAttrOutsideLimit);
    expect(df.errors[0].desc).to.equal("Set value for attribute velocity must be > 0, got 0");
    df = await expectFailure(motor.writeAttribute("acceleration", -1), Reason.WAttrOutsideLimit);
    expect(df.errors[0].desc).to.equal("Set value for attribute acceleration is below the minimum authorized (at least element 0)");
    expect((await motor.getAttributeConfig("acceleration")).minValue).to.equal("0");
    await motor.writeAttributes({ velocity: 3, acceleration: 0 });
    expect((await motor.readAttribute("velocity")).value).to.equal(3);
  });

  it("pushes change events of position at each step and of State at each change, without polling", async () => {
    const motor = await start({ Velocity: 10 });
    const positions: EventData<number>[] = [];
    const states: DevState[] = [];
    await motor.subscribeEvent<number>("position", EventType.CHANGE_EVENT, (event) => { positions.push(event); });
    await motor.subscribeEvent<DevState>("State", EventType.CHANGE_EVENT, (event) => {
      if (event.value?.value !== undefined) states.push(event.value.value);
    });
    await waitFor(() => positions.length > 0 && states.length > 0, "the first events (the current values)");

    await motor.commandInout("Move", 6);
    await waitFor(() => states.at(-1) === DevState.ON && positions.at(-1)?.value?.value === 6, "the events of the move's end");
    expect(states).to.deep.equal([DevState.ON, DevState.MOVING, DevState.ON]);
    const values = positions.map((e) => [e.value?.value, e.value?.quality] as const);
    expect(values[0]).to.deep.equal([0, AttrQuality.ATTR_VALID]);
    expect(values.at(-1)).to.deep.equal([6, AttrQuality.ATTR_VALID]);
    const steps = values.slice(1, -1);
    expect(steps.length, "the steps between the start and the end").to.be.at.least(1);
    for (const [value, quality] of steps) {
      expect(quality).to.equal(AttrQuality.ATTR_CHANGING);
      expect(value).to.be.above(0).and.below(6);
    }
  });

  it("on Init, stops a move, keeps the position and reloads velocity and acceleration from the properties", async () => {
    const motor = await start({ Velocity: 5, Acceleration: 0 });
    await motor.writeAttributes({ velocity: 8, acceleration: 100 });
    await motor.commandInout("Move", 50);
    await waitFor(async () => (await positionOf(motor)) > 0.2, "the stage leaving 0");
    await motor.commandInout("Init");
    expect(await motor.state()).to.equal(DevState.ON);
    const kept = await positionOf(motor);
    expect(kept).to.be.above(0.2).and.below(50);
    await sleep(200);
    expect(await positionOf(motor)).to.equal(kept);
    const [velocity, acceleration] = await motor.readAttributes(["velocity", "acceleration"]);
    expect([velocity?.value, acceleration?.value]).to.deep.equal([5, 0]);
  });

  it("refuses to start with a property out of range, naming it", async () => {
    const err: unknown = await DeviceTestContext.start(Motor, { properties: { Velocity: 0 } }).then(
      async (started) => { ctx = started; return undefined; }, (e: unknown) => e);
    expect(err, "the context started").to.be.instanceOf(DevFailed);
    const df = err as DevFailed;
    expect(df.reason).to.equal(Reason.BadConfigurationProperty);
    expect(df.errors[0].desc).to.equal("test/nodb/motor: property Velocity must be > 0, got 0");
  });
});
