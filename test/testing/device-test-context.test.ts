import { expect } from "chai";
import {
  Device, DevDouble, DevFailed, DevLong, DevState, DevString, DevVarStringArray, Reason, attribute, classProperty, command,
  deviceProperty,
} from "../../src/index.js";
import { DeviceProxy } from "../../src/client/index.js";
import { DeviceTestContext } from "../../src/testing/index.js";
import { expectDevFailed } from "../support/test-server.js";

/** A motor whose initDevice reads its properties: what a test author writes (PyTango's test_server.py idea). */
class Motor extends Device {
  /** Moves made since the device was built: a test reads it on the live instance. */
  moves = 0;
  position = 0;
  #speed = 0;

  @deviceProperty({ dtype: DevDouble, defaultValue: 1, description: "mm/s" })
  accessor Velocity!: number;

  @deviceProperty({ dtype: DevVarStringArray, defaultValue: ["x"] })
  accessor Axes!: readonly string[];

  @classProperty({ dtype: DevString, defaultValue: "none" })
  accessor Vendor!: string;

  override initDevice(): void {
    this.#speed = this.Velocity;
    this.setState(DevState.ON);
    this.setStatus(`speed ${this.#speed}, axes ${this.Axes.join(",")}, vendor ${this.Vendor}`);
  }

