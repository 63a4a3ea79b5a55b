import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** A run that needs no server ends in well under this, tsx compilation included. */
const RUN_TIMEOUT_MS = 15_000;

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

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
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => { stdout += chunk; });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => { stderr += chunk; });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`tango-grpc ${args.join(" ")} did not exit within ${RUN_TIMEOUT_MS} ms; stderr: ${stderr}`));
      }, RUN_TIMEOUT_MS);
      child.on("error", (err) => { clearTimeout(timer); reject(err); });
      child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    });
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
