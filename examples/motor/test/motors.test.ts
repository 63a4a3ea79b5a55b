import { expect } from "chai";
import { DevState } from "tango-grpc/client";
import { MultiDeviceTestContext } from "tango-grpc/testing";
import { Motor } from "../src/motor.js";
import { waitFor } from "./wait-for.js";

describe("two Motors in one server", () => {
  let ctx: MultiDeviceTestContext | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it("keep their own properties, positions and moves", async () => {
    ctx = await MultiDeviceTestContext.start([{
      class: Motor,
      devices: [
        { name: "lab/motor/1", properties: { Velocity: 100 } },
        { name: "lab/motor/2", properties: { Velocity: 3, MaxPosition: 20 } },
      ],
    }], { server: "Motor", instance: "lab" });
    expect(ctx.adminName).to.equal("dserver/Motor/lab");
    const [one, two] = [ctx.proxy("lab/motor/1"), ctx.proxy("lab/motor/2")];
    expect((await one.readAttribute("velocity")).value).to.equal(100);
    expect((await two.readAttribute("velocity")).value).to.equal(3);

    await one.commandInout("Move", 25);
    await waitFor(async () => (await one.state()) === DevState.ON, "the end of lab/motor/1's move");
    expect((await one.readAttribute("position")).value).to.equal(25);
    expect((await two.readAttribute("position")).value, "lab/motor/2 did not move").to.equal(0);
    expect(await two.state()).to.equal(DevState.ON);

    // lab/motor/2's own soft limit: 25 is refused there, not on lab/motor/1.
    const refused = await two.commandInout("Move", 25).then(() => undefined, (e: unknown) => e);
    expect(String(refused)).to.contain("MaxPosition = 20 mm");
    expect(ctx.device<Motor>("lab/motor/2").getState(), "the live instance").to.equal(DevState.ON);
  });
});
