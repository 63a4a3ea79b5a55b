import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { DEVICE_SERVICE_NAME, startGrpcServer, type GrpcServerHandle } from "../grpc/index.js";
import { startHttpServer, type HttpServerHandle } from "../http/index.js";
import { registerTangoMetrics } from "../metrics/index.js";
import {
  DeviceServer, advertisedAddress, type AccessOptions, type DeviceClass, type ServerConfig, type ServerRegistry, type Store,
} from "../server/index.js";
import type { ServerTls } from "../cli/serve-tls.js";
import { readPackageVersion } from "../cli/version.js";

/*
 * The parts of one device server and their order, shared by `tango-grpc serve` / serve()
 * (start-serve.ts) and the test contexts (src/testing): the DeviceServer, its gRPC server, the
 * HTTP sidecar, and the one shutdown order. Reads no file and no environment and owns no signal.
 */

/** What startServerStack needs. @internal */
export interface ServerStackOptions {
  readonly config: Readonly<ServerConfig>;
  readonly classes: ReadonlyMap<string, DeviceClass>;
  readonly logger: Logger;
  readonly access?: AccessOptions | undefined;
  /** Where `file` logging targets go (TANGO_LOG_PATH). */
  readonly logDir?: string | undefined;
  readonly tls?: ServerTls | undefined;
  /** The registry the gRPC side and the devices write and the sidecar's /metrics serves; none: no metrics. */
  readonly registry?: Registry | undefined;
  /** Start the HTTP sidecar (needs `registry`). */
  readonly isHttp: boolean;
  /** The host in the address the server gives of itself (DevInfo, access strings); its host name by default. `config.advertiseAddress` wins. */
  readonly advertisedHost?: string | undefined;
  /** The server's store (the Tango database's); default: the file store of the config. */
  readonly store?: Store | undefined;
  /** The Tango database the server registers in; none: no database. */
  readonly registration?: ServerRegistry | undefined;
  /** Warnings /readyz adds, read at each probe. */
  readonly readinessWarnings?: () => readonly string[] | undefined;
  /** The admin command Kill replied: the owner should stop the server. */
  readonly onKill: () => void;
}

/** A started stack whose devices are not exported yet: call `server.start()`, then `shutdown()` at the end. @internal */
export interface ServerStack {
  readonly server: DeviceServer;
  readonly grpcPort: number;
  /** Undefined when the sidecar is off. */
  readonly httpPort: number | undefined;
  /** The one shutdown order, within `graceMs` in total. Never throws: failures are logged and returned. */
  shutdown(graceMs: number): Promise<ShutdownOutcome>;
}

/** What the shutdown did: whether a step failed, and the calls it cut. @internal */
export interface ShutdownOutcome {
  /** No step failed and no call was cut. */
  readonly isClean: boolean;
  /** The errors of the steps that failed (each logged), in order. */
  readonly failures: readonly unknown[];
  /** Device server calls still running at the end of the grace period (gRPC streams cut are not counted). */
  readonly cutCalls: number;
}

/**
 * Builds the DeviceServer and starts its gRPC server and (with `isHttp`) the sidecar, which are up
 * before the devices so that liveness answers and readiness says why not meanwhile. The caller
 * then exports the devices with `server.start()`. What had started is stopped when a part fails.
 */
export async function startServerStack(opts: ServerStackOptions): Promise<ServerStack> {
  const { config, logger, registry } = opts;
  let grpc: GrpcServerHandle | undefined;
  let http: HttpServerHandle | undefined;
  let isReady = false;
  const server = new DeviceServer({
    config,
    classes: opts.classes,
    logger,
    ...(opts.logDir === undefined ? {} : { logDir: opts.logDir }),
    ...(opts.access === undefined ? {} : { access: opts.access }),
    ...(opts.store === undefined ? {} : { store: opts.store }),
    ...(opts.registration === undefined ? {} : { registration: opts.registration }),
    onReadyChange: (ready) => {
      isReady = ready;
      grpc?.setServing(DEVICE_SERVICE_NAME, ready);
    },
    onKill: opts.onKill,
  });
  const shutdown = (graceMs: number): Promise<ShutdownOutcome> => shutdownStack(server, grpc, http, logger, graceMs);
  try {
    const version = readPackageVersion();
    if (registry !== undefined) registerTangoMetrics(registry, server, { version });
    grpc = await startGrpcServer({
      api: server.api,
      host: config.grpc.host,
      port: config.grpc.port,
      maxMessageBytes: config.grpc.maxMessageBytes,
      transport: config.grpc.transport,
      limits: config.limits,
      logger,
      ...(registry === undefined ? {} : { registry }),
      ...(opts.tls === undefined ? {} : { tls: opts.tls }),
      access: server.access,
    });
    server.grpcAddress = advertisedAddress(config.advertiseAddress, opts.advertisedHost ?? server.hostName, grpc.port);
    grpc.setServing("", true);
    grpc.setServing(DEVICE_SERVICE_NAME, isReady);
    if (opts.isHttp && registry !== undefined) {
      const warningsOf = opts.readinessWarnings ?? (() => undefined);
      http = await startHttpServer({
        host: config.http.host,
        port: config.http.port,
        registry,
        logger,
        readiness: () => {
          const warnings = warningsOf();
          return warnings === undefined ? server.readiness() : { ...server.readiness(), warnings: [...warnings] };
        },
        version,
        ...(opts.tls === undefined ? {} : { tls: opts.tls }),
        rest: {
          api: server.api,
          adminDevice: server.adminName,
          access: server.access,
          protectReads: config.http.protectReads,
          requestTimeoutMs: config.http.requestTimeoutMs,
        },
      });
    }
  } catch (err) {
    await shutdown(0);
    throw err;
  }
  return { server, grpcPort: grpc.port, httpPort: http?.port, shutdown };
}

/**
 * The one shutdown order (STYLE §4), within one grace period `graceMs` in total: readiness off →
 * the server stops accepting, drains calls until the grace ends and deletes every device → the
 * gRPC server closes (health watches at once), cutting what still runs when the grace is over →
 * the HTTP sidecar closes (probes answer until then) in what is left. Also cleans up after a
 * failed startup, so any part may be missing. A failed step is logged and the later ones still run.
 */
async function shutdownStack(
  server: DeviceServer, grpc: GrpcServerHandle | undefined, http: HttpServerHandle | undefined, log: Logger, graceMs: number,
): Promise<ShutdownOutcome> {
  const endMs = performance.now() + graceMs;
  const leftMs = (): number => Math.max(0, endMs - performance.now());
  grpc?.setServing("", false);
  grpc?.setServing(DEVICE_SERVICE_NAME, false);
  const failures: unknown[] = [];
  let cutCalls = 0;
  let isGrpcClean = true;
  try {
    cutCalls = (await server.shutdown(graceMs)).cutCalls;
  } catch (err) {
    failures.push(err);
    log.error({ err }, "device server shutdown failed");
  }
  try {
    isGrpcClean = (await grpc?.close(leftMs())) ?? true;
    if (!isGrpcClean) log.error({ graceMs }, "gRPC calls still running at the end of the grace period were cut");
  } catch (err) {
    failures.push(err);
    log.error({ err }, "gRPC server close failed");
  }
  try {
    await http?.close(leftMs());
  } catch (err) {
    failures.push(err);
    log.error({ err }, "HTTP server close failed");
  }
  return { isClean: failures.length === 0 && cutCalls === 0 && isGrpcClean, failures, cutCalls };
}
