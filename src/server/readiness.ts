import type { DeviceEntry } from "./device-entry.js";
import { describeHung } from "./hung-recovery.js";

/** See DeviceServer.readiness. */
export interface Readiness {
  readonly isReady: boolean;
  readonly reason: string;
  /** What an operator should know though the server is ready (an open server on a public address). */
  readonly warnings?: readonly string[];
}

/** What readiness is computed from. @internal */
export interface ReadinessState {
  readonly isShuttingDown: boolean;
  /** Every user device exported, and no restart under way. */
  readonly isExported: boolean;
  readonly serverId: string;
  /** User devices in config order. */
  readonly userDevices: readonly DeviceEntry[];
  /** Every device, the admin device included (its handler may hang too). */
  readonly allDevices: readonly DeviceEntry[];
  readonly hungAfterMs: number;
  /** Why the export has not begun: the server waits for its database (ServerRegistry.pendingReason). */
  readonly pending?: string | undefined;
}

/**
 * Whether the server is ready, and in words why not: shutting down, waiting for the database, a
 * device whose init failed, or devices still being exported. A hung device is named in the
 * reason, but does not make the server unready: the admin device must stay reachable (through a
 * Kubernetes Service too) so that DevRestart or Init can replace it.
 *
 * @internal
 */
export function readinessOf(s: ReadinessState): Readiness {
  if (s.isShuttingDown) return { isReady: false, reason: "the device server is shutting down" };
  if (s.pending !== undefined) return { isReady: false, reason: s.pending };
  const hung = describeHung(s.allDevices, s.hungAfterMs);
  const withHung = (text: string): string => (hung === "" ? text : `${text}; ${hung}`);
  if (s.isExported) return { isReady: true, reason: withHung(`every device of ${s.serverId} is exported`) };
  const failed = s.userDevices.find((e) => e.device === undefined && e.initError !== undefined);
  if (failed !== undefined) {
    const cause = failed.initError instanceof Error ? failed.initError.message : String(failed.initError);
    return { isReady: false, reason: withHung(`device ${failed.name} is not exported: its init failed (${cause})`) };
  }
  return { isReady: false, reason: withHung("the devices are being exported") };
}
