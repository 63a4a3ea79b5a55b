import { ConfigError } from "../src/cli/config-error.js";
import { runServe } from "../src/cli/serve.js";
import { BUILTIN_CLASSES } from "../src/devices/index.js";
import { ArrayBench } from "./array-bench.js";
import { EventBench } from "./event-bench.js";

/*
 * The server the bench measures: exactly `tango-grpc serve` (runServe: gRPC with its metrics
 * interceptor, the sidecar, the tango metrics, logging at info), with two more classes: ArrayBench,
 * for spectra longer than TangoTest's, and EventBench, an event source. Usage: bench-server.js --config <file>.
 */
const classes = new Map([...BUILTIN_CLASSES, ["ArrayBench", ArrayBench], ["EventBench", EventBench]]);
const at = process.argv.indexOf("--config");
const configFile = at >= 0 ? process.argv[at + 1] : undefined;
try {
  process.exitCode = await runServe({ configFile, env: process.env, classes });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 2;
}
