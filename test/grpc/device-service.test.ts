import { status, type Client } from "@grpc/grpc-js";
import { expect } from "chai";
import {
  AttrDataFormat, CmdArgType, DevSource, DevState, DispLevel, MultiDevFailed, Reason,
} from "../../src/core/index.js";
import {
  ArrayEncoding, decodeAttributeValue, decodeCommandInfo, decodeDeviceInfo, fromGrpcError, loadTangoProto,
  startGrpcServer, type GrpcServerHandle, type WireBlackBoxReply, type WireCommandInoutReply,
  type WireCommandListReply, type WireDevInfo, type WirePropertyReply, type WireReadAttributesReply,
  type WireStateReply, type WireStatusReply,
} from "../../src/grpc/index.js";
import { FakeRequestApi } from "./fake-request-api.js";
import { SERVER_TRANSPORTS, createClient, createTestLogger, expectDevFailed, expectServiceError, unary } from "./grpc-test-client.js";

const { deviceService } = loadTangoProto();
const DEVICE = "test/fake/1";

for (const transport of SERVER_TRANSPORTS) describe(`tango.v1.Device handlers (${transport})`, () => {
  let api: FakeRequestApi;
  let server: GrpcServerHandle;
  let client: Client;
  let logLines: Array<Record<string, unknown>>;

  beforeEach(async () => {
    api = new FakeRequestApi();
    const { logger, lines } = createTestLogger();
    logLines = lines;
    server = await startGrpcServer({ transport, api, host: "127.0.0.1", port: 0, maxMessageBytes: 16 * 1024 * 1024, logger });
    client = createClient(server.port);
  });
  afterEach(async () => {
    client.close();
    await server.close(2000);
  });

  const call = <Res>(method: string, req: object, opts: { deadlineMs?: number; signal?: AbortSignal } = {}) =>
    unary<Res>(client, deviceService, method, req, opts);


  it("answers Ping, Info, State, Status, BlackBox and the command queries", async () => {
    expect(await call("Ping", { device: DEVICE })).to.deep.equal({});
    expect(decodeDeviceInfo(await call<WireDevInfo>("Info", { device: DEVICE })).versionInfo).to.have.property("node");
    expect((await call<WireStateReply>("State", { device: DEVICE })).state).to.equal(DevState.MOVING);
    expect((await call<WireStatusReply>("Status", { device: DEVICE })).status).to.equal("The device is in MOVING state.");
    expect((await call<WireBlackBoxReply>("BlackBox", { device: DEVICE, n: 1 })).records).to.deep.equal(["record"]);
    const list = await call<WireCommandListReply>("CommandListQuery", { device: DEVICE });
    expect(list.commands.map(decodeCommandInfo)).to.deep.equal([{
      name: "Echo", level: DispLevel.EXPERT, inType: CmdArgType.DevVarDoubleArray,
      outType: CmdArgType.DevVarDoubleArray, inTypeDesc: "Uninitialised", outTypeDesc: "the same",
    }]);
  });

  it("refuses a request without a device name as API_WrongDeviceNameSyntax", async () => {
    const df = await expectDevFailed(call("State", {}), status.INVALID_ARGUMENT, Reason.WrongDeviceNameSyntax);
    expect(df.desc).to.match(/names no device/);
    expect(api.calls).to.have.length(0);
  });

  it("passes the server's errors through: unknown device, bad blackbox argument", async () => {
    await expectDevFailed(call("Ping", { device: "no/such/dev" }), status.NOT_FOUND, Reason.DeviceNotFound);
    await expectDevFailed(call("BlackBox", { device: DEVICE, n: 0 }), status.INVALID_ARGUMENT, Reason.BlackBoxArgument);
  });

  it("refuses a malformed argin as API_IncompatibleCmdArgumentType without calling the server", async () => {
    const argin = { type: CmdArgType.DevVarDoubleArray, raw: Buffer.alloc(7) };
    const df = await expectDevFailed(call("CommandInout", { device: DEVICE, command: "Echo", argin }),
      status.INVALID_ARGUMENT, Reason.IncompatibleCmdArgumentType);
    expect(df.desc).to.equal("Cannot decode the argument of command Echo: raw length 7 is not a multiple of 8 bytes (DevVarDoubleArray)");
    expect(api.calls).to.have.length(0);
  });

  it("hands an untyped argin to the server as DevVoid with its value, and the source as read options", async () => {
    await expectDevFailed(
      call("CommandInout", { device: DEVICE, command: "Nothing", argin: { int_value: 5 }, source: DevSource.CACHE_DEV }),
      status.NOT_FOUND, Reason.CommandNotFound);
    expect(api.calls[0]?.args.slice(2)).to.deep.equal([
      { type: CmdArgType.DevVoid, value: 5 }, { source: DevSource.CACHE_DEV },
    ]);
    await expectDevFailed(call("CommandInout", { device: DEVICE, command: "Echo", source: 7 }), status.INVALID_ARGUMENT, Reason.InvalidArgs);
  });

  it("runs a command without argin and returns DevVoid", async () => {
    const reply = await call<WireCommandInoutReply>("CommandInout", { device: DEVICE, command: "Echo" });
    expect(reply.argout).to.deep.equal({ type: CmdArgType.DevVoid });
    expect(api.calls[0]?.args[2]).to.equal(undefined);
  });

  it("sends a bug as UNKNOWN API_StdException and logs it", async () => {
    await expectDevFailed(call("CommandInout", { device: DEVICE, command: "Crash" }), status.UNKNOWN, Reason.StdException);
    expect(logLines.map((l) => l.msg)).to.deep.equal(["non-DevFailed error reached the gRPC edge"]);
  });

  it("aborts the call's signal when the client cancels", async () => {
    const cancel = new AbortController();
    const pending = call("CommandInout", { device: DEVICE, command: "Wait" }, { signal: cancel.signal });
    const signal = await api.waitStarted;
    cancel.abort();
    expect((await expectServiceError(pending)).code).to.equal(status.CANCELLED);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    expect(signal.aborted).to.equal(true);
  });

  it("aborts the call's signal when the deadline passes", async () => {
    const err = await expectServiceError(call("CommandInout", { device: DEVICE, command: "Wait" }, { deadlineMs: 100 }));
    expect(err.code).to.equal(status.DEADLINE_EXCEEDED);
    const signal = await api.waitStarted;
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
  });

  it("reads attributes with per-attribute errors, as bytes when asked", async () => {
    const reply = await call<WireReadAttributesReply>("ReadAttributes",
      { device: DEVICE, names: ["double_spectrum", "nope"], array_encoding: ArrayEncoding.BYTES });
    expect(reply.values[0]?.value?.data).to.equal("raw");
    const [spectrum, missing] = reply.values.map(decodeAttributeValue);
    expect(spectrum).to.include({ dataFormat: AttrDataFormat.SPECTRUM, dataType: CmdArgType.DevDouble });
    expect(spectrum?.value).to.deep.equal(api.spectrum);
    expect(missing?.errors?.[0]?.reason).to.equal(Reason.AttrNotFound);
  });

  it("reports a partial write failure as a MultiDevFailed", async () => {
    const values = [
      { name: "good", value: { type: CmdArgType.DevDouble, double_value: 1 } },
      { name: "bad", value: { type: CmdArgType.DevDouble, double_value: 2 } },
    ];
    const err = await expectServiceError(call("WriteAttributes", { device: DEVICE, values }));
    expect(err.code).to.equal(status.INVALID_ARGUMENT);
    const mdf = fromGrpcError(err) as MultiDevFailed;
    expect(mdf).to.be.instanceOf(MultiDevFailed);
    expect(mdf.errors.map((e) => [e.name, e.indexInCall, e.errors[0].reason]))
      .to.deep.equal([["bad", 1, Reason.AttrNotWritable]]);
    expect(api.lastWrites.map((w) => w.value)).to.deep.equal([
      { type: CmdArgType.DevDouble, value: 1 }, { type: CmdArgType.DevDouble, value: 2 },
    ]);
  });

  it("refuses a malformed write value as API_IncompatibleAttrDataType before writing anything", async () => {
    const values = [
      { name: "good", value: { type: CmdArgType.DevDouble, double_value: 1 } },
      { name: "odd", value: { type: CmdArgType.DevDouble, string_value: "1" } },
    ];
    const df = await expectDevFailed(call("WriteReadAttributes", { device: DEVICE, values, names: [] }),
      status.INVALID_ARGUMENT, Reason.IncompatibleAttrDataType);
    expect(df.desc).to.match(/^Cannot decode the value for attribute odd: /);
    expect(api.calls).to.have.length(0);
  });

  it("passes only the configuration fields the client set", async () => {
    await call("SetAttributeConfig", { device: DEVICE, configs: [{ name: "x", unit: "", max_alarm: "3" }] });
    expect(api.lastConfigUpdates).to.deep.equal([{ name: "x", set: { unit: "", maxAlarm: "3" } }]);
  });

  it("reads, puts and deletes device properties", async () => {
    const got = await call<WirePropertyReply>("GetProperty", { device: DEVICE, names: ["speed", "unset"] });
    expect(got.properties).to.deep.equal([{ name: "speed", values: ["1", "two"] }, { name: "unset", values: [] }]);
    await call("PutProperty", { device: DEVICE, properties: [{ name: "speed", values: ["3"] }] });
    await call("DeleteProperty", { device: DEVICE, names: ["speed"] });
    expect(api.calls.map((c) => [c.method, c.args[1]])).to.deep.equal([
      ["getProperty", ["speed", "unset"]],
      ["putProperty", [{ name: "speed", values: ["3"] }]],
      ["deleteProperty", ["speed"]],
    ]);
  });
});
