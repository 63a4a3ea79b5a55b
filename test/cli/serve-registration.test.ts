import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../src/cli/run-cli.js";
import { ExitCode } from "../../src/cli/verb.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { startServe } from "../../src/serve/start-serve.js";
import { LogSink } from "../support/log-sink.js";

const ENV = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0" };

describe("tango-grpc serve --server and --instance", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "tango-grpc-serve-names-")); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it("refuses a name with a slash or blanks as a usage error, before anything starts", async () => {
    let stderr = "";
    const io = { env: ENV, stdout: { write: () => true }, stderr: { write: (t: string) => { stderr += t; return true; } } };
    expect(await runCli(["serve", "--server", "a/b", "--instance", "x y"], io)).to.equal(ExitCode.Usage);
    expect(stderr).to.equal([
      "tango-grpc: invalid configuration in the command line (2 problems):",
      '  --server: server: must be one word without "/" or blanks, got "a/b"',
      '  --instance: instance: must be one word without "/" or blanks, got "x y"',
      "",
    ].join("\n"));
  });

  it("name the server over the config file and TANGO_SERVER/TANGO_INSTANCE", async () => {
    const file = join(dir, "server.yaml");
    writeFileSync(file, "server: FromFile\ninstance: file\nclasses:\n  - name: TangoTest\n    devices: [{name: test/names/1}]\n");
    const handle = await startServe({
      config: { file }, env: { ...ENV, TANGO_SERVER: "FromEnv", TANGO_INSTANCE: "env" }, classes: BUILTIN_CLASSES,
      logDestination: new LogSink(), server: "FromCli", instance: "cli",
    });
    try {
      expect(handle.adminDevice).to.equal("dserver/FromCli/cli");
      expect(handle.devices).to.deep.equal(["test/names/1"]);
    } finally {
      expect(await handle.stop()).to.equal(0);
    }
  });
});
