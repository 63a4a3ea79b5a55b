import type { Logger, DestinationStream } from "pino";
import { SHUTDOWN_GRACE_MS } from "../core/defaults.js";
import { BUILTIN_CLASSES } from "../devices/index.js";
import { DEVICE_SERVICE_NAME, startGrpcServer, type GrpcServerHandle } from "../grpc/index.js";
import { startHttpServer, type HttpServerHandle } from "../http/index.js";
import { registerTangoMetrics } from "../metrics/index.js";
import { DeviceServer, type DeviceClass } from "../server/index.js";
import { loadConfig } from "./load-config.js";
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
}

/**
 * Runs a device server until SIGTERM, SIGINT or the admin command Kill, then shuts it down
 * (DESIGN §5). Resolves to the exit code: 0 after a clean shutdown, 1 when startup or shutdown
 * failed (logged at fatal or error level). A second signal exits at once with 1.
 *
 * @throws ConfigError before anything starts, when the config is unusable.
 */
export async function runServe(opts: ServeOptions): Promise<number> {
  const classes = opts.classes ?? BUILTIN_CLASSES;
  const config = loadConfig(opts.configFile, opts.env, { knownClasses: [...classes.keys()] });
  const access = accessOptionsFrom(config, opts.env, opts.configFile ?? "(embedded default config)");
  const log = createRootLogger(config.logLevel, opts.logDestination);
  const proc = opts.process ?? process;

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
        logger: log,
        registry,
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
      log.fatal({ err }, "startup failed");
      await shutdown(server, grpc, http, log);
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
    const isClean = await shutdown(server, grpc, http, log);
    log.info({ durationMs: Math.round(performance.now() - startedAt), isClean }, "shutdown complete");
    return isClean ? ExitCode.Ok : ExitCode.Failure;
  } finally {
    proc.off("SIGTERM", onSignal);
    proc.off("SIGINT", onSignal);
  }
}

/** spec §13: `file` logging targets go to TANGO_LOG_PATH (the server's default otherwise). */
function logDirFrom(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.TANGO_LOG_PATH?.trim();
  return dir === undefined || dir === "" ? undefined : dir;
}

/**
 * The one shutdown order (STYLE §4): readiness off → the server stops accepting, drains calls
 * (bounded) and deletes every device → the gRPC server closes, forcing streams after the grace
 * period → the HTTP sidecar closes (probes answer until then). Also cleans up after a failed
 * startup, so any part may be missing.
 *
 * @returns whether every step succeeded; a failed step is logged and the later ones still run.
 */
async function shutdown(
  server: DeviceServer | undefined, grpc: GrpcServerHandle | undefined, http: HttpServerHandle | undefined, log: Logger,
): Promise<boolean> {
  grpc?.setServing("", false);
  grpc?.setServing(DEVICE_SERVICE_NAME, false);
  let isClean = true;
  try {
    await server?.shutdown();
  } catch (err) {
    isClean = false;
    log.error({ err }, "device server shutdown failed");
  }
  try {
    await grpc?.close(SHUTDOWN_GRACE_MS);
  } catch (err) {
    isClean = false;
    log.error({ err }, "gRPC server close failed");
  }
  try {
    await http?.close();
  } catch (err) {
    isClean = false;
    log.error({ err }, "HTTP server close failed");
  }
  return isClean;
}