  @attribute({ dtype: DevDouble })
  get speed(): number { return this.#speed; }

  @attribute({ dtype: DevDouble })
  get Position(): number { return this.position; }
  set Position(mm: number) { this.position = mm; this.moves++; }

  @attribute({ dtype: DevLong })
  get Moves(): number { return this.moves; }

  @command({ allowedIn: [DevState.ON] })
  Stop(): void { this.setState(DevState.STANDBY); }
}

describe("DeviceTestContext", () => {
  const contexts: DeviceTestContext[] = [];
  const start = async <D extends Device>(...args: Parameters<typeof DeviceTestContext.start<D>>): Promise<DeviceTestContext<D>> => {
    const ctx = new DeviceTestContext<D>(...args);
    contexts.push(ctx);
    return ctx.start();
  };
  afterEach(async () => { await Promise.all(contexts.splice(0).map((c) => c.close())); });

  it("names the device, server and instance as PyTango does, and serves it on an OS-picked port of 127.0.0.1", async () => {
    const ctx = await start(Motor);
    expect(ctx.deviceName).to.equal("test/nodb/motor");
    expect(ctx.adminName).to.equal("dserver/Motor/motor");
    expect(ctx.grpcPort).to.be.within(1, 65535);
    expect(ctx.grpcAddress).to.equal(`127.0.0.1:${ctx.grpcPort}`);
    expect(ctx.getDeviceAccess()).to.equal(`tango://127.0.0.1:${ctx.grpcPort}/test/nodb/motor#dbase=no`);
    expect(ctx.getServerAccess()).to.equal(`tango://127.0.0.1:${ctx.grpcPort}/dserver/Motor/motor#dbase=no`);
    expect(ctx.httpPort).to.equal(undefined);
    expect(await ctx.proxy.state()).to.equal(DevState.ON);
    expect((await ctx.proxy.info()).devClass).to.equal("Motor");
    expect(await ctx.adminProxy.commandInout("QueryDevice")).to.deep.equal(["Motor::test/nodb/motor"]);
  });

  it("takes the device, server and instance names from its options", async () => {
    const ctx = await start(Motor, { deviceName: "lab/Motor/7", server: "Stage", instance: "bench" });
    expect([ctx.deviceName, ctx.adminName]).to.deep.equal(["lab/Motor/7", "dserver/Stage/bench"]);
    expect((await ctx.proxy.info()).serverId).to.equal("Stage/bench");
    expect(ctx.proxy.name).to.equal("lab/motor/7");
  });

  it("gives access strings that a DeviceProxy of its own accepts", async () => {
    const ctx = await start(Motor);
    // token "": hermetic whatever TANGO_TOKEN the environment holds.
    const own = new DeviceProxy(ctx.getDeviceAccess(), { token: "" });
    const admin = await DeviceProxy.adminOf(ctx.grpcAddress, { token: "" });
    try {
      expect(await own.status()).to.equal("speed 1, axes x, vendor none");
      expect(admin.name).to.equal("dserver/motor/motor");
    } finally {
      own.close();
      admin.close();
    }
  });

  it("applies device and class properties before initDevice runs, numbers, booleans and lists as Tango stores them", async () => {
    const ctx = await start(Motor, { properties: { Velocity: 2.5, Axes: ["x", "y"] }, classProperties: { Vendor: "ACME" } });
    expect(await ctx.proxy.status()).to.equal("speed 2.5, axes x,y, vendor ACME");
    expect((await ctx.proxy.readAttribute("speed")).value).to.equal(2.5);
    expect(await ctx.proxy.getProperty(["Velocity", "Axes"])).to.deep.equal({ Velocity: ["2.5"], Axes: ["x", "y"] });
  });

  it("gives the live instance: a change made on it is read through the proxy, and a write through the proxy shows on it", async () => {
    const ctx = await start(Motor);
    expect(ctx.device).to.be.instanceOf(Motor);
    ctx.device.position = 12;
    expect((await ctx.proxy.readAttribute("Position")).value).to.equal(12);
    await ctx.proxy.writeAttribute("Position", 3);
    expect([ctx.device.position, ctx.device.moves]).to.deep.equal([3, 1]);
    ctx.device.setState(DevState.FAULT);
    expect(await ctx.proxy.state()).to.equal(DevState.FAULT);
  });

  it("gives the new instance after DevRestart, and the same one after Init", async () => {
    const ctx = await start(Motor);
    const first = ctx.device;
    first.moves = 5;
    await ctx.proxy.commandInout("Init");
    expect(ctx.device).to.equal(first);
    await ctx.adminProxy.commandInout("DevRestart", ctx.deviceName);
    expect(ctx.device).to.not.equal(first);
    expect((await ctx.proxy.readAttribute("Moves")).value).to.equal(0);
  });

  it("rejects calls with the client's DevFailed", async () => {
    const ctx = await start(Motor);
    await ctx.proxy.commandInout("Stop");
    const df = await expectDevFailed(ctx.proxy.commandInout("Stop"), Reason.CommandNotAllowed);
    expect(df).to.be.instanceOf(DevFailed);
    expect(df.desc).to.equal("Command Stop not allowed when the device is in STANDBY state");
    expect(df.errors.at(-1)?.reason).to.equal(Reason.CommandFailed);
  });

  it("runs two contexts of the same class at once, each with its own port, properties and instance", async () => {
    const [a, b] = await Promise.all([start(Motor, { properties: { Velocity: 1 } }), start(Motor, { properties: { Velocity: 2 } })]);
    expect(a.grpcPort).to.not.equal(b.grpcPort);
    expect(a.deviceName).to.equal(b.deviceName);
    await a.proxy.writeAttribute("Position", 7);
    expect([a.device.position, b.device.position]).to.deep.equal([7, 0]);
    expect([(await a.proxy.readAttribute("speed")).value, (await b.proxy.readAttribute("speed")).value]).to.deep.equal([1, 2]);
    await a.close();
    expect(await b.proxy.state()).to.equal(DevState.ON);
  });

  it("sets the proxy's call timeout from timeoutMs, and makes other proxies with their own options", async () => {
    const ctx = await start(Motor, { timeoutMs: 750 });
    expect(ctx.proxy.timeoutMs).to.equal(750);
    expect(ctx.proxy).to.equal(ctx.proxy);
    const other = ctx.newProxy({ identity: { host: "bench-pc", pid: 99 } });
    expect(other).to.not.equal(ctx.proxy);
    expect(other.timeoutMs).to.equal(750);
    await other.commandInout("Status");
    expect((await other.blackBox(1))[0]).to.match(/\(cmd = Status\) from cache_device requested from bench-pc \(TypeScript client with PID 99\)$/);
  });

  it("ignores a TANGO_TOKEN in the environment, which the context's server would refuse", async () => {
    const saved = process.env.TANGO_TOKEN;
    process.env.TANGO_TOKEN = "a-token-for-the-control-room-servers";
    try {
      const ctx = await start(Motor);
      expect(await ctx.proxy.state()).to.equal(DevState.ON);
      expect(await ctx.newProxy({ timeoutMs: 1000 }).state()).to.equal(DevState.ON);
    } finally {
      if (saved === undefined) delete process.env.TANGO_TOKEN;
      else process.env.TANGO_TOKEN = saved;
    }
  });

  it("closes at the end of an `await using` block", async () => {
    let seen: DeviceTestContext<Motor> | undefined;
    {
      await using ctx = await DeviceTestContext.start(Motor);
      seen = ctx;
      expect(ctx.isRunning).to.equal(true);
    }
    expect(seen.isRunning).to.equal(false);
    expect(() => seen.proxy).to.throw(Error, "this DeviceTestContext is closed");
  });

  it("stops when the admin device is told to Kill", async () => {
    const ctx = await start(Motor);
    await ctx.adminProxy.commandInout("Kill");
    await ctx.close(); // the stop Kill began
    expect(ctx.isRunning).to.equal(false);
  });

  it("keeps the log in memory at warn level, and copies it to logDestination", async () => {
    const written: string[] = [];
    class Noisy extends Motor {
      override initDevice(): void {
        super.initDevice();
        this.log.warn({ axis: 1 }, "axis not homed");
        this.log.info("an info line nobody asked for");
      }
    }
    const ctx = await start(Noisy, { logDestination: { write: (line) => written.push(line) } });
    const lines = ctx.logs().filter((r) => r.device === ctx.deviceName);
    expect(lines.map((r) => [r.level, r.msg, r.axis])).to.deep.equal([[40, "axis not homed", 1]]);
    expect(written.some((l) => l.includes("axis not homed"))).to.equal(true);
  });

  it("starts the HTTP sidecar when asked, its readiness following the device's", async () => {
    const ctx = await start(Motor, { http: true });
    expect(ctx.httpPort).to.be.a("number").and.not.equal(ctx.grpcPort);
    const ready = await fetch(`http://127.0.0.1:${ctx.httpPort}/readyz`, { signal: AbortSignal.timeout(5_000) });
    expect(ready.status).to.equal(200);
    const metrics = await (await fetch(`http://127.0.0.1:${ctx.httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).to.include('tango_device_state{device="test/nodb/motor"');
  });
});
