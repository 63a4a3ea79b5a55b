import { expect } from "chai";
import {
  CmdArgType, DevState, Device, DispLevel, PipeReqType, PipeWriteType, command, pipe, pipeBlob, pipeValue,
} from "../../src/device/index.js";
import type { PipeBlob, PipeReadResult } from "../../src/device/index.js";
import { DevFailed, EventType, Reason, validatePipeBlob } from "../../src/core/index.js";
import type { EventRecord, PipeElementType, TypedValue } from "../../src/core/index.js";
import { CTX, expectDevFailed, startServer } from "../support/test-server.js";

/** A device with one pipe of each kind, declared in the test. */
class Piper extends Device {
  #echo: PipeBlob = pipeBlob("start", { hello: "world" }).build();
  #hasValue = true;
  writes = 0;
  hookCalls = 0;
  gateOpen = true;

  override initDevice(): void {
    this.setState(DevState.ON);
  }

  override alwaysExecutedHook(): void {
    this.hookCalls++;
  }

  @pipe({ description: "Pipe example", label: "Readings", displayLevel: DispLevel.EXPERT })
  get readings(): PipeReadResult {
    return pipeBlob("r").add("FirstDE", CmdArgType.DevString, "The string").add("SecondDE", CmdArgType.DevLong, 666)
      .add("ThirdDE", CmdArgType.DevVarDoubleArray, [1.5, 2.5]);
  }

