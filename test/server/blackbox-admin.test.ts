import { expect } from "chai";
import { CmdArgType, DevState, Device, command } from "../../src/device/index.js";
import { Reason } from "../../src/core/index.js";
import { formatBlackBoxRecord } from "../../src/server/index.js";
import { CTX, expectDevFailed, startServer } from "../support/test-server.js";

class Counter extends Device {
  inits = 0;
  override initDevice(): void {
    this.inits++;
    this.setState(DevState.ON);
  }

  @command({ dtypeOut: CmdArgType.DevLong })
  Inits(): number { return this.inits; }
}

describe("blackbox", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  afterEach(async () => { await ts?.close(); });

  it("formats records as cppTango does", () => {
    const timeMs = new Date(2026, 10, 21, 10, 48, 12, 715).getTime();
    expect(formatBlackBoxRecord({ timeMs, kind: "Operation", what: "command_inout_4 (cmd = Init)", source: 2, withIdent: true,
      client: { host: "localhost", peer: "127.0.0.1:5", pid: 29827, language: "Python" } }))
      .to.equal("21/11/2026 10:48:12:71 : Operation command_inout_4 (cmd = Init) from cache_device requested from localhost (CPP/Python client with PID 29827)");
    expect(formatBlackBoxRecord({ timeMs, kind: "Attribute", what: "state", withIdent: false, client: { host: "localhost", peer: "x", pid: 1 } }))
      .to.equal("21/11/2026 10:48:12:71 : Attribute state requested from localhost");
    expect(formatBlackBoxRecord({ timeMs, kind: "Operation", what: "read_attributes_5 (double_scalar)", source: 0, withIdent: true, origin: "polling" }))
      .to.equal("21/11/2026 10:48:12:71 : Operation read_attributes_5 (double_scalar) from device requested from polling");
  });

  it("records every request newest first, names as sent, and not the blackbox call itself", async () => {
    ts = await startServer({ classes: { Counter }, devices: { Counter: ["t/c/1"] } });
    const api = ts.server.api;
    await api.ping(CTX, "t/c/1");
    await api.commandInout(CTX, "t/c/1", "inits", undefined);
    await api.readAttributes(CTX, "t/c/1", ["State", "Status"]);
    await expectDevFailed(api.commandInout(CTX, "t/c/1", "NoSuchCmd", undefined), Reason.CommandNotFound);
    await api.state(CTX, "t/c/1");
    const lines = await api.blackBox(CTX, "t/c/1", 10);
    const tail = lines.map((l) => l.replace(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d:\d\d : /, ""));
    expect(tail).to.deep.equal([
      "Attribute state requested from localhost",
      "Operation command_inout_4 (cmd = NoSuchCmd) from device requested from localhost (CPP/Python client with PID 4242)",
      "Operation read_attributes_5 (State, Status) from device requested from localhost (CPP/Python client with PID 4242)",
      "Operation command_inout_4 (cmd = inits) from device requested from localhost (CPP/Python client with PID 4242)",
      "Operation ping requested from localhost",
    ]);
    expect((await api.blackBox(CTX, "t/c/1", 1))[0]).to.match(/Operation blackbox requested from localhost$/);
  });

  it("refuses black_box(0) and reports an empty box with their reasons", async () => {
    ts = await startServer({ classes: { Counter }, devices: { Counter: ["t/c/1"] } });
    const api = ts.server.api;
    const empty = await expectDevFailed(api.blackBox(CTX, "t/c/1", 5), Reason.BlackBoxEmpty);
    expect(empty.desc).to.equal("Nothing stored yet in black-box");
    const zero = await expectDevFailed(api.blackBox(CTX, "t/c/1", 0), Reason.BlackBoxArgument);
    expect(zero.desc).to.equal("Argument to read black box out of range");
  });

  it("keeps only the configured depth", async () => {
    ts = await startServer({ classes: { Counter }, devices: { Counter: ["t/c/1"] }, config: { blackboxDepth: 3 } });
    for (let i = 0; i < 5; i++) await ts.server.api.ping(CTX, "t/c/1");
    expect(await ts.server.api.blackBox(CTX, "t/c/1", 50)).to.have.length(3);
  });
});

