import { expect } from "chai";
import { CmdArgType, DevDouble, DevState, Device, attribute, command } from "../../src/device/index.js";
import { Reason, type TypedValue } from "../../src/core/index.js";
import type { CallContext, ServerConfig } from "../../src/server/index.js";
import { expectDevFailed, startServer } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";

/** A device with a command that changes it, one its class lets anyone run, and a writable attribute. */
class Lockable extends Device {
  bumps = 0;
  #value = 0;
  override initDevice(): void { this.setState(DevState.ON); }

  @command()
  Bump(): void { this.bumps++; }

  @command()
  Harmless(): void { this.bumps += 0; }

  @attribute({ dtype: DevDouble })
  get value(): number { return this.#value; }
  set value(v: number) { this.#value = v; }
}

const ADMIN = "dserver/Test/t";
const DEV = "test/lock/1";
const ctxOf = (pid: number, extra: Partial<CallContext["client"]> = {}, transport: CallContext["transport"] = "grpc"): CallContext =>
  ({ client: { host: "lab1", peer: `127.0.0.1:${40000 + pid}`, pid, language: "TypeScript", ...extra }, transport });
const OWNER = ctxOf(100, { proxyId: "proxy-a" });
/** The same process, another proxy: another owner. */
const SAME_PROCESS = ctxOf(100, { proxyId: "proxy-b" });
const OTHER = ctxOf(200);
const longString = (lvalue: number[], svalue: string[]): TypedValue => ({ type: CmdArgType.DevVarLongStringArray, value: { lvalue: Int32Array.from(lvalue), svalue } });
const strings = (value: string[]): TypedValue => ({ type: CmdArgType.DevVarStringArray, value });
const str = (value: string): TypedValue => ({ type: CmdArgType.DevString, value });
const dbl = (value: number): TypedValue => ({ type: CmdArgType.DevDouble, value });

const CONFIG: Partial<ServerConfig> = {
  classes: [
    { name: "Lockable", properties: { AllowedAccessCmd: ["harmless"] }, devices: [{ name: DEV }, { name: "test/lock/2" }] },
    { name: "DataBase", devices: [{ name: "sys/database/2" }] },
  ],
} as Partial<ServerConfig>;

describe("device locking on the server", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    ts = await startServer({ classes: { Lockable, DataBase: Lockable }, devices: {}, config: CONFIG });
  });
  afterEach(() => ts.close());

  const admin = (ctx: CallContext, cmd: string, argin?: TypedValue): Promise<TypedValue> => ts.server.api.commandInout(ctx, ADMIN, cmd, argin);
  const lock = (ctx: CallContext, device = DEV, validityS = 10): Promise<TypedValue> => admin(ctx, "LockDevice", longString([validityS], [device]));
  const unlock = async (ctx: CallContext, force = false, devices = [DEV]): Promise<number> =>
    (await admin(ctx, "UnLockDevice", longString([force ? 1 : 0], devices))).value as number;
  const lockStatus = async (device = DEV): Promise<{ lvalue: Int32Array; svalue: string[] }> =>
    (await admin(OTHER, "DevLockStatus", str(device))).value as { lvalue: Int32Array; svalue: string[] };

  /** Every request that changes the device, from `ctx`. */
  const mutating = (ctx: CallContext): Array<[string, string, () => Promise<unknown>]> => {
    const api = ts.server.api;
    return [
      ["a command", "command_inout4", () => api.commandInout(ctx, DEV, "Bump", undefined)],
      ["Init", "command_inout4", () => api.commandInout(ctx, DEV, "Init", undefined)],
      ["an attribute write", "write_attributes_4", () => api.writeAttributes(ctx, DEV, [{ name: "value", value: dbl(2) }])],
      ["a write-read", "write_read_attributes_5", () => api.writeReadAttributes(ctx, DEV, [{ name: "value", value: dbl(2) }], ["value"])],
      ["an attribute configuration", "set_attribute_config_5", () => api.setAttributeConfig(ctx, DEV, [{ name: "value", set: { label: "v" } }])],
      ["a property put", "put_property", () => api.putProperty(ctx, DEV, [{ name: "p", values: ["1"] }])],
      ["a property delete", "delete_property", () => api.deleteProperty(ctx, DEV, ["p"])],
    ];
  };

