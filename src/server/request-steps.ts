import { DevSource, TangoErrors } from "../core/index.js";
import type { BlackBoxRecord } from "./blackbox.js";
import type { CallDetail } from "./call-watch.js";
import { resultDiscarded } from "./hung-recovery.js";
import type { DeviceEntry } from "./device-entry.js";
import type { DeviceServer } from "./device-server.js";
import type { CallContext } from "./request-api.js";
import { checkAccess } from "./access/access-check.js";
import type { Right } from "./access/access-policy.js";

/** Records one request in the device's blackbox (spec §10.7). */
export function record(entry: DeviceEntry, ctx: CallContext, kind: BlackBoxRecord["kind"], what: string, withIdent: boolean, source?: DevSource): void {
  entry.blackbox.record({ timeMs: Date.now(), kind, what, source, client: ctx.client, origin: ctx.origin, withIdent, principal: ctx.principal });
}

/**
 * The steps every request of the request API shares (request-handler.ts, pipe-requests.ts): the
 * device lookup with its metrics and watchdog, the access decision and the lock check.
 */
export class RequestSteps {
  readonly #server: DeviceServer;

  constructor(server: DeviceServer) {
    this.#server = server;
  }

  /**
   * Runs one request of `device`: finds it (a name the server does not know counts as
   * "(unknown)"), counts the request, and counts the error `fn` throws to the client, if any.
   * `detail` (a command, attribute names) is what the watchdog logs of the call; a call whose
   * device was replaced while it hung gets an error instead of its late result.
   */
  async run<T>(device: string | DeviceEntry, operation: number, fn: (entry: DeviceEntry) => T | Promise<T>, detail?: CallDetail): Promise<T> {
    const entry = typeof device === "string" ? this.#server.findEntry(device) : device;
    if (entry === undefined) {
      const unknown = this.#server.unknownDeviceMetrics;
      unknown.countRequest(operation);
      const err = TangoErrors.deviceNotFound(device as string);
      unknown.countFailure(err);
      throw err;
    }
    entry.metrics.countRequest(operation);
    // The watchdog sees every call: hung handlers and event-loop stalls are blamed on it.
    const watch = this.#server.watch;
    const call = watch.begin(entry, operation, detail);
    try {
      const result = await fn(entry);
      if (call.isAbandoned) throw resultDiscarded(call, watch.hungAfterMs);
      return result;
    } catch (err) {
      entry.metrics.countFailure(err);
      throw err;
    } finally {
      watch.end(call);
    }
  }

  /** The access decision (access-check.ts); requests the process makes itself carry no principal. */
  allow(ctx: CallContext, entry: DeviceEntry, need: Right, what: string): void {
    if (ctx.principal !== undefined) checkAccess(ctx, ctx.principal, entry.name, need, what, this.#server.log);
  }

  /**
   * The lock check (spec §5.2 item 2, ServerLocks.check) of a request that changes the device,
   * after the blackbox record and access, before the monitor. `method` is cppTango's operation
   * for the error's origin (`write_pipe_5`, `write_read_pipe_5`, `set_pipe_config_5`, …).
   */
  checkLock(ctx: CallContext, entry: DeviceEntry, method: string, command?: string): void {
    this.#server.locks.check(ctx, entry, method, command);
  }
}
