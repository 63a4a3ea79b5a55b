import { expect } from "chai";
import { DevFailed, MultiDevFailed, Reason } from "../../src/core/index.js";
import { failure, startTangoTest, type GrpcHarness } from "./grpc-harness.js";

const DEV = "sys/tg_test/1";
type Reply = { argout: Record<string, unknown> & { type: number } };

describe("TangoTest over gRPC", function () {
  let h: GrpcHarness;
  beforeEach(async () => { h = await startTangoTest(); });
  afterEach(async () => { await h.close(); });

  const echo = async (command: string, argin: Record<string, unknown>): Promise<Record<string, unknown>> =>
    (await h.call<Reply>("CommandInout", { device: DEV, command, argin })).argout;

  it("echoes every scalar type with its edge values", async () => {
    const cases: [string, number, string, unknown][] = [
      ["DevBoolean", 1, "boolean_value", true],
      ["DevShort", 2, "int_value", -32768], ["DevShort", 2, "int_value", 32767],
      ["DevLong", 3, "int_value", -2147483648], ["DevLong", 3, "int_value", 2147483647],
      ["DevFloat", 4, "float_value", -1.5], ["DevDouble", 5, "double_value", 3.14],
      ["DevUShort", 6, "uint_value", 65535], ["DevULong", 7, "uint_value", 4294967295],
      ["DevString", 8, "string_value", "héllo ✓ 日本"], ["DevString", 8, "string_value", ""],
      ["DevLong64", 23, "long64_value", "-9223372036854775808"], ["DevLong64", 23, "long64_value", "9223372036854775807"],
      ["DevULong64", 24, "ulong64_value", "18446744073709551615"],
    ];
    for (const [cmd, type, field, value] of cases) {
      const out = await echo(cmd, { type, [field]: value });
      expect(out.type, cmd).to.equal(type);
      expect(out[field], `${cmd} ${String(value)}`).to.deep.equal(value);
    }
  });

  it("echoes NaN and infinities", async () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      const out = await echo("DevDouble", { type: 5, double_value: v });
      expect(Object.is(out.double_value, v) || (Number.isNaN(v) && Number.isNaN(out.double_value))).to.equal(true);
    }
  });

  it("echoes arrays, empty ones included, packed and as bytes", async () => {
    const d = await echo("DevVarDoubleArray", { type: 13, double_array: { values: [1.5, -2, 1e300] } });
    expect(d.double_array).to.deep.equal({ values: [1.5, -2, 1e300] });
    const empty = await echo("DevVarLongArray", { type: 11, int_array: { values: [] } });
    expect((empty.int_array as { values: number[] }).values).to.deep.equal([]);
    const l64 = await echo("DevVarLong64Array", { type: 25, long64_array: { values: ["-9223372036854775808", "5"] } });
    expect(l64.long64_array).to.deep.equal({ values: ["-9223372036854775808", "5"] });
    const raw = Buffer.from(new Float64Array([1, 2, 3]).buffer);
    const r = await h.call<Reply>("CommandInout", { device: DEV, command: "DevVarDoubleArray", argin: { type: 13, raw }, array_encoding: 1 });
    expect(Buffer.compare(r.argout.raw as Buffer, raw)).to.equal(0);
    const s = await echo("DevVarStringArray", { type: 16, string_array: { values: ["a", "ü", ""] } });
    expect(s.string_array).to.deep.equal({ values: ["a", "ü", ""] });
    const ls = await echo("DevVarLongStringArray", { type: 17, long_string_array: { lvalue: [1, -2], svalue: ["x"] } });
    expect(ls.long_string_array).to.deep.equal({ lvalue: [1, -2], svalue: ["x"] });
    const ds = await echo("DevVarDoubleStringArray", { type: 18, double_string_array: { dvalue: [0.5], svalue: ["y", "z"] } });
    expect(ds.double_string_array).to.deep.equal({ dvalue: [0.5], svalue: ["y", "z"] });
    const c = await echo("DevVarCharArray", { type: 9, uint_array: { values: [0, 255] } });
    expect(c.uint_array).to.deep.equal({ values: [0, 255] });
  });

  it("refuses wrong-typed or out-of-range argin with API_IncompatibleCmdArgumentType", async () => {
    for (const argin of [{ type: 2, int_value: 40000 }, { type: 8, string_value: "x" }, { type: 7, uint_value: 1 }]) {
      const df = await failure(h.call("CommandInout", { device: DEV, command: "DevShort", argin }));
      expect(df).to.be.instanceOf(DevFailed);
      expect((df as DevFailed).reason).to.equal(Reason.IncompatibleCmdArgumentType);
      expect((df as DevFailed).desc).to.match(/^Incompatible command argument type, expected type is : Tango::DevShort/);
    }
  });

  it("names unknown commands, attributes and devices with cppTango's descriptions", async () => {
    const cmd = await failure(h.call("CommandInout", { device: DEV, command: "NoSuchCmd" })) as DevFailed;
    expect([cmd.reason, cmd.desc]).to.deep.equal([Reason.CommandNotFound, "Command NoSuchCmd not found"]);
    const dev = await failure(h.call("Ping", { device: "a/b/c" })) as DevFailed;
    expect([dev.reason, dev.desc]).to.deep.equal([Reason.DeviceNotFound, "Device a/b/c not found"]);
    const r = await h.call<{ values: { name: string; errors: { reason: string; desc: string }[] }[] }>("ReadAttributes", { device: DEV, names: ["nope"] });
    expect(r.values[0]?.errors[0]).to.deep.include({ reason: Reason.AttrNotFound, desc: "nope attribute not found" });
  });

  it("matches command and attribute names in any case and replies in the declared case", async () => {
    const out = await echo("dEvLoNg", { type: 3, int_value: 7 });
    expect(out.int_value).to.equal(7);
    const r = await h.call<{ values: { name: string }[] }>("ReadAttributes", { device: "SYS/TG_TEST/1", names: ["DOUBLE_SCALAR"] });
    expect(r.values[0]?.name).to.equal("double_scalar");
  });

  it("reads attributes with the reference shapes and per-attribute errors", async () => {
    const r = await h.call<{ values: Record<string, unknown>[] }>("ReadAttributes", {
      device: DEV, names: ["double_scalar", "no_value", "throw_exception", "long64_scalar", "wave", "State", "Status"],
    });
    const [ds, nv, te, l64, wave, state, status] = r.values;
    expect(ds?.data_type).to.equal(5);
    expect(nv?.errors).to.deep.include.members([]);
    expect((nv?.errors as { reason: string }[])[0]?.reason).to.equal(Reason.AttrValueNotSet);
    expect((te?.errors as { reason: string; desc: string }[])[0]).to.deep.include({ reason: "exception test", desc: "here is the exception you requested" });
    expect(typeof (l64?.value as { long64_value: unknown }).long64_value).to.equal("string");
    expect(wave?.r_dim).to.deep.equal({ dim_x: 256, dim_y: 0 });
    expect((state?.value as { state_value: number }).state_value).to.equal(10);
    expect((status?.value as { string_value: string }).string_value).to.equal("The device is in RUNNING state.");
  });

  it("reports a failing multi-write element by index and keeps the others", async () => {
    const m = await failure(h.call("WriteAttributes", { device: DEV, values: [
      { name: "double_scalar", value: { type: 5, double_value: 2.5 } },
      { name: "short_scalar_ro", value: { type: 2, int_value: 1 } },
    ] }));
    expect(m).to.be.instanceOf(MultiDevFailed);
    expect((m as MultiDevFailed).errors.map((e) => [e.name, e.indexInCall, e.errors[0].reason])).to.deep.equal([["short_scalar_ro", 1, Reason.AttrNotWritable]]);
    const r = await h.call<{ values: { w_value: { double_value: number } }[] }>("ReadAttributes", { device: DEV, names: ["double_scalar"] });
    expect(r.values[0]?.w_value.double_value).to.equal(2.5);
  });

  it("lists TangoTest's 30 commands and the admin device answers QueryDevice", async () => {
    const list = await h.call<{ commands: { cmd_name: string }[] }>("CommandListQuery", { device: DEV });
    expect(list.commands).to.have.length(30);
    const q = await h.call<Reply>("CommandInout", { device: "dserver/TangoTest/test", command: "QueryDevice" });
    expect(q.argout.string_array).to.deep.equal({ values: ["TangoTest::sys/tg_test/1"] });
  });

  it("records the gRPC client's identity in the blackbox", async () => {
    await h.call("CommandInout", { device: DEV, command: "DevVoid" });
    const bb = await h.call<{ records: string[] }>("BlackBox", { device: DEV, n: 1 });
    expect(bb.records[0]).to.match(/ : Operation command_inout_4 \(cmd = DevVoid\) from device requested from localhost \(CPP\/Python client with PID 777\)$/);
  });

  it("keeps serving after the Crash commands fail in their background task", async () => {
    await h.call("CommandInout", { device: DEV, command: "CrashFromDevelopperThread" });
    await h.call("CommandInout", { device: DEV, command: "CrashFromOmniThread" });
    await h.call("Ping", { device: DEV });
  });

  it("answers a malformed request with a clear error and keeps serving", async () => {
    const df = await failure(h.call("CommandInout", { device: DEV, command: "DevVarDoubleArray", argin: { type: 13, raw: Buffer.from([1, 2, 3]) } })) as DevFailed;
    expect(df.reason).to.equal(Reason.IncompatibleCmdArgumentType);
    await h.call("Ping", { device: DEV });
  });
});