describe("admin device", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  afterEach(async () => { await ts?.close(); });
  const admin = "dserver/Test/t";

  it("answers QueryDevice, QueryClass and its State and Status", async () => {
    ts = await startServer({ classes: { Counter }, devices: { Counter: ["t/c/1", "t/c/2"] } });
    const api = ts.server.api;
    expect((await api.commandInout(CTX, admin, "QueryDevice", undefined)).value).to.deep.equal(["Counter::t/c/1", "Counter::t/c/2"]);
    expect((await api.commandInout(CTX, admin, "QueryClass", undefined)).value).to.deep.equal(["Counter"]);
    expect(await api.state(CTX, admin)).to.equal(DevState.ON);
    expect(await api.status(CTX, admin)).to.equal("The device is ON\nThe polling is ON");
    const info = await api.info(CTX, admin);
    expect(info.devClass).to.equal("DServer");
    expect(info.description).to.equal("A device server device !!");
  });

  it("rebuilds a device with DevRestart and every device with Init", async () => {
    ts = await startServer({ classes: { Counter }, devices: { Counter: ["t/c/1", "t/c/2"] } });
    const api = ts.server.api;
    const before = ts.server.userDevices()[0]?.device;
    await api.commandInout(CTX, admin, "DevRestart", { type: CmdArgType.DevString, value: "T/C/1" });
    expect(ts.server.userDevices()[0]?.device).to.not.equal(before);
    expect((await api.commandInout(CTX, "t/c/1", "Inits", undefined)).value).to.equal(1);
    await api.commandInout(CTX, "t/c/2", "Init", undefined);
    expect((await api.commandInout(CTX, "t/c/2", "Inits", undefined)).value).to.equal(2);
    const second = ts.server.userDevices()[1]?.device;
    await api.commandInout(CTX, admin, "Init", undefined);
    expect(ts.server.userDevices()[1]?.device).to.not.equal(second);
    const df = await expectDevFailed(api.commandInout(CTX, admin, "DevRestart", { type: CmdArgType.DevString, value: "x/y/z" }), Reason.DeviceNotFound);
    expect(df.desc).to.equal("Device x/y/z not found");
  });

  it("sets and reads logging levels and targets with wildcards", async () => {
    ts = await startServer({ classes: { Counter }, devices: { Counter: ["t/c/1", "t/c/2"] } });
    const api = ts.server.api;
    const get = async (): Promise<unknown> => (await api.commandInout(CTX, admin, "GetLoggingLevel", { type: CmdArgType.DevVarStringArray, value: ["t/c/*"] })).value;
    expect(await get()).to.deep.equal({ lvalue: Int32Array.from([3, 3]), svalue: ["t/c/1", "t/c/2"] });
    await api.commandInout(CTX, admin, "SetLoggingLevel", { type: CmdArgType.DevVarLongStringArray, value: { lvalue: [5], svalue: ["t/c/2"] } });
    expect(await get()).to.deep.equal({ lvalue: Int32Array.from([3, 5]), svalue: ["t/c/1", "t/c/2"] });
    await api.commandInout(CTX, admin, "StopLogging", undefined);
    expect(await get()).to.deep.equal({ lvalue: Int32Array.from([0, 0]), svalue: ["t/c/1", "t/c/2"] });
    await api.commandInout(CTX, admin, "StartLogging", undefined);
    expect(await get()).to.deep.equal({ lvalue: Int32Array.from([3, 5]), svalue: ["t/c/1", "t/c/2"] });
    await api.commandInout(CTX, admin, "AddLoggingTarget", { type: CmdArgType.DevVarStringArray, value: ["t/c/1", "console"] });
    expect((await api.commandInout(CTX, admin, "GetLoggingTarget", { type: CmdArgType.DevString, value: "t/c/1" })).value).to.deep.equal(["console::cout"]);
    await expectDevFailed(api.commandInout(CTX, admin, "AddLoggingTarget", { type: CmdArgType.DevVarStringArray, value: ["t/c/1"] }), Reason.WrongNumberOfArgs);
  });

  it("lists its commands in byte order with cppTango's descriptions", async () => {
    ts = await startServer({ classes: { Counter }, devices: { Counter: ["t/c/1"] } });
    const list = await ts.server.api.commandListQuery(CTX, admin);
    const names = list.map((c) => c.name);
    expect(names).to.deep.equal([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const state = list.find((c) => c.name === "State");
    expect(state).to.deep.include({ inTypeDesc: "Uninitialised", outTypeDesc: "Device state", outType: CmdArgType.DevState });
  });
});
