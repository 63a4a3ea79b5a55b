import type { Logger } from "pino";
import { Registry } from "prom-client";
import { DevFailed, Reason } from "../core/index.js";
import { DEVICE_SERVICE_NAME, startGrpcServer, type GrpcServerHandle } from "../grpc/index.js";
import { startHttpServer, type HttpServerHandle } from "../http/index.js";
import { registerTangoMetrics } from "../metrics/index.js";
import { DeviceServer, type DeviceClass, type ServerConfig } from "../server/index.js";
import { readPackageVersion } from "../cli/version.js";

/*
 * How a test context runs its server: the serve path of src/cli/serve.ts without the process
 * around it (no signals, no stdout log, no exit code), every port on 127.0.0.1 picked by the OS.
 * Kept in this one module so that a shared start function can replace it.
 */

/** What startInProcess needs. @internal */
export interface InProcessOptions {
  readonly config: Readonly<ServerConfig>;
  readonly classes: ReadonlyMap<string, DeviceClass>;
  readonly logger: Logger;
  /** Start the HTTP sidecar too. */
  readonly isHttp: boolean;
  /** Longest wait for the devices' initDevice, ms. */
  readonly startTimeoutMs: number;
  /** The admin command Kill replied: the owner should stop the server. */
  readonly onKill: () => void;
  /** Names the context in messages ("DeviceTestContext"). */
  readonly what: string;
}

/** A server running in this process. @internal */
export interface InProcessServer {
  readonly server: DeviceServer;
  readonly grpcPort: number;
  /** Undefined when the sidecar is off. */
  readonly httpPort: number | undefined;
  /** The shutdown of serve.ts: devices deleted, then the gRPC server, then the sidecar; each step bounded by `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Starts a DeviceServer with its gRPC server (and the HTTP sidecar when asked), and waits until
 * every device is exported. Anything that fails (a port, an initDevice, the start timeout) stops
 * what was started before the promise rejects, so nothing is left running.
 *
 * @throws DevFailed the failed device's error stack, with API_InitThrowsException on top naming it.
 * @throws Error when the devices are not exported within `startTimeoutMs`.
 */
export async function startInProcess(opts: InProcessOptions): Promise<InProcessServer> {
  const { config, logger } = opts;
  let grpc: GrpcServerHandle | undefined;
  let http: HttpServerHandle | undefined;
  const server = new DeviceServer({
    config, classes: opts.classes, logger,
    onReadyChange: (isReady) => grpc?.setServing(DEVICE_SERVICE_NAME, isReady),
    onKill: opts.onKill,
  });
  const stop = async (graceMs: number): Promise<void> => {
    grpc?.setServing(DEVICE_SERVICE_NAME, false);
    // Each step runs whatever the one before did; the first failure is the one reported.
    const failures: unknown[] = [];
    const step = async (work: () => Promise<unknown> | undefined): Promise<void> => {
      try {
        await work();
      } catch (err) {
        failures.push(err);
      }
    };
    await step(() => server.shutdown(graceMs));
    await step(async () => {
      if (await grpc?.close(graceMs) === false) logger.error({ graceMs }, "gRPC calls still running at the end of the grace period were cut");
    });
    await step(() => http?.close(graceMs));
    if (failures.length > 0) throw failures[0];
  };
  // The one registry of the server (DESIGN §4), only when the sidecar serves it.
  const registry = opts.isHttp ? new Registry() : undefined;
  try {
    grpc = await startGrpcServer({
      api: server.api, host: config.grpc.host, port: config.grpc.port, maxMessageBytes: config.grpc.maxMessageBytes,
      logger, access: server.access, ...(registry === undefined ? {} : { registry }),
    });
    server.grpcAddress = `${config.grpc.host}:${grpc.port}`;
    if (registry !== undefined) http = await startSidecar(server, registry, logger);
    await withTimeout(server.start(), opts.startTimeoutMs, () => stuckMessage(opts.what, server, opts.startTimeoutMs));
    const failed = server.userDevices().find((e) => e.device === undefined);
    if (failed !== undefined) {
      throw DevFailed.from(failed.initError, `${failed.className}::init_device`).withFrame({
        reason: Reason.InitThrowsException,
        desc: `${opts.what} could not start device ${failed.name} of class ${failed.className}: its initDevice failed`,
        origin: `${opts.what}::start`,
      });
    }
  } catch (err) {
    await stop(0).catch((stopErr: unknown) => logger.error({ err: stopErr }, "stopping a test server that failed to start failed"));
    throw err;
  }
  return { server, grpcPort: grpc.port, httpPort: http?.port, stop };
}

/** The sidecar as serve.ts starts it, serving the registry the gRPC side writes to. */
async function startSidecar(server: DeviceServer, registry: Registry, logger: Logger): Promise<HttpServerHandle> {
  const version = readPackageVersion();
  registerTangoMetrics(registry, server, { version });
  return startHttpServer({
    host: server.config.http.host, port: server.config.http.port, registry, logger, version,
    readiness: () => server.readiness(),
    rest: {
      api: server.api, adminDevice: server.adminName, access: server.access,
      protectReads: server.config.http.protectReads, requestTimeoutMs: server.config.http.requestTimeoutMs,
    },
  });
}

/** Which device's initDevice has not returned. */
function stuckMessage(what: string, server: DeviceServer, timeoutMs: number): string {
  const stuck = server.userDevices().find((e) => e.device === undefined && e.initError === undefined);
  const which = stuck === undefined ? "the server did not finish starting" : `initDevice of ${stuck.name} has not returned`;
  return `${what} did not start within ${timeoutMs} ms: ${which} (option startTimeoutMs)`;
}

/** `work`, or an Error with `message()` after `timeoutMs`; the timer never outlives the race. */
async function withTimeout<T>(work: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), timeoutMs);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
