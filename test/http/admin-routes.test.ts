import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Device, DevLong, DevState, DevString, classProperty, command } from "../../src/device/index.js";
import { CTX, defer } from "../support/test-server.js";
import { startRestServer, TEST_TOKEN, type RestAnswer, type RestServer } from "../support/rest-server.js";
import { waitFor } from "../support/wait-for.js";

const ADMIN = "dserver/Test/t";
const A = "/api/v1/admin";
const COUNTED = "test/counted/1";
const TG = "sys/tg_test/1";

/** Each build of a Counted device takes the next serial, so a rebuild shows from outside. */
let builds = 0;
/** Set by a test to hold Counted's initDevice until it resolves. */
let initGate: Promise<void> | undefined;

class Counted extends Device {
  readonly #serial = ++builds;
  @classProperty({ dtype: DevString, description: "Where the counter stands", defaultValue: "lab" })
  accessor Location!: string;

  override async initDevice(): Promise<void> {
    await initGate;
    this.setState(DevState.ON);
  }

  @command({ dtypeOut: DevLong })
  Serial(): number { return this.#serial; }
}

/** The Counted device's serial, or undefined while it is being rebuilt. */
const serialOf = async (rs: RestServer): Promise<unknown> =>
  (await rs.server.api.commandInout(CTX, COUNTED, "Serial", undefined).catch(() => undefined))?.value;

const startAdminServer = (opts: Parameters<typeof startRestServer>[0] = {}): Promise<RestServer> =>
  startRestServer({ classes: { Counted }, devices: { TangoTest: [TG], Counted: [COUNTED] }, ...opts });

/** The body of a successful answer. */
function ok(res: RestAnswer, status = 200): unknown {
  expect(res.status, res.text).to.equal(status);
  return res.body;
}

interface RestError { reason: string; description: string; severity: string; origin: string }

/** Expects the REST error shape (exactly those four keys per item) with `reason` at the root; returns the root. */
function expectError(res: RestAnswer, status: number, reason: string): RestError {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers.get("content-type")).to.match(/^application\/json/);
  const { errors, ...others } = res.body as { errors: RestError[] };
  expect(others).to.deep.equal({});
  expect(errors).to.be.an("array").that.is.not.empty;
  for (const e of errors) expect(Object.keys(e).sort()).to.deep.equal(["description", "origin", "reason", "severity"]);
  const root = errors[0] as RestError;
  expect(root.reason, root.description).to.equal(reason);
  return root;
}

/** Every mutating route, with a body it would accept. */
const MUTATING: ReadonlyArray<{ method: string; path: string; body?: unknown }> = [
  { method: "POST", path: `${A}/commands/QueryDevice` },
  { method: "POST", path: `${A}/devices/${COUNTED}/restart` },
  ...["init", "restart", "kill", "logging/start", "logging/stop"].map((p) => ({ method: "POST", path: `${A}/${p}` })),
  { method: "POST", path: `${A}/logging/levels`, body: [{ device: COUNTED, level: 5 }] },
  { method: "POST", path: `${A}/logging/targets`, body: { device: COUNTED, target: "console::cout" } },
  { method: "DELETE", path: `${A}/logging/targets?device=${COUNTED}&target=console::cout` },
];

/** Every read-only route. */
const READS: readonly string[] = [
  "", "/devices", "/classes", "/subdevices", "/commands", "/commands/QueryDevice", "/blackbox?n=2", "/classes/Counted/class-properties",
  "/classes/TangoTest/device-properties", "/logging/levels", `/logging/targets/${TG}`,
].map((p) => `${A}${p}`);

