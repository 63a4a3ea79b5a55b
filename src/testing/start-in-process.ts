import type { Logger } from "pino";
import { Registry } from "prom-client";
import { DevFailed, Reason } from "../core/index.js";
import type { DeviceClass, DeviceServer, ServerConfig } from "../server/index.js";
import { startServerStack } from "../serve/server-stack.js";

/*
 * How a test context runs its server: the server stack `tango-grpc serve` runs (src/serve/
 * server-stack.ts) without the process around it (no signals, no stdout log, no exit code), every
 * port on 127.0.0.1 picked by the OS, and a start that must end within a time and export every
 * device.
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
  const stack = await startServerStack({
    config, classes: opts.classes, logger, isHttp: opts.isHttp, onKill: opts.onKill,
    // The one registry of the server (DESIGN §4), only when the sidecar serves it.
    registry: opts.isHttp ? new Registry() : undefined,
    advertisedHost: config.grpc.host,
  });
  const { server } = stack;
  const stop = async (graceMs: number): Promise<void> => {
    const { failures } = await stack.shutdown(graceMs);
    if (failures.length > 0) throw failures[0];
  };
  try {
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
    await stack.shutdown(0);
    throw err;
  }
  return { server, grpcPort: stack.grpcPort, httpPort: stack.httpPort, stop };
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
