import type { Logger, DestinationStream } from "pino";
import { BUILTIN_CLASSES } from "../devices/index.js";
import { DEVICE_SERVICE_NAME, startGrpcServer, type GrpcServerHandle } from "../grpc/index.js";
import { startHttpServer, type HttpServerHandle } from "../http/index.js";
import { registerTangoMetrics } from "../metrics/index.js";
import { DeviceServer, StoreFileError, type DeviceClass } from "../server/index.js";
import { loadConfig } from "./load-config.js";
import { openServerTls } from "./serve-tls.js";
import { accessOptionsFrom } from "./access-options.js";
import { openAccessOf, registerOpenAccessMetric } from "./open-access.js";
import { createProcessRegistry } from "./process-registry.js";
import { createRootLogger } from "./logger.js";
import { ExitCode } from "./verb.js";
import { readPackageVersion } from "./version.js";

/** What runServe needs of the process: signals, and the exit forced by a second signal. */
export interface ServeProcess {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/** Options of runServe. */
export interface ServeOptions {
  /** Config file (YAML or JSON); none runs the embedded TangoTest server. */
  readonly configFile?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Device classes by name; BUILTIN_CLASSES by default. */
  readonly classes?: ReadonlyMap<string, DeviceClass>;
  /** Where the JSON log lines go; stdout by default. */
  readonly logDestination?: DestinationStream;
  /** The process by default. */
  readonly process?: ServeProcess;
  /** `serve --repair`: move a damaged property store aside (as `store.repair: true`). */
  readonly isRepair?: boolean;
  /** Where a refusal to start that an operator must act on is also written (a damaged store); none by default. */
  readonly stderr?: { write(text: string): unknown };
}

/**
 * Runs a device server until SIGTERM, SIGINT or the admin command Kill, then shuts it down
 * (DESIGN §5). Resolves to the exit code: 0 after a clean shutdown, 1 when startup or shutdown
 * failed (logged at fatal or error level), 3 when calls still running at the end of the grace
 * period (`shutdownGraceMs`) were cut. A second signal exits at once with 1.
 *
 * @throws ConfigError before anything starts, when the config is unusable.
 */
export async function runServe(opts: ServeOptions): Promise<number> {
  const classes = opts.classes ?? BUILTIN_CLASSES;
  const loaded = loadConfig(opts.configFile, opts.env, { knownClasses: [...classes.keys()] });
  const config = opts.isRepair === true ? { ...loaded, store: { ...loaded.store, repair: true } } as typeof loaded : loaded;
  const access = accessOptionsFrom(config, opts.env, opts.configFile ?? "(embedded default config)");
  const log = createRootLogger(config.logLevel, opts.logDestination);
  const proc = opts.process ?? process;
  // Read before anything starts: unusable TLS files are a ConfigError (exit 2), as a bad config is.
  const tls = await openServerTls(config, opts.configFile, log);

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
    proc.exit(ExitCode.Failure);
  };
  proc.on("SIGTERM", onSignal);
  proc.on("SIGINT", onSignal);

  let server: DeviceServer | undefined;
  let grpc: GrpcServerHandle | undefined;
  let http: HttpServerHandle | undefined;
  let isReady = false;
  // The one registry of the process (DESIGN §4): the gRPC side and the devices write, /metrics reads.
  const registry = createProcessRegistry();
  try {
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
      if (err instanceof StoreFileError) {
        log.fatal({ err, storePath: err.path, problems: err.problems }, "startup failed: the property store is unusable");
        opts.stderr?.write(`tango-grpc: ${err.message}\n`);
        await shutdown(server, grpc, http, log, config.shutdownGraceMs);
        return ExitCode.StoreUnusable;
      }
      log.fatal({ err }, "startup failed");
      await shutdown(server, grpc, http, log, config.shutdownGraceMs);
      return ExitCode.Failure;
    }
    log.info({
      grpcPort: grpc.port,
      httpPort: http.port,
      host: config.grpc.host,
      server: config.server,
      instance: config.instance,
      adminDevice: server.adminName,
    }, "Ready to accept request"); // cppTango's startup line
    const cause = await stopRequested;
    log.info({ cause }, "shutting down");
    const startedAt = performance.now();
    const { isClean, hasFailed, cutCalls } = await shutdown(server, grpc, http, log, config.shutdownGraceMs);
    const durationMs = Math.round(performance.now() - startedAt);
    const exitCode = hasFailed ? ExitCode.Failure : isClean ? ExitCode.Ok : ExitCode.CallsCut;
    if (isClean) log.info({ durationMs, isClean, exitCode }, "shutdown complete");
    else log.error({ durationMs, isClean, cutCalls, exitCode }, "shutdown complete");
    return exitCode;
  } finally {
    tls?.files.close();
    proc.off("SIGTERM", onSignal);
    proc.off("SIGINT", onSignal);
  }
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
