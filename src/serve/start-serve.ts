import { dirname, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import type { DestinationStream } from "pino";
import { DEFAULT_SERVER_CONFIG, ServerAlreadyRunning, StoreFileError, type DeviceClass, type DeviceServer } from "../server/index.js";
import { loadConfigFrom } from "../cli/load-config.js";
import { embeddedConfigSource, objectConfigSource, readConfigFile, type ConfigSource } from "../cli/config-source.js";
import { openServerTls } from "../cli/serve-tls.js";
import { accessOptionsFrom } from "../cli/access-options.js";
import { openAccessOf, registerOpenAccessMetric } from "../cli/open-access.js";
import { createProcessRegistry } from "../cli/process-registry.js";
import { createRootLogger } from "../cli/logger.js";
import { ExitCode } from "../cli/verb.js";
import { loadClassModules } from "./class-modules.js";
import { startServerStack, type ServerStack } from "./server-stack.js";
import { openRegistration } from "./registration.js";

/** What a started server needs of the process: signals, and the exit forced by a second signal. */
export interface ServeProcess {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/** Where the config comes from: a file, an object (`serve()`), or neither (the embedded TangoTest server). */
export type ConfigOrigin =
  | { readonly file: string }
  | { readonly data: unknown; readonly label: string }
  | undefined;

/** Options of startServe (runServe and serve() both go through it). */
export interface StartServeOptions {
  readonly config: ConfigOrigin;
  readonly env: NodeJS.ProcessEnv;
  /** The classes the program has before any `module:` of the config: built-in ones and serve()'s. */
  readonly classes: ReadonlyMap<string, DeviceClass>;
  /** Where the JSON log lines go; stdout by default. */
  readonly logDestination?: DestinationStream | undefined;
  /** Whose SIGTERM and SIGINT stop the server; none: only stop() and Kill do. */
  readonly process?: ServeProcess | undefined;
  /** `serve --repair`: move a damaged property store aside (as `store.repair: true`). */
  readonly isRepair?: boolean | undefined;
  /** Where a refusal to start that an operator must act on is also written (a damaged store, the server already running). */
  readonly stderr?: { write(text: string): unknown } | undefined;
  /** `serve --server X --instance Y`: win over the config and the environment. */
  readonly server?: string | undefined;
  readonly instance?: string | undefined;
}

/** A started server. */
export interface ServeHandle {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminDevice: string;
  /** The devices' names: the config's in config order, then those the database added. */
  readonly devices: readonly string[];
  readonly server: DeviceServer;
  /** The exit code once the server has stopped: 0 clean, 1 a step failed, 3 calls were cut. */
  readonly stopped: Promise<number>;
  /** Asks for the shutdown (as SIGTERM does) and waits for it. */
  stop(cause?: string): Promise<number>;
}

/** Startup failed after the config was read; logged at fatal level, and everything started was stopped. */
export class StartupFailed extends Error {
  override readonly name = "StartupFailed";

  constructor(
    /** 1, 4 for an unusable property store, or 0 when a stop request ended the start. */
    readonly exitCode: number,
    override readonly cause: unknown,
  ) {
    super(`startup failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** This package's directory seen from here: where a class module's package name is looked up last. */
const PACKAGE_DIR = dirname(fileURLToPath(import.meta.url));

/** The config as given; with none, the embedded TangoTest server, or with a database (TANGO_HOST) no device: the database names them. */
function configSourceOf(origin: ConfigOrigin, env: NodeJS.ProcessEnv): ConfigSource {
  if (origin === undefined) return embeddedConfigSource((env.TANGO_HOST?.trim() ?? "") === "" ? DEFAULT_SERVER_CONFIG : { classes: [] });
  return "file" in origin ? readConfigFile(origin.file) : objectConfigSource(origin.data, origin.label);
}

/**
 * Reads the config, imports the classes it takes from modules, and starts a device server
 * (DESIGN §5): the gRPC server, the HTTP sidecar, then the devices. Resolves once it is ready to
 * accept requests ("Ready to accept request" is logged); it then runs until `stop()`, the admin
 * command Kill or (with `process`) SIGTERM or SIGINT, and `stopped` resolves with the exit code.
 * A second signal exits the process at once with 1.
 *
 * @throws ConfigError before anything starts, when the config or a class module is unusable.
 * @throws StartupFailed when starting failed (after stopping what had started).
 */
export async function startServe(opts: StartServeOptions): Promise<ServeHandle> {
  const source = configSourceOf(opts.config, opts.env);
  // The CLI's --server and --instance (checked by the CLI) win over the file and the environment.
  const configEnv = { ...opts.env };
  if (source.data !== null && typeof source.data === "object" && !Array.isArray(source.data)) {
    const data = source.data as Record<string, unknown>;
    if (opts.server !== undefined) [data.server, configEnv.TANGO_SERVER] = [opts.server, undefined];
    if (opts.instance !== undefined) [data.instance, configEnv.TANGO_INSTANCE] = [opts.instance, undefined];
  }
  const loaded = loadConfigFrom(source, configEnv, { knownClasses: [...opts.classes.keys()] });
  const configDir = opts.config !== undefined && "file" in opts.config ? dirname(resolvePath(opts.config.file)) : process.cwd();
  const fromModules = await loadClassModules(loaded, source, { configDir, fallbackDirs: [process.cwd(), PACKAGE_DIR] });
  const classes = new Map([...opts.classes, ...fromModules]);
  const config = opts.isRepair === true ? { ...loaded, store: { ...loaded.store, repair: true } } as typeof loaded : loaded;
  const configLabel = source.label;
  const access = accessOptionsFrom(config, opts.env, configLabel);
  const log = createRootLogger(config.logLevel, opts.logDestination);
  const proc = opts.process;
  // Read before anything starts: unusable TLS files are a ConfigError (exit 2), as a bad config is.
  const tls = await openServerTls(config, opts.config !== undefined && "file" in opts.config ? opts.config.file : undefined, log);

  let resolveStop: (cause: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => { resolveStop = resolve; });
  let isStopping = false;
  // A stop before the server is ready ends its start (a wait for the database).
  const startAbort = new AbortController();
  const requestStop = (cause: string): boolean => {
    if (isStopping) return false;
    isStopping = true;
    startAbort.abort(new Error(`stopped by ${cause} before the server was ready`));
    resolveStop(cause);
    return true;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (requestStop(signal)) return;
    log.fatal({ signal }, "second stop request, exiting without a clean shutdown");
    proc?.exit(ExitCode.Failure);
  };
  let stack: ServerStack | undefined;
  const registration = openRegistration(config, { log, address: () => stack?.server.grpcAddress, token: opts.env.TANGO_TOKEN });
  const release = (): void => {
    registration?.close();
    tls?.files.close();
    proc?.off("SIGTERM", onSignal);
    proc?.off("SIGINT", onSignal);
  };
  proc?.on("SIGTERM", onSignal);
  proc?.on("SIGINT", onSignal);

  // The one registry of the process (DESIGN §4): the gRPC side and the devices write, /metrics reads.
  const registry = createProcessRegistry();
  let openWarnings: readonly string[] | undefined;
  try {
    stack = await startServerStack({
      config, classes, logger: log, logDir: logDirFrom(opts.env), access, tls, registry, isHttp: true,
      readinessWarnings: () => openWarnings,
      onKill: () => { requestStop("Kill"); },
      ...(registration === undefined ? {} : { store: registration.store, registration: registration.registry }),
    });
    log.info({ grpcPort: stack.grpcPort, httpPort: stack.httpPort, tangoHost: config.tangoHost }, "listening; exporting the devices");
    // docs/security.md: an open server says so at start, and in /readyz and a metric when others can reach it.
    const open = openAccessOf(stack.server.access, [config.grpc.host, config.http.host]);
    if (open.isOpen) log.warn({ grpcHost: config.grpc.host, httpHost: config.http.host }, open.warning);
    registerOpenAccessMetric(registry, open);
    if (open.isExposed) openWarnings = [open.warning];
    await stack.server.start(startAbort.signal);
  } catch (err) {
    if (isStopping && startAbort.signal.aborted) {
      log.info({ cause: String(startAbort.signal.reason) }, "stopped before the server was ready");
      await stack?.shutdown(config.shutdownGraceMs);
      release();
      throw new StartupFailed(ExitCode.Ok, err);
    }
    const exitCode = err instanceof StoreFileError ? ExitCode.StoreUnusable : ExitCode.Failure;
    if (err instanceof StoreFileError) {
      log.fatal({ err, storePath: err.path, problems: err.problems }, "startup failed: the property store is unusable");
      opts.stderr?.write(`tango-grpc: ${err.message}\n`);
    } else {
      log.fatal({ err }, "startup failed");
      if (err instanceof ServerAlreadyRunning) opts.stderr?.write(`tango-grpc: ${err.message}\n`);
    }
    await stack?.shutdown(config.shutdownGraceMs);
    release();
    throw new StartupFailed(exitCode, err);
  }
  const { server, grpcPort } = stack;
  const httpPort = stack.httpPort ?? 0;
  log.info({
    grpcPort,
    httpPort,
    host: config.grpc.host,
    server: config.server,
    instance: config.instance,
    adminDevice: server.adminName,
  }, "Ready to accept request"); // cppTango's startup line

  const stopped = (async (): Promise<number> => {
    try {
      const cause = await stopRequested;
      log.info({ cause }, "shutting down");
      const startedAt = performance.now();
      const { isClean, failures, cutCalls } = await stack.shutdown(config.shutdownGraceMs);
      const durationMs = Math.round(performance.now() - startedAt);
      const exitCode = failures.length > 0 ? ExitCode.Failure : isClean ? ExitCode.Ok : ExitCode.CallsCut;
      if (isClean) log.info({ durationMs, isClean, exitCode }, "shutdown complete");
      else log.error({ durationMs, isClean, cutCalls, exitCode }, "shutdown complete");
      return exitCode;
    } finally {
      release();
    }
  })();
  return {
    grpcPort,
    httpPort,
    adminDevice: server.adminName,
    devices: Object.freeze(server.userDevices().map((entry) => entry.name)),
    server,
    stopped,
    stop: (cause = "stop()") => {
      requestStop(cause);
      return stopped;
    },
  };
}

/** spec §13: `file` logging targets go to TANGO_LOG_PATH (the server's default otherwise). */
function logDirFrom(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.TANGO_LOG_PATH?.trim();
  return dir === undefined || dir === "" ? undefined : dir;
}
