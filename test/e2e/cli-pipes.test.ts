import { expect } from "chai";
import { TangoTest } from "../../src/devices/index.js";
import { DevState, Device, pipe, pipeBlob, type PipeBlob, type PipeReadResult } from "../../src/device/index.js";
import { runCliProcess, type CliResult } from "../support/cli-process.js";
import { startEventServer, type EventServer } from "../support/event-server.js";
import { cli } from "../support/cli-in-process.js";

const SPAWN_TIMEOUT_MS = 15_000;

/** A read-write pipe beside TangoTest's read-only one. */
class CliPiper extends Device {
  #echo: PipeBlob = pipeBlob("start", { hello: "world" }).build();

  override initDevice(): void { this.setState(DevState.ON); }

  @pipe({ label: "Echo" })
  get echo(): PipeReadResult { return this.#echo; }
  set echo(blob: PipeBlob) { this.#echo = blob; }
}

function json(result: CliResult): Record<string, unknown> {
  expect(result.stderr).to.equal("");
  expect(result.code).to.equal(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe("tango-grpc pipe verbs", function () {
  this.timeout(SPAWN_TIMEOUT_MS + 5_000);
  let es: EventServer;
  let tg: string;
  let piper: string;

  before(async () => {
    es = await startEventServer({ classes: { TangoTest, CliPiper }, devices: { TangoTest: ["sys/tg_test/1"], CliPiper: ["test/piper/1"] } });
    tg = es.trl("sys/tg_test/1");
    piper = es.trl("test/piper/1");
  });
  after(async () => { await es?.close(); });

  it("reads TangoTest's pipe as a tree, in a real process", async () => {
    const { code, stdout, stderr } = await runCliProcess(["read-pipe", tg, "string_long_short_ro"], { timeoutMs: SPAWN_TIMEOUT_MS });
    expect(stderr).to.equal("");
    expect(code).to.equal(0);
    const [head, ...table] = stdout.trimEnd().split("\n");
    expect(head).to.match(/^pipe string_long_short_ro {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z {2}blob ""$/);
    expect(table).to.deep.equal([
      "NAME      TYPE       VALUE",
      "FirstDE   DevString  The string",
      "SecondDE  DevLong    666",
      "ThirdDE   DevShort   12",
    ]);
  });

  it("reads a pipe as JSON in the form write-pipe takes", async () => {
    const body = json(await cli("read-pipe", tg, "STRING_LONG_SHORT_RO", "--json"));
    expect(body).to.include({ device: "sys/tg_test/1", pipe: "string_long_short_ro" });
    expect(body.time).to.have.all.keys("sec", "usec", "iso");
    expect(body.blob).to.deep.equal({
      name: "", elements: [
        { name: "FirstDE", type: "DevString", value: "The string" },
        { name: "SecondDE", type: "DevLong", value: 666 },
        { name: "ThirdDE", type: "DevShort", value: 12 },
      ],
    });
  });

  it("writes the record form and the full form, nested blobs shown indented", async () => {
    expect(await cli("write-pipe", piper, "echo", '{"x": 1.5, "names": ["a", "b"], "in": {"y": true}}')).to.deep.equal({ code: 0, stdout: "", stderr: "" });
    const read = await cli("read-pipe", piper, "echo");
    expect(read.stdout.split("\n").slice(1).join("\n")).to.equal([
      "NAME   TYPE               VALUE",
      "x      DevDouble          1.5",
      'names  DevVarStringArray  ["a", "b"]',
      'in     blob               "in"',
      "  y    DevBoolean         true",
      "",
    ].join("\n"));
    const full = { name: "b", elements: [{ name: "n", type: "DevLong64", value: "9007199254740993" }, { name: "st", type: "DevState", value: "ALARM" }] };
    const written = json(await cli("write-pipe", piper, "echo", JSON.stringify(full), "--json"));
    expect(written.blob).to.deep.equal(full);
    expect(json(await cli("read-pipe", piper, "echo", "--json")).blob).to.deep.equal(full);
  });

  it("writes TangoTest's read-write pipe and reads it back, in real processes", async () => {
    const write = await runCliProcess(["write-pipe", tg, "rw_pipe", '{"name": "b", "elements": [{"name": "s", "type": "DevShort", "value": -3}]}'], { timeoutMs: SPAWN_TIMEOUT_MS });
    expect(write).to.deep.equal({ code: 0, stdout: "", stderr: "" });
    const read = await runCliProcess(["read-pipe", tg, "rw_pipe", "--json"], { timeoutMs: SPAWN_TIMEOUT_MS });
    expect(json(read).blob).to.deep.equal({ name: "b", elements: [{ name: "s", type: "DevShort", value: -3 }] });
  });

  it("lists the pipes", async () => {
    expect(json(await cli("pipes", piper, "--json"))).to.deep.equal({
      device: "test/piper/1", pipes: [{ name: "echo", writable: "PIPE_READ_WRITE", level: "OPERATOR", label: "Echo", description: "No description" }],
    });
  });

  it("fails with the error stack and exit code 1, and 2 for JSON it cannot read", async () => {
    const readOnly = await runCliProcess(["write-pipe", tg, "string_long_short_ro", '{"x": 1}'], { timeoutMs: SPAWN_TIMEOUT_MS });
    expect(readOnly.code).to.equal(1);
    expect(readOnly.stderr).to.match(/^tango-grpc: API_PipeNotWritable: /m);
    expect(readOnly.stderr).to.contain("API_PipeFailed");
    const dup = await cli("write-pipe", piper, "echo", '{"a": 1, "A": 2}');
    expect(dup.code).to.equal(1);
    expect(dup.stderr).to.match(/^tango-grpc: API_PipeDuplicateDEName: /m);
    const bad = await cli("write-pipe", piper, "echo", "{x: 1}");
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("tango-grpc: write-pipe: <json> is not JSON");
  });
});
