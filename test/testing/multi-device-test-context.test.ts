import { expect } from "chai";
import {
  Device, DevDouble, DevFailed, DevLong, DevState, DevString, Reason, attribute, classProperty, command, deviceProperty,
} from "../../src/index.js";
import { DeviceProxy } from "../../src/client/index.js";
import { MultiDeviceTestContext } from "../../src/testing/index.js";
import { expectDevFailed } from "../support/test-server.js";

class Valve extends Device {
  isOpen = false;

  @classProperty({ dtype: DevString, defaultValue: "unknown" })
  accessor Model!: string;

  override initDevice(): void {
    this.setState(DevState.CLOSE);
    this.setStatus(`model ${this.Model}`);
  }

  @command({ allowedIn: [DevState.CLOSE] })
  Open(): void { this.isOpen = true; this.setState(DevState.OPEN); }
}

/** Reaches a valve through DeviceProxy, as devices reach each other (STYLE §9); its TRL is a property. */
class Pump extends Device {
  #valve: DeviceProxy | undefined;

  @deviceProperty({ dtype: DevString, defaultValue: "" })
  accessor ValveTrl!: string;

  @deviceProperty({ dtype: DevLong, defaultValue: 100 })
  accessor MaxFlow!: number;

  #maxFlow = 0;

  override initDevice(): void {
    this.#maxFlow = this.MaxFlow;
    this.setState(DevState.STANDBY);
  }

  override deleteDevice(): void {
    this.#valve?.close();
    this.#valve = undefined;
  }

  @attribute({ dtype: DevLong })
  get max_flow(): number { return this.#maxFlow; }

  @attribute({ dtype: DevDouble })
  get flow(): number { return this.getState() === DevState.ON ? this.#maxFlow / 2 : 0; }

  /** Opens the valve named by `ValveTrl`, then runs. */
  @command({ allowedIn: [DevState.STANDBY] })
  async Start(): Promise<void> {
    this.#valve ??= new DeviceProxy(this.ValveTrl, { token: "" });
    await this.#valve.commandInout("Open");
    this.setState(DevState.ON);
  }
}

describe("MultiDeviceTestContext", () => {
  let ctx: MultiDeviceTestContext | undefined;
  afterEach(async () => { await ctx?.close(); ctx = undefined; });

  const startPlant = async (): Promise<MultiDeviceTestContext> => ctx = await MultiDeviceTestContext.start([
    { class: Valve, classProperties: { Model: "V-2" }, devices: [{ name: "plant/valve/1" }, { name: "plant/valve/2" }] },
    { class: Pump, devices: [{ name: "plant/pump/1", properties: { MaxFlow: 40 } }] },
  ]);

  it("serves devices of two classes in one server, named after the first class", async () => {
    const plant = await startPlant();
    expect(plant.deviceNames).to.deep.equal(["plant/valve/1", "plant/valve/2", "plant/pump/1"]);
    expect(plant.adminName).to.equal("dserver/Valve/valve");
    expect(await plant.adminProxy.commandInout("QueryDevice")).to.deep.equal([
      "Valve::plant/valve/1", "Valve::plant/valve/2", "Pump::plant/pump/1",
    ]);
    expect(await plant.proxy("plant/valve/2").status()).to.equal("model V-2");
    expect((await plant.proxy("plant/pump/1").readAttribute("max_flow")).value).to.equal(40);
    expect(plant.getServerAccess()).to.equal(`tango://127.0.0.1:${plant.grpcPort}/dserver/Valve/valve#dbase=no`);
  });

  it("keeps one proxy per device, whatever the case of its name", async () => {
    const plant = await startPlant();
    expect(plant.proxy("PLANT/valve/1")).to.equal(plant.proxy("plant/valve/1"));
    expect(plant.proxy("plant/valve/1")).to.not.equal(plant.proxy("plant/valve/2"));
  });

  it("gives each device's live instance, checked against a class when given", async () => {
    const plant = await startPlant();
    await plant.proxy("plant/valve/2").commandInout("Open");
    expect([plant.device<Valve>("plant/valve/1").isOpen, plant.device("plant/valve/2", Valve).isOpen]).to.deep.equal([false, true]);
    expect(plant.device("plant/pump/1", Pump).MaxFlow).to.equal(40);
    expect(() => plant.device("plant/pump/1", Valve)).to.throw(TypeError, "device plant/pump/1 is a Pump, not a Valve");
    expect(() => plant.device("plant/valve/9")).to.throw(TypeError,
      "this MultiDeviceTestContext has no device plant/valve/9 (it has plant/valve/1, plant/valve/2, plant/pump/1)");
    expect(() => plant.device(plant.adminName)).to.throw(TypeError, "has no device dserver/Valve/valve");
  });

  it("lets one device reach another through the access string the context gives", async () => {
    const plant = await startPlant();
    const pump = plant.proxy("plant/pump/1");
    await pump.putProperty({ ValveTrl: plant.getDeviceAccess("plant/valve/1") });
    await pump.commandInout("Init");
    await pump.commandInout("Start");
    expect(await plant.proxy("plant/valve/1").state()).to.equal(DevState.OPEN);
    expect((await pump.readAttribute("flow")).value).to.equal(20);
  });

  it("reports a device that is not exported after a failed Init as a client would see it", async () => {
    const plant = await startPlant();
    const pump = plant.proxy("plant/pump/1");
    await pump.putProperty({ MaxFlow: "lots" });
    await expectDevFailed(plant.adminProxy.commandInout("DevRestart", "plant/pump/1"), Reason.StdException);
    expect(() => plant.device("plant/pump/1")).to.throw(DevFailed).with.property("reason", Reason.StdException);
    await expectDevFailed(pump.state(), Reason.StdException);
  });

  it("takes server and instance names, and runs next to another context of the same names", async () => {
    const names = { server: "Plant", instance: "hall" };
    ctx = await MultiDeviceTestContext.start([{ class: Valve, devices: [{ name: "a/valve/1" }] }], names);
    const other = await MultiDeviceTestContext.start([{ class: Valve, devices: [{ name: "a/valve/1" }] }], names);
    try {
      expect(other.adminName).to.equal(ctx.adminName);
      await ctx.proxy("a/valve/1").commandInout("Open");
      expect(await other.proxy("a/valve/1").state()).to.equal(DevState.CLOSE);
    } finally {
      await other.close();
    }
  });
});
