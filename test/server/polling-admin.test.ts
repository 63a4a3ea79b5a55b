import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { CmdArgType, DevState, Device, DevDouble, DevLong, attribute, command } from "../../src/device/index.js";
import { Reason, type TypedValue } from "../../src/core/index.js";
import { CTX, expectDevFailed, startServer } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";

/** A device with attributes and commands to poll; `b` fails while `failing` is set. */
class Probe extends Device {
  counter = 0;
  failing = false;
  override initDevice(): void { this.setState(DevState.ON); }

  @attribute({ dtype: DevDouble })
  get a(): number { return 1.5; }

  @attribute({ dtype: DevLong })
  get b(): number {
    if (this.failing) throw new Error("b is broken");
    return 7;
  }

  @command({ dtypeOut: DevLong })
  Count(): number { return ++this.counter; }

  @command({ dtypeIn: DevLong })
  Set(v: number): void { this.counter = v; }
}

/** A Probe whose class polls `declared` every 200 ms by default. */
class DeclaringProbe extends Probe {
  @attribute({ dtype: DevLong, pollingPeriod: 200 })
  get declared(): number { return 1; }
}

const ADMIN = "dserver/Test/t";
const longString = (lvalue: number[], svalue: string[]): TypedValue => ({ type: CmdArgType.DevVarLongStringArray, value: { lvalue, svalue } });
const strings = (value: string[]): TypedValue => ({ type: CmdArgType.DevVarStringArray, value });

