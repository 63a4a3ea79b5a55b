import { expect } from "chai";
import { runCliProcess, type CliResult } from "../support/cli-process.js";
import { startTangoTest, type GrpcHarness } from "./grpc-harness.js";
import { cli } from "../support/cli-in-process.js";
import { closedPort } from "../support/ports.js";

/** A spawned CLI run ends in well under this, tsx compilation included. */
const SPAWN_TIMEOUT_MS = 15_000;
const VERBS = ["ping", "info", "state", "status", "cmd", "read", "write", "watch", "config", "commands", "attributes", "blackbox", "lock", "unlock", "lock-status", "admin"];

/** Runs `tango-grpc` as a real process, to see its real exit code. */
function spawnCli(...args: string[]): Promise<CliResult> {
  return runCliProcess(args, { timeoutMs: SPAWN_TIMEOUT_MS });
}

function json(result: CliResult): Record<string, unknown> {
  expect(result.stderr).to.equal("");
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe("tango-grpc client verbs against TangoTest", function () {
  this.timeout(SPAWN_TIMEOUT_MS + 5_000);
  let ts: GrpcHarness;
  let address: string;
  let dev: string;

  before(async () => {
    ts = await startTangoTest();
    address = `127.0.0.1:${ts.grpc.port}`;
    dev = `tango://${address}/sys/tg_test/1`;
  });
  after(() => ts.close());

  describe("help", () => {
    it("lists every client verb in the program help", async () => {
      const { code, stdout } = await cli("--help");
      expect(code).to.equal(0);
      for (const verb of VERBS) expect(stdout).to.match(new RegExp(`^  ${verb}\\s`, "m"));
    });

    for (const verb of VERBS) {
      it(`prints ${verb}'s usage, options, an example and the exit codes with --help`, async () => {
        const { code, stdout, stderr } = await cli(verb, "--help");
        expect(code).to.equal(0);
        expect(stderr).to.equal("");
        expect(stdout).to.match(new RegExp(`^Usage: tango-grpc ${verb} `));
        for (const part of ["Arguments:", "--json", "--timeout <ms>", "-h, --help", `  tango-grpc ${verb} `, "Exit codes:", "  2  "]) {
          expect(stdout).to.contain(part);
        }
        expect(Math.max(...stdout.split("\n").map((line) => line.length))).to.be.at.most(80);
      });
    }
  });

  describe("device queries", () => {
    it("pings, printing the round trip in microseconds", async () => {
      const { code, stdout } = await cli("ping", dev);
      expect(code).to.equal(0);
      expect(stdout).to.match(/^\d+ µs\n$/);
      const doc = json(await cli("ping", dev, "--json"));
      expect(doc.device).to.equal("sys/tg_test/1");
      expect(doc.usec).to.be.a("number").above(0);
    });

    it("prints the device info, one field a line, or as JSON", async () => {
      const { code, stdout } = await cli("info", dev);
      expect(code).to.equal(0);
      expect(stdout).to.match(/^devClass:\s+TangoTest$/m);
      expect(stdout).to.match(/^admName:\s+dserver\/TangoTest\/test$/im);
      const doc = json(await cli("info", `${address}/sys/tg_test/1`, "--json"));
      expect(doc).to.include({ device: "sys/tg_test/1", devClass: "TangoTest" });
      expect(doc.versionInfo).to.be.an("object");
    });

    it("prints the state by name and the status text", async () => {
      expect(await cli("state", dev)).to.deep.equal({ code: 0, stdout: "RUNNING\n", stderr: "" });
      expect(json(await cli("state", dev, "--json"))).to.deep.equal({ device: "sys/tg_test/1", state: "RUNNING" });
      const status = await cli("status", `//${address}/sys/tg_test/1#dbase=no`);
      expect(status.code).to.equal(0);
      expect(status.stdout).to.match(/RUNNING/);
      expect(json(await cli("status", dev, "--json")).status).to.be.a("string");
    });
  });

  describe("cmd", () => {
    it("parses the argin by the command's type and prints the result", async () => {
      expect((await cli("cmd", dev, "DevDouble", "3.14")).stdout).to.equal("3.14\n");
      expect((await cli("cmd", dev, "devdouble", "-2.5")).stdout).to.equal("-2.5\n");
      expect((await cli("cmd", dev, "DevBoolean", "TRUE")).stdout).to.equal("true\n");
      expect((await cli("cmd", dev, "DevString", "hello world")).stdout).to.equal("hello world\n");
      expect((await cli("cmd", dev, "DevVarDoubleArray", "1, 2.5,-3")).stdout).to.equal("[1, 2.5, -3]\n");
      expect((await cli("cmd", dev, "DevVarStringArray", '["a, b", "c"]')).stdout).to.equal('["a, b", "c"]\n');
      expect((await cli("cmd", dev, "DevVarLongStringArray", '{"lvalue": [1, 2], "svalue": ["x"]}')).stdout)
        .to.equal('{lvalue: [1, 2], svalue: ["x"]}\n');
      expect((await cli("cmd", dev, "State")).stdout).to.equal("RUNNING\n");
      expect((await cli("cmd", dev, "DevString", "--", "-x")).stdout).to.equal("-x\n");
    });

    it("prints nothing for a DevVoid result, and null as the --json value", async () => {
      expect(await cli("cmd", dev, "DevVoid")).to.deep.equal({ code: 0, stdout: "", stderr: "" });
      expect(json(await cli("cmd", dev, "DevVoid", "--json"))).to.deep.equal({
        device: "sys/tg_test/1", command: "DevVoid", outType: "DevVoid", value: null,
      });
    });

    it("keeps a 64-bit integer exact both ways, as text and as a JSON number", async () => {
      expect((await cli("cmd", dev, "DevLong64", "9007199254740993")).stdout).to.equal("9007199254740993\n");
      const result = await cli("cmd", dev, "DevLong64", "9007199254740993", "--json");
      expect(result.code).to.equal(0);
      expect(result.stdout).to.contain('"value": 9007199254740993\n');
      expect(json(result)).to.include({ command: "DevLong64", outType: "DevLong64" });
      const array = await cli("cmd", dev, "DevVarULong64Array", "18446744073709551615,0x10", "--json");
      expect(array.stdout).to.contain('"value": [18446744073709551615, 16]');
    });

    it("exits 1 with the error stack on stderr for a DevFailed, and an error document with --json", async () => {
      const result = await cli("cmd", dev, "NoSuchCommand");
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal("");
      expect(result.stderr).to.match(/^tango-grpc: API_CommandNotFound: /m);
      const withJson = await cli("cmd", dev, "NoSuchCommand", "--json");
      expect(withJson.code).to.equal(1);
      expect(withJson.stderr).to.contain("API_CommandNotFound");
      const doc = JSON.parse(withJson.stdout) as { error: { errors: { reason: string; severity: string }[] } };
      expect(doc.error.errors[0]).to.include({ reason: "API_CommandNotFound", severity: "ERR" });
    });

    it("exits 2 for an argin that does not fit; a missing one is command_inout's error (exit 1); one given to DevVoid is ignored", async () => {
      const bad = await cli("cmd", dev, "DevDouble", "abc");
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain('tango-grpc: cmd: "abc" is not a DevDouble');
      expect(bad.stderr).to.contain("Usage: tango-grpc cmd");
      expect((await cli("cmd", dev, "DevShort", "70000")).stderr).to.contain("70000 is outside the DevShort range");
      const missing = await cli("cmd", dev, "DevDouble");
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.contain("tango-grpc: API_IncompatibleCmdArgumentType: Incompatible command argument type, expected type is : Tango::DevDouble");
      expect((await cli("cmd", dev, "DevVoid", "1")).code).to.equal(0);
    });

    it("takes --source and --timeout none, and refuses bad values of them with exit code 2", async () => {
      expect((await cli("cmd", dev, "DevLong", "7", "--source", "dev", "--timeout", "none")).stdout).to.equal("7\n");
      const badSource = await cli("cmd", dev, "DevLong", "7", "--source", "somewhere");
      expect(badSource.code).to.equal(2);
      expect(badSource.stderr).to.contain("the source is dev, cache or cache_dev");
      for (const timeout of ["abc", "0", "-5", "1.5"]) {
        const result = await cli("ping", dev, "--timeout", timeout);
        expect(result.code, timeout).to.equal(2);
        expect(result.stderr).to.contain("a timeout is a positive whole number of milliseconds");
      }
    });
  });

  describe("read", () => {
    it("prints a table of name, value, quality and time, with dims and write values when present", async () => {
      const { code, stdout, stderr } = await cli("read", dev, "string_scalar", "double_spectrum_ro", "long64_scalar");
      expect(code).to.equal(0);
      expect(stderr).to.equal("");
      const [header, ...rows] = stdout.trimEnd().split("\n");
      expect(header).to.match(/^NAME\s+VALUE\s+QUALITY\s+TIME\s+DIMS\s+WRITE$/);
      expect(rows).to.have.length(3);
      expect(rows[0]).to.match(/^string_scalar\s+\S.*ATTR_VALID\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\s/);
      expect(rows[1]).to.match(/^double_spectrum_ro\s+\[.*… \(\d+ more\)\]\s+ATTR_VALID\s+\S+\s+256\s+-$/);
    });

    it("accepts the attribute inside the TRL", async () => {
      const { code, stdout } = await cli("read", `${address}/sys/tg_test/1/boolean_scalar`);
      expect(code).to.equal(0);
      expect(stdout).to.match(/^boolean_scalar\s+(true|false)\s+ATTR_VALID/m);
    });

    it("writes the whole value, dims, quality, type and time with --json", async () => {
      const doc = json(await cli("read", dev, "double_spectrum_ro", "long64_scalar", "--json"));
      const [spectrum, long64] = doc.attributes as Record<string, unknown>[];
      expect(spectrum).to.include({ name: "double_spectrum_ro", quality: "ATTR_VALID", dataFormat: "SPECTRUM", dataType: "DevDouble" });
      expect((spectrum?.value as number[]).length).to.equal(spectrum?.dimX);
      expect(long64).to.include({ dataType: "DevLong64", dataFormat: "SCALAR" });
      expect(long64?.time).to.have.keys(["sec", "usec", "iso"]);
    });

    it("prints the attributes that were read and the failed one's error, exiting 1", async () => {
      const result = await cli("read", dev, "boolean_scalar", "no_such_attr");
      expect(result.code).to.equal(1);
      expect(result.stdout).to.match(/^boolean_scalar\s/m);
      expect(result.stdout).not.to.contain("no_such_attr");
      expect(result.stderr).to.match(/^tango-grpc: no_such_attr: API_AttrNotFound: /m);
      const withJson = await cli("read", dev, "boolean_scalar", "no_such_attr", "--json");
      expect(withJson.code).to.equal(1);
      const [good, bad] = (JSON.parse(withJson.stdout) as { attributes: Record<string, unknown>[] }).attributes;
      expect(good).to.include({ name: "boolean_scalar" });
      expect(bad).to.have.keys(["name", "error"]);
    });

    it("exits 2 when no attribute is named", async () => {
      const result = await cli("read", dev);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain("name at least one attribute");
    });
  });

  describe("write", () => {
    it("writes a value that reads back", async () => {
      expect(await cli("write", dev, "string_scalar", "hello from the CLI")).to.deep.equal({ code: 0, stdout: "", stderr: "" });
      const doc = json(await cli("read", dev, "string_scalar", "--json"));
      expect((doc.attributes as Record<string, unknown>[])[0]).to.include({ value: "hello from the CLI" });
      expect((await cli("write", dev, "double_scalar", "-1.25")).code).to.equal(0);
      expect((await cli("read", dev, "double_scalar")).stdout).to.match(/^double_scalar\s.*\s-1\.25$/m);
    });

    it("writes an image given as rows and reads the rows back", async () => {
      const written = json(await cli("write", dev, "double_image", "[[1, 2, 3], [4, 5, 6]]", "--json"));
      expect(written).to.deep.equal({
        device: "sys/tg_test/1", attribute: "double_image", dataType: "DevDouble", dataFormat: "IMAGE", value: [[1, 2, 3], [4, 5, 6]],
      });
      const [image] = json(await cli("read", dev, "double_image", "--json")).attributes as Record<string, unknown>[];
      expect(image).to.include({ dimX: 3, dimY: 2 });
      expect(image?.value).to.deep.equal([[1, 2, 3], [4, 5, 6]]);
      expect((await cli("read", dev, "double_image")).stdout).to.match(/^double_image\s+\[\[1, 2, 3\], \[4, 5, 6\]\]\s.*\s3x2\s/m);
    });

    it("exits 2 for a value that does not fit, and 1 when the device refuses the write", async () => {
      const bad = await cli("write", dev, "boolean_scalar", "maybe");
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain('"maybe" is not a DevBoolean (true, false, 1 or 0)');
      const readOnly = await cli("write", dev, "double_spectrum_ro", "1,2");
      expect(readOnly.code).to.equal(1);
      expect(readOnly.stderr).to.contain("API_AttrNotWritable");
    });
  });

  describe("config, commands, attributes and blackbox", () => {
    it("prints an attribute's configuration with names for enums and types", async () => {
      const { code, stdout } = await cli("config", dev, "double_scalar");
      expect(code).to.equal(0);
      for (const line of [/^name:\s+double_scalar$/m, /^writable:\s+READ_WRITE$/m, /^dataType:\s+DevDouble$/m, /^alarms\.minAlarm:/m]) {
        expect(stdout).to.match(line);
      }
      const { config } = json(await cli("config", dev, "double_scalar", "--json")) as { config: Record<string, unknown> };
      expect(config).to.include({ name: "double_scalar", dataFormat: "SCALAR", level: "OPERATOR" });
    });

    it("lists commands with their types and levels", async () => {
      const { stdout } = await cli("commands", dev);
      expect(stdout).to.match(/^NAME\s+IN\s+OUT\s+LEVEL$/m);
      expect(stdout).to.match(/^DevLong64\s+DevLong64\s+DevLong64\s+OPERATOR$/m);
      expect(stdout).to.match(/^DevVoid\s+DevVoid\s+DevVoid\s+OPERATOR$/m);
      const { commands } = json(await cli("commands", dev, "--json")) as { commands: Record<string, unknown>[] };
      expect(commands.find((c) => c.name === "DevVarLongStringArray")).to.include({ inType: "DevVarLongStringArray" });
    });

    it("lists attribute names one a line", async () => {
      const { stdout } = await cli("attributes", dev);
      expect(stdout.split("\n")).to.include.members(["double_scalar", "long64_scalar", "double_image"]);
      const { attributes } = json(await cli("attributes", dev, "--json")) as { attributes: string[] };
      expect(attributes).to.include("string_scalar");
    });

    it("prints the newest blackbox lines, 10 unless told", async () => {
      await cli("ping", dev);
      const three = await cli("blackbox", dev, "3");
      expect(three.code).to.equal(0);
      expect(three.stdout.trimEnd().split("\n")).to.have.length(3);
      expect((json(await cli("blackbox", dev, "--json")).lines as string[]).length).to.equal(10);
      expect((await cli("blackbox", dev, "0")).code).to.equal(2);
      expect((await cli("blackbox", dev, "x")).code).to.equal(2);
    });
  });

  describe("admin", () => {
    it("runs a command of the server's admin device", async () => {
      const { code, stdout } = await cli("admin", address, "QueryDevice");
      expect(code).to.equal(0);
      expect(stdout).to.contain("sys/tg_test/1");
      const doc = json(await cli("admin", address, "State", "--json"));
      expect(doc).to.include({ command: "State", outType: "DevState", value: "ON" });
      expect(String(doc.device)).to.match(/^dserver\//);
    });

    it("exits 2 for a bad address and 1 for an admin command that fails", async () => {
      const bad = await cli("admin", "localhost", "QueryDevice");
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain("API_WrongDeviceNameSyntax");
      expect((await cli("admin", address, "NoSuchCommand")).code).to.equal(1);
    });
  });

  describe("usage errors and unreachable servers", () => {
    it("exits 2 for an unknown option, a bad TRL, a TRL naming an attribute, and a missing argument", async () => {
      const option = await cli("state", dev, "--colour");
      expect(option.code).to.equal(2);
      expect(option.stderr).to.contain("--colour");
      const trl = await cli("state", "sys/tg_test/1");
      expect(trl.code).to.equal(2);
      expect(trl.stderr).to.contain("tango-grpc: state: API_WrongDeviceNameSyntax: ");
      expect((await cli("state", "tango://host/a/b")).code).to.equal(2);
      expect((await cli("state", `${dev}/double_scalar`)).stderr).to.contain("names attribute double_scalar");
      const missing = await cli("cmd", dev);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.contain("missing argument");
      expect((await cli("ping", dev, "extra")).stderr).to.contain('unexpected argument "extra"');
      expect(option.stdout + trl.stdout + missing.stdout).to.equal("");
    });

    it("exits 1 with API_ServerNotRunning when nothing listens at the address", async () => {
      const port = await closedPort();
      const result = await cli("ping", `127.0.0.1:${port}/sys/tg_test/1`, "--timeout", "2000");
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^tango-grpc: API_(ServerNotRunning|CantConnectToDevice): /m);
    });
  });

  describe("as a process", () => {
    it("exits 0 and prints a 64-bit integer exactly", async () => {
      const result = await spawnCli("cmd", dev, "DevLong64", "-9007199254740993", "--json");
      expect(result.stderr).to.equal("");
      expect(result.code).to.equal(0);
      expect(result.stdout).to.contain('"value": -9007199254740993');
    });

    it("exits 1 on a DevFailed, with the reason on stderr", async () => {
      const result = await spawnCli("read", dev, "no_such_attr");
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain("API_AttrNotFound");
    });

    it("exits 2 on a bad TRL", async () => {
      const result = await spawnCli("state", "not a trl");
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain("API_WrongDeviceNameSyntax");
    });
  });
});
