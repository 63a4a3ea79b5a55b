import { DevFailed, Reason } from "../../core/index.js";

/**
 * A server's way to the DataBase device (spec §15) that server/ sees: src/serve builds it from a
 * client DeviceProxy on `<tangoHost>/sys/database/2#dbase=no`, so that server/ imports no client.
 *
 * @internal
 */
export interface DatabaseLink {
  /** The database's address as configured (`host:port`, or several comma-separated), for messages. */
  readonly tangoHost: string;
  /**
   * Runs a command of the DataBase device: `argin` a DevString or a DevVarStringArray. Resolves
   * with the argout (undefined for DevVoid); rejects with the client's DevFailed, bounded by the
   * link's timeout.
   */
  command(name: string, argin?: string | readonly string[], signal?: AbortSignal): Promise<unknown>;
  /** Closes the connections. */
  close(): void;
}

/** Client reasons (spec §18.2) that mean the database was not reached or did not answer, rather than refused. */
const UNREACHABLE: ReadonlySet<string> = new Set<string>([
  Reason.CantConnectToDevice, Reason.ServerNotRunning, Reason.DeviceTimedOut, Reason.CommunicationFailed,
  Reason.ConnectionFailed, Reason.CorbaException,
]);

/** True when `err` says the database could not be reached (not that it refused the call). @internal */
export function isUnreachable(err: unknown): boolean {
  return err instanceof DevFailed && err.errors.some((e) => UNREACHABLE.has(e.reason));
}

/** The first line of an error's description, for a log field or a readiness reason. @internal */
export function describeFailure(err: unknown): string {
  if (err instanceof DevFailed) {
    const root = err.errors[0];
    return `${root.reason}: ${root.desc.split("\n").join("; ")}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * API_DatabaseAccess for a database call that failed: what was not done, the database's address,
 * and the client's error in words. One frame, so that it is the root reason clients and the
 * adapters see; the client's error stays in `cause`, for the log.
 *
 * @internal
 */
export function databaseAccessFailed(err: unknown, what: string, tangoHost: string, origin: string): DevFailed {
  const where = isUnreachable(err) ? "cannot be reached" : "refused it";
  return new DevFailed([{
    reason: Reason.DatabaseAccess, desc: `${what}: the database at ${tangoHost} ${where} (${describeFailure(err)}). Nothing was changed`, origin,
  }], { cause: err });
}
