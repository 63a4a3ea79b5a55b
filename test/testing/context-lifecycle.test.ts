import { expect } from "chai";
import { Device, DevDouble, DevFailed, DevState, Reason, attribute, deviceProperty } from "../../src/index.js";
import { DeviceTestContext, MultiDeviceTestContext } from "../../src/testing/index.js";
import { defer } from "../support/test-server.js";
import { snapshotResources } from "./open-resources.js";

class Plain extends Device {
  override initDevice(): void { this.setState(DevState.ON); }

  @attribute({ dtype: DevDouble })
  get value(): number { return 1; }
}

/** Refuses a gain outside 0–10 in its initDevice, as a device checks its configuration. */
class Amplifier extends Device {
  @deviceProperty({ dtype: DevDouble, defaultValue: 1 })
  accessor gain!: number;

  override initDevice(): void {
    if (this.gain > 10) throw DevFailed.of(Reason.BadConfigurationProperty, `gain ${this.gain} is above 10`, "Amplifier::init_device");
    this.setState(DevState.ON);
  }
}

/** Fails with a plain Error, as a bug in device code does. */
class Broken extends Device {
  override initDevice(): void { throw new RangeError("calibration table is empty"); }
}

/** Rejects the start of a context and returns what it rejected with. */
async function startFailure(start: () => Promise<unknown>): Promise<unknown> {
  try {
    await start();
  } catch (err) {
    return err;
  }
  expect.fail("the context started");
}

