import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliProcess, type CliResult } from "../support/cli-process.js";

/** A run that needs no server ends in well under this, tsx compilation included. */
const RUN_TIMEOUT_MS = 15_000;

describe("tango-grpc command line", function () {
  this.timeout(RUN_TIMEOUT_MS + 5_000);
  const children: ChildProcess[] = [];
  let dir: string;

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "tango-grpc-cli-")); });
  afterEach(() => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI from source; fails naming the arguments if it has not exited in time. */
  function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runCliProcess(args, { env, timeoutMs: RUN_TIMEOUT_MS, onSpawn: (child) => children.push(child) });
  }

  it("prints the program help with --help, listing serve and the exit codes, and exits 0", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^Usage: tango-grpc/);
    expect(result.stdout).to.match(/^\s+serve\s/m);
    expect(result.stdout).to.contain("Exit codes:");
    expect(result.stderr).to.equal("");
  });

  it("prints the serve help with serve -h, listing --config and the environment", async () => {
    const result = await runCli(["serve", "-h"]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain("Usage: tango-grpc serve [--config <file>]");
    expect(result.stdout).to.contain("TANGO_GRPC_PORT");
  });

  it("prints the package version with --version", async () => {
    const result = await runCli(["--version"]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^\d+\.\d+\.\d+/);
  });

  it("refuses an unknown verb with exit code 2 and the usage on stderr", async () => {
    const result = await runCli(["frobnicate"]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('unknown verb "frobnicate"');
    expect(result.stderr).to.contain("Usage: tango-grpc");
    expect(result.stdout).to.equal("");
  });

  it("refuses an unknown option with exit code 2", async () => {
    const result = await runCli(["serve", "--colour"]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain("--colour");
    expect(result.stderr).to.contain("Usage: tango-grpc serve");
  });

  it("refuses a bad config file with exit code 2, naming the file and the key, without a stack", async () => {
    const file = join(dir, "server.yaml");
    writeFileSync(file, "classes:\n  - name: TangoTest\n    devices:\n      - name: sys/tg_test/1\n        colour: blue\n");
    const result = await runCli(["serve", "--config", file]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain(`${file}:5:9: classes[0].devices[0].colour: unknown key`);
    expect(result.stderr).not.to.match(/\n\s+at /);
    expect(result.stdout).to.equal("");
  });

  it("refuses a bad TANGO_GRPC_PORT with exit code 2, naming the variable", async () => {
    const result = await runCli([], { TANGO_GRPC_PORT: "fifty" });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain("env TANGO_GRPC_PORT: grpc.port: must be a whole number");
  });
});
