import { ENV_OVERRIDES } from "../config-env.js";
import { ConfigError, describeValue, formatKeyPath, type ConfigProblem } from "../config-error.js";
import type { Verb } from "../verb.js";

const envLines = ENV_OVERRIDES.map(({ variable, path }) => `  ${variable.padEnd(25)} overrides ${formatKeyPath(path)}`);

/** `tango-grpc serve`: run a device server (DESIGN §5). */
export const serveVerb: Verb = {
  name: "serve",
  summary: "run a device server (the default verb)",
  usage: "tango-grpc serve [--config <file>] [--server <name> --instance <name>] [--repair]",
  help: `
Runs a device server: exports every configured device and the admin device
dserver/<server>/<instance>, then serves tango.v1.Device over gRPC (with server
reflection and grpc.health.v1.Health) until SIGTERM, SIGINT or the admin command
Kill. Logs are JSON lines on stdout.

With no --config and no database it runs the embedded TangoTest server: server
TangoTest, instance test, device sys/tg_test/1, gRPC on 0.0.0.0:50051.

With a Tango database (TANGO_HOST=host:port, or tangoHost in the config) the
server registers there: it reads its devices and properties from it, adds the
devices its config lists that the database lacks, registers each device it
exports with its address (advertiseAddress) and unexports at shutdown; run-time
property changes are saved there. With no --config, the database names the
devices: "tango-grpc serve --server TangoTest --instance test" is enough.

Device classes: TangoTest and PowerSupply are built in; a config runs a class
of your own by naming its module (classes[].module: ./dist/motor.js, or a
package name; see docs/device-authoring.md).

Options:
  -c, --config <file>   server config, YAML or JSON (see docs/configuration.md)
      --server <name>   the server (executable) name; wins over the config and TANGO_SERVER
      --instance <name> the instance name; wins over the config and TANGO_INSTANCE
      --repair          move a damaged property store aside (<file>.damaged-<time>)
                        and start with the records that can be read
  -h, --help            show this help

Environment (an empty variable counts as unset):
${envLines.join("\n")}
  TANGO_LOG_PATH            directory of "file" logging targets (default: the OS temp dir)
  TANGO_TOKEN               the bearer token of the server's own calls to the database
  TANGO_ADMIN_TOKEN         an ADMIN bearer token, on gRPC and REST; once set, callers
                            without a token may only read (see docs/security.md)

Exit codes:
  0  clean shutdown after SIGTERM, SIGINT or Kill
  1  startup or shutdown failed (logged at fatal/error level), or a second signal
  2  usage error, or an unusable config (every problem is listed on stderr)
  3  calls still running at the end of the grace period (shutdownGraceMs) were cut
  4  the property store (storePath) is damaged or cannot be read (named on stderr)
`,
  options: {
    config: { type: "string", short: "c" }, repair: { type: "boolean" }, server: { type: "string" }, instance: { type: "string" },
  },
  async run({ values }, io) {
    const server = nameOption(values.server, "server");
    const instance = nameOption(values.instance, "instance");
    const problems = [server, instance].filter((v): v is ConfigProblem => typeof v === "object");
    if (problems.length > 0) throw new ConfigError("the command line", problems);
    // Loaded on demand: --help and the client verbs need neither the server nor gRPC.
    const { runServe } = await import("../serve.js");
    const configFile = typeof values.config === "string" ? values.config : undefined;
    return runServe({
      configFile, env: io.env, isRepair: values.repair === true, stderr: io.stderr,
      ...(typeof server === "string" ? { server } : {}), ...(typeof instance === "string" ? { instance } : {}),
    });
  },
};

/** `--server` or `--instance`: one word without "/" or blanks, as the config's keys (the admin device is dserver/<server>/<instance>). */
function nameOption(value: unknown, key: "server" | "instance"): string | ConfigProblem | undefined {
  if (typeof value !== "string") return undefined;
  if (/^[^/\s]+$/.test(value) && value.length <= 255) return value;
  return { where: `--${key}`, path: [key], message: `must be one word without "/" or blanks, got ${describeValue(value)}` };
}
