#!/usr/bin/env node
// The `tango-grpc` program. Only this folder reads the environment and files and ends the process.
import { runCli } from "./run-cli.js";

let code: number;
try {
  code = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
} catch (err) {
  process.stderr.write(`tango-grpc: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  code = 1;
}
// Exit even if a handle was left open: the server has shut down by now, and pino flushes on exit.
process.exit(code);
