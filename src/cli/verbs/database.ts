import { ENV_OVERRIDES } from "../config-env.js";
import { formatKeyPath } from "../config-error.js";
import { ExitCode, type CliIo, type Verb } from "../verb.js";

/** Variables of `serve` that the database server takes as well: its server and instance are its own, and it is the database. */
const NOT_FOR_DATABASE = new Set(["TANGO_SERVER", "TANGO_INSTANCE", "TANGO_HOST"]);
const envLines = ENV_OVERRIDES
  .filter(({ variable }) => !NOT_FOR_DATABASE.has(variable))
  .map(({ variable, path }) => `  ${variable.padEnd(29)} overrides ${formatKeyPath(path)}`);

const USAGE = "tango-grpc database [--data <dir> | --postgres <url>] [--instance <name>] [--port <port>] [--http-port <port>]";

/** `tango-grpc database`: run a Tango database server (DESIGN §10). */
export const databaseVerb: Verb = {
  name: "database",
  summary: "run a Tango database server (sys/database/2 on port 10000)",
  usage: USAGE,
  help: `
Runs a Tango database server: the device sys/database/<instance> of class
DataBase (server DataBaseds, instance 2) and its admin device
dserver/DataBaseds/<instance>, served over tango.v1.Device gRPC (with server
reflection and grpc.health.v1.Health) and the HTTP sidecar as any server, until
SIGTERM, SIGINT or the admin command Kill. It exports both devices in its own
tables at start, with the address grpc://<host>:<port> (TANGO_ADVERTISE_ADDRESS
when set; grpcs:// with TLS), and unexports them at shutdown. Clients and
servers find it with TANGO_HOST=<host>:<port>. Logs are JSON lines on stdout;
"database ready" says it is serving.

Storage: embedded PostgreSQL (nothing to install) in a data directory, created
if missing, or a PostgreSQL server. The schema is created or brought up to date
at start; a schema written by a newer tango-grpc is refused. See
docs/database.md (backups, TANGO_HOST).

Options:
  -d, --data <dir>        embedded storage in <dir> (default: ./tango-db)
      --postgres <url>    a PostgreSQL server instead, e.g.
                          postgres://tango:secret@db:5432/tango
  -i, --instance <name>   the instance (default: 2): device sys/database/<name>;
                          TANGO_HOST users look for sys/database/2 only
  -p, --port <port>       gRPC port (default: 10000); 0 lets the OS choose
      --http-port <port>  HTTP sidecar port (default: 10001); 0 lets the OS choose
  -h, --help              show this help

Environment (an empty variable counts as unset; an option wins over its variable):
  TANGO_DB_DATA                 the data directory, as --data
  TANGO_DB_URL                  the PostgreSQL server, as --postgres (taken over
                                TANGO_DB_DATA)
  TANGO_INSTANCE                the instance, as --instance
  TANGO_DB_CONNECT_TIMEOUT_MS   how long an unreachable PostgreSQL server is
                                retried at start, ms (default: 30000)
${envLines.join("\n")}
  TANGO_ADMIN_TOKEN             an ADMIN bearer token, on gRPC and REST (see
                                docs/security.md)

Exit codes:
  0  clean shutdown after SIGTERM, SIGINT or Kill (also a stop asked for while
     the PostgreSQL server was still being waited for)
  1  startup failed: the data directory cannot be used (not writable, not
     empty, in use), the PostgreSQL server stayed unreachable or refused the
     connection, the schema is newer than this program (said on stderr); or
     shutdown failed, or a second signal
  2  usage error, or an unusable option or variable
  3  calls still running at the end of the grace period (shutdownGraceMs) were cut
`,
  options: {
    data: { type: "string", short: "d" },
    postgres: { type: "string" },
    instance: { type: "string", short: "i" },
    port: { type: "string", short: "p" },
    "http-port": { type: "string" },
  },
  async run({ values }, io) {
    const text = (name: string): string | undefined => {
      const value = values[name];
      return typeof value === "string" ? value : undefined;
    };
    const fromEnv = (name: string): string | undefined => {
      const value = io.env[name]?.trim();
      return value === undefined || value === "" ? undefined : value;
    };
    const data = text("data");
    const postgres = text("postgres");
    if (data !== undefined && postgres !== undefined) return usageError(io, "--data and --postgres cannot be given together");
    const grpcPort = portOf(text("port"));
    const httpPort = portOf(text("http-port"));
    if (grpcPort === null) return usageError(io, `--port must be a whole number from 0 to 65535, got "${text("port")}"`);
    if (httpPort === null) return usageError(io, `--http-port must be a whole number from 0 to 65535, got "${text("http-port")}"`);
    const timeoutText = fromEnv("TANGO_DB_CONNECT_TIMEOUT_MS");
    if (timeoutText !== undefined && !/^[0-9]+$/.test(timeoutText)) {
      return usageError(io, `TANGO_DB_CONNECT_TIMEOUT_MS must be a whole number of milliseconds, got "${timeoutText}"`);
    }
    const url = postgres ?? (data === undefined ? fromEnv("TANGO_DB_URL") : undefined);

    // Loaded on demand: --help needs neither the server nor a storage.
    const { runDatabaseServer } = await import("../../database/database-server.js");
    const { DataBase } = await import("../../database/database.js");
    return runDatabaseServer({
      instance: text("instance") ?? fromEnv("TANGO_INSTANCE"),
      storage: url !== undefined ? { kind: "postgres", url } : { kind: "embedded", dataDir: data ?? fromEnv("TANGO_DB_DATA") ?? "tango-db" },
      databaseClass: DataBase,
      grpcPort,
      httpPort,
      env: io.env,
      openPostgres: async (pgUrl, onIdleError) => {
        const { openPostgresDb } = await import("../../database/sql/postgres-db.js");
        return openPostgresDb({ url: pgUrl, onIdleError });
      },
      connectTimeoutMs: timeoutText === undefined ? undefined : Number(timeoutText),
      process,
      stderr: io.stderr,
    });
  },
};

/** A port option: undefined when not given, null when it is not a port. */
function portOf(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const port = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(port) && port <= 65535 ? port : null;
}

function usageError(io: CliIo, problem: string): number {
  io.stderr.write(`tango-grpc: database: ${problem}\nUsage: ${USAGE}\nRun "tango-grpc database --help" for help.\n`);
  return ExitCode.Usage;
}