  /** Every admin command acting on the device, from `ctx`, with cppTango's method name. */
  const adminOnTarget = (ctx: CallContext): Array<[string, () => Promise<unknown>]> => [
    ["restart", () => admin(ctx, "DevRestart", str(DEV))],
    ["add_obj_polling", () => admin(ctx, "AddObjPolling", longString([3000], [DEV, "attribute", "value"]))],
    ["upd_obj_polling_period", () => admin(ctx, "UpdObjPollingPeriod", longString([4000], [DEV, "attribute", "value"]))],
    ["rem_obj_polling", () => admin(ctx, "RemObjPolling", strings([DEV, "attribute", "value"]))],
    ["add_logging_target", () => admin(ctx, "AddLoggingTarget", strings([DEV, "console::cout"]))],
    ["remove_logging_target", () => admin(ctx, "RemoveLoggingTarget", strings([DEV, "console::cout"]))],
    ["set_logging_level", () => admin(ctx, "SetLoggingLevel", longString([3], [DEV]))],
  ];

  it("refuses every mutating request from another client, another proxy of the owner's process included, with cppTango's text", async () => {
    await lock(OWNER);
    for (const ctx of [OTHER, SAME_PROCESS]) {
      for (const [what, method, run] of mutating(ctx)) {
        const df = await expectDevFailed(run(), Reason.DeviceLocked);
        expect(df.errors[0], what).to.deep.include({ desc: `Device ${DEV} is locked by another client`, origin: `Device_Impl::${method}` });
      }
    }
  });

  it("lets the owner do everything, in any order of its requests", async () => {
    await lock(OWNER);
    for (const [what, , run] of mutating(OWNER)) {
      await run().catch((err: unknown) => expect.fail(`${what}: ${String(err)}`));
    }
    for (const [what, run] of adminOnTarget(OWNER)) {
      await run().catch((err: unknown) => expect.fail(`${what}: ${String(err)}`));
    }
  });

  it("lets anyone read, query, and run State, Status and the class's AllowedAccessCmd on a locked device", async () => {
    await lock(OWNER);
    const api = ts.server.api;
    expect((await api.commandInout(OTHER, DEV, "state", undefined)).value).to.equal(DevState.ON);
    expect((await api.commandInout(OTHER, DEV, "Status", undefined)).value).to.be.a("string");
    await api.commandInout(OTHER, DEV, "HARMLESS", undefined);
    expect(await api.state(OTHER, DEV)).to.equal(DevState.ON);
    await api.status(OTHER, DEV);
    expect((await api.readAttributes(OTHER, DEV, ["value"]))[0]?.errors).to.equal(undefined);
    await api.getAttributeConfig(OTHER, DEV, ["value"]);
    await api.getProperty(OTHER, DEV, []);
    await api.commandListQuery(OTHER, DEV);
    await api.blackBox(OTHER, DEV, 5);
  });

  it("refuses the admin commands acting on a locked device to another client, with cppTango's text", async () => {
    await lock(OWNER);
    for (const [method, run] of adminOnTarget(OTHER)) {
      const df = await expectDevFailed(run(), Reason.DeviceLocked);
      expect(df.errors[0]).to.deep.include({
        desc: `Device ${DEV} is locked by another client. Your request is not allowed while a device is locked.`, origin: `DServer::${method}`,
      });
    }
    // Another device of the server is not concerned.
    await admin(OTHER, "DevRestart", str("test/lock/2"));
  });

