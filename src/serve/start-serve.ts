import { dirname, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger, DestinationStream } from "pino";
import { DEVICE_SERVICE_NAME, startGrpcServer, type GrpcServerHandle } from "../grpc/index.js";
import { startHttpServer, type HttpServerHandle } from "../http/index.js";
import { registerTangoMetrics } from "../metrics/index.js";
import { DEFAULT_SERVER_CONFIG, DeviceServer, StoreFileError, type DeviceClass } from "../server/index.js";
import { loadConfigFrom } from "../cli/load-config.js";
import { embeddedConfigSource, objectConfigSource, readConfigFile, type ConfigSource } from "../cli/config-source.js";
import { openServerTls } from "../cli/serve-tls.js";
import { accessOptionsFrom } from "../cli/access-options.js";
import { openAccessOf, registerOpenAccessMetric } from "../cli/open-access.js";
import { createProcessRegistry } from "../cli/process-registry.js";
import { createRootLogger } from "../cli/logger.js";
import { ExitCode } from "../cli/verb.js";
import { readPackageVersion } from "../cli/version.js";
import { loadClassModules } from "./class-modules.js";

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
  /** Where a refusal to start that an operator must act on is also written (a damaged store). */
  readonly stderr?: { write(text: string): unknown } | undefined;
}