  @pipe({ readAllowedIn: [DevState.ON], writeAllowedIn: [DevState.ON] })
  get echo(): PipeReadResult { return this.#echo; }
  set echo(blob: PipeBlob) { this.writes++; this.#echo = blob; }

  @pipe({ write: "storeAsync", isAllowed: "isGateAllowed" })
  async gate(): Promise<PipeReadResult> {
    await Promise.resolve();
    return this.#hasValue ? pipeValue(this.#echo, { timestampMs: 1_000_500 }) : undefined;
  }

  async storeAsync(blob: PipeBlob): Promise<void> {
    await Promise.resolve();
    if (blob.elements[0]?.name === "fail") throw DevFailed.of("PIPER_Refused", "refused by the device", "Piper::write_gate");
    if (blob.elements[0]?.name === "crash") throw new Error("plain JS error");
    this.#echo = blob;
  }

  isGateAllowed(req: PipeReqType): boolean {
    return this.gateOpen || req === PipeReqType.READ_REQ;
  }

  @pipe()
  get empty(): PipeReadResult { return undefined; }

  @pipe()
  get duplicated(): PipeReadResult { return { name: "d", elements: [
    { name: "a", value: { type: CmdArgType.DevLong, value: 1 } }, { name: "A", value: { type: CmdArgType.DevLong, value: 2 } },
  ] }; }

  @pipe()
  get broken(): PipeReadResult { throw DevFailed.of("PIPER_Broken", "sensor unplugged", "Piper::read_broken"); }

  @command()
  Off(): void { this.setState(DevState.OFF); }

  @command({ dtypeIn: CmdArgType.DevString })
  Push(what: string): void {
    this.pushPipeEvent("echo", pipeBlob("pushed", { what }));
  }

  @command()
  NoValue(): void { this.#hasValue = false; }
}

const DEV = "test/piper/1";

/** A value of every data element type, as the wire would bring it (loose) and as the device gets it back. */
const EVERY_TYPE: readonly [PipeElementType, unknown][] = [
  [CmdArgType.DevBoolean, true], [CmdArgType.DevShort, -3], [CmdArgType.DevLong, 7], [CmdArgType.DevFloat, 0.5],
  [CmdArgType.DevDouble, 1.25], [CmdArgType.DevUShort, 9], [CmdArgType.DevULong, 10], [CmdArgType.DevString, "s"],
  [CmdArgType.DevVarCharArray, [1, 2]], [CmdArgType.DevVarShortArray, [-1]], [CmdArgType.DevVarLongArray, [5, 6]],
  [CmdArgType.DevVarFloatArray, [0.25]], [CmdArgType.DevVarDoubleArray, [3.5]], [CmdArgType.DevVarUShortArray, [4]],
  [CmdArgType.DevVarULongArray, [8]], [CmdArgType.DevVarStringArray, ["x", "y"]],
  [CmdArgType.DevVarLongStringArray, { lvalue: [1], svalue: ["a"] }], [CmdArgType.DevVarDoubleStringArray, { dvalue: [2], svalue: ["b"] }],
  [CmdArgType.DevState, DevState.MOVING], [CmdArgType.DevVarBooleanArray, [true, false]], [CmdArgType.DevUChar, 255],
  [CmdArgType.DevLong64, -(2n ** 63n)], [CmdArgType.DevULong64, 2n ** 64n - 1n], [CmdArgType.DevVarLong64Array, [1n, -1n]],
  [CmdArgType.DevVarULong64Array, [2n]], [CmdArgType.DevEncoded, { format: "raw", data: [1] }], [CmdArgType.DevEnum, 2],
  [CmdArgType.DevVarStateArray, [DevState.ON]], [CmdArgType.DevVarEncodedArray, [{ format: "f", data: [3] }]],
];

function everyTypeBlob(): PipeBlob {
  const elements = EVERY_TYPE.map(([type, value], i) => ({ name: `e${i}`, value: { type, value } as TypedValue }));
  return { name: "all", elements: [...elements, { name: "nested", blob: { name: "inner", elements: [
    { name: "deeper", blob: { name: "deepest", elements: [{ name: "v", value: { type: CmdArgType.DevDouble, value: 1 } }] } },
    { name: "e0", value: { type: CmdArgType.DevString, value: "same name, other blob" } },
  ] } }] };
}

describe("pipes through the request API", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  const device = (): Piper => ts.server.findEntry(DEV)?.device as Piper;
  beforeEach(async () => { ts = await startServer({ classes: { Piper }, devices: { Piper: [DEV] } }); });
  afterEach(async () => { await ts?.close(); });

  it("reads a pipe: its declared name, the read time and the blob with canonical values", async () => {
    const before = Date.now();
    const v = await ts.server.api.readPipe(CTX, DEV, "READINGS");
    expect(v.name).to.equal("readings");
    expect(v.time.sec * 1000 + v.time.usec / 1000).to.be.within(before - 1, Date.now() + 1);
    expect(v.blob).to.deep.equal({ name: "r", elements: [
      { name: "FirstDE", value: { type: CmdArgType.DevString, value: "The string" } },
      { name: "SecondDE", value: { type: CmdArgType.DevLong, value: 666 } },
      { name: "ThirdDE", value: { type: CmdArgType.DevVarDoubleArray, value: Float64Array.of(1.5, 2.5) } },
    ] });
  });

  it("writes and write-reads every Tango type and nested blobs, the device getting canonical values", async () => {
    const sent = everyTypeBlob();
    const expected = validatePipeBlob(sent, "test");
    await ts.server.api.writePipe(CTX, DEV, "echo", sent);
    expect((await ts.server.api.readPipe(CTX, DEV, "echo")).blob).to.deep.equal(expected);
    const back = await ts.server.api.writeReadPipe(CTX, DEV, "gate", sent);
    expect(back.blob).to.deep.equal(expected);
    expect(back.time).to.deep.equal({ sec: 1000, usec: 500_000 });
    expect(back.blob.elements[0]?.value?.value).to.equal(true);
    expect(back.blob.elements[8]?.value?.value).to.be.instanceOf(Uint8Array);
  });

  it("refuses reads and writes per state, with cppTango's texts, after the always-executed hook", async () => {
    await ts.server.api.commandInout(CTX, DEV, "Off", undefined);
    const hooks = device().hookCalls;
    const read = await expectDevFailed(ts.server.api.readPipe(CTX, DEV, "Echo"), Reason.PipeNotAllowed);
    expect(read.errors[0]).to.include({ desc: "It is currently not allowed to read pipe Echo", origin: "Device_5Impl::read_pipe_5" });
    const write = await expectDevFailed(ts.server.api.writePipe(CTX, DEV, "echo", pipeBlob("b", { x: 1 }).build()), Reason.PipeNotAllowed);
    expect(write.errors[0]).to.include({ desc: "It is currently not allowed to write pipe echo", origin: "Device_5Impl::write_pipe_5" });
    expect(device().hookCalls).to.equal(hooks + 2);
    expect(device().writes).to.equal(0);
  });

  it("asks the device's is-allowed method with the request type", async () => {
    device().gateOpen = false;
    await ts.server.api.readPipe(CTX, DEV, "gate");
    await expectDevFailed(ts.server.api.writePipe(CTX, DEV, "gate", pipeBlob("b", { x: 1 }).build()), Reason.PipeNotAllowed);
  });

  it("refuses a write of a read-only pipe with API_PipeNotWritable, before the hook", async () => {
    const hooks = device().hookCalls;
    const df = await expectDevFailed(ts.server.api.writePipe(CTX, DEV, "readings", pipeBlob("b", { x: 1 }).build()), Reason.PipeNotWritable);
    expect(df.errors[0]).to.include({ desc: "Pipe readings is not writable", origin: "Device_5Impl::write_pipe_5" });
    await expectDevFailed(ts.server.api.writeReadPipe(CTX, DEV, "readings", pipeBlob("b", { x: 1 }).build()), Reason.PipeNotWritable);
    expect(device().hookCalls).to.equal(hooks);
  });

  it("refuses written blobs that are empty, have duplicate names or wrong values, and never calls the device", async () => {
    const write = (blob: unknown): Promise<void> => ts.server.api.writePipe(CTX, DEV, "echo", blob as PipeBlob);
    const empty = await expectDevFailed(write({ name: "b", elements: [] }), Reason.PipeNoDataElement);
    expect(empty.errors[0]).to.include({ desc: "The blob data element number (or name) not set", origin: "Device_5Impl::write_pipe_5" });
    const dup = await expectDevFailed(write({ name: "b", elements: [
      { name: "x", value: { type: CmdArgType.DevLong, value: 1 } }, { name: "X", value: { type: CmdArgType.DevLong, value: 1 } },
    ] }), Reason.PipeDuplicateDEName);
    expect(dup.desc).to.equal("Several times the same data element name in provided vector: x");
    const wrong = await expectDevFailed(write({ name: "b", elements: [{ name: "x", value: { type: CmdArgType.DevShort, value: 1e6 } }] }), Reason.PipeWrongArg);
    expect(wrong.desc).to.equal("Data element x: 1000000 is outside the DevShort range [-32768, 32767]");
    await expectDevFailed(write({ name: "b", elements: [{ name: "x", value: { type: CmdArgType.DevPipeBlob, value: 1 } }] }), Reason.PipeWrongArg);
    expect(device().writes).to.equal(0);
  });

  it("answers an unknown pipe with API_PipeNotFound, cppTango's text and origin, for every operation", async () => {
    const blob = pipeBlob("b", { x: 1 }).build();
    for (const call of [
      ts.server.api.readPipe(CTX, DEV, "nope"), ts.server.api.writePipe(CTX, DEV, "nope", blob),
      ts.server.api.writeReadPipe(CTX, DEV, "nope", blob), ts.server.api.getPipeConfig(CTX, DEV, ["nope"]),
      ts.server.api.setPipeConfig(CTX, DEV, [{ name: "nope", label: "x" }]),
    ]) {
      const df = await expectDevFailed(call, Reason.PipeNotFound);
      expect(df.errors[0]).to.include({ desc: "nope pipe not found", origin: "DeviceClass::get_pipe_by_name" });
    }
  });

  it("answers API_PipeValueNotSet when a read method returns nothing, and keeps a device error's stack", async () => {
    const df = await expectDevFailed(ts.server.api.readPipe(CTX, DEV, "empty"), Reason.PipeValueNotSet);
    expect(df.errors[0]).to.include({ desc: "Value for pipe empty has not been updated", origin: "Device_5Impl::read_pipe_5" });
    await expectDevFailed(ts.server.api.readPipe(CTX, DEV, "duplicated"), Reason.PipeDuplicateDEName);
    const broken = await expectDevFailed(ts.server.api.readPipe(CTX, DEV, "broken"), "PIPER_Broken");
    expect(broken.errors).to.have.length(1);
    expect(broken.errors[0]).to.include({ desc: "sensor unplugged", origin: "Piper::read_broken" });
    await expectDevFailed(ts.server.api.writePipe(CTX, DEV, "gate", pipeBlob("b", { fail: 1 }).build()), "PIPER_Refused");
    const crash = await expectDevFailed(ts.server.api.writePipe(CTX, DEV, "gate", pipeBlob("b", { crash: 1 }).build()), Reason.StdException);
    expect(crash.errors[0]).to.include({ desc: "plain JS error", origin: "Piper::write_gate" });
    await ts.server.api.commandInout(CTX, DEV, "NoValue", undefined);
    await expectDevFailed(ts.server.api.readPipe(CTX, DEV, "gate"), Reason.PipeValueNotSet);
  });

  it("gives every pipe's configuration, or the ones named in request order", async () => {
    const all = await ts.server.api.getPipeConfig(CTX, DEV, []);
    expect(all.map((c) => c.name)).to.deep.equal(["readings", "echo", "gate", "empty", "duplicated", "broken"]);
    expect(await ts.server.api.getPipeConfig(CTX, DEV, ["All pipes"])).to.deep.equal(all);
    expect(await ts.server.api.getPipeConfig(CTX, DEV, ["ECHO", "readings"])).to.deep.equal([
      { name: "echo", label: "echo", description: "No description", level: DispLevel.OPERATOR, writable: PipeWriteType.PIPE_READ_WRITE },
      { name: "readings", label: "Readings", description: "Pipe example", level: DispLevel.EXPERT, writable: PipeWriteType.PIPE_READ },
    ]);
  });

  it("changes labels and descriptions all or nothing, and puts them back to their defaults", async () => {
    await ts.server.api.setPipeConfig(CTX, DEV, [{ name: "echo", label: "Echo!" }, { name: "readings", description: "new" }]);
    let [echo, readings] = await ts.server.api.getPipeConfig(CTX, DEV, ["echo", "readings"]);
    expect([echo?.label, echo?.description, readings?.label, readings?.description]).to.deep.equal(["Echo!", "No description", "Readings", "new"]);
    await expectDevFailed(ts.server.api.setPipeConfig(CTX, DEV, [{ name: "echo", label: "changed" }, { name: "nope", label: "x" }]), Reason.PipeNotFound);
    expect((await ts.server.api.getPipeConfig(CTX, DEV, ["echo"]))[0]?.label).to.equal("Echo!");
    // "" goes back to the class's value, "Not specified" to Tango's default
    await ts.server.api.setPipeConfig(CTX, DEV, [{ name: "echo", label: "" }, { name: "readings", label: "Not specified", description: "" }]);
    [echo, readings] = await ts.server.api.getPipeConfig(CTX, DEV, ["echo", "readings"]);
    expect([echo?.label, readings?.label, readings?.description]).to.deep.equal(["echo", "readings", "Pipe example"]);
  });

  it("sends pushed pipe events to PIPE_EVENT subscribers, the first being a read of the pipe", async () => {
    const sink = { wake: (): void => undefined, heartbeat: (): void => undefined, end: (): void => undefined };
    const sub = await ts.server.api.subscribeEvent(CTX, DEV, "ECHO", EventType.PIPE_EVENT, sink);
    try {
      await ts.server.api.commandInout(CTX, DEV, "Push", { type: CmdArgType.DevString, value: "moved" });
      const records: EventRecord[] = sub.take(10).events.map((e) => e.record);
      expect(records.map((r) => [r.attribute, r.eventType, r.pipe?.blob.name])).to.deep.equal([
        ["echo", EventType.PIPE_EVENT, "start"], ["echo", EventType.PIPE_EVENT, "pushed"],
      ]);
      expect(records[1]?.pipe?.blob.elements).to.deep.equal([{ name: "what", value: { type: CmdArgType.DevString, value: "moved" } }]);
    } finally {
      sub.close();
    }
  });

  it("refuses a pipe event subscription of an unknown pipe, and a push of an unknown pipe or a bad blob", async () => {
    const sink = { wake: (): void => undefined, heartbeat: (): void => undefined, end: (): void => undefined };
    await expectDevFailed(ts.server.api.subscribeEvent(CTX, DEV, "nope", EventType.PIPE_EVENT, sink), Reason.PipeNotFound);
    expect(() => device().pushPipeEvent("nope", pipeBlob("b", { x: 1 }))).to.throw(DevFailed, "nope pipe not found");
    expect(() => device().pushPipeEvent("echo", pipeBlob("b"))).to.throw(DevFailed, "The blob data element number (or name) not set");
  });

  it("refuses to poll a pipe, as cppTango's AddObjPolling does", async () => {
    const admin = ts.server.adminName;
    const df = await expectDevFailed(ts.server.api.commandInout(CTX, admin, "AddObjPolling", {
      type: CmdArgType.DevVarLongStringArray, value: { lvalue: [100], svalue: [DEV, "pipe", "echo"] },
    }), Reason.NotSupported);
    expect(df.desc).to.equal("Object type pipe not supported");
  });

  it("records pipe operations in the blackbox as cppTango words them", async () => {
    await ts.server.api.readPipe(CTX, DEV, "echo");
    await ts.server.api.writeReadPipe(CTX, DEV, "echo", pipeBlob("b", { x: 1 }).build());
    await ts.server.api.getPipeConfig(CTX, DEV, []);
    const lines = await ts.server.api.blackBox(CTX, DEV, 3);
    expect(lines.map((l) => l.replace(/^.* : /, "").replace(/ requested from.*$/, ""))).to.deep.equal([
      "Operation get_pipe_config_5", "Operation write_read_pipe_5 (echo)", "Operation read_pipe_5 (echo)",
    ]);
  });
});
