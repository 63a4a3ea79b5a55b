import SwaggerParser from "@apidevtools/swagger-parser";
import { expect } from "chai";
import { DevState, Device, command, pipe, pipeBlob, type PipeBlob, type PipeReadResult } from "../../src/device/index.js";
import { TEST_TOKEN, startRestServer, type RestAnswer, type RestServer } from "../support/rest-server.js";

/** A read-write pipe refused in OFF, beside TangoTest's read-only one. */
class RestPiper extends Device {
  #echo: PipeBlob = pipeBlob("start", { hello: "world" }).build();

  override initDevice(): void { this.setState(DevState.ON); }

  @pipe({ writeAllowedIn: [DevState.ON], label: "Echo" })
  get echo(): PipeReadResult { return this.#echo; }
  set echo(blob: PipeBlob) { this.#echo = blob; }

  @command()
  Off(): void { this.setState(DevState.OFF); }
}

const SERVER = { classes: { RestPiper }, devices: { TangoTest: ["sys/tg_test/1"], RestPiper: ["test/piper/1"] } };
const TG = "/api/v1/devices/sys/tg_test/1";
const PP = "/api/v1/devices/test/piper/1";

type Json = Record<string, unknown>;
function ok<T = Json>(res: RestAnswer): T {
  expect(res.status, res.text).to.equal(200);
  return res.body as T;
}

function expectError(res: RestAnswer, status: number, reason: string): Json[] {
  expect(res.status, res.text).to.equal(status);
  const errors = (res.body as Json).errors as Json[];
  expect(errors[0]?.reason, res.text).to.equal(reason);
  return errors;
}

describe("REST pipe routes", () => {
  let rs: RestServer;
  before(async () => { rs = await startRestServer(SERVER); });
  after(async () => { await rs?.close(); });

  const get = (path: string): Promise<RestAnswer> => rs.request("GET", path);
  /** PUT with a body written as raw JSON text; `token` null sends none. */
  const putRaw = (path: string, json: string, token: string | null = TEST_TOKEN): Promise<RestAnswer> =>
    rs.request("PUT", path, { body: json, token: token ?? undefined });

  it("lists a device's pipes with their configurations and links", async () => {
    const list = ok<Json[]>(await get(`${TG}/pipes`));
    expect(list.map((p) => [p.name, p.writable])).to.deep.equal([["string_long_short_ro", "PIPE_READ"], ["rw_pipe", "PIPE_READ_WRITE"]]);
    expect(list[0]).to.deep.equal({
      name: "string_long_short_ro", label: "string_long_short_ro", description: "Pipe example", level: "OPERATOR", writable: "PIPE_READ",
      value: `${TG}/pipes/string_long_short_ro/value`, _links: { _device: TG, _self: `${TG}/pipes/string_long_short_ro` },
    });
    expect(ok(await get(`${PP}/pipes/ECHO`))).to.include({ name: "echo", label: "Echo", writable: "PIPE_READ_WRITE" });
  });

  it("reads TangoTest's pipe as typed JSON", async () => {
    const body = ok(await get(`${TG}/pipes/string_long_short_ro/value`));
    expect(body.name).to.equal("string_long_short_ro");
    expect(Math.abs((body.timestamp as number) - Date.now())).to.be.lessThan(60_000);
    expect(body.blob).to.deep.equal({
      name: "", elements: [
        { name: "FirstDE", type: "DevString", value: "The string" },
        { name: "SecondDE", type: "DevLong", value: 666 },
        { name: "ThirdDE", type: "DevShort", value: 12 },
      ],
    });
  });

  it("writes the full form, 64-bit integers and non-finite numbers included, and reads it back", async () => {
    const blob = {
      name: "b", elements: [
        { name: "big", type: "DevVarLong64Array", value: ["9007199254740993", 1] },
        { name: "d", type: "DevDouble", value: "NaN" },
        { name: "st", type: "DevState", value: "ALARM" },
        { name: "enc", type: "DevEncoded", value: { format: "f", data: "AAH/" } },
        { name: "in", blob: { name: "inner", elements: [{ name: "u", type: "DevUChar", value: 255 }] } },
      ],
    };
    const written = ok(await putRaw(`${PP}/pipes/echo/value`, JSON.stringify(blob)));
    expect(written.blob).to.deep.equal({ ...blob, elements: [{ ...blob.elements[0], value: ["9007199254740993", 1] }, ...blob.elements.slice(1)] });
    expect(ok(await get(`${PP}/pipes/echo/value`)).blob).to.deep.equal(written.blob);
  });

  it("writes the record form, its types inferred, a bare big integer as DevLong64", async () => {
    const written = ok(await putRaw(`${PP}/pipes/echo/value`, '{"x": 1.5, "s": "a", "flags": [true, false], "n": 9007199254740993, "in": {"y": 2}}'));
    expect(written.blob).to.deep.equal({
      name: "", elements: [
        { name: "x", type: "DevDouble", value: 1.5 },
        { name: "s", type: "DevString", value: "a" },
        { name: "flags", type: "DevVarBooleanArray", value: [true, false] },
        { name: "n", type: "DevLong64", value: "9007199254740993" },
        { name: "in", blob: { name: "in", elements: [{ name: "y", type: "DevDouble", value: 2 }] } },
      ],
    });
  });

  it("refuses malformed blobs with the pipe reasons", async () => {
    const wrong = expectError(await putRaw(`${PP}/pipes/echo/value`, '{"elements": [{"name": "x", "type": "DevShort", "value": 70000}]}'), 400, "API_PipeWrongArg");
    expect(wrong[0]?.description).to.match(/^Data element x: /);
    expectError(await putRaw(`${PP}/pipes/echo/value`, '{"elements": [{"name": "x", "type": "DevNothing", "value": 1}]}'), 400, "API_PipeWrongArg");
    expectError(await putRaw(`${PP}/pipes/echo/value`, '{"mixed": [1, "a"]}'), 400, "API_PipeWrongArg");
    expectError(await putRaw(`${PP}/pipes/echo/value`, '{"name": "b", "elements": []}'), 400, "API_PipeNoDataElement");
    expectError(await putRaw(`${PP}/pipes/echo/value`, '{"a": 1, "A": 2}'), 400, "API_PipeDuplicateDEName");
    let deep = '{"x": 1}';
    for (let i = 0; i < 200; i++) deep = `{"in": ${deep}}`;
    expect(expectError(await putRaw(`${PP}/pipes/echo/value`, deep), 400, "API_PipeWrongArg")[0]?.description).to.match(/nested deeper than 32/);
    expect(ok(await get(`${PP}/pipes/echo/value`)).blob).to.have.property("name").that.is.a("string");
  });

  it("answers the server's refusals: a read-only pipe, an unknown one, a state, no token", async () => {
    expectError(await putRaw(`${TG}/pipes/string_long_short_ro/value`, '{"x": 1}'), 400, "API_PipeNotWritable");
    expectError(await get(`${TG}/pipes/nope/value`), 404, "API_PipeNotFound");
    expectError(await get(`${TG}/pipes/nope`), 404, "API_PipeNotFound");
    expectError(await putRaw(`${PP}/pipes/echo/value`, '{"x": 1}', null), 401, "HTTP_Unauthorized");
    ok(await rs.request("PUT", `${PP}/commands/Off`, { token: TEST_TOKEN }));
    expectError(await putRaw(`${PP}/pipes/echo/value`, '{"x": 1}'), 409, "API_PipeNotAllowed");
  });

  it("documents the pipe routes in a valid OpenAPI document", async () => {
    const doc = ok(await get("/openapi.json"));
    await SwaggerParser.validate(structuredClone(doc) as never);
    const paths = Object.keys(doc.paths as Json);
    for (const p of ["pipes", "pipes/{pipe}", "pipes/{pipe}/value"]) expect(paths).to.include(`/api/v1/devices/{domain}/{family}/{member}/${p}`);
    const put = (doc.paths as Record<string, Record<string, { tags: string[]; security?: unknown; responses: Json }>>)["/api/v1/devices/{domain}/{family}/{member}/pipes/{pipe}/value"]?.put;
    expect(put?.tags).to.deep.equal(["pipes"]);
    expect(put?.security).to.deep.equal([{ adminToken: [] }]);
    expect(Object.keys(put?.responses ?? {})).to.include.members(["200", "400", "401", "403", "404", "409", "503"]);
  });
});

