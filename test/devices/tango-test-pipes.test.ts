import { expect } from "chai";
import { CmdArgType, DispLevel, PipeWriteType, Reason, pipeBlob } from "../../src/device/index.js";
import { EventType } from "../../src/core/index.js";
import { TangoTest } from "../../src/devices/index.js";
import { CTX, expectDevFailed, startServer } from "../support/test-server.js";

// TangoTest's pipe as later cppTango TangoTest versions declare it (TangoTestClass::pipe_factory,
// TangoTest::read_string_long_short_ro), and as PyTango's tests read it off a real one.
describe("TangoTest pipes", () => {
  const DEV = "sys/tg_test/1";
  let ts: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => { ts = await startServer({ classes: { TangoTest }, devices: { TangoTest: [DEV] } }); });
  afterEach(async () => { await ts?.close(); });

  it("has cppTango's string_long_short_ro, read only, OPERATOR, described \"Pipe example\", and our rw_pipe", async () => {
    expect(await ts.server.api.getPipeConfig(CTX, DEV, [])).to.deep.equal([{
      name: "string_long_short_ro", label: "string_long_short_ro", description: "Pipe example",
      level: DispLevel.OPERATOR, writable: PipeWriteType.PIPE_READ,
    }, {
      name: "rw_pipe", label: "rw_pipe", description: "Read-write pipe example: reads back the last blob written",
      level: DispLevel.OPERATOR, writable: PipeWriteType.PIPE_READ_WRITE,
    }]);
  });

  it("echoes what is written to rw_pipe, until Init puts its first blob back", async () => {
    const first = await ts.server.api.readPipe(CTX, DEV, "rw_pipe");
    expect(first.blob).to.deep.equal({ name: "rw_pipe", elements: [
      { name: "str", value: { type: CmdArgType.DevString, value: "The string" } },
      { name: "long", value: { type: CmdArgType.DevLong, value: 666 } },
      { name: "double_array", value: { type: CmdArgType.DevVarDoubleArray, value: Float64Array.of(1.5, 2.5, 3.5) } },
    ] });
    const written = pipeBlob("mine").add("n", CmdArgType.DevULong64, 7n).addBlob("inner", pipeBlob("in", { s: "x" })).build();
    const echoed = await ts.server.api.writeReadPipe(CTX, DEV, "rw_pipe", written);
    expect(echoed.blob).to.deep.equal(written);
    await ts.server.api.commandInout(CTX, DEV, "Init", undefined);
    expect((await ts.server.api.readPipe(CTX, DEV, "rw_pipe")).blob).to.deep.equal(first.blob);
  });

  it("reads a blob named \"\" of FirstDE, SecondDE and ThirdDE: a string, a long and a short", async () => {
    const v = await ts.server.api.readPipe(CTX, DEV, "string_long_short_ro");
    expect(v.name).to.equal("string_long_short_ro");
    expect(v.blob).to.deep.equal({ name: "", elements: [
      { name: "FirstDE", value: { type: CmdArgType.DevString, value: "The string" } },
      { name: "SecondDE", value: { type: CmdArgType.DevLong, value: 666 } },
      { name: "ThirdDE", value: { type: CmdArgType.DevShort, value: 12 } },
    ] });
  });

  it("refuses writes with API_PipeNotWritable and subscribes to its pipe events", async () => {
    const df = await expectDevFailed(ts.server.api.writePipe(CTX, DEV, "string_long_short_ro", pipeBlob("", { x: 1 }).build()), Reason.PipeNotWritable);
    expect(df.desc).to.equal("Pipe string_long_short_ro is not writable");
    const sink = { wake: (): void => undefined, heartbeat: (): void => undefined, end: (): void => undefined };
    const sub = await ts.server.api.subscribeEvent(CTX, DEV, "string_long_short_ro", EventType.PIPE_EVENT, sink);
    try {
      expect(sub.take(5).events.map((e) => e.record.pipe?.blob.elements.length)).to.deep.equal([3]);
    } finally {
      sub.close();
    }
  });
});