  it("reports the lock in DevLockStatus as cppTango does, with the client's address", async () => {
    expect(await lockStatus()).to.deep.equal({ lvalue: new Int32Array(6), svalue: [`Device ${DEV} is not locked`, "Not defined", "Not defined"] });
    await lock(OWNER);
    expect(await lockStatus("TEST/LOCK/1")).to.deep.equal({
      lvalue: Int32Array.of(1, 100, 0, 0, 0, 0),
      svalue: [`Device ${DEV} is locked by TypeScript client with PID 100 from host lab1`, "127.0.0.1:40100", "Not defined"],
    });
    await lock(ctxOf(300, { language: "CPP", host: "localhost" }), "test/lock/2");
    expect((await lockStatus("test/lock/2")).svalue[0]).to.equal("Device test/lock/2 is locked by CPP or Python client with PID 300 from host localhost");
    expect((await lockStatus(ADMIN)).svalue[0]).to.equal(`Device ${ADMIN} is not locked`);
  });

  it("counts the owner's locks: UnLockDevice answers the counter left and releases at 0", async () => {
    await lock(OWNER);
    await lock(OWNER);
    const df = await expectDevFailed(lock(OTHER), Reason.DeviceLocked);
    expect(df.errors[0]).to.deep.include({ desc: `Device ${DEV} is already locked by another client`, origin: "Device_Impl::lock" });
    const refused = await expectDevFailed(unlock(OTHER), Reason.DeviceLocked);
    expect(refused.errors[0].desc).to.equal(`Device ${DEV} is locked by another client, can't unlock it`);
    expect(await unlock(OWNER)).to.equal(1);
    expect(await unlock(OWNER)).to.equal(0);
    expect(await unlock(OWNER), "unlocking an unlocked device").to.equal(0);
    await ts.server.api.commandInout(OTHER, DEV, "Bump", undefined);
    expect(ts.logs().filter((l) => l.msg === "device locked")).to.have.length(2);
    expect(ts.logs().some((l) => l.msg === "device unlocked")).to.equal(true);
  });

  it("answers 0 from UnLockDevice when it names several devices, as cppTango does", async () => {
    await lock(OWNER);
    await lock(OWNER);
    expect(await unlock(OWNER, false, [DEV, "test/lock/2"])).to.equal(0);
    expect((await lockStatus()).lvalue[0], "the first device's counter went from 2 to 1").to.equal(1);
  });

  it("after a forced unlock, refuses the old owner's mutating requests with API_DeviceUnlocked until another client's request", async () => {
    await lock(OWNER);
    await lock(OWNER);
    expect(await unlock(OTHER, true)).to.equal(0);
    expect((await lockStatus()).lvalue[0]).to.equal(0);
    const forced = ts.logs().find((l) => l.msg === "device lock forced open");
    expect(forced, "a warning names who forced it").to.deep.include({ level: 40, by: { host: "lab1", pid: 200, peer: "127.0.0.1:40200" } });
    for (const [what, method, run] of mutating(OWNER)) {
      const df = await expectDevFailed(run(), Reason.DeviceUnlocked);
      expect(df.errors[0], what).to.deep.include({ desc: `Device ${DEV} has been unlocked by an administrative client!!!`, origin: `Device_Impl::${method}` });
    }
    await ts.server.api.readAttributes(OWNER, DEV, ["value"]);
    await ts.server.api.commandInout(OWNER, DEV, "State", undefined);
    // Admin commands do not look at the previous owner (cppTango's check_lock_owner).
    await admin(OWNER, "AddObjPolling", longString([3000], [DEV, "attribute", "value"]));
    await ts.server.api.commandInout(OTHER, DEV, "Bump", undefined);
    await ts.server.api.commandInout(OWNER, DEV, "Bump", undefined);
  });

