import { expect } from "chai";
import { DevState, Reason } from "../../src/client/index.js";
import { TangoTest } from "../../src/devices/index.js";
import { DeviceTestContext, type DeviceTestContextOptions } from "../../src/testing/index.js";
import { expectDevFailed } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";

// TangoTest through the client (its generators are unit-tested in tango-test-*.test.ts, with a
// seeded random source that a running device does not take).
describe("TangoTest", () => {
  let ctx: DeviceTestContext<TangoTest> | undefined;
  afterEach(async () => { await ctx?.close(); ctx = undefined; });

  const start = async (options: DeviceTestContextOptions = {}): Promise<DeviceTestContext<TangoTest>> =>
    ctx = await DeviceTestContext.start(TangoTest, { deviceName: "sys/tg_test/1", ...options });

  /** The DumpExecutionState record: the device logs it at INFO, once the admin device allows INFO. */
  async function executionState(tg: DeviceTestContext<TangoTest>): Promise<Record<string, unknown>> {
    await tg.adminProxy.commandInout("SetLoggingLevel", { lvalue: [5], svalue: [tg.deviceName] });
    await tg.proxy.commandInout("DumpExecutionState");
    const record = tg.logs().findLast((r) => r.msg === "execution state" && r.device === tg.deviceName);
    if (record === undefined) expect.fail("no execution state in the log");
    return record;
  }

  it("runs multi-threaded by default: RUNNING, generating every 2000 ms", async () => {
    const tg = await start();
    expect(await tg.proxy.state()).to.equal(DevState.RUNNING);
    expect(await tg.proxy.status()).to.equal("The device is in RUNNING state.");
    expect(await executionState(tg)).to.deep.include({ state: "RUNNING", isMultiThreaded: true, sleepPeriodMs: 2000, ushortImageRoSize: 251 });
  });

  it("reads Mthreaded_impl, Sleep_period and UShort_image_ro_size before its first init", async () => {
    const tg = await start({ properties: { Mthreaded_impl: 0, Sleep_period: 50, UShort_image_ro_size: 4 } });
    expect(await tg.proxy.state(), "the C++ returns before set_state(RUNNING)").to.equal(DevState.UNKNOWN);
    expect(await executionState(tg)).to.deep.include({ isMultiThreaded: false, isDataGeneratorRunning: false, sleepPeriodMs: 50 });
    const image = await tg.proxy.readAttribute("ushort_image_ro");
    expect([image.dimX, image.dimY]).to.deep.equal([4, 4]);
  });

  it("toggles RUNNING and FAULT with SwitchStates", async () => {
    const tg = await start();
    await tg.proxy.commandInout("SwitchStates");
    expect(await tg.proxy.state()).to.equal(DevState.FAULT);
    await tg.proxy.commandInout("SwitchStates");
    expect(await tg.proxy.state()).to.equal(DevState.RUNNING);
  });

  it("echoes its argin from the typed commands", async () => {
    const tg = await start();
    expect(await tg.proxy.commandInout("DevDouble", 2.5)).to.equal(2.5);
    expect(await tg.proxy.commandInout("DevString", "héllo")).to.equal("héllo");
    expect(await tg.proxy.commandInout("DevLong64", 2n ** 62n)).to.equal(2n ** 62n);
    expect(Array.from(await tg.proxy.commandInout<Int32Array>("DevVarLongArray", [1, -2, 3]))).to.deep.equal([1, -2, 3]);
  });

  it("reads back boolean_scalar and string_scalar as written, and Init puts their init values back", async () => {
    const tg = await start();
    expect((await tg.proxy.readAttributes(["boolean_scalar", "string_scalar"])).map((a) => a.value)).to.deep.equal([true, "Default string"]);
    await tg.proxy.writeAttributes({ boolean_scalar: false, string_scalar: "set" });
    expect((await tg.proxy.readAttributes(["boolean_scalar", "string_scalar"])).map((a) => a.value)).to.deep.equal([false, "set"]);
    await tg.proxy.commandInout("Init");
    expect((await tg.proxy.readAttributes(["boolean_scalar", "string_scalar"])).map((a) => a.value)).to.deep.equal([true, "Default string"]);
  });

  it("generates 0 for a scalar whose set value is 1 or less, as the C++ template does", async () => {
    const tg = await start({ properties: { Mthreaded_impl: 0 } });
    await tg.proxy.writeAttribute("long_scalar", 1);
    for (let i = 0; i < 3; i++) expect((await tg.proxy.readAttribute("long_scalar")).value).to.equal(0);
  });

  it("never has a value for no_value, and always fails throw_exception with its own reason", async () => {
    const tg = await start();
    await expectDevFailed(tg.proxy.readAttribute("no_value"), Reason.AttrValueNotSet);
    const df = await expectDevFailed(tg.proxy.readAttribute("throw_exception"), "exception test");
    expect(df.desc).to.equal("here is the exception you requested");
  });

  it("keeps serving after a Crash command fails its background task, logging the failure", async () => {
    const tg = await start();
    await tg.proxy.commandInout("CrashFromDevelopperThread");
    await waitFor(() => tg.logs().some((r) => r.device === tg.deviceName && r.level === 50), "the task's failure logged at error level");
    expect(await tg.proxy.state()).to.equal(DevState.RUNNING);
  });
});
