import { pino, type DestinationStream, type Logger } from "pino";
import { ConfigError } from "../cli/config-error.js";
import { objectConfigSource } from "../cli/config-source.js";
import { loadConfigFrom } from "../cli/load-config.js";
import { createRootLogger } from "../cli/logger.js";
import { ExitCode } from "../cli/verb.js";
import { SERVER_IDL_VERSION } from "../core/defaults.js";
import { StartupFailed, startServe, type ServeHandle, type ServeProcess } from "../serve/start-serve.js";
import { withStorage, type DataBaseCore } from "./database-core.js";
import { checkSchemaVersion, openStorage, StorageError, type OpenPostgres, type OpenStorage, type StorageChoice } from "./open-storage.js";
import { exportSelf, unexportSelf, type SelfExport } from "./self-export.js";
import { migrate } from "./sql/migrations.js";
import { withReadCache } from "./sql/read-cache.js";

export { StorageError, type OpenPostgres, type StorageChoice } from "./open-storage.js";

/** The database's server name, as cppTango's: `DataBaseds/<instance>`, admin `dserver/DataBaseds/<instance>`. */
export const DATABASE_SERVER = "DataBaseds";
/** The Tango class of the database device. */
export const DATABASE_CLASS = "DataBase";
/** The instance a Tango installation runs: device `sys/database/2`. */
export const DATABASE_DEFAULT_INSTANCE = "2";
/** TANGO_HOST's default port, where clients look for the database. */
export const DATABASE_GRPC_PORT = 10_000;
/** The database's HTTP sidecar: the port after its gRPC one, so that it and a server's 8080 fit on one host. */
export const DATABASE_HTTP_PORT = 10_001;
/** How long a PostgreSQL server may stay unreachable at start (retried meanwhile) before the start fails. */
export const DATABASE_CONNECT_TIMEOUT_MS = 30_000;

/** The database device of an instance: `sys/database/<instance>`. */
export function databaseDeviceName(instance: string): string {
  return `sys/database/${instance}`;
}

/** Options of startDatabaseServer and runDatabaseServer. */
export interface DatabaseServerOptions {
  /** The instance: the device is `sys/database/<instance>`; {@link DATABASE_DEFAULT_INSTANCE} by default. */
  readonly instance?: string | undefined;
  readonly storage: StorageChoice;
  /** The DataBase device class (the storage is bound to it here). */
  readonly databaseClass: abstract new () => DataBaseCore;
  /** The gRPC port; {@link DATABASE_GRPC_PORT} or TANGO_GRPC_PORT when not given. 0 lets the OS choose. */
  readonly grpcPort?: number | undefined;
  /** The HTTP sidecar's port; {@link DATABASE_HTTP_PORT} or TANGO_HTTP_PORT when not given. */
  readonly httpPort?: number | undefined;
  /**
   * The TANGO_* overrides of any server (docs/configuration.md), but for TANGO_SERVER and
   * TANGO_INSTANCE (the server is always DataBaseds and the instance is `instance`) and TANGO_HOST
   * (it is the database). A port given above wins over its variable.
   */
  readonly env: NodeJS.ProcessEnv;
  /** Opens a PostgreSQL server's database; needed for `storage.kind: "postgres"`. */
  readonly openPostgres?: OpenPostgres | undefined;
  /** {@link DATABASE_CONNECT_TIMEOUT_MS} by default. */
  readonly connectTimeoutMs?: number | undefined;
  /** Where the JSON log lines go; stdout by default. */
  readonly logDestination?: DestinationStream | undefined;
  /** Whose SIGTERM and SIGINT stop the server; none: only stop() and Kill do. */
  readonly process?: ServeProcess | undefined;
  /** Where a refusal to start is also written, in one readable line. */
  readonly stderr?: { write(text: string): unknown } | undefined;
}

/** A started database server. */
export interface DatabaseServerHandle {
  readonly grpcPort: number;
  readonly httpPort: number;
  /** `sys/database/<instance>`. */
  readonly device: string;
  /** `dserver/DataBaseds/<instance>`. */
  readonly adminDevice: string;
  /** The address it exported itself with, `grpc://host:port` (`grpcs://` over TLS). */
  readonly address: string;
  /** The exit code once stopped and unexported: 0 clean, 1 a step failed, 3 calls were cut. */
  readonly stopped: Promise<number>;
  /** Asks for the shutdown (as SIGTERM does) and waits for it. */
  stop(): Promise<number>;
}

/** Startup failed with a message for the operator; logged at fatal level, nothing left running. */
export class DatabaseStartFailed extends Error {
  override readonly name = "DatabaseStartFailed";

