#!/usr/bin/env node
// The `tango-grpc` program. Only this folder reads the environment and files and ends the process.
import { runCli } from "./run-cli.js";
import { ExitCode, type CliIo } from "./verb.js";

let stopRequest: AbortController | undefined;

/**
 * Turns SIGINT and SIGTERM into an abort of the returned controller, for a verb that stops
 * cleanly on it (CliIo.signal). A second signal exits at once with 1, as `serve` does, so that a
 * verb stuck in its cleanup can still be stopped.
 */
function catchStopSignals(): AbortController {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(ExitCode.Failure);
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller;
}

const io: CliIo = {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // Read by the verbs that wait for a stop request; the others never install the handlers.
  get signal() {
    stopRequest ??= catchStopSignals();
    return stopRequest.signal;
  },
};

// A reader that went away (`tango-grpc watch … | head -3`) ends the program quietly, as SIGPIPE
// ends a C program: Node ignores SIGPIPE, and the write's EPIPE would otherwise crash with a stack.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(ExitCode.Ok);
});

let code: number;
try {
  code = await runCli(process.argv.slice(2), io);
} catch (err) {
  process.stderr.write(`tango-grpc: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  code = 1;
}
// Exit even if a handle was left open: the server has shut down by now, and pino flushes on exit.
process.exit(code);