describe("REST admin routes", () => {
  let rs: RestServer | undefined;
  /** The server of the current test. */
  const srv = (): RestServer => rs ?? expect.fail("no server");
  const post = (path: string, body?: unknown): Promise<RestAnswer> => srv().request("POST", `${A}${path}`, { token: TEST_TOKEN, body });
  const get = (path: string): Promise<RestAnswer> => srv().request("GET", `${A}${path}`);
  afterEach(() => { initGate = undefined; });

  describe("read-only queries (GET, free by default)", () => {
    before(async () => { rs = await startAdminServer(); });
    after(async () => { await rs?.close(); rs = undefined; });

    it("GET /admin gives the admin device's name, state ON, status and info", async () => {
      const body = ok(await get("")) as { info: Record<string, unknown> };
      expect(body).to.include({ name: ADMIN, state: "ON", status: "The device is ON\nThe polling is ON" });
      expect(body.info).to.include({ devClass: "DServer", serverId: "Test/t", serverHost: "testhost", admName: ADMIN, description: "A device server device !!" });
      expect(body.info.versionInfo).to.be.an("object");
    });

    it("GET /admin/devices, /classes and /subdevices answer QueryDevice (as {class, name}), QueryClass and QuerySubDevice", async () => {
      expect(ok(await get("/devices"))).to.deep.equal([{ class: "TangoTest", name: TG }, { class: "Counted", name: COUNTED }]);
      expect(ok(await get("/classes"))).to.deep.equal(["TangoTest", "Counted"]);
      expect(ok(await get("/subdevices"))).to.deep.equal([]);
    });

    it("GET /admin/commands lists the commands in ASCII order with type names, descriptions and level", async () => {
      const list = (ok(await get("/commands")) as Array<{ name: string; info: Record<string, string> }>)
        .map((c) => ({ name: c.name, ...c.info }));
      const names = list.map((c) => c.name);
      expect(names).to.deep.equal([...names].sort((a = "", b = "") => (a < b ? -1 : a > b ? 1 : 0)));
      expect(names).to.include.members(["DevRestart", "Init", "Kill", "QueryClass", "QueryDevice", "RestartServer", "State", "Status"]);
      expect(list.find((c) => c.name === "DevRestart")).to.deep.equal({
        name: "DevRestart", in_type: "DevString", out_type: "DevVoid", in_type_desc: "Device name", out_type_desc: "Uninitialised", level: "OPERATOR",
      });
      expect(list.find((c) => c.name === "GetLoggingLevel")).to.include({ in_type: "DevVarStringArray", out_type: "DevVarLongStringArray" });
      expect(list.find((c) => c.name === "State")).to.include({ in_type: "DevVoid", out_type: "DevState", out_type_desc: "Device state" });
    });

    it("GET /admin/commands/{command} describes one command, in any case, and 404s an unknown one (or an unknown path)", async () => {
      expect(ok(await get("/commands/querydevice"))).to.deep.equal({
        name: "QueryDevice",
        info: { in_type: "DevVoid", out_type: "DevVarStringArray", in_type_desc: "Uninitialised", out_type_desc: "Device server device(s) list", level: "OPERATOR" },
      });
      expect(expectError(await get("/commands/NoSuchCommand"), 404, "API_CommandNotFound").description).to.equal("Command NoSuchCommand not found");
      expectError(await get("/nothing-here"), 404, "HTTP_NotFound");
    });

    it("GET /admin/classes/{class}/device-properties and /class-properties give the wizard triplets as objects", async () => {
      const dev = ok(await get("/classes/TangoTest/device-properties"));
      expect(dev).to.deep.include({ name: "Mthreaded_impl", description: "Multi-threaded implementation (true/false", default: "Not specified" });
      expect(dev).to.deep.include({ name: "UShort_image_ro_size", description: "Size of the ushort_image_ro attribute", default: "251" });
      expect(ok(await get("/classes/TangoTest/class-properties"))).to.deep.equal([]);
      expect(ok(await get("/classes/Counted/class-properties"))).to.deep.equal([{ name: "Location", description: "Where the counter stands", default: "lab" }]);
      expect(ok(await get("/classes/Counted/device-properties"))).to.deep.equal([]);
      expectError(await get("/classes/NoSuchClass/device-properties"), 404, "API_ClassNotFound");
      expectError(await get("/classes/NoSuchClass/class-properties"), 404, "API_ClassNotFound");
    });

    it("GET /admin/blackbox shows the HTTP requests, newest first, as requested from 127.0.0.1", async () => {
      await get("");
      const lines = ok(await get("/blackbox?n=3")) as string[];
      expect(lines.map((l) => l.replace(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d:\d\d : /, ""))).to.deep.equal([
        "Operation info_3 requested from 127.0.0.1",
        "Attribute status requested from 127.0.0.1",
        "Attribute state requested from 127.0.0.1",
      ]);
      expect(ok(await get("/blackbox"))).to.be.an("array").with.length(10);
    });

    it("GET /admin/blackbox refuses an n that is not an integer of at least 1 with 400", async () => {
      for (const n of ["0", "-1", "1.5", "abc", ""]) {
        expect(expectError(await get(`/blackbox?n=${n}`), 400, "HTTP_BadRequest").description, n).to.match(/\bn\b/);
      }
    });

    it("GET /admin/logging/levels gives [{device, level, levelName}] of matching devices (all by default); /logging/targets/{device} lists targets", async () => {
      expect(ok(await get(`/logging/levels?device=${TG}`))).to.deep.equal([{ device: TG, level: 3, levelName: "WARN" }]);
      const devicesOf = (body: unknown): string[] => (body as Array<{ device: string }>).map((e) => e.device);
      expect(devicesOf(ok(await get(`/logging/levels?device=sys/*&device=${COUNTED}`)))).to.deep.equal([TG, COUNTED]);
      expect(devicesOf(ok(await get("/logging/levels")))).to.include.members([TG, COUNTED, ADMIN]);
      // cppTango's GetLoggingLevel skips a pattern that matches no device.
      expect(ok(await get("/logging/levels?device=no/such/device"))).to.deep.equal([]);
      expect(ok(await get(`/logging/targets/${TG}`))).to.deep.equal([]);
      expect(expectError(await get("/logging/targets/no/such/device"), 404, "API_DeviceNotFound").description).to.equal("Device no/such/device not found");
    });
  });

  describe("mutating routes", () => {
    beforeEach(async () => { rs = await startAdminServer(); });
    afterEach(async () => { await rs?.close(); rs = undefined; });

    it("POST /admin/commands/{command} runs a DevVoid command with no body, {} or {\"argin\": null}, replying {name, output}", async () => {
      for (const body of [undefined, {}, { argin: null }, "null"]) {
        expect(ok(await post("/commands/querydevice", body))).to.deep.equal({ name: "QueryDevice", output: [`TangoTest::${TG}`, `Counted::${COUNTED}`] });
      }
      expect(ok(await post("/commands/State"))).to.deep.equal({ name: "State", output: "ON" });
      expect(ok(await post("/commands/Status"))).to.deep.equal({ name: "Status", output: "The device is ON\nThe polling is ON" });
    });

    it("POST /admin/commands/{command} runs commands with an argin of their declared type", async () => {
      expect(ok(await post("/commands/GetLoggingLevel", { argin: [TG] }))).to.deep.equal({ name: "GetLoggingLevel", output: { lvalue: [3], svalue: [TG] } });
      expect(ok(await post("/commands/SetLoggingLevel", { argin: { lvalue: [5], svalue: [TG] } }))).to.deep.equal({ name: "SetLoggingLevel", output: null });
      expect(ok(await get(`/logging/levels?device=${TG}`))).to.deep.equal([{ device: TG, level: 5, levelName: "DEBUG" }]);
      expect(ok(await post("/commands/GetLoggingTarget", { argin: TG }))).to.deep.equal({ name: "GetLoggingTarget", output: [] });
      const serial = Number(await serialOf(srv()));
      expect(ok(await post("/commands/DevRestart", { argin: COUNTED }))).to.deep.equal({ name: "DevRestart", output: null });
      expect(ok(await post("/commands/init"))).to.deep.equal({ name: "Init", output: null });
      expect(await serialOf(srv())).to.equal(serial + 2);
    });

    it("refuses a wrong-typed argin, a missing one, or one given to a DevVoid command with 400 API_IncompatibleCmdArgumentType", async () => {
      const serial = await serialOf(srv());
      const cases: ReadonlyArray<[string, unknown, string]> = [
        ["DevRestart", { argin: 42 }, "DevString"],
        ["DevRestart", { argin: [COUNTED] }, "DevString"],
        ["GetLoggingLevel", { argin: TG }, "DevVarStringArray"],
        ["GetLoggingLevel", { argin: [TG, 7] }, "DevVarStringArray"],
        ["SetLoggingLevel", { argin: { lvalue: ["high"], svalue: [TG] } }, "DevVarLongStringArray"],
        ["SetLoggingLevel", { argin: [5, TG] }, "DevVarLongStringArray"],
        // a DevLong past 32 bits, and a 64-bit literal that no double holds exactly
        ["SetLoggingLevel", { argin: { lvalue: [2 ** 40], svalue: [TG] } }, "DevVarLongStringArray"],
        ["SetLoggingLevel", `{"argin": {"lvalue": [18446744073709551615], "svalue": ["${TG}"]}}`, "DevVarLongStringArray"],
      ];
      for (const [command, body, type] of cases) {
        const e = expectError(await post(`/commands/${command}`, body), 400, "API_IncompatibleCmdArgumentType");
        expect(e.description, `${command} ${JSON.stringify(body)}`).to.contain(`Incompatible command argument type, expected type is : Tango::${type}`);
      }
      expect(await serialOf(srv())).to.equal(serial, "nothing was restarted");
      for (const body of [undefined, {}, { argin: null }]) {
        const e = expectError(await post("/commands/DevRestart", body), 400, "API_IncompatibleCmdArgumentType");
        expect(e.description).to.equal("Incompatible command argument type, expected type is : Tango::DevString");
      }
      // A DevVoid command ignores an argin, as cppTango's.
      for (const argin of ["x", 0, false, [], {}]) expect((await post("/commands/QueryDevice", { argin })).status).to.equal(200);
    });

    it("refuses a body that is not {\"argin\": …} or not JSON with 400 HTTP_BadRequest, and an unknown command with 404", async () => {
      expectError(await post("/commands/QueryDevice", [1, 2]), 400, "HTTP_BadRequest");
      expectError(await post("/commands/QueryDevice", "\"text\""), 400, "HTTP_BadRequest");
      expect(expectError(await post("/commands/QueryDevice", "{not json"), 400, "HTTP_BadRequest").description).to.match(/^The body is not valid JSON/);
      expect(expectError(await post("/commands/NoSuchCommand", { argin: 1 }), 404, "API_CommandNotFound").description).to.equal("Command NoSuchCommand not found");
    });

    it("POST /admin/devices/{d}/{f}/{m}/restart rebuilds the device (DevRestart), 404 for a device not in this server; POST /admin/init", async () => {
      const before = await serialOf(srv());
      expect(ok(await post(`/devices/${COUNTED}/restart`))).to.deep.equal({ name: "DevRestart", output: null });
      expect(await serialOf(srv())).to.be.a("number").and.not.equal(before);
      expect(expectError(await post("/devices/no/such/device/restart"), 404, "API_DeviceNotFound").description).to.equal("Device no/such/device not found");
      expectError(await post(`/devices/${ADMIN}/restart`), 404, "API_DeviceNotFound");
      const serial = await serialOf(srv());
      expect(ok(await post("/init"))).to.deep.equal({ name: "Init", output: null });
      expect(await serialOf(srv()), "Init rebuilds every device before it replies").to.be.a("number").and.not.equal(serial);
    });

    it("POST /admin/restart replies 202 and then rebuilds every device (RestartServer); POST /admin/kill replies 202", async () => {
      const before = await serialOf(srv());
      expect(ok(await post("/restart"), 202)).to.deep.equal({ name: "RestartServer", output: null });
      await waitFor(async () => ![undefined, before].includes(await serialOf(srv())), "the Counted device being rebuilt");
      await waitFor(() => srv().server.readiness().isReady, "the server being ready again");
      // startServer has no onKill: Kill is harmless here.
      expect(ok(await post("/kill"), 202)).to.deep.equal({ name: "Kill", output: null });
    });

    it("answers 503 API_DeviceTimedOut when a restart outlasts the request timeout, and API_ShutdownInProgress while shutting down", async () => {
      await srv().close();
      rs = await startAdminServer({ requestTimeoutMs: 100 });
      const gate = defer();
      initGate = gate.promise;
      try {
        const e = expectError(await post(`/devices/${COUNTED}/restart`), 503, "API_DeviceTimedOut");
        expect(e.description).to.contain("Timeout (100 mS) exceeded on device dserver/Test/t, command DevRestart");
      } finally {
        gate.resolve();
      }
      await waitFor(async () => (await serialOf(srv())) !== undefined, "the restart finishing");
      await srv().server.shutdown(1000);
      expect(expectError(await post("/commands/QueryDevice"), 503, "API_ShutdownInProgress").description).to.equal("The device server is shutting down");
    });

    it("POST /admin/logging/levels sets levels by number or name (400 for bad entries); /logging/stop and /start save and restore them", async () => {
      const levels = async (): Promise<unknown> => ok(await get(`/logging/levels?device=${TG}&device=${COUNTED}`));
      expect(ok(await post("/logging/levels", [{ device: TG, level: "DEBUG" }, { device: "test/*", level: 1 }])))
        .to.deep.equal({ name: "SetLoggingLevel", output: null });
      const expected = [{ device: TG, level: 5, levelName: "DEBUG" }, { device: COUNTED, level: 1, levelName: "FATAL" }];
      expect(await levels()).to.deep.equal(expected);
      expect(ok(await post("/logging/stop"))).to.deep.equal({ name: "StopLogging", output: null });
      expect((await levels() as Array<{ level: number }>).map((e) => e.level)).to.deep.equal([0, 0]);
      expect(ok(await post("/logging/start"))).to.deep.equal({ name: "StartLogging", output: null });
      expect(await levels()).to.deep.equal(expected);
      for (const body of [[], [{ device: COUNTED, level: 9 }], [{ device: COUNTED, level: "LOUD" }], [{ level: 3 }], { device: COUNTED, level: 3 }]) {
        expectError(await post("/logging/levels", body), 400, "HTTP_BadRequest");
      }
      // cppTango's SetLoggingLevel skips a pattern that matches no device.
      expect(ok(await post("/logging/levels", [{ device: "no/such/dev", level: 3 }]))).to.deep.equal({ name: "SetLoggingLevel", output: null });
    });

    it("POST and DELETE /admin/logging/targets add and remove a file target", async () => {
      const dir = await mkdtemp(join(tmpdir(), "admin-routes-"));
      try {
        const target = `file::${join(dir, "counted.log")}`;
        expect(ok(await post("/logging/targets", { device: COUNTED, target }))).to.deep.equal({ name: "AddLoggingTarget", output: null });
        expect(ok(await get(`/logging/targets/${COUNTED}`))).to.deep.equal([target]);
        const remove = (query: string): Promise<RestAnswer> => srv().request("DELETE", `${A}/logging/targets?${query}`, { token: TEST_TOKEN });
        expect(ok(await remove(`device=test/*&target=${encodeURIComponent("file::*")}`))).to.deep.equal({ name: "RemoveLoggingTarget", output: null });
        expect(ok(await get(`/logging/targets/${COUNTED}`))).to.deep.equal([]);
        expectError(await remove(`device=${COUNTED}`), 400, "HTTP_BadRequest");
        expectError(await post("/logging/targets", { device: "no/such/dev", target }), 404, "API_DeviceNotFound");
      } finally {
        await srv().close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("the admin token", () => {
    afterEach(async () => { await rs?.close(); rs = undefined; });

    it("is needed by every mutating route: none, a wrong one or not Bearer is 401 with a challenge, before the body is read; never logged", async () => {
      rs = await startAdminServer();
      const before = await serialOf(rs);
      for (const r of MUTATING) {
        const none = await rs.request(r.method, r.path, { body: r.body });
        expect(expectError(none, 401, "HTTP_Unauthorized").description, r.path).to.contain("Authorization: Bearer <token>");
        expect(none.headers.get("www-authenticate"), r.path).to.equal('Bearer realm="tango-grpc"');
        const wrong = await rs.request(r.method, r.path, { body: r.body, token: "not-the-token" });
        expectError(wrong, 401, "HTTP_Unauthorized");
        expect(wrong.headers.get("www-authenticate")).to.equal('Bearer realm="tango-grpc", error="invalid_token"');
      }
      expect(await serialOf(rs)).to.equal(before);
      expectError(await rs.request("POST", `${A}/kill`, { headers: { authorization: `Basic ${TEST_TOKEN}` } }), 401, "HTTP_Unauthorized");
      expectError(await rs.request("POST", `${A}/commands/DevRestart`, { body: "{not json" }), 401, "HTTP_Unauthorized");
      expectError(await rs.request("POST", `${A}/logging/levels`, { body: [] }), 401, "HTTP_Unauthorized");
      for (const path of ["/commands/QueryDevice", "/commands/NoSuch", `/devices/${COUNTED}/restart`, "/kill"]) await post(path);
      await rs.request("POST", `${A}/kill`, { token: `${TEST_TOKEN}-wrong` });
      expect(JSON.stringify(rs.logs()), "the token is never logged").to.not.contain(TEST_TOKEN);
    });

    it("with no token configured, refuses every mutating route with 403 saying how to enable it, before the admin device", async () => {
      rs = await startAdminServer({ adminToken: null });
      for (const r of MUTATING) {
        for (const token of [undefined, TEST_TOKEN]) {
          expect(expectError(await rs.request(r.method, r.path, { body: r.body, token }), 403, "HTTP_Forbidden").description, r.path)
            .to.contain("TANGO_ADMIN_TOKEN");
        }
      }
      // Nothing reached the admin device, whose empty blackbox reads as an empty list.
      expect(ok(await get("/blackbox"))).to.deep.equal([]);
      expect(ok(await get("/blackbox?n=5"))).to.have.length(1);
    });

    it("leaves GET routes free by default, and needs it for them too with protectReads", async () => {
      rs = await startAdminServer();
      for (const path of READS) expect((await rs.request("GET", path)).status, path).to.equal(200);
      await rs.close();
      rs = await startAdminServer({ protectReads: true });
      for (const path of READS) {
        const res = await rs.request("GET", path);
        expectError(res, 401, "HTTP_Unauthorized");
        expect(res.headers.get("www-authenticate")).to.match(/^Bearer /);
        expectError(await rs.request("GET", path, { token: "wrong" }), 401, "HTTP_Unauthorized");
        expect((await rs.request("GET", path, { token: TEST_TOKEN })).status, path).to.equal(200);
      }
      await rs.close();
      rs = await startAdminServer({ protectReads: true, adminToken: null });
      expect(expectError(await rs.request("GET", A), 403, "HTTP_Forbidden").description).to.contain("TANGO_ADMIN_TOKEN");
    });
  });

  describe("OpenAPI document", () => {
    type Content = Record<string, { schema?: unknown }>;
    type Operation = { tags?: string[]; summary?: string; security?: unknown; parameters?: Array<{ in: string; name: string }>;
      requestBody?: { content?: Content }; responses?: Record<string, { content?: Content }> };
    const OPERATIONS = [
      "get ", "get /devices", "get /classes", "get /subdevices", "get /commands", "get /commands/{command}", "get /blackbox",
      "get /classes/{class}/class-properties", "get /classes/{class}/device-properties",
      "get /logging/targets/{domain}/{family}/{member}", "get /logging/levels", "post /commands/{command}",
      "post /devices/{domain}/{family}/{member}/restart", "post /init", "post /restart", "post /kill", "post /logging/start",
      "post /logging/stop", "post /logging/levels", "post /logging/targets", "delete /logging/targets",
    ].map((op) => op.replace(" ", ` ${A}`));

    async function adminOperations(): Promise<Map<string, Operation>> {
      const doc = ok(await srv().request("GET", "/openapi.json")) as { paths: Record<string, Record<string, Operation>> };
      return new Map(Object.entries(doc.paths).flatMap(([path, byMethod]) =>
        Object.entries(byMethod).filter(([, op]) => op.tags?.includes("admin")).map(([method, op]) => [`${method} ${path}`, op] as const)));
    }
    after(async () => { await rs?.close(); rs = undefined; });

    it("describes every admin route with parameters, bodies, responses and the token's security (GET routes too with protectReads)", async () => {
      rs = await startAdminServer();
      const ops = await adminOperations();
      expect([...ops.keys()].sort()).to.deep.equal([...OPERATIONS].sort());
      for (const [key, op] of ops) {
        const [method = "", path = ""] = key.split(" ");
        expect(op.summary, key).to.be.a("string").and.not.equal("");
        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect((op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name), key).to.deep.equal(pathParams);
        const codes = Object.keys(op.responses ?? {});
        expect(codes.some((c) => c.startsWith("2")), `${key}: success`).to.equal(true);
        expect(codes, `${key}: errors`).to.include("400");
        for (const [code, r] of Object.entries(op.responses ?? {})) expect(r.content?.["application/json"]?.schema, `${key} ${code}`).to.be.an("object");
        if (method === "get") {
          expect(op.security, key).to.equal(undefined);
        } else {
          expect(op.security, key).to.deep.equal([{ adminToken: [] }]);
          expect(codes, key).to.include.members(["401", "403"]);
        }
      }
      const bodyOf = (key: string): unknown => ops.get(key)?.requestBody?.content?.["application/json"]?.schema;
      expect(bodyOf(`post ${A}/commands/{command}`)).to.be.an("object");
      expect(bodyOf(`post ${A}/logging/levels`)).to.deep.include({ type: "array" });
      expect(bodyOf(`post ${A}/logging/targets`)).to.deep.include({ type: "object" });
      expect(Object.keys(ops.get(`post ${A}/kill`)?.responses ?? {})).to.include("202");
      const n = ops.get(`get ${A}/blackbox`)?.parameters?.find((p) => p.name === "n");
      expect(n).to.deep.include({ in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 2147483647, default: 10 } });
      expect(n).to.have.property("description").that.matches(/^how many records, newest first/);
      expect(ops.get(`delete ${A}/logging/targets`)?.parameters?.map((p) => p.name)).to.deep.equal(["device", "target"]);
      await srv().close();
      rs = await startAdminServer({ protectReads: true });
      for (const [key, op] of await adminOperations()) {
        expect(op.security, key).to.deep.equal([{ adminToken: [] }]);
        expect(Object.keys(op.responses ?? {}), key).to.include.members(["401", "403"]);
      }
    });
  });
});