  constructor(readonly exitCode: number, override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Starts a Tango database server (DESIGN §10): opens the storage (embedded in a data directory, or
 * a PostgreSQL server retried while unreachable), refuses a schema newer than this program,
 * applies the migrations, serves `sys/database/<instance>` of class DataBase with its admin device
 * over gRPC and the HTTP sidecar as any server, and exports both devices in its own tables. It
 * runs until `stop()`, Kill or (with `process`) SIGTERM or SIGINT; then its devices are unexported
 * and the storage closed before `stopped` resolves.
 *
 * @throws ConfigError when a TANGO_* variable or an option is unusable (TLS files and tokens are
 *   read once the storage is open; it is closed again).
 * @throws DatabaseStartFailed when the storage or the server could not be started (exit code 1,
 *   or 0 when a stop was asked for meanwhile); everything opened is closed again.
 */
export async function startDatabaseServer(opts: DatabaseServerOptions): Promise<DatabaseServerHandle> {
  const instance = opts.instance ?? DATABASE_DEFAULT_INSTANCE;
  const env = serveEnv(opts);
  const data = configData(instance, opts);
  const label = "tango-grpc database";
  const config = loadConfigFrom(objectConfigSource(data, label), env, { knownClasses: [DATABASE_CLASS] });
  // One destination for this log and the server's: its lines stay in the order they were written.
  const logDestination = opts.logDestination ?? pino.destination(1);
  const log = createRootLogger(config.logLevel, logDestination).child({ server: config.server, instance });
  const device = databaseDeviceName(instance);

  // Until startServe has taken the signals over, a stop request ends the storage's waits, and
  // stops the server as soon as it is up.
  const early = new AbortController();
  const onEarlySignal = (signal: NodeJS.Signals): void => { early.abort(signal); };
  opts.process?.on("SIGTERM", onEarlySignal);
  opts.process?.on("SIGINT", onEarlySignal);
  const releaseEarly = (): void => {
    opts.process?.off("SIGTERM", onEarlySignal);
    opts.process?.off("SIGINT", onEarlySignal);
  };

  let storage: OpenStorage | undefined;
  let handle: ServeHandle | undefined;
  try {
    storage = await openStorage(opts.storage, {
      log, openPostgres: opts.openPostgres, connectTimeoutMs: opts.connectTimeoutMs ?? DATABASE_CONNECT_TIMEOUT_MS, signal: early.signal,
    });
    await checkSchemaVersion(storage.db);
    const applied = await migrate(storage.db);
    log.info({ storage: opts.storage.kind, location: storage.location, migrationsApplied: applied }, "database storage open");
    // The device and the self-export share one db, so that the export reaches its memory of reads.
    const db = withReadCache(storage.db);
    early.signal.throwIfAborted();
    handle = await startServe({
      config: { data, label },
      env,
      classes: new Map([[DATABASE_CLASS, withStorage(opts.databaseClass, db)]]),
      logDestination,
      process: opts.process,
      stderr: opts.stderr,
    });
    releaseEarly();
    early.signal.throwIfAborted();
    const self = selfExportOf(handle, instance, config.tls !== undefined);
    await exportSelf(db, self);
    log.info({
      device, adminDevice: self.adminDevice, address: self.ior, grpcPort: handle.grpcPort, httpPort: handle.httpPort,
      storage: opts.storage.kind, location: storage.location,
    }, "database ready");
    return handleOf(handle, { ...storage, db }, self, log);
  } catch (err) {
    releaseEarly();
    // Only the abort itself is a stop; another failure meanwhile is still a failure.
    const isStopRequested = early.signal.aborted && (err === early.signal.reason || (err instanceof Error && err.name === "AbortError"));
    throw await failStart(err, { log, storage, handle, stderr: opts.stderr, isStopRequested });
  }
}

/**
 * Runs a database server until SIGTERM, SIGINT or Kill and resolves to the exit code: 0 after a
 * clean shutdown, 1 when startup or shutdown failed (the reason logged, and on `stderr` when the
 * start failed), 3 when calls still running at the end of the grace period were cut.
 *
 * @throws ConfigError before anything starts, when an option or TANGO_* variable is unusable.
 */
export async function runDatabaseServer(opts: DatabaseServerOptions): Promise<number> {
  try {
    const handle = await startDatabaseServer(opts);
    return await handle.stopped;
  } catch (err) {
    if (err instanceof DatabaseStartFailed) return err.exitCode;
    throw err;
  }
}

/** The server config: DataBaseds/<instance> with its one device, on the database's ports. */
function configData(instance: string, opts: DatabaseServerOptions): Record<string, unknown> {
  return {
    server: DATABASE_SERVER,
    instance,
    // cppTango's DataBaseds runs NO_SYNC: every command is its own SQL statement or transaction.
    serialization: "NO_SYNC",
    grpc: { port: opts.grpcPort ?? DATABASE_GRPC_PORT },
    http: { port: opts.httpPort ?? DATABASE_HTTP_PORT },
    classes: [{ name: DATABASE_CLASS, devices: [{ name: databaseDeviceName(instance) }] }],
  };
}

/**
 * The environment startServe sees: no TANGO_SERVER or TANGO_INSTANCE, no variable of a port given
 * as an option, and no TANGO_HOST: the database does not register with a database (cppTango's
 * DataBaseds runs with `_UseDb = false`), it exports itself in its own tables.
 */
function serveEnv(opts: DatabaseServerOptions): NodeJS.ProcessEnv {
  const dropped = new Set(["TANGO_SERVER", "TANGO_INSTANCE", "TANGO_HOST"]);
  if (opts.grpcPort !== undefined) dropped.add("TANGO_GRPC_PORT");
  if (opts.httpPort !== undefined) dropped.add("TANGO_HTTP_PORT");
  return Object.fromEntries(Object.entries(opts.env).filter(([name]) => !dropped.has(name)));
}

/** As a device server registers (`grpcs://` over TLS, the advertised address), so that clients dial it alike. */
function selfExportOf(handle: ServeHandle, instance: string, isTls: boolean): SelfExport {
  const server = handle.server;
  return {
    server: `${DATABASE_SERVER}/${instance}`,
    device: databaseDeviceName(instance),
    adminDevice: handle.adminDevice,
    ior: `${isTls ? "grpcs" : "grpc"}://${server.grpcAddress ?? `${server.hostName}:${handle.grpcPort}`}`,
    host: server.hostName,
    pid: process.pid,
    version: String(SERVER_IDL_VERSION),
  };
}

/** Once the server has stopped: its devices unexported (DbUnExportServer), then the storage closed. */
function handleOf(handle: ServeHandle, storage: OpenStorage, self: SelfExport, log: Logger): DatabaseServerHandle {
  const stopped = (async (): Promise<number> => {
    let code = await handle.stopped;
    try {
      await unexportSelf(storage.db, self.server);
    } catch (err) {
      log.error({ err }, "unexporting the database devices failed");
      code = ExitCode.Failure;
    }
    try {
      await storage.close();
    } catch (err) {
      log.error({ err }, "closing the database storage failed");
      code = ExitCode.Failure;
    }
    log.info({ exitCode: code }, "database stopped");
    return code;
  })();
  return {
    grpcPort: handle.grpcPort,
    httpPort: handle.httpPort,
    device: self.device,
    adminDevice: self.adminDevice,
    address: self.ior,
    stopped,
    stop: async () => {
      await handle.stop();
      return stopped;
    },
  };
}

/** Logs why the start failed, closes what was opened, and says so on stderr; the error to throw. */
async function failStart(err: unknown, ctx: {
  readonly log: Logger;
  readonly storage: OpenStorage | undefined;
  readonly handle: ServeHandle | undefined;
  readonly stderr: { write(text: string): unknown } | undefined;
  readonly isStopRequested: boolean;
}): Promise<unknown> {
  if (ctx.handle !== undefined) await ctx.handle.stop(ctx.isStopRequested ? "stop requested during startup" : "startup failed");
  await ctx.storage?.close().catch((closeErr: unknown) => ctx.log.error({ err: closeErr }, "closing the database storage failed"));
  if (ctx.isStopRequested) {
    ctx.log.info("stop requested before the database started");
    return new DatabaseStartFailed(ExitCode.Ok, err);
  }
  if (err instanceof ConfigError) return err; // TLS files or tokens that cannot be read: exit code 2, as serve
  // startServe logged its own failure already.
  if (err instanceof StartupFailed) return new DatabaseStartFailed(err.exitCode, err.cause);
  if (err instanceof StorageError) {
    ctx.log.fatal({ reason: err.message }, "startup failed: the database storage cannot be used");
    ctx.stderr?.write(`tango-grpc: ${err.message}\n`);
    return new DatabaseStartFailed(ExitCode.Failure, err);
  }
  ctx.log.fatal({ err }, "startup failed");
  ctx.stderr?.write(`tango-grpc: the database did not start: ${err instanceof Error ? err.message : String(err)}\n`);
  return new DatabaseStartFailed(ExitCode.Failure, err);
}
