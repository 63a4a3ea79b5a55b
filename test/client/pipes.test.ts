import { expect } from "chai";
import {
  CmdArgType, DevState, DeviceProxy, DispLevel, EventType, PipeWriteType, Reason, pipeBlob, type EventData, type PipeBlob,
  type PipeDataElement, type TypedValue,
} from "../../src/client/index.js";
import { DevString, Device, command, pipe, type PipeReadResult } from "../../src/device/index.js";
import { startEventServer, type EventServer } from "../support/event-server.js";
import { expectDevFailed } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";
import { closedPort } from "../support/ports.js";
import { PIPE_ELEMENT_SAMPLES } from "../support/pipe-samples.js";

const T = CmdArgType;

/** Pipes of each kind, driven by commands. */
class Piper extends Device {
  #echo: PipeBlob = pipeBlob("start", { hello: "world" }).build();

  override initDevice(): void {
    this.setState(DevState.ON);
  }

  @pipe({ description: "Pipe example", label: "Readings", displayLevel: DispLevel.EXPERT })
  get readings(): PipeReadResult {
    return pipeBlob("r").add("FirstDE", T.DevString, "The string").add("SecondDE", T.DevLong, 666);
  }

  @pipe({ readAllowedIn: [DevState.ON], writeAllowedIn: [DevState.ON] })
  get echo(): PipeReadResult { return this.#echo; }
  set echo(blob: PipeBlob) { this.#echo = blob; }

  @command()
  Off(): void { this.setState(DevState.OFF); }

  @command({ dtypeIn: DevString })
  Push(text: string): void {
    this.pushPipeEvent("echo", pipeBlob("pushed").add("text", T.DevString, text).addBlob("in", pipeBlob("", { n: 1n })));
  }
}

/** One data element of every type a pipe carries, canonical, a NaN and a large array too, then nested blobs. */
const VALUES: ReadonlyArray<readonly [string, TypedValue]> = [
  ...PIPE_ELEMENT_SAMPLES,
  ["nan", { type: T.DevDouble, value: Number.NaN }],
  ["big", { type: T.DevVarDoubleArray, value: Float64Array.from({ length: 100_000 }, (_, i) => i / 3) }],
];

const EVERY_TYPE: PipeBlob = {
  name: "all",
  elements: [
    ...VALUES.map(([name, value]): PipeDataElement => ({ name, value })),
    { name: "inner", blob: { name: "in", elements: [{ name: "x", value: { type: T.DevDouble, value: 1 } }, { name: "deeper", blob: { name: "d", elements: [{ name: "s", value: { type: T.DevString, value: "deep" } }] } }] } },
  ],
};

describe("DeviceProxy pipes against a server in process", function () {
  this.timeout(20_000);
  let es: EventServer;

  beforeEach(async () => {
    es = await startEventServer({ classes: { Piper }, devices: { Piper: ["test/pipe/1"] } });
  });
  afterEach(async () => { await es.close(); });

  for (const arrayEncoding of ["packed", "bytes"] as const) {
    it(`writes and reads back every element type and nested blobs (${arrayEncoding})`, async () => {
      const dev = es.proxy("test/pipe/1", { arrayEncoding });
      await dev.writePipe("echo", EVERY_TYPE);
      const read = await dev.readPipe("echo");
      expect(read.name).to.equal("echo");
      expect(read.blob).to.deep.equal(EVERY_TYPE);
      expect(read.date).to.be.instanceOf(Date);
      expect(Math.abs(read.date.getTime() - Date.now())).to.be.lessThan(10_000);
      expect(read.date.getTime()).to.equal(read.time.sec * 1000 + Math.floor(read.time.usec / 1000));
      expect((await dev.writeReadPipe("ECHO", EVERY_TYPE)).blob).to.deep.equal(EVERY_TYPE);
    });
  }

  it("writes a builder and the record form, its types inferred", async () => {
    const dev = es.proxy("test/pipe/1");
    await dev.writePipe("echo", pipeBlob("b").add("s", T.DevShort, 3).addBlob("in", pipeBlob("x", { a: "z" })));
    expect((await dev.readPipe("echo")).blob).to.deep.equal({
      name: "b", elements: [{ name: "s", value: { type: T.DevShort, value: 3 } }, { name: "in", blob: { name: "x", elements: [{ name: "a", value: { type: T.DevString, value: "z" } }] } }],
    });
    await dev.writePipe("echo", { x: 1.5, names: ["a", "b"], n: 7n });
    expect((await dev.readPipe("echo")).blob).to.deep.equal({
      name: "", elements: [
        { name: "x", value: { type: T.DevDouble, value: 1.5 } },
        { name: "names", value: { type: T.DevVarStringArray, value: ["a", "b"] } },
        { name: "n", value: { type: T.DevLong64, value: 7n } },
      ],
    });
  });

  it("reads a read-only pipe and refuses to write it, with API_PipeFailed on top", async () => {
    const dev = es.proxy("test/pipe/1");
    expect((await dev.readPipe("readings")).blob).to.deep.equal({
      name: "r", elements: [{ name: "FirstDE", value: { type: T.DevString, value: "The string" } }, { name: "SecondDE", value: { type: T.DevLong, value: 666 } }],
    });
    const df = await expectDevFailed(dev.writePipe("readings", { x: 1 }), Reason.PipeNotWritable);
    expect(df.errors.map((e) => e.reason)).to.deep.equal([Reason.PipeNotWritable, Reason.PipeFailed]);
    expect(df.errors[1]).to.include({ desc: "Failed to write_pipe on device test/pipe/1, pipe readings", origin: "DeviceProxy::write_pipe()" });
  });

  it("refuses a pipe that does not exist, and per state, with cppTango's frames", async () => {
    const dev = es.proxy("test/pipe/1");
    const missing = await expectDevFailed(dev.readPipe("nope"), Reason.PipeNotFound);
    expect(missing.errors[1]).to.include({ desc: "Failed to read_pipe on device test/pipe/1, pipe nope", origin: "DeviceProxy::read_pipe()" });
    await dev.commandInout("Off");
    const read = await expectDevFailed(dev.readPipe("echo"), Reason.PipeNotAllowed);
    expect(read.errors.map((e) => [e.reason, e.desc])).to.deep.equal([
      [Reason.PipeNotAllowed, "It is currently not allowed to read pipe echo"],
      [Reason.PipeFailed, "Failed to read_pipe on device test/pipe/1, pipe echo"],
    ]);
    const write = await expectDevFailed(dev.writeReadPipe("echo", { x: 1 }), Reason.PipeNotAllowed);
    expect(write.errors[1]).to.include({ desc: "Failed to write_read_pipe on device test/pipe/1, pipe echo", origin: "DeviceProxy::write_read_pipe()" });
  });

  it("refuses an empty blob and duplicated names before sending, as cppTango's client does", async () => {
    const dev = es.proxy("test/pipe/1");
    const empty = await expectDevFailed(dev.writePipe("echo", { name: "b", elements: [] }), Reason.PipeNoDataElement);
    expect(empty.errors).to.have.length(1);
    expect(empty.errors[0]).to.include({ desc: "No data in pipe!", origin: "DeviceProxy::write_pipe()" });
    await expectDevFailed(dev.writePipe("echo", {}), Reason.PipeNoDataElement);
    const dup = await expectDevFailed(dev.writePipe("echo", {
      name: "", elements: [{ name: "a", value: { type: T.DevLong, value: 1 } }, { name: "A", value: { type: T.DevLong, value: 2 } }],
    }), Reason.PipeDuplicateDEName);
    expect(dup.desc).to.equal("Several times the same data element name in provided vector: a");
    const wrong = await expectDevFailed(dev.writePipe("echo", { name: "", elements: [{ name: "s", value: { type: T.DevShort, value: 70_000 } }] }), Reason.PipeWrongArg);
    expect(wrong.desc).to.match(/^Data element s: /);
    expect((await dev.readPipe("echo")).blob.name).to.equal("start");
  });

  it("gets and sets pipe configurations, and lists the pipes", async () => {
    const dev = es.proxy("test/pipe/1");
    expect(await dev.pipeList()).to.deep.equal(["readings", "echo"]);
    expect(await dev.getPipeConfig("READINGS")).to.deep.equal({
      name: "readings", description: "Pipe example", label: "Readings", level: DispLevel.EXPERT, writable: PipeWriteType.PIPE_READ,
    });
    await dev.setPipeConfig({ name: "echo", label: "The echo" });
    await dev.setPipeConfig([{ name: "echo", description: "Echoes" }]);
    const [echo] = await dev.getPipeConfig(["echo"]);
    expect(echo).to.include({ label: "The echo", description: "Echoes", writable: PipeWriteType.PIPE_READ_WRITE });
  });

  it("receives pipe events: the current value first, then what device code pushes", async () => {
    const dev = es.proxy("test/pipe/1");
    const events: EventData[] = [];
    const id = await dev.subscribeEvent("echo", EventType.PIPE_EVENT, (e) => { events.push(e); });
    await waitFor(() => events.length >= 1, "the first pipe event", 5000);
    await dev.commandInout("Push", "hi");
    await waitFor(() => events.length >= 2, "the pushed pipe event", 5000);
    dev.unsubscribeEvent(id);
    expect(events[0]).to.include({ attribute: "echo", event: "pipe", eventType: EventType.PIPE_EVENT });
    expect(events[0]?.pipe?.blob.name).to.equal("start");
    expect(events[1]?.error).to.equal(undefined);
    expect(events[1]?.pipe?.date).to.be.instanceOf(Date);
    expect(events[1]?.pipe?.blob).to.deep.equal({
      name: "pushed", elements: [
        { name: "text", value: { type: T.DevString, value: "hi" } },
        { name: "in", blob: { name: "", elements: [{ name: "n", value: { type: T.DevLong64, value: 1n } }] } },
      ],
    });
  });

  it("puts API_PipeFailed on top of the client's own failure too (a server that is down)", async () => {
    const down = new DeviceProxy(`tango://127.0.0.1:${await closedPort()}/test/pipe/1#dbase=no`, { timeoutMs: 2000 });
    try {
      const df = await expectDevFailed(down.readPipe("echo"), Reason.ServerNotRunning);
      expect(df.errors.at(-1)).to.include({ reason: Reason.PipeFailed, desc: "Failed to read_pipe on device test/pipe/1, pipe echo" });
      const w = await expectDevFailed(down.writePipe("echo", { x: 1 }), Reason.ServerNotRunning);
      expect(w.errors.at(-1)).to.include({ reason: Reason.PipeFailed, origin: "DeviceProxy::write_pipe()" });
    } finally {
      down.close();
    }
  });
});
