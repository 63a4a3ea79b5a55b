import { expect } from "chai";
import { runCli } from "../../src/cli/run-cli.js";
import type { CliResult } from "../support/cli-process.js";
import { TOKENS, startAccessServer, type AccessServer } from "../support/access-server.js";

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe("tango-grpc client verbs with a token", () => {
  let s: AccessServer;
  let dev: string;
  before(async () => {
    s = await startAccessServer();
    dev = `tango://127.0.0.1:${s.grpc.port}/sys/tg_test/1`;
  });
  after(() => s.close());

  it("are refused a command without a token, and run it with --token or TANGO_TOKEN", async () => {
    const refused = await cli({}, "cmd", dev, "DumpExecutionState");
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.contain("API_ReadOnlyMode").and.contain("is not authorized");
    expect((await cli({}, "cmd", "--token", TOKENS.writer, dev, "DumpExecutionState")).code).to.equal(0);
    expect((await cli({ TANGO_TOKEN: TOKENS.writer }, "cmd", dev, "DumpExecutionState")).code).to.equal(0);
    const unknown = await cli({}, "read", "--token", "not-a-known-token-123456", `${dev}/long_scalar`);
    expect(unknown.code).to.not.equal(0);
    expect(unknown.stderr).to.contain("API_CannotCheckAccessControl");
  });

  it("list --token in every client verb's help", async () => {
    expect((await cli({}, "cmd", "--help")).stdout).to.contain("--token <token>");
  });
});
