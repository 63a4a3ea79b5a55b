import type { Logger } from "pino";
import { DevFailed, Reason } from "../../core/index.js";
import { describeFailure } from "./database-link.js";
import type { AdminImport } from "./server-cache.js";

/*
 * cppTango's Util::server_already_running (utils.cpp), run at start with a database before
 * anything is exported: the admin device's import, which heads the reply of
 * DbGetDataForServerCache (cppTango's DbServerCache::import_adm_dev, so no call of its own, as
 * the reference's start sequence shows), says where the database has it; when it has it exported and that admin device answers at the registered address, another
 * process is this server, and this one refuses to start with cppTango's words. A registration
 * nothing answers (a server killed with SIGKILL, whose address now refuses connections or belongs
 * to another server) does not stop the start; it is exported again over.
 */

/** cppTango's words when the registered admin device answers. */
export const ALREADY_RUNNING = "This server is already running, exiting!";
/** cppTango's words when it does not answer in time (NO_RESPONSE: a process stopped or hung). */
export const ALREADY_RUNNING_BLOCKED = "This server is already running but is blocked!";

/** A tango-grpc registration: what DbExportDevice got as the "IOR" (server-registration.ts). */
const GRPC_IOR = /^(grpcs?):\/\/(.+)$/i;

/** Where the database says the admin device is: `host:port`, with TLS or not. */
export interface RegisteredAddress {
  readonly address: string;
  readonly isTls: boolean;
}

/**
 * A Ping of the admin device `adminName` at `at`, bounded by the client's timeout: resolves when
 * it answers; rejects with the client's DevFailed otherwise (API_DeviceTimedOut when nothing
 * answered in time). src/serve gives it (server/ has no client).
 *
 * @internal
 */
export type AdminPing = (at: RegisteredAddress, adminName: string, signal: AbortSignal) => Promise<void>;

/**
 * The start refused: another process is this server (`isBlocked`: it did not answer in time). Its
 * message is cppTango's words, then where the other one runs. Not a DevFailed: it ends the process, no client sees it.
 *
 * @internal
 */
export class ServerAlreadyRunning extends Error {
  override readonly name = "ServerAlreadyRunning";

  constructor(readonly isBlocked: boolean, readonly adminName: string, readonly ior: string, readonly host: string, readonly pid: number) {
    super(isBlocked
      ? `${ALREADY_RUNNING_BLOCKED} The Tango database has ${adminName} exported at ${ior} (host ${host}, pid ${pid}), and it did not answer a ping in time.`
      : `${ALREADY_RUNNING} ${adminName} answers at ${ior} (host ${host}, pid ${pid}), where the Tango database has it exported.`);
  }
}

/** What refuseIfAlreadyRunning needs. @internal */
export interface AlreadyRunningCheck {
  /** `dserver/<server>/<instance>`. */
  readonly adminName: string;
  readonly ping: AdminPing;
  readonly log: Logger;
}

/**
 * Throws ServerAlreadyRunning when the database has this server's admin device exported
 * (`admin`, from the server cache; undefined when the database does not know the server) and it
 * answers there (cppTango's "already running"), or does not answer in time ("blocked").
 * Resolves when it is not exported, registered by a server that is not tango-grpc's (a CORBA
 * IOR: it cannot be pinged from here), or registered at an address where it does not answer (a
 * stale registration). A server restarted on the address it had (a container restarted after
 * kill -9) reaches itself there: it already listens, but its admin device is not exported yet and
 * answers API_DeviceNotFound, which counts as stale.
 *
 * @internal
 */
export async function refuseIfAlreadyRunning(admin: AdminImport | undefined, check: AlreadyRunningCheck, signal: AbortSignal): Promise<void> {
  const { adminName, log } = check;
  if (admin === undefined || !admin.isExported) return;
  const { ior, host, pid } = admin;
  const m = GRPC_IOR.exec(ior.trim());
  if (m === null) {
    log.info({ adminName, ior }, "the database has this server exported by a server that is not tango-grpc; it is not asked whether it runs");
    return;
  }
  const at: RegisteredAddress = { address: m[2] ?? "", isTls: m[1]?.toLowerCase() === "grpcs" };
  try {
    await check.ping(at, adminName, signal);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (err instanceof DevFailed && err.errors.some((e) => e.reason === Reason.DeviceTimedOut)) {
      throw new ServerAlreadyRunning(true, adminName, ior, host, pid);
    }
    log.info({ ior, host, pid, error: describeFailure(err) }, "the database has this server exported, but it does not answer there: a stale registration, replaced");
    return;
  }
  throw new ServerAlreadyRunning(false, adminName, ior, host, pid);
}