  it("renews the owner's lock with ReLockDevices and gathers every device's error into one DevFailed", async () => {
    await lock(OWNER, DEV, 2);
    await admin(OWNER, "ReLockDevices", strings([DEV]));
    const df = await expectDevFailed(admin(OWNER, "ReLockDevices", strings(["test/lock/9", "test/lock/2", DEV])), Reason.DeviceNotFound);
    expect(df.errors.map((e) => [e.reason, e.desc])).to.deep.equal([
      [Reason.DeviceNotFound, "Device test/lock/9 not found"],
      [Reason.DeviceNotLocked, "test/lock/2: Device test/lock/2 is not locked. Can't re-lock it"],
    ]);
    const other = await expectDevFailed(admin(OTHER, "ReLockDevices", strings([DEV])), Reason.DeviceLocked);
    expect(other.errors[0].desc).to.equal(`${DEV}: Device ${DEV} is already locked by another client`);
  });

  it("drops a lock once its validity has passed, logging it, and grants the device to another client", async () => {
    await lock(OWNER, DEV, 2);
    await expectDevFailed(ts.server.api.commandInout(OTHER, DEV, "Bump", undefined), Reason.DeviceLocked);
    await waitFor(async () => (await lockStatus()).lvalue[0] === 0, "the lock's expiry", 4000);
    await ts.server.api.commandInout(OTHER, DEV, "Bump", undefined);
    await lock(OTHER);
    expect(ts.logs().some((l) => l.msg === "device lock expired" && l.device === DEV)).to.equal(true);
  });

  it("refuses to lock the admin device and a DataBase device", async () => {
    for (const name of [ADMIN, "dserver"]) {
      const df = await expectDevFailed(lock(OWNER, name), Reason.DeviceUnlockable);
      expect(df.errors[0]).to.deep.include({ desc: "Impossible to lock device server administration device", origin: "DServer::lock_device" });
    }
    const db = await expectDevFailed(lock(OWNER, "sys/database/2"), Reason.DeviceUnlockable);
    expect(db.errors[0].desc).to.equal("Impossible to lock database device");
  });

  it("refuses locking to a caller with no client identity, telling a gRPC caller which metadata to send", async () => {
    const anonymous: CallContext = { client: { host: "localhost", peer: "127.0.0.1:5" }, transport: "grpc" };
    const df = await expectDevFailed(lock(anonymous), Reason.ClientTooOld);
    expect(df.errors[0].origin).to.equal("DServer::lock_device");
    expect(df.errors[0].desc).to.match(/^Your client cannot lock devices\. You are using a too old Tango release\./).and.to.include("tango-client-pid");
    const rest: CallContext = { client: { host: "127.0.0.1", peer: "127.0.0.1:6", language: "HTTP" }, transport: "http" };
    expect((await expectDevFailed(lock(rest), Reason.ClientTooOld)).errors[0].desc).to.include("A REST request carries no client identity");
    await expectDevFailed(admin(anonymous, "ReLockDevices", strings([DEV])), Reason.ClientTooOld);
    await expectDevFailed(unlock(anonymous), Reason.ClientTooOld);
    // Such a caller is refused by a locked device, and may still force a lock open.
    await lock(OWNER);
    await expectDevFailed(ts.server.api.commandInout(anonymous, DEV, "Bump", undefined), Reason.DeviceLocked);
    expect(await unlock(anonymous, true)).to.equal(0);
  });

  it("refuses a locking command without its arguments with API_WrongNumberOfArgs", async () => {
    await expectDevFailed(admin(OWNER, "LockDevice", longString([], [DEV])), Reason.WrongNumberOfArgs);
    await expectDevFailed(admin(OWNER, "UnLockDevice", longString([0], [])), Reason.WrongNumberOfArgs);
  });

  it("keeps the lock across DevRestart, and loses every lock at the admin device's Init", async () => {
    await lock(OWNER);
    await admin(OWNER, "DevRestart", str(DEV));
    await expectDevFailed(ts.server.api.commandInout(OTHER, DEV, "Bump", undefined), Reason.DeviceLocked);
    expect((await lockStatus()).lvalue[0]).to.equal(1);
    await admin(OTHER, "Init");
    expect((await lockStatus()).lvalue[0]).to.equal(0);
    await ts.server.api.commandInout(OTHER, DEV, "Bump", undefined);
  });
});
