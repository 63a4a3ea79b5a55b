import { runCli } from "../../src/cli/run-cli.js";
import type { CliResult } from "./cli-process.js";

/** Runs `tango-grpc <argv>` in this process, with no environment, capturing its output. */
export async function cli(...argv: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env: {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}