describe("the admin polling commands", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  let dir: string | undefined;
  afterEach(async () => {
    await ts?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const admin = (cmd: string, argin?: TypedValue): Promise<TypedValue> => ts.server.api.commandInout(CTX, ADMIN, cmd, argin);
  const add = (period: number, device: string, type: string, name: string): Promise<TypedValue> =>
    admin("AddObjPolling", longString([period], [device, type, name]));
  const status = async (device = "t/p/1"): Promise<string[]> => (await admin("DevPollStatus", { type: CmdArgType.DevString, value: device })).value as string[];

  beforeEach(async () => {
    ts = await startServer({ classes: { Probe }, devices: { Probe: ["t/p/1", "t/p/2"] } });
  });

  it("refuses AddObjPolling with cppTango's reasons and texts, in its order", async () => {
    const cases: Array<[() => Promise<unknown>, string, string]> = [
      [() => admin("AddObjPolling", longString([100], ["t/p/1", "attribute"])), Reason.WrongNumberOfArgs, "Incorrect number of inout arguments"],
      [() => admin("AddObjPolling", longString([100, 1], ["t/p/1", "attribute", "a"])), Reason.WrongNumberOfArgs, "Incorrect number of inout arguments"],
      [() => add(100, "x/y/z", "attribute", "a"), Reason.DeviceNotFound, "Device x/y/z not found"],
      [() => add(100, "t/p/1", "Pipe", "a"), Reason.NotSupported, "Object type pipe not supported"],
      [() => add(100, "t/p/1", "attribute", "nope"), Reason.AttrNotFound, "nope attribute not found"],
      [() => add(100, "t/p/1", "command", "Nope"), Reason.CommandNotFound, "Command nope not found"],
      [() => add(100, "t/p/1", "command", "Set"), Reason.IncompatibleCmdArgumentType, "Command set cannot be polled because it needs input value"],
      [() => add(100, "t/p/1", "command", "Init"), Reason.NotSupported, "It's not possible to poll the Init command!"],
      [() => add(3, "t/p/1", "attribute", "a"), Reason.NotSupported, "3 is below the min authorized period (5 mS)"],
      [() => add(-10, "t/p/1", "attribute", "a"), Reason.NotSupported, "-10 is below the min authorized period (5 mS)"],
    ];
    for (const [call, reason, desc] of cases) expect((await expectDevFailed(call(), reason)).desc).to.equal(desc);
    await add(100, "t/p/1", "attribute", "a");
    expect((await expectDevFailed(add(200, "t/p/1", "attribute", "A"), Reason.AlreadyPolled)).desc).to.equal("Attribute a already polled");
    await add(100, "t/p/1", "command", "Count");
    expect((await expectDevFailed(add(200, "t/p/1", "command", "count"), Reason.AlreadyPolled)).desc).to.equal("Command count already polled");
    // State and Status as commands are polled as attributes (spec §11.2)
    await add(100, "t/p/1", "command", "State");
    expect((await expectDevFailed(add(100, "t/p/1", "attribute", "state"), Reason.AlreadyPolled)).desc).to.equal("Attribute state already polled");
  });

  it("lists polled devices sorted and reports each object's status in cppTango's words", async () => {
    expect((await admin("PolledDevice")).value).to.deep.equal([]);
    expect(await status()).to.deep.equal([]);
    await add(100, "t/p/2", "attribute", "a");
    await add(100, "t/p/1", "attribute", "a");
    await add(100, "t/p/1", "attribute", "b");
    await add(150, "t/p/1", "command", "Count");
    await add(0, "t/p/1", "attribute", "State");
    expect((await admin("PolledDevice")).value).to.deep.equal(["t/p/1", "t/p/2"]);
    await waitFor(async () => (await status()).every((s) => !s.includes("No data recorded yet") || s.includes("externally")), "every polled object read twice", 5000);
    await waitFor(async () => (await status()).filter((s) => s.includes("Delta between last records")).length >= 3, "two records each", 5000);
    const [count, stateAsCommand, a, b, state] = await status();
    expect(count).to.match(/^Polled command name = Count\nPolling period \(mS\) = 150\nPolling ring buffer depth = 10\n/);
    expect(count).to.match(/\nTime needed for the last command execution \(mS\) = \d+\.\d{3}\nData not updated since \d+ mS\nDelta between last records \(in mS\) = \d+/);
    expect(a).to.match(/^Polled attribute name = a\nPolling period \(mS\) = 100\nPolling ring buffer depth = 10\nTime needed for the last attributes \(a \+ b\) reading \(mS\) = \d+\.\d{3}\n/);
    expect(b).to.match(/^Polled attribute name = b\n/);
    expect(state).to.equal("Polled attribute name = State\nPolling externally triggered\nPolling ring buffer depth = 10\nNo data recorded yet");
    expect(stateAsCommand).to.equal("Polled command name = State\nPolling externally triggered\nPolling ring buffer depth = 10\nNo data recorded yet");
  });

  it("shows the last failed read in DevPollStatus", async () => {
    (ts.server.userDevices()[0]?.device as Probe).failing = true;
    await add(50, "t/p/1", "attribute", "b");
    await waitFor(async () => (await status()).some((s) => s.includes("FAILED")), "a failed poll", 5000);
    const [b] = await status();
    expect(b).to.match(/\nLast attribute read FAILED :\n\tReason = API_StdException\n\tDesc = b is broken\n\tOrigin = Probe::read_b$/);
  });

  it("changes a period with UpdObjPollingPeriod and stops with RemObjPolling, with cppTango's errors", async () => {
    const upd = (period: number, type: string, name: string, device = "t/p/1"): Promise<TypedValue> =>
      admin("UpdObjPollingPeriod", longString([period], [device, type, name]));
    const rem = (type: string, name: string, device = "t/p/1"): Promise<TypedValue> => admin("RemObjPolling", strings([device, type, name]));
    expect((await expectDevFailed(upd(100, "attribute", "a"), Reason.DeviceNotPolled)).desc).to.equal("Device t/p/1 is not polled");
    expect((await expectDevFailed(rem("attribute", "a"), Reason.DeviceNotPolled)).desc).to.equal("Device t/p/1 is not polled");
    await expectDevFailed(admin("RemObjPolling", strings(["t/p/1", "attribute"])), Reason.WrongNumberOfArgs);
    await add(100, "t/p/1", "attribute", "a");
    expect((await expectDevFailed(upd(100, "attribute", "B"), Reason.PollObjNotFound)).desc).to.equal("b not found in list of polled object");
    expect((await expectDevFailed(rem("command", "Count"), Reason.PollObjNotFound)).desc).to.equal("count not found in list of polled object");
    expect((await expectDevFailed(upd(4, "attribute", "a"), Reason.NotSupported)).desc).to.equal("4 is below the min authorized period (5 mS)");
    await expectDevFailed(upd(100, "pipe", "a"), Reason.NotSupported);
    await upd(300, "attribute", "A");
    expect((await status())[0]).to.contain("Polling period (mS) = 300");
    await rem("attribute", "A");
    expect((await admin("PolledDevice")).value).to.deep.equal([]);
  });

  it("keeps the configuration in polled_attr and polled_cmd, lower-case, as cppTango writes them", async () => {
    await add(100, "t/p/1", "attribute", "A");
    await add(250, "t/p/1", "command", "Count");
    const props = async (): Promise<Record<string, string[]>> =>
      Object.fromEntries((await ts.server.api.getProperty(CTX, "t/p/1", ["polled_attr", "polled_cmd"])).map((p) => [p.name, p.values]));
    expect(await props()).to.deep.equal({ polled_attr: ["a", "100"], polled_cmd: ["count", "250"] });
    await admin("UpdObjPollingPeriod", longString([500], ["t/p/1", "attribute", "a"]));
    expect((await props()).polled_attr).to.deep.equal(["a", "500"]);
    await admin("RemObjPolling", strings(["t/p/1", "attribute", "a"]));
    expect((await props()).polled_attr).to.deep.equal([]);
  });

  it("says in the admin Status whether polling runs; StopPolling stops every device, AddObjPolling does not restart it", async () => {
    await add(30, "t/p/1", "attribute", "a");
    await waitFor(async () => (await ts.server.api.readAttributeHistory(CTX, "t/p/1", "a", 10).catch(() => [])).length >= 2, "two polls", 5000);
    await admin("StopPolling");
    expect(await ts.server.api.status(CTX, ADMIN)).to.equal("The device is ON\nThe polling is OFF");
    await add(30, "t/p/2", "attribute", "a");
    const before = (await ts.server.api.readAttributeHistory(CTX, "t/p/1", "a", 10)).length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await ts.server.api.readAttributeHistory(CTX, "t/p/1", "a", 10)).length).to.equal(before);
    await expectDevFailed(ts.server.api.readAttributeHistory(CTX, "t/p/2", "a", 10), Reason.NoDataYet);
    await admin("StartPolling");
    expect(await ts.server.api.status(CTX, ADMIN)).to.equal("The device is ON\nThe polling is ON");
    await waitFor(async () => (await ts.server.api.readAttributeHistory(CTX, "t/p/2", "a", 10).catch(() => [])).length >= 1, "t/p/2 polled after StartPolling", 5000);
  });

  it("records polling requests in the blackbox as requested from polling", async () => {
    await add(30, "t/p/1", "attribute", "a");
    await add(30, "t/p/1", "command", "Count");
    await waitFor(async () => (await ts.server.api.blackBox(CTX, "t/p/1", 10)).some((l) => l.includes("Count")), "a polled command", 5000);
    const lines = (await ts.server.api.blackBox(CTX, "t/p/1", 10)).map((l) => l.slice(25));
    expect(lines).to.include("Operation read_attributes_5 (a) from device requested from polling");
    expect(lines).to.include("Operation command_inout_4 (cmd = Count) from device requested from polling");
  });

  it("refuses a period below min_poll_period with API_MethodArgument, as cppTango's check_upd_authorized", async () => {
    await ts.server.api.putProperty(CTX, "t/p/1", [{ name: "min_poll_period", values: ["200"] }, { name: "attr_min_poll_period", values: ["b", "50"] }]);
    expect((await expectDevFailed(add(100, "t/p/1", "attribute", "a"), Reason.MethodArgument)).desc)
      .to.equal("Polling period for attribute a is below the min authorized (200)");
    await add(60, "t/p/1", "attribute", "b");
    expect((await expectDevFailed(add(40, "t/p/1", "command", "count"), Reason.MethodArgument)).desc)
      .to.equal("Polling period for command count is below the min authorized (200)");
  });

  it("polls what the class declares and what polled_attr says at start, and keeps an admin's changes across a restart", async () => {
    await ts.close();
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-polling-"));
    const storePath = join(dir, "store.json");
    const config = {
      storePath,
      classes: [{ name: "DeclaringProbe", devices: [{ name: "t/p/1", properties: { polled_attr: ["a", "120"] } }] }],
    };
    ts = await startServer({ classes: { DeclaringProbe }, devices: {}, config });
    expect((await status()).map((s) => s.split("\n").slice(0, 2).join(" | "))).to.deep.equal([
      "Polled attribute name = declared | Polling period (mS) = 200",
      "Polled attribute name = a | Polling period (mS) = 120",
    ]);
    await admin("RemObjPolling", strings(["t/p/1", "attribute", "declared"]));
    await admin("UpdObjPollingPeriod", longString([300], ["t/p/1", "attribute", "a"]));
    await add(400, "t/p/1", "command", "Count");
    await ts.close();
    ts = await startServer({ classes: { DeclaringProbe }, devices: {}, config });
    expect((await status()).map((s) => s.split("\n").slice(0, 2).join(" | "))).to.deep.equal([
      "Polled command name = Count | Polling period (mS) = 400",
      "Polled attribute name = a | Polling period (mS) = 300",
    ]);
  });
});
