import { setTimeout as sleep } from "node:timers/promises";
import SwaggerParser from "@apidevtools/swagger-parser";
import { expect } from "chai";
import {
  AttrDataFormat, DevDouble, DevEnum, DevLong, DevLong64, DevState, Device, attribute, command,
} from "../../src/device/index.js";
import { TEST_TOKEN, startRestServer, type RestAnswer, type RestServer } from "../support/rest-server.js";

/** A device for what TangoTest lacks: a DevEnum, a writable long64 spectrum, state rules, a slow command. */
class RestProbe extends Device {
  #mode = 1;
  #guarded = 0;
  #big: BigInt64Array = new BigInt64Array([0n]);

  override initDevice(): void { this.setState(DevState.ON); }

  @attribute({ dtype: DevEnum, enumLabels: ["Off", "Auto", "Manual"] })
  get mode(): number { return this.#mode; }
  set mode(v: number) { this.#mode = v; }

  @attribute({ dtype: DevLong64, dformat: AttrDataFormat.SPECTRUM, maxDimX: 8 })
  get long64_spectrum(): BigInt64Array { return this.#big; }
  set long64_spectrum(v: BigInt64Array) { this.#big = v; }

  @attribute({ dtype: DevDouble, writeAllowedIn: [DevState.OFF] })
  get guarded(): number { return this.#guarded; }
  set guarded(v: number) { this.#guarded = v; }

  @command({ allowedIn: [DevState.OFF] })
  On(): void { this.setState(DevState.ON); }

  @command({ dtypeIn: DevLong, docIn: "milliseconds" })
  async Sleep(ms: number): Promise<void> { await sleep(ms); }
}

const PROBE = { classes: { RestProbe }, devices: { TangoTest: ["sys/tg_test/1"], RestProbe: ["test/probe/1"] } };
const TG = "/api/v1/devices/sys/tg_test/1";
const PR = "/api/v1/devices/test/probe/1";
const BEYOND_2_53 = "9007199254740993"; // 2^53 + 1: a double would read 9007199254740992

type Json = Record<string, unknown>;
const bodyOf = (res: RestAnswer): Json => res.body as Json;
/** Expects 200 and returns the body. */
function ok<T = Json>(res: RestAnswer): T {
  expect(res.status, res.text).to.equal(200);
  return res.body as T;
}

/** Expects a Tango REST error body with `status` and `reason` at the root; returns the errors. */
function expectError(res: RestAnswer, status: number, reason: string): Json[] {
  expect(res.status, res.text).to.equal(status);
  const errors = bodyOf(res).errors as Json[];
  expect(errors[0]?.reason, res.text).to.equal(reason);
  for (const e of errors) expect(e).to.have.all.keys("reason", "description", "severity", "origin");
  return errors;
}

describe("REST device routes (Tango REST API v1 shapes)", () => {
  let rs: RestServer;
  before(async () => { rs = await startRestServer(PROBE); });
  after(async () => { await rs?.close(); });

  const get = (path: string): Promise<RestAnswer> => rs.request("GET", path);
  /** PUT with `body` as JSON (a string too); `token` null sends none. */
  const put = (path: string, body?: unknown, token: string | null = TEST_TOKEN): Promise<RestAnswer> =>
    rs.request("PUT", path, { body: typeof body === "string" ? JSON.stringify(body) : body, token: token ?? undefined });
  /** PUT with a body written as raw JSON text, e.g. integer literals beyond 2^53. */
  const putRaw = (path: string, json: string): Promise<RestAnswer> => rs.request("PUT", path, { body: json, token: TEST_TOKEN });

  describe("devices", () => {
    it("lists the server's devices with links, the admin device last", async () => {
      expect(ok(await get("/api/v1/devices"))).to.deep.equal([
        { name: "sys/tg_test/1", href: TG }, { name: "test/probe/1", href: PR }, { name: "dserver/Test/t", href: "/api/v1/devices/dserver/Test/t" },
      ]);
    });

    it("describes a device with its info and the links to its state, attributes and commands", async () => {
      const body = ok(await get(TG));
      expect(body).to.include({ name: "sys/tg_test/1", state: `${TG}/state`, attributes: `${TG}/attributes`, commands: `${TG}/commands` });
      expect(body.info).to.include({
        name: "sys/tg_test/1", classname: "TangoTest", server: "Test/t", hostname: "testhost", exported: true, adm_name: "dserver/Test/t",
      });
      expect(body._links).to.deep.equal({ _parent: "/api/v1/devices", _self: TG });
      for (const link of [body.state, body.attributes, body.commands]) expect((await get(String(link))).status, String(link)).to.equal(200);
    });

    it("gives the state by name and the status", async () => {
      expect(ok(await get(`${PR}/state`))).to.deep.equal({
        state: "ON", status: "The device is in ON state.",
        _links: { _state: `${PR}/attributes/State`, _status: `${PR}/attributes/Status`, _parent: PR, _self: `${PR}/state` },
      });
    });
  });

  describe("attributes", () => {
    it("lists the attributes with links to value and info, State and Status last", async () => {
      const list = ok<Json[]>(await get(`${TG}/attributes`));
      expect(list.find((a) => a.name === "double_scalar")).to.deep.equal({
        name: "double_scalar", value: `${TG}/attributes/double_scalar/value`, info: `${TG}/attributes/double_scalar/info`,
        _links: { _device: TG, _self: `${TG}/attributes/double_scalar` },
      });
      expect(list.slice(-2).map((a) => a.name)).to.deep.equal(["State", "Status"]);
    });

    it("gives an attribute's configuration with enumerations and types by name", async () => {
      const body = ok(await get(`${TG}/attributes/double_scalar`));
      expect(body).to.include({
        name: "double_scalar", writable: "READ_WRITE", data_format: "SCALAR", data_type: "DevDouble", level: "OPERATOR",
        max_dim_x: 1, max_dim_y: 0, label: "double_scalar", format: "%6.2f", min_value: "Not specified", memorized: "NONE",
        value: `${TG}/attributes/double_scalar/value`, info: `${TG}/attributes/double_scalar/info`,
      });
      expect(body.alarms).to.include({ min_alarm: "Not specified", max_warning: "Not specified" });
      expect(body.events).to.have.all.keys("ch_event", "per_event", "arch_event");
      expect(body._links).to.deep.equal({ _device: TG, _parent: `${TG}/attributes`, _self: `${TG}/attributes/double_scalar` });

      const info = bodyOf(await get(`${TG}/attributes/double_scalar/info`));
      expect(info).to.not.have.any.keys("value", "info");
      expect(info).to.include({ name: "double_scalar", data_type: "DevDouble" });
      expect(info._links).to.include({ _self: `${TG}/attributes/double_scalar/info` });
      expect(bodyOf(await get(`${TG}/attributes/ulong64_spectrum_ro`)))
        .to.include({ data_format: "SPECTRUM", data_type: "DevULong64", writable: "READ" });
      expect(bodyOf(await get(`${TG}/attributes/double_image`))).to.include({ data_format: "IMAGE", writable: "READ_WRITE" });
      expect(bodyOf(await get(`${PR}/attributes/mode`))).to.deep.include({ data_type: "DevEnum", enum_label: ["Off", "Auto", "Manual"] });
      expect(bodyOf(await get(`${TG}/attributes/State`))).to.include({ data_type: "DevState", writable: "READ" });
    });

    it("reads a double and a boolean scalar with quality, timestamp and set value", async () => {
      const before = Date.now();
      const body = ok(await get(`${TG}/attributes/double_scalar/value`));
      expect(body).to.have.all.keys("name", "value", "quality", "timestamp", "w_value");
      expect(body).to.include({ name: "double_scalar", quality: "ATTR_VALID" });
      expect(body.value).to.be.a("number");
      expect(body.timestamp).to.be.within(before - 1, Date.now() + 1);
      expect(bodyOf(await get(`${TG}/attributes/boolean_scalar/value`))).to.include({ name: "boolean_scalar", value: true });
      expect(bodyOf(await get(`${TG}/attributes/State/value`)).value).to.be.oneOf(["RUNNING", "ON", "UNKNOWN", "FAULT"]);
      expect(bodyOf(await get(`${TG}/attributes/short_scalar_ro/value`))).to.not.have.property("w_value");
    });

    it("writes a double and a boolean from the body or ?v=, and replies the value read back", async () => {
      expect(ok(await put(`${TG}/attributes/boolean_scalar/value`, false)))
        .to.include({ name: "boolean_scalar", value: false, w_value: false, quality: "ATTR_VALID" });
      expect(bodyOf(await put(`${TG}/attributes/boolean_scalar/value?v=true`)).value).to.equal(true);
      expect(bodyOf(await get(`${TG}/attributes/boolean_scalar/value`)).value).to.equal(true);
      expect(bodyOf(await put(`${TG}/attributes/double_scalar/value`, 3.5)).w_value).to.equal(3.5);
      expect(bodyOf(await put(`${TG}/attributes/double_scalar/value?v=2.25`)).w_value).to.equal(2.25);
      expect(bodyOf(await get(`${TG}/attributes/double_scalar/value`)).w_value).to.equal(2.25);
    });

    it("writes and reads a string, ?v= text staying a string", async () => {
      expect(bodyOf(await put(`${TG}/attributes/string_scalar/value`, "hello, REST")).value).to.equal("hello, REST");
      expect(bodyOf(await get(`${TG}/attributes/string_scalar/value`)).value).to.equal("hello, REST");
      expect(bodyOf(await put(`${TG}/attributes/string_scalar/value?v=42`)).value).to.equal("42");
    });

    it("writes and reads spectra of doubles and of long64", async () => {
      expect(ok(await put(`${TG}/attributes/double_spectrum/value`, [1.5, -2, 3]))).to.deep.include({
        name: "double_spectrum", value: [1.5, -2, 3], w_value: [1.5, -2, 3],
      });
      expect(bodyOf(await put(`${TG}/attributes/double_spectrum/value?v=1,2.5,3`)).value).to.deep.equal([1, 2.5, 3]);
      expect(bodyOf(await get(`${TG}/attributes/double_spectrum/value`)).value).to.deep.equal([1, 2.5, 3]);
      const ro = bodyOf(await get(`${TG}/attributes/long64_spectrum_ro/value`));
      expect(ro.value).to.be.an("array").that.is.not.empty;
      for (const n of ro.value as unknown[]) expect(n).to.be.a("number");
      expect(bodyOf(await put(`${PR}/attributes/long64_spectrum/value`, [1, -2, 3])).value).to.deep.equal([1, -2, 3]);
    });

    it("writes an image as rows or as {data, width, height}, and reads it as {data, width, height}", async () => {
      const rows = { data: [1, 2, 3, 4, 5, 6], width: 3, height: 2 };
      expect(ok(await put(`${TG}/attributes/double_image/value`, [[1, 2, 3], [4, 5, 6]])).value).to.deep.equal(rows);
      const image = { data: [7, 8, 9, 10], width: 2, height: 2 };
      expect(bodyOf(await put(`${TG}/attributes/double_image/value`, image)).value).to.deep.equal(image);
      expect(bodyOf(await get(`${TG}/attributes/double_image/value`))).to.deep.include({ value: image, w_value: image });
      const ro = bodyOf(await get(`${TG}/attributes/ushort_image_ro/value`)).value as { data: unknown[]; width: number; height: number };
      expect(ro.data).to.have.length(ro.width * ro.height);
      expectError(await put(`${TG}/attributes/double_image/value`, { data: [1, 2, 3], width: 2, height: 2 }), 400, "API_AttrIncorrectDataNumber");
    });

    it("reads and writes a DevEnum by label, or by value", async () => {
      // spec §6.3: the set value is 0 until the first write
      expect(bodyOf(await get(`${PR}/attributes/mode/value`))).to.include({ value: "Auto", w_value: "Off" });
      expect(bodyOf(await put(`${PR}/attributes/mode/value`, "Manual")).value).to.equal("Manual");
      expect(bodyOf(await put(`${PR}/attributes/mode/value`, 0)).value).to.equal("Off");
      expect(bodyOf(await put(`${PR}/attributes/mode/value?v=Auto`)).value).to.equal("Auto");
      const errors = expectError(await put(`${PR}/attributes/mode/value`, "Nope"), 400, "API_IncompatibleAttrDataType");
      expect(errors[0]?.description).to.contain("\"Nope\" is not a label of attribute mode (labels: Off, Auto, Manual)");
      expectError(await put(`${PR}/attributes/mode/value`, 3), 400, "API_WAttrOutsideLimit");
    });

    it("refuses a value of the wrong type with 400 API_IncompatibleAttrDataType and Tango's text", async () => {
      let errors = expectError(await put(`${TG}/attributes/double_scalar/value`, "abc"), 400, "API_IncompatibleAttrDataType");
      expect(errors[0]?.description).to.equal("Incompatible attribute type, expected type is : Tango::DevVarDoubleArray (even for single value)");
      expectError(await put(`${TG}/attributes/boolean_scalar/value`, 1), 400, "API_IncompatibleAttrDataType");
      expectError(await put(`${TG}/attributes/double_spectrum/value`, 1.5), 400, "API_IncompatibleAttrDataType");
      expectError(await put(`${TG}/attributes/double_scalar/value?v=abc`), 400, "API_IncompatibleAttrDataType");
      errors = expectError(await put(`${TG}/attributes/double_scalar/value`), 400, "HTTP_BadRequest");
      expect(errors[0]?.description).to.equal("Writing double_scalar needs a value: a JSON body or ?v=");
      expectError(await put(`${TG}/attributes/double_scalar/value?v=1`, 2), 400, "HTTP_BadRequest");
      expectError(await put(`${TG}/attributes/short_scalar_ro/value`, 1), 400, "API_AttrNotWritable");
      expectError(await rs.request("PUT", `${TG}/attributes/double_scalar/value`, { body: "{1", token: TEST_TOKEN }), 400, "HTTP_BadRequest");
    });

    it("reads several attributes, a failed one with its errors and quality FAILURE, without failing the others", async () => {
      const query = "attr=string_scalar&attr=throw_exception&attr=nope&attr=double_scalar";
      const [str, thrown, missing, dbl] = ok<Json[]>(await get(`${TG}/attributes/value?${query}`));
      expect(str).to.include({ name: "string_scalar", quality: "ATTR_VALID" });
      expect(str?.value).to.be.a("string");
      expect(thrown).to.include({ name: "throw_exception", quality: "FAILURE" });
      expect(thrown).to.not.have.property("value");
      expect(thrown?.timestamp).to.be.a("number");
      expect((thrown?.errors as Json[])[0]).to.deep.equal({
        reason: "exception test", description: "here is the exception you requested", severity: "ERR", origin: "TangoTest::read_throw_exception",
      });
      expect((missing?.errors as Json[])[0]).to.include({ reason: "API_AttrNotFound", description: "nope attribute not found" });
      expect(dbl).to.include({ name: "double_scalar", quality: "ATTR_VALID" });

      expect(ok<Json[]>(await get(`${PR}/attributes/value?attr=mode`))).to.have.length(1).and.to.have.nested.property("[0].value", "Auto");
      const errors = expectError(await get(`${TG}/attributes/value`), 400, "HTTP_BadRequest");
      expect(errors[0]?.description).to.contain("attr");
    });

    it("answers a failed single read with the attribute's error stack", async () => {
      expectError(await get(`${TG}/attributes/throw_exception/value`), 400, "exception test");
      const errors = expectError(await get(`${TG}/attributes/no_value/value`), 400, "API_AttrValueNotSet");
      expect(errors[0]?.description).to.equal("Read value for attribute no_value has not been updated");
    });
  });

  describe("64-bit integers and non-finite doubles", () => {
    it("reads long64 beyond 2^53 as exact strings and takes them back as strings or as big literals", async () => {
      let res = await putRaw(`${PR}/attributes/long64_spectrum/value`, `[${BEYOND_2_53}, -9223372036854775808, 5]`);
      expect(ok(res).value).to.deep.equal([BEYOND_2_53, "-9223372036854775808", 5]);
      expect(res.text).to.contain(`"${BEYOND_2_53}"`);
      res = await put(`${PR}/attributes/long64_spectrum/value`, ["9223372036854775807", "-1"]);
      expect(bodyOf(res).value).to.deep.equal(["9223372036854775807", -1]);
      expect(bodyOf(await get(`${PR}/attributes/long64_spectrum/value`)).value).to.deep.equal(["9223372036854775807", -1]);

      expect(bodyOf(await put(`${TG}/attributes/long64_scalar/value?v=${BEYOND_2_53}`)).w_value).to.equal(BEYOND_2_53);
      expect(bodyOf(await put(`${TG}/attributes/long64_scalar/value`, "-9007199254740995")).w_value).to.equal("-9007199254740995");
      expect(bodyOf(await putRaw(`${TG}/attributes/ulong64_scalar/value`, "18446744073709551615")).w_value).to.equal("18446744073709551615");
      // Outside the type's range is outside its limits, as over gRPC and through the client.
      expectError(await put(`${TG}/attributes/ulong64_scalar/value`, -1), 400, "API_WAttrOutsideLimit");
    });

    it("passes 64-bit command arguments beyond 2^53 exactly both ways, and small ones as numbers", async () => {
      expect(bodyOf(await putRaw(`${TG}/commands/DevLong64`, BEYOND_2_53)).output).to.equal(BEYOND_2_53);
      expect(bodyOf(await put(`${TG}/commands/DevLong64`, "-9223372036854775808")).output).to.equal("-9223372036854775808");
      expect(bodyOf(await put(`${TG}/commands/DevLong64`, 42)).output).to.equal(42);
      expect(bodyOf(await putRaw(`${TG}/commands/DevULong64`, "18446744073709551615")).output).to.equal("18446744073709551615");
      const res = await putRaw(`${TG}/commands/DevVarLong64Array`, `[${BEYOND_2_53}, "-9007199254740993", 7]`);
      expect(bodyOf(res).output).to.deep.equal([BEYOND_2_53, "-9007199254740993", 7]);
      expect(bodyOf(await put(`${TG}/commands/DevVarULong64Array`, ["18446744073709551615", 0])).output).to.deep.equal(["18446744073709551615", 0]);
    });

    it("round-trips NaN and ±Infinity as \"NaN\", \"Infinity\", \"-Infinity\"", async () => {
      expect(bodyOf(await put(`${TG}/commands/DevDouble`, "NaN")).output).to.equal("NaN");
      expect(bodyOf(await put(`${TG}/commands/DevDouble`, "-Infinity")).output).to.equal("-Infinity");
      const res = await put(`${TG}/commands/DevVarDoubleArray`, ["NaN", "Infinity", "-Infinity", 1.5]);
      expect(bodyOf(res).output).to.deep.equal(["NaN", "Infinity", "-Infinity", 1.5]);
      // spec §6.7: a write of NaN is refused unless the control system allows it
      expectError(await put(`${TG}/attributes/double_scalar/value`, "NaN"), 400, "API_WAttrOutsideLimit");
    });
  });

  describe("commands", () => {
    it("lists the commands and describes one, with types and level by name", async () => {
      const list = ok<Json[]>(await get(`${TG}/commands`));
      expect(list.find((c) => c.name === "DevVarDoubleArray")).to.deep.equal({
        name: "DevVarDoubleArray",
        info: { level: "OPERATOR", in_type: "DevVarDoubleArray", out_type: "DevVarDoubleArray", in_type_desc: "-", out_type_desc: "-" },
        _links: { _parent: TG, _self: `${TG}/commands/DevVarDoubleArray` },
      });
      expect(list.find((c) => c.name === "DumpExecutionState")?.info).to.include({ level: "EXPERT", in_type: "DevVoid" });
      const info = { level: "OPERATOR", in_type: "DevString", out_type: "DevString", in_type_desc: "-", out_type_desc: "-" };
      expect(ok(await get(`${TG}/commands/devstring`))).to.deep.include({ name: "DevString", info });
    });

    it("executes commands with the argin as the body and replies {name, output}", async () => {
      expect(ok(await put(`${TG}/commands/DevString`, "Hi!")))
        .to.deep.equal({ name: "DevString", output: "Hi!", _links: { _parent: TG, _self: `${TG}/commands/DevString` } });
      let res = await rs.request("PUT", `${TG}/commands/DevString`, { body: "Hello World!!!", contentType: "text/plain", token: TEST_TOKEN });
      expect(bodyOf(res).output).to.equal("Hello World!!!");
      expect(ok(await put(`${TG}/commands/DevVoid`))).to.deep.equal({ name: "DevVoid", output: null, _links: { _parent: TG, _self: `${TG}/commands/DevVoid` } });
      res = await put(`${TG}/commands/DevVarDoubleStringArray`, { dvalue: [3.14, 2.87], svalue: ["Hello", "World", "!!!"] });
      expect(bodyOf(res).output).to.deep.equal({ dvalue: [3.14, 2.87], svalue: ["Hello", "World", "!!!"] });
      expect(bodyOf(await put(`${TG}/commands/DevBoolean`, true)).output).to.equal(true);
      expect(bodyOf(await put(`${PR}/commands/State`)).output).to.equal("ON");
    });

    it("refuses a wrong argin with 400 API_IncompatibleCmdArgumentType", async () => {
      const errors = expectError(await put(`${TG}/commands/DevDouble`, "abc"), 400, "API_IncompatibleCmdArgumentType");
      expect(errors[0]?.description).to.equal("Incompatible command argument type, expected type is : Tango::DevDouble");
      expectError(await put(`${TG}/commands/DevShort`, 70000), 400, "API_IncompatibleCmdArgumentType");
      expectError(await put(`${TG}/commands/DevDouble`), 400, "API_IncompatibleCmdArgumentType");
      expect((await put(`${TG}/commands/DevVoid`, 1)).status, "a DevVoid command ignores an argin").to.equal(200);
    });
  });

  describe("errors", () => {
    it("answers 404 with Tango's reason for an unknown device, attribute or command", async () => {
      let errors = expectError(await get("/api/v1/devices/no/such/device"), 404, "API_DeviceNotFound");
      expect(errors[0]?.description).to.contain("no/such/device");
      expectError(await get("/api/v1/devices/no/such/device/attributes/value?attr=x"), 404, "API_DeviceNotFound");
      expectError(await put("/api/v1/devices/no/such/device/commands/On"), 404, "API_DeviceNotFound");
      errors = expectError(await get(`${TG}/attributes/nope/value`), 404, "API_AttrNotFound");
      expect(errors[0]?.description).to.equal("nope attribute not found");
      expectError(await get(`${TG}/attributes/nope`), 404, "API_AttrNotFound");
      expectError(await get(`${TG}/attributes/nope/info`), 404, "API_AttrNotFound");
      expectError(await put(`${TG}/attributes/nope/value`, 1), 404, "API_AttrNotFound");
      errors = expectError(await get(`${TG}/commands/Nope`), 404, "API_CommandNotFound");
      expect(errors[0]?.description).to.equal("Command Nope not found");
      expectError(await put(`${TG}/commands/Nope`, 1), 404, "API_CommandNotFound");
    });

    it("answers 409 for a command or a write not allowed in the device's state", async () => {
      let errors = expectError(await put(`${PR}/commands/On`), 409, "API_CommandNotAllowed");
      expect(errors[0]?.description).to.equal("Command On not allowed when the device is in ON state");
      errors = expectError(await put(`${PR}/attributes/guarded/value`, 1), 409, "API_AttrNotAllowed");
      expect(errors[0]?.description).to.equal("It is currently not allowed to write attribute guarded. The device state is ON");
    });

    it("needs the token on PUTs: none or a wrong one is 401 with a challenge, GETs stay free", async () => {
      let res = await put(`${TG}/commands/DevVoid`, undefined, null);
      expectError(res, 401, "HTTP_Unauthorized");
      expect(res.headers.get("www-authenticate")).to.match(/^Bearer /);
      res = await put(`${TG}/attributes/double_scalar/value`, 1, "not-the-token");
      expectError(res, 401, "HTTP_Unauthorized");
      expect(res.headers.get("www-authenticate")).to.contain('error="invalid_token"');
      expect((await get(`${TG}/commands`)).status).to.equal(200);
      expect(JSON.stringify(rs.logs())).to.not.contain(TEST_TOKEN);
    });
  });

  it("follows its links from the device list to a value", async () => {
    const device = ok<Json[]>(await get("/api/v1/devices")).find((d) => d.name === "test/probe/1");
    const attributes = bodyOf(await get(String(device?.href))).attributes;
    const mode = ok<Json[]>(await get(String(attributes))).find((a) => a.name === "mode");
    expect(bodyOf(await get(String(mode?.value)))).to.include({ name: "mode", value: "Auto" });
    expect(bodyOf(await get(String(mode?.info)))).to.include({ name: "mode", data_type: "DevEnum" });
  });

  it("describes every device route in the OpenAPI document, with schemas and the token on PUTs", async () => {
    const doc = bodyOf(await get("/openapi.json")) as { paths: Record<string, Record<string, Json>> };
    await SwaggerParser.validate(structuredClone(doc) as unknown as Parameters<typeof SwaggerParser.validate>[0]);
    const D = "/api/v1/devices/{domain}/{family}/{member}";
    const expected = [
      "get /api/v1/devices", `get ${D}`, `get ${D}/state`, `get ${D}/attributes`, `get ${D}/attributes/value`,
      `get ${D}/attributes/{attr}`, `get ${D}/attributes/{attr}/info`, `get ${D}/attributes/{attr}/value`,
      `put ${D}/attributes/{attr}/value`, `get ${D}/commands`, `get ${D}/commands/{cmd}`, `put ${D}/commands/{cmd}`,
    ];
    // The event streams (text/event-stream) are checked in event-routes.test.ts.
    const streams = [`get ${D}/events`, `get ${D}/attributes/{attr}/events`];
    // The pipe routes are checked in pipe-routes.test.ts.
    const pipes = [`get ${D}/pipes`, `get ${D}/pipes/{pipe}`, `get ${D}/pipes/{pipe}/value`, `put ${D}/pipes/{pipe}/value`];
    const documented = Object.entries(doc.paths).filter(([p]) => p.startsWith("/api/v1/devices"))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.sort()).to.deep.equal([...expected, ...streams, ...pipes].sort());
    for (const entry of expected) {
      const [method = "", path = ""] = entry.split(" ");
      const op = doc.paths[path]?.[method] as {
        tags: string[]; summary: string; responses: Record<string, { content?: Json }>; requestBody?: { content: Json }; security?: unknown;
      };
      expect(op.tags, entry).to.deep.equal(["devices"]);
      expect(op.summary, entry).to.be.a("string");
      expect(op.responses["200"]?.content, entry).to.have.property("application/json");
      expect(Object.keys(op.responses).some((c) => c.startsWith("4")), entry).to.equal(true);
      if (method === "put") {
        expect(op.security, entry).to.deep.equal([{ adminToken: [] }]);
        expect(op.requestBody?.content, entry).to.have.all.keys("application/json", "text/plain");
        expect(Object.keys(op.responses)).to.include.members(["400", "401", "403", "404", "409", "503"]);
      } else {
        expect(op.security, entry).to.equal(undefined);
      }
    }
  });
});

describe("REST device routes with other server settings", () => {
  let rs: RestServer | undefined;
  afterEach(async () => { await rs?.close(); rs = undefined; });

  it("refuses PUTs with 403 when no admin token is configured", async () => {
    rs = await startRestServer({ adminToken: null });
    const errors = expectError(await rs.request("PUT", `${TG}/commands/DevVoid`, { token: "anything" }), 403, "HTTP_Forbidden");
    expect(errors[0]?.description).to.contain("TANGO_ADMIN_TOKEN");
    expect((await rs.request("GET", `${TG}/attributes/double_scalar/value`)).status).to.equal(200);
  });

  it("needs the token on GETs too with protectReads, and documents it", async () => {
    rs = await startRestServer({ protectReads: true });
    expectError(await rs.request("GET", "/api/v1/devices"), 401, "HTTP_Unauthorized");
    expectError(await rs.request("GET", `${TG}/attributes/value?attr=double_scalar`, { token: "wrong" }), 401, "HTTP_Unauthorized");
    expect((await rs.request("GET", `${TG}/attributes/double_scalar/value`, { token: TEST_TOKEN })).status).to.equal(200);
    const doc = (await rs.request("GET", "/openapi.json")).body as { paths: Record<string, Record<string, { security?: unknown; responses: Json }>> };
    const op = doc.paths["/api/v1/devices/{domain}/{family}/{member}/state"]?.get;
    expect(op?.security).to.deep.equal([{ adminToken: [] }]);
    expect(op?.responses).to.include.keys("401", "403");
  });

  it("answers 503 API_DeviceTimedOut when a command outlasts the request timeout", async () => {
    rs = await startRestServer({ ...PROBE, requestTimeoutMs: 100 });
    const errors = expectError(await rs.request("PUT", `${PR}/commands/Sleep`, { body: 400, token: TEST_TOKEN }), 503, "API_DeviceTimedOut");
    expect(errors[0]?.description).to.match(/^Timeout \(100 mS\) exceeded on device test\/probe\/1, command Sleep/);
  });
});