/** A started server. */
export interface ServeHandle {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminDevice: string;
  /** The configured devices' names, in config order. */
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
    /** 1, or 4 for an unusable property store. */
    readonly exitCode: number,
    override readonly cause: unknown,
  ) {
    super(`startup failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** This package's directory seen from here: where a class module's package name is looked up last. */
const PACKAGE_DIR = dirname(fileURLToPath(import.meta.url));

function configSourceOf(origin: ConfigOrigin): ConfigSource {
  if (origin === undefined) return embeddedConfigSource(DEFAULT_SERVER_CONFIG);
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
  const source = configSourceOf(opts.config);
  const loaded = loadConfigFrom(source, opts.env, { knownClasses: [...opts.classes.keys()] });
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
  const requestStop = (cause: string): boolean => {
    if (isStopping) return false;
    isStopping = true;
    resolveStop(cause);
    return true;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (requestStop(signal)) return;
    log.fatal({ signal }, "second stop request, exiting without a clean shutdown");
    proc?.exit(ExitCode.Failure);
  };
  const release = (): void => {
    tls?.files.close();
    proc?.off("SIGTERM", onSignal);
    proc?.off("SIGINT", onSignal);
  };
  proc?.on("SIGTERM", onSignal);
  proc?.on("SIGINT", onSignal);

  let server: DeviceServer | undefined;
  let grpc: GrpcServerHandle | undefined;
  let http: HttpServerHandle | undefined;
  let isReady = false;
  // The one registry of the process (DESIGN §4): the gRPC side and the devices write, /metrics reads.
  const registry = createProcessRegistry();
  try {
      const version = readPackageVersion();
      server = new DeviceServer({
        config,
        classes,
        logger: log,
        logDir: logDirFrom(opts.env),
        access,
        onReadyChange: (ready) => {
          isReady = ready;
          grpc?.setServing(DEVICE_SERVICE_NAME, ready);
        },
        onKill: () => { requestStop("Kill"); },
      });
      registerTangoMetrics(registry, server, { version });
      // docs/security.md: an open server says so at start, and in /readyz and a metric when others can reach it.
      const open = openAccessOf(server.access, [config.grpc.host, config.http.host]);
      if (open.isOpen) log.warn({ grpcHost: config.grpc.host, httpHost: config.http.host }, open.warning);
      registerOpenAccessMetric(registry, open);
      grpc = await startGrpcServer({
        api: server.api,
        host: config.grpc.host,
        port: config.grpc.port,
        maxMessageBytes: config.grpc.maxMessageBytes,
        limits: config.limits,
        logger: log,
        registry,
        ...(tls === undefined ? {} : { tls }),
        access: server.access,
      });
      server.grpcAddress = `${server.hostName}:${grpc.port}`;
      grpc.setServing("", true);
      grpc.setServing(DEVICE_SERVICE_NAME, isReady);
      const devices = server;
      const openWarnings = open.isExposed ? [open.warning] : undefined;
      // Up before the devices, so that liveness answers (and readiness says why not) meanwhile.
      http = await startHttpServer({
        host: config.http.host,
        port: config.http.port,
        registry,
        logger: log,
        readiness: () => (openWarnings === undefined ? devices.readiness() : { ...devices.readiness(), warnings: openWarnings }),
        version,
        ...(tls === undefined ? {} : { tls }),
        rest: {
          api: server.api,
          adminDevice: server.adminName,
          access: server.access,
          protectReads: config.http.protectReads,
          requestTimeoutMs: config.http.requestTimeoutMs,
        },
      });
      await server.start();
  } catch (err) {
    const exitCode = err instanceof StoreFileError ? ExitCode.StoreUnusable : ExitCode.Failure;
    if (err instanceof StoreFileError) {
      log.fatal({ err, storePath: err.path, problems: err.problems }, "startup failed: the property store is unusable");
      opts.stderr?.write(`tango-grpc: ${err.message}\n`);
    } else {
      log.fatal({ err }, "startup failed");
    }
    await shutdown(server, grpc, http, log, config.shutdownGraceMs);
    release();
    throw new StartupFailed(exitCode, err);
  }
  const started = { server, grpc, http };
  log.info({
    grpcPort: grpc.port,
    httpPort: http.port,
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
      const { isClean, hasFailed, cutCalls } = await shutdown(started.server, started.grpc, started.http, log, config.shutdownGraceMs);
      const durationMs = Math.round(performance.now() - startedAt);
      const exitCode = hasFailed ? ExitCode.Failure : isClean ? ExitCode.Ok : ExitCode.CallsCut;
      if (isClean) log.info({ durationMs, isClean, exitCode }, "shutdown complete");
      else log.error({ durationMs, isClean, cutCalls, exitCode }, "shutdown complete");
      return exitCode;
    } finally {
      release();
    }
  })();
  return {
    grpcPort: grpc.port,
    httpPort: http.port,
    adminDevice: server.adminName,
    devices: Object.freeze(config.classes.flatMap((cls) => cls.devices.map((dev) => dev.name))),
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

/** What the shutdown did: whether a step failed, and the calls it cut. */
interface ShutdownOutcome {
  /** No step failed and no call was cut. */
  readonly isClean: boolean;
  /** A step failed (logged). */
  readonly hasFailed: boolean;
  /** Device server calls still running at the end of the grace period (gRPC streams cut are not counted). */
  readonly cutCalls: number;
}

/**
 * The one shutdown order (STYLE §4), within one grace period `graceMs` in total: readiness off →
 * the server stops accepting, drains calls until the grace ends and deletes every device → the
 * gRPC server closes (health watches at once), cutting what still runs when the grace is over →
 * the HTTP sidecar closes (probes answer until then) in what is left. Also cleans up after a
 * failed startup, so any part may be missing. A failed step is logged and the later ones still run.
 */
async function shutdown(
  server: DeviceServer | undefined, grpc: GrpcServerHandle | undefined, http: HttpServerHandle | undefined, log: Logger, graceMs: number,
): Promise<ShutdownOutcome> {
  const endMs = performance.now() + graceMs;
  const leftMs = (): number => Math.max(0, endMs - performance.now());
  grpc?.setServing("", false);
  grpc?.setServing(DEVICE_SERVICE_NAME, false);
  let hasFailed = false;
  let cutCalls = 0;
  let isGrpcClean = true;
  try {
    cutCalls = (await server?.shutdown(graceMs))?.cutCalls ?? 0;
  } catch (err) {
    hasFailed = true;
    log.error({ err }, "device server shutdown failed");
  }
  try {
    isGrpcClean = (await grpc?.close(leftMs())) ?? true;
    if (!isGrpcClean) log.error({ graceMs }, "gRPC calls still running at the end of the grace period were cut");
  } catch (err) {
    hasFailed = true;
    log.error({ err }, "gRPC server close failed");
  }
  try {
    await http?.close(leftMs());
  } catch (err) {
    hasFailed = true;
    log.error({ err }, "HTTP server close failed");
  }
  return { isClean: !hasFailed && cutCalls === 0 && isGrpcClean, hasFailed, cutCalls };
}
