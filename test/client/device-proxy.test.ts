import { expect } from "chai";
import {
  AttrDataFormat, AttrQuality, AttributeProxy, CmdArgType, DevFailed, DevSource, DevState, DeviceProxy, DispLevel,
  MultiDevFailed, Reason,
} from "../../src/client/index.js";
import { expectDevFailed } from "../support/test-server.js";
import { proxyPool } from "../support/proxy-pool.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";

describe("DeviceProxy against a server process", function () {
  this.timeout(30_000);
  let sp: ServerProcess;
  let dev: DeviceProxy;
  const pool = proxyPool((device) => sp.trl(device));
  const { proxy } = pool;

  before(async () => { sp = await startServerProcess(); });
  after(async () => { await sp?.close(); });
  beforeEach(() => { dev = proxy("sys/tg_test/1"); });
  afterEach(() => { pool.closeAll(); });

  describe("names", () => {
    it("keeps the lower-case device name, the address and a canonical TRL", () => {
      const p = new DeviceProxy(`//127.0.0.1:${sp.port}/SYS/TG_TEST/1#dbase=no`);
      expect(p.name).to.equal("sys/tg_test/1");
      expect(p.address).to.equal(sp.address);
      expect(p.trl).to.equal(`tango://${sp.address}/sys/tg_test/1#dbase=no`);
    });

    it("refuses a name without host:port, since there is no database to ask", () => {
      expect(() => new DeviceProxy("sys/tg_test/1")).to.throw(DevFailed).with.property("reason", Reason.WrongDeviceNameSyntax);
    });

    it("refuses another protocol and an unknown database modifier", () => {
      expect(() => new DeviceProxy(`http://${sp.address}/a/b/c`)).to.throw(DevFailed).with.property("reason", Reason.UnsupportedProtocol);
      expect(() => new DeviceProxy(`${sp.address}/a/b/c#dbase=maybe`)).to.throw(DevFailed).with.property("reason", Reason.UnsupportedDBaseModifier);
    });
  });

  describe("device-level calls", () => {
    it("pings and returns the round trip in microseconds", async () => {
      const us = await dev.ping();
      expect(us).to.be.a("number").and.to.be.greaterThan(0);
    });

    it("reads state, status, info, description and the admin name", async () => {
      expect(await dev.state()).to.equal(DevState.RUNNING);
      expect(await dev.status()).to.equal("The device is in RUNNING state.");
      const info = await dev.info();
      expect(info.devClass).to.equal("TangoTest");
      expect(info.serverId).to.equal("Fixture/proc");
      expect(await dev.description()).to.equal("A TANGO device");
      expect(await dev.adminName()).to.equal("dserver/Fixture/proc");
    });

    it("finds the admin device of a server from its address alone", async () => {
      const admin = pool.track(await DeviceProxy.adminOf(sp.address));
      expect(admin.name).to.equal("dserver/fixture/proc");
      expect(await admin.commandInout("QueryDevice")).to.include("TangoTest::sys/tg_test/1");
    });

    it("shows this client's host, language and pid in the blackbox", async () => {
      await dev.state();
      const p = proxy("sys/tg_test/1", { identity: { host: "ctrl-pc", pid: 4321 } });
      await p.commandInout("DevVoid");
      const [line] = await p.blackBox(2);
      expect(line).to.match(/Operation command_inout_4 \(cmd = DevVoid\) from cache_device requested from ctrl-pc \(TypeScript client with PID 4321\)$/);
    });

    it("lists commands with their types and queries one", async () => {
      const list = await dev.commandListQuery();
      const devDouble = list.find((c) => c.name === "DevDouble");
      expect(devDouble).to.include({ inType: CmdArgType.DevDouble, outType: CmdArgType.DevDouble, level: DispLevel.OPERATOR });
      expect(await dev.commandList()).to.include.members(["Init", "State", "Status", "SwitchStates"]);
      expect((await dev.commandQuery("devlong64")).name).to.equal("DevLong64");
      await expectDevFailed(dev.commandQuery("NoSuch"), Reason.CommandNotFound);
    });

    it("lists attributes, and reads and changes an attribute configuration", async () => {
      const names = await dev.attributeList();
      expect(names).to.include.members(["double_scalar", "long64_scalar", "State", "Status"]);
      const config = await dev.getAttributeConfig("double_scalar");
      expect(config).to.include({ name: "double_scalar", dataType: CmdArgType.DevDouble, dataFormat: AttrDataFormat.SCALAR });
      await dev.setAttributeConfig({ name: "double_scalar", set: { unit: "mm", label: "Position" } });
      const [changed] = await dev.getAttributeConfig(["DOUBLE_SCALAR"]);
      expect(changed).to.include({ unit: "mm", label: "Position" });
      await dev.setAttributeConfig([{ name: "double_scalar", set: { unit: "", label: "" } }]);
      expect((await dev.getAttributeConfig("double_scalar")).label).to.equal("double_scalar");
    });

    it("puts, gets and deletes device properties", async () => {
      await dev.putProperty({ Calibration: [1.5, 2], Note: "hello" });
      expect(await dev.getProperty(["Calibration", "Note"])).to.deep.equal({ Calibration: ["1.5", "2"], Note: ["hello"] });
      await dev.deleteProperty("Note");
      expect(await dev.getProperty("Note")).to.deep.equal({ Note: [] });
    });
  });

  describe("commands", () => {
    it("converts argin to the declared type and returns typed results", async () => {
      expect(await dev.commandInout("DevDouble", 3.14)).to.equal(3.14);
      expect(await dev.commandInout("DevString", "héllo")).to.equal("héllo");
      expect(await dev.commandInout("DevBoolean", true)).to.equal(true);
      expect(await dev.commandInout("DevVoid")).to.equal(undefined);
      const shorts = await dev.commandInout("DevVarShortArray", [1, -2, 3]);
      expect(shorts).to.be.instanceOf(Int16Array).and.deep.equal(Int16Array.from([1, -2, 3]));
      expect(await dev.commandInout("DevVarLongStringArray", { lvalue: [1, 2], svalue: ["a"] }))
        .to.deep.equal({ lvalue: Int32Array.from([1, 2]), svalue: ["a"] });
    });

    it("keeps 64-bit integers exact both ways", async () => {
      expect(await dev.commandInout("DevLong64", 9007199254740993n)).to.equal(9007199254740993n);
      expect(await dev.commandInout("DevLong64", -(2n ** 63n))).to.equal(-(2n ** 63n));
      expect(await dev.commandInout("DevULong64", 2n ** 64n - 1n)).to.equal(2n ** 64n - 1n);
      const arr = BigInt64Array.from([2n ** 62n + 1n, -5n]);
      expect(await dev.commandInout("DevVarLong64Array", arr)).to.deep.equal(arr);
      await dev.writeAttribute("long64_scalar", 9007199254740993n);
      expect((await dev.readAttribute("long64_scalar")).wValue).to.equal(9007199254740993n);
    });

    it("round-trips 1,000,000 doubles exactly", async () => {
      const big = new Float64Array(1_000_000);
      for (let i = 0; i < big.length; i++) big[i] = i * 1.000001 + Math.PI;
      const back = await dev.commandInout<Float64Array>("DevVarDoubleArray", big, { timeoutMs: 10_000 });
      expect(back).to.be.instanceOf(Float64Array);
      expect(back.length).to.equal(big.length);
      expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(big.buffer))).to.equal(true);
    });

    it("refuses a wrong argin before sending, with the server's reason and API_CommandFailed on top", async () => {
      const df = await expectDevFailed(dev.commandInout("DevShort", 70000), Reason.IncompatibleCmdArgumentType);
      expect(df.errors.at(-1)).to.include({ reason: Reason.CommandFailed, desc: "Failed to execute command_inout on device sys/tg_test/1, command DevShort" });
    });

    it("puts API_CommandFailed on top of a server error", async () => {
      const df = await expectDevFailed(dev.commandInout("NoSuchCmd"), Reason.CommandNotFound);
      expect(df.errors.map((e) => e.reason)).to.deep.equal([Reason.CommandNotFound, Reason.CommandFailed]);
    });

    it("asks the cache when told to, and the server says the command is not polled", async () => {
      await expectDevFailed(dev.commandInout("DevVoid", undefined, { source: DevSource.CACHE }), Reason.CmdNotPolled);
    });
  });

  describe("attributes", () => {
    it("reads value, write value, quality, time and dimensions", async () => {
      await dev.writeAttribute("double_scalar", 2.5);
      const before = Date.now();
      const a = await dev.readAttribute("double_scalar");
      expect(a.name).to.equal("double_scalar");
      expect(a.wValue).to.equal(2.5);
      expect(a.value).to.be.a("number");
      expect(a.quality).to.equal(AttrQuality.ATTR_VALID);
      expect(a.dataFormat).to.equal(AttrDataFormat.SCALAR);
      expect(a.dataType).to.equal(CmdArgType.DevDouble);
      expect(a.dimX).to.equal(1);
      expect(a.dimY).to.equal(0);
      expect(Math.abs(a.date.getTime() - before)).to.be.lessThan(5_000);
      expect(a.time.usec).to.be.within(0, 999_999);
    });

    it("reads spectra and images as typed arrays with their dimensions", async () => {
      const spectrum = await dev.readAttribute("double_spectrum_ro");
      expect(spectrum.value).to.be.instanceOf(Float64Array);
      expect((spectrum.value as Float64Array).length).to.equal(spectrum.dimX);
      const image = await dev.readAttribute("long_image_ro");
      expect(image.value).to.be.instanceOf(Int32Array);
      expect((image.value as Int32Array).length).to.equal(image.dimX * image.dimY);
    });

    it("sends and receives arrays as packed repeated values when asked, with the same results", async () => {
      const packed = proxy("sys/tg_test/1", { arrayEncoding: "packed" });
      const values = Float64Array.from([1.5, -2.25, Math.PI, 1e300]);
      expect(await packed.commandInout("DevVarDoubleArray", values)).to.deep.equal(values);
      expect(await packed.commandInout("DevVarLong64Array", [1n, -(2n ** 63n)])).to.deep.equal(BigInt64Array.from([1n, -(2n ** 63n)]));
      const image = await packed.writeReadAttribute("double_image", [[1, 2], [3, 4]]);
      expect(image.wValue).to.deep.equal(Float64Array.from([1, 2, 3, 4]));
      const spectrum = await packed.readAttribute("double_spectrum_ro");
      expect(spectrum.value).to.be.instanceOf(Float64Array);
      expect((spectrum.value as Float64Array).length).to.equal(spectrum.dimX);
    });

    it("refuses an unknown array encoding when the proxy is made", () => {
      expect(() => new DeviceProxy(sp.trl("sys/tg_test/1"), { arrayEncoding: "json" as "bytes" }))
        .to.throw(DevFailed).with.property("reason", Reason.MethodArgument);
    });

    it("writes an image from nested rows and reads it back", async () => {
      const a = await dev.writeReadAttribute("double_image", [[1, 2, 3], [4, 5, 6]]);
      expect(a.wValue).to.deep.equal(Float64Array.from([1, 2, 3, 4, 5, 6]));
      expect([a.wDimX, a.wDimY]).to.deep.equal([3, 2]);
    });

    it("writes several attributes and reads others in one call", async () => {
      const [s, l] = await dev.writeReadAttributes({ short_scalar: 3, long_scalar: 4 }, ["short_scalar", "long_scalar"]);
      expect([s?.wValue, l?.wValue]).to.deep.equal([3, 4]);
    });

    it("reads several attributes, each failure kept with its own error", async () => {
      const [ok, bad] = await dev.readAttributes(["short_scalar", "throw_exception"]);
      expect(ok?.error).to.equal(undefined);
      expect(bad?.value).to.equal(undefined);
      expect(bad?.error).to.be.instanceOf(DevFailed);
      expect(bad?.error?.errors.at(-1)?.reason).to.equal(Reason.AttributeFailed);
    });

    it("throws for a failed single read, with API_AttributeFailed on top", async () => {
      const df = await expectDevFailed(dev.readAttribute("no_such_attr"), Reason.AttrNotFound);
      expect(df.errors.at(-1)).to.include({ reason: Reason.AttributeFailed, desc: "Failed to read_attribute on device sys/tg_test/1, attribute no_such_attr" });
    });

    it("writes several attributes and reports the failed ones in a MultiDevFailed", async () => {
      await dev.writeAttributes({ short_scalar: 7, string_scalar: "abc" });
      const [s, str] = await dev.readAttributes(["short_scalar", "string_scalar"]);
      expect([s?.wValue, str?.wValue]).to.deep.equal([7, "abc"]);
      await dev.setAttributeConfig({ name: "long_scalar", set: { maxValue: "10" } });
      try {
        await dev.writeAttributes([["short_scalar", 8], ["long_scalar", 11]]);
        expect.fail("the write succeeded");
      } catch (err) {
        expect(err).to.be.instanceOf(MultiDevFailed);
        const [failed] = (err as MultiDevFailed).errors;
        expect(failed).to.include({ name: "long_scalar", indexInCall: 1 });
        expect(failed?.errors[0].reason).to.equal(Reason.WAttrOutsideLimit);
      } finally {
        await dev.setAttributeConfig({ name: "long_scalar", set: { maxValue: "" } });
      }
      expect((await dev.readAttribute("short_scalar")).wValue).to.equal(8);
    });

    it("refuses a value of the wrong type before sending", async () => {
      const df = await expectDevFailed(dev.writeAttribute("double_scalar", "high"), Reason.IncompatibleAttrDataType);
      expect(df.errors.at(-1)?.reason).to.equal(Reason.AttributeFailed);
    });

    it("writes and reads through an AttributeProxy", async () => {
      const attr = new AttributeProxy<number>(`${sp.trl("sys/tg_test/1")}/Double_Scalar`);
      try {
        await attr.write(1.25);
        expect((await attr.read()).wValue).to.equal(1.25);
        expect((await attr.writeRead(1.5)).wValue).to.equal(1.5);
        expect((await attr.getConfig()).name).to.equal("double_scalar");
        await attr.setConfig({ set: { unit: "V" } });
        expect((await attr.getConfig()).unit).to.equal("V");
        expect(await attr.ping()).to.be.greaterThan(0);
      } finally {
        await attr.setConfig({ set: { unit: "" } });
        attr.close();
      }
      const shared = new AttributeProxy(dev, "short_scalar");
      expect((await shared.read()).dataType).to.equal(CmdArgType.DevShort);
    });
  });
});