describe("test context lifecycle", () => {
  it("leaves no socket, server, timer or immediate open after close", async () => {
    const resources = await snapshotResources();
    const ctx = await DeviceTestContext.start(Plain, { http: true });
    await ctx.proxy.readAttribute("value");
    await ctx.adminProxy.commandInout("QueryDevice");
    const multi = await MultiDeviceTestContext.start([{ class: Plain, devices: [{ name: "a/b/1" }, { name: "a/b/2" }] }]);
    await multi.proxy("a/b/2").state();
    await Promise.all([ctx.close(), multi.close()]);
    await resources.expectNoneLeft("two closed contexts");
  });

  it("closes more than once, before any start, and while starting", async () => {
    const resources = await snapshotResources();
    const never = new DeviceTestContext(Plain);
    await never.close();
    await never.close();
    await startFailure(() => never.start()).then((err) => expect(String(err)).to.include("this DeviceTestContext is closed"));

    const ctx = new DeviceTestContext(Plain);
    const starting = ctx.start();
    const closing = ctx.close();
    expect(String(await startFailure(() => starting))).to.equal("Error: this DeviceTestContext was closed while it started");
    await closing;
    expect(ctx.isRunning).to.equal(false);
    await ctx.close();
    await resources.expectNoneLeft("contexts closed early and twice");
  });

  it("refuses to be used before start and after close, saying so", async () => {
    const ctx = new DeviceTestContext(Plain);
    expect(() => ctx.proxy).to.throw(Error, "this DeviceTestContext is not started: await its start() first");
    expect(() => ctx.device).to.throw(Error, "not started");
    expect(ctx.deviceName).to.equal("test/nodb/plain");
    await ctx.start();
    await ctx.close();
    expect(() => ctx.grpcPort).to.throw(Error, "this DeviceTestContext is closed");
  });

  describe("a start that fails", () => {
    let resources: Awaited<ReturnType<typeof snapshotResources>>;
    beforeEach(async () => { resources = await snapshotResources(); });
    afterEach(async () => { await resources.expectNoneLeft("a failed start"); });

    it("rejects with the initDevice's DevFailed, its reason at the root and the device named on top", async () => {
      const ctx = new DeviceTestContext(Amplifier, { properties: { gain: 12 } });
      const err = await startFailure(() => ctx.start());
      expect(err).to.be.instanceOf(DevFailed);
      const df = err as DevFailed;
      expect([df.reason, df.desc]).to.deep.equal([Reason.BadConfigurationProperty, "gain 12 is above 10"]);
      expect(df.errors.at(-1)).to.deep.include({
        reason: Reason.InitThrowsException,
        desc: "DeviceTestContext could not start device test/nodb/amplifier of class Amplifier: its initDevice failed",
      });
      expect(ctx.isRunning).to.equal(false);
      await ctx.close();
      await ctx.close();
    });

    it("turns an Error thrown by initDevice into API_StdException, keeping it as the cause", async () => {
      const err = await startFailure(() => DeviceTestContext.start(Broken));
      expect(err).to.be.instanceOf(DevFailed);
      const df = err as DevFailed;
      expect([df.reason, df.desc]).to.deep.equal([Reason.StdException, "calibration table is empty"]);
      expect(df.cause).to.be.instanceOf(RangeError);
    });

    it("rejects when any device of a multi-device context fails, after starting the others", async () => {
      const err = await startFailure(() => MultiDeviceTestContext.start([
        { class: Plain, devices: [{ name: "ok/plain/1" }] },
        { class: Amplifier, devices: [{ name: "ok/amp/1" }, { name: "bad/amp/2", properties: { gain: 11 } }] },
      ]));
      expect((err as DevFailed).errors.at(-1)?.desc).to.include("device bad/amp/2 of class Amplifier");
    });

    it("refuses a property value that does not parse as the declared type before starting anything", () => {
      expect(() => new DeviceTestContext(Amplifier, { properties: { gain: "loud" } }))
        .to.throw(DevFailed, 'property gain of device test/nodb/amplifier: "loud" is not a number')
        .with.property("reason", Reason.BadConfigurationProperty);
    });

    it("refuses what is not a device class, bad names and duplicates, every problem at once", async () => {
      const notADevice = class Helper {} as unknown as typeof Plain;
      expect(() => new DeviceTestContext(notADevice)).to.throw(TypeError, "the device class is not a Device class: it must extend Device from tango-grpc");
      expect(() => new MultiDeviceTestContext([
        { class: Plain, devices: [{ name: "a/b" }, { name: "x/y/z" }, { name: "X/Y/Z" }] },
        { class: Plain, devices: [{ name: "p/q/r", properties: { "1st": 1, ok: { nested: true } as never } }] },
      ], { server: "my/server", instance: "one", timeoutMs: 0 })).to.throw(TypeError).that.satisfies((e: TypeError) => {
        expect(e.message.split("\n")).to.deep.equal([
          "MultiDeviceTestContext options (7 problems):",
          "  class Plain is given twice; list all its devices under one entry",
          '  server name "my/server" must be one word without "/" or blanks',
          "  timeoutMs must be a positive number of milliseconds, got 0",
          '  device name "a/b" is not domain/family/member',
          "  device name X/Y/Z is used twice (names ignore case)",
          '  property name "1st" of device p/q/r must be letters, digits and _, not starting with a digit',
          "  property ok of device p/q/r is an object; a property value is a string, number, boolean or bigint, or a list of them",
        ]);
        return true;
      });
      await startFailure(() => MultiDeviceTestContext.start([])).then((err) => expect(String(err)).to.include("no device class is given"));
      // What a JavaScript caller can pass.
      expect(() => new MultiDeviceTestContext([{ class: null, devices: undefined } as never, { class: Plain, devices: [] }]))
        .to.throw(TypeError, "classes[0].class is not a class (it is null)\n  class Plain has no device");
    });

    it("gives up after startTimeoutMs when an initDevice never returns, naming it", async () => {
      const release = defer();
      class Stuck extends Device {
        override async initDevice(): Promise<void> { await release.promise; }
      }
      try {
        const err = await startFailure(() => DeviceTestContext.start(Stuck, { startTimeoutMs: 200 }));
        expect(String(err)).to.equal(
          "Error: DeviceTestContext did not start within 200 ms: initDevice of test/nodb/stuck has not returned (option startTimeoutMs)");
      } finally {
        release.resolve();
      }
    });
  });
});
