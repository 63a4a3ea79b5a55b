import { hostname } from "node:os";
import { isIP } from "node:net";
import { CmdArgType, DevFailed, Reason, coerce, type TypedValue } from "../core/index.js";
import { CLIENT_MIN_LOCK_VALIDITY_S, CLIENT_RELOCK_MARGIN_MS } from "../core/defaults.js";
import { ClientErrors } from "./client-errors.js";
import type { Operation } from "./invoker.js";
import type { CallOptions, LockerInfo } from "./types.js";

/** What DeviceLock needs of its proxy. @internal */
export interface LockPort {
  /** The device, lower-case (the proxy's name). */
  readonly device: string;
  /** The PID the proxy sends (its identity's, else the process's). */
  readonly pid: number;
  /** Counts the proxy's connections: a new one means the server has ended the lock (spec §10.8 item 7). */
  readonly generation: number;
  /** Runs a command of the device's admin device on the proxy's own connection, with its identity. */
  adminCommand(command: string, argin: TypedValue, opts?: CallOptions): Promise<unknown>;
}

/** The requests a lock guards on the server (spec §10.8 item 2), by tango.v1.Device method. */
const LOCKED_METHODS: ReadonlySet<string> = new Set([
  "CommandInout", "WriteAttributes", "WriteReadAttributes", "SetAttributeConfig", "WritePipe", "WriteReadPipe", "SetPipeConfig",
]);
/** Commands a lock never guards (spec §5.2 item 2). */
const FREE_COMMANDS: ReadonlySet<string> = new Set(["state", "status"]);
/** Relock refusals that mean the lock is gone (cppTango's LockThread::one_more_lock, plus a device that is gone). */
const GONE_REASONS: ReadonlySet<string> = new Set([
  Reason.DeviceLocked, Reason.DeviceNotLocked, Reason.DeviceNotExported, Reason.DeviceNotFound,
]);
/** cppTango's words for a lock lost with the connection (apiexcept.h). */
const RESTART = "server re-start?";

/** The lock a proxy holds, from its first LockDevice to its last UnLockDevice. */
interface Held {
  readonly validityS: number;
  /** LockDevice calls not yet undone (the server's counter, as far as this proxy knows). */
  counter: number;
  /** The connection it was taken on: the server ends it when that connection closes. */
  readonly generation: number;
}

/** DevLockStatus's reply, split (spec §17). */
interface LockStatus {
  readonly isLocked: boolean;
  readonly text: string;
  readonly longs: Int32Array;
  readonly strings: readonly string[];
}

/**
 * The lock a DeviceProxy holds on its device (spec §10.8): LockDevice, UnLockDevice, ReLockDevices
 * and DevLockStatus through the admin device, sent on the proxy's own connection with its own
 * identity (so the lock ends when that connection closes, and two proxies are two owners); the
 * relock every validity − 0.5 s (cppTango's LockThread) on an unref'd timer; and what happens
 * when the lock goes without an unlock (a forced unlock, a server restart, a new connection):
 * relocking stops and the proxy's next locked call fails with API_DeviceUnlocked, once.
 *
 * @internal
 */
export class DeviceLock {
  readonly #port: LockPort;
  #held: Held | undefined;
  /** Why the lock went without an unlock, until a locked call has been told. */
  #lost: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The relock in flight (it never rejects). */

  constructor(port: LockPort) {
    this.#port = port;
  }

  /** Whether this proxy believes it holds the lock (it has not been told otherwise yet). */
  get isHeld(): boolean {
    this.#noticeNewConnection();
    return this.#held !== undefined;
  }

  /** LockDevice, then relocking in the background. */
  async lock(validityS: number, opts?: CallOptions): Promise<void> {
    if (!Number.isInteger(validityS) || validityS < CLIENT_MIN_LOCK_VALIDITY_S) {
      throw ClientErrors.lockValidityTooShort(CLIENT_MIN_LOCK_VALIDITY_S);
    }
    this.#noticeNewConnection();
    const held = this.#held;
    if (held !== undefined && held.validityS !== validityS) throw ClientErrors.lockValidityChanged(this.#port.device, held.validityS);
    await this.#port.adminCommand("LockDevice", longStrings([validityS], [this.#port.device]), opts);
    const generation = this.#port.generation;
    if (this.#held !== undefined && this.#held.generation === generation) {
      this.#held.counter++;
    } else {
      this.#held = { validityS, counter: 1, generation };
      this.#schedule(this.#held);
    }
    this.#lost = undefined;
  }

  /** UnLockDevice; resolves to the counter the server gives back (0: released). */
  async unlock(force: boolean, opts?: CallOptions): Promise<number> {
    const reply = await this.#port.adminCommand("UnLockDevice", longStrings([force ? 1 : 0], [this.#port.device]), opts);
    const counter = typeof reply === "number" ? reply : 0;
    const held = this.#held;
    if (held !== undefined && counter > 0 && !force) held.counter = counter;
    else this.#drop();
    this.#lost = undefined;
    return counter;
  }

  /** DevLockStatus of the device. */
  async status(opts?: CallOptions): Promise<LockStatus> {
    const reply = await this.#port.adminCommand("DevLockStatus", { type: CmdArgType.DevString, value: this.#port.device }, opts);
    const { lvalue, svalue } = reply as { lvalue: Int32Array; svalue: readonly string[] };
    return { isLocked: (lvalue[0] ?? 0) !== 0, text: svalue[0] ?? "", longs: lvalue, strings: svalue };
  }

  /**
   * Whether the caller owns the lock. DevLockStatus names the owner's PID only, so for a lock
   * with this process's PID the server is asked with ReLockDevices, which only the owner may
   * send (and which re-dates the lock, as the background relock does).
   */
  async isLockedByMe(opts?: CallOptions): Promise<boolean> {
    const status = await this.status(opts);
    if (!status.isLocked || status.longs[1] !== this.#port.pid) {
      if (this.#held !== undefined) this.#lose(status.isLocked ? "locked by another client" : "not locked");
      return false;
    }
    return this.#relock(this.#held, { opts });
  }

  /** The owner of the lock, from DevLockStatus (PyTango's get_locker); undefined when not locked. */
  async locker(opts?: CallOptions): Promise<LockerInfo | undefined> {
    const status = await this.status(opts);
    if (!status.isLocked) return undefined;
    const pid = status.longs[1] ?? 0;
    const address = status.strings[1] ?? "";
    const ip = ipOfAddress(address);
    return {
      language: pid !== 0 ? "CPP" : "JAVA",
      pid,
      uuid: [...status.longs.subarray(2, 6)],
      host: ip === undefined ? address : isLoopback(ip) ? hostname() : ip,
      address,
      lockerClass: status.strings[2] ?? "Not defined",
      status: status.text,
    };
  }

  /**
   * Checks a request as it goes out (ProxyCore.beforeSend): a new connection means the lock has
   * gone; a locked request after the lock went fails with API_DeviceUnlocked, once.
   */
  check(method: string, request: { readonly device: string; readonly command?: unknown }, operation: Operation): void {
    this.#noticeNewConnection();
    if (this.#lost === undefined || !LOCKED_METHODS.has(method) || request.device.toLowerCase() !== this.#port.device) return;
    if (method === "CommandInout" && typeof request.command === "string" && FREE_COMMANDS.has(request.command.toLowerCase())) return;
    const why = this.#lost;
    this.#lost = undefined;
    throw ClientErrors.lockLost(this.#port.device, why, operation.label);
  }

  /**
   * A Tango error from the server (ProxyCore.onServerError). API_DeviceUnlocked means the lock
   * is gone (the client's frame on top then says API_DeviceUnlocked too: `framed`).
   */
  onServerError(df: DevFailed): DevFailed {
    if (df.reason !== Reason.DeviceUnlocked) return df;
    this.#drop();
    this.#lost = undefined;
    return df;
  }

  /** Stops relocking and forgets the lock (the proxy closes its connection, which ends it on the server). */
  close(): void {
    this.#drop();
    this.#lost = undefined;
  }

  #noticeNewConnection(): void {
    if (this.#held !== undefined && this.#held.generation !== this.#port.generation) this.#lose(RESTART);
  }

  #lose(why: string): void {
    this.#drop();
    this.#lost = why;
  }

  #drop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = undefined;
  }

  #schedule(held: Held, sinceMs = 0): void {
    clearTimeout(this.#timer);
    const delayMs = Math.max(0, held.validityS * 1000 - CLIENT_RELOCK_MARGIN_MS - sinceMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // A background relock never rejects (#relock reports its failures by losing the lock).
      void this.#backgroundRelock(held);
    }, delayMs);
    // The relock never keeps a process alive: a lock ends with its process.
    this.#timer.unref();
  }

  async #backgroundRelock(held: Held): Promise<void> {
    const start = Date.now();
    await this.#relock(held, { isBackground: true });
    if (this.#held === held) this.#schedule(held, Date.now() - start);
  }

  /**
   * ReLockDevices for the device: true when the server re-dated the caller's lock. A refusal
   * that means the lock is gone (or a new connection) loses a lock this proxy held; any other
   * failure (a timeout, say) is left to the next relock in the background, as cppTango's
   * LockThread does, and rejects otherwise.
   */
  async #relock(held: Held | undefined, how: { readonly opts?: CallOptions; readonly isBackground?: boolean }): Promise<boolean> {
    try {
      await this.#port.adminCommand("ReLockDevices", { type: CmdArgType.DevVarStringArray, value: [this.#port.device] }, how.opts);
      return true;
    } catch (err) {
      const refusal = err instanceof DevFailed ? err.errors.find((e) => GONE_REASONS.has(e.reason)) : undefined;
      if (refusal !== undefined) {
        if (held !== undefined && this.#held === held) this.#lose(`relock refused, ${refusal.reason}`);
        return false;
      }
      // A server that went away took the lock with the connection.
      this.#noticeNewConnection();
      if (how.isBackground !== true) throw err;
      return false;
    }
  }
}

function longStrings(lvalue: readonly number[], svalue: readonly string[]): TypedValue {
  return { type: CmdArgType.DevVarLongStringArray, value: coerce(CmdArgType.DevVarLongStringArray, { lvalue, svalue }) };
}

/**
 * The IP address in a locker address as servers give it: `giop:tcp:10.0.0.1:50744` and
 * `giop:tcp:[::ffff:10.0.0.1]:1` (cppTango), `ipv4:10.0.0.1:1`, `ipv6:[::1]:1`, `10.0.0.1:1`,
 * `[::1]:1` (gRPC peers). Undefined for anything else (`Not defined`).
 */
export function ipOfAddress(address: string): string | undefined {
  const rest = address.replace(/^giop:tcp:/, "").replace(/^ipv[46]:/, "");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(rest);
  let ip = bracketed?.[1] ?? rest.replace(/:\d+$/, "");
  if (ip.toLowerCase().startsWith("::ffff:") && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  return isIP(ip) === 0 ? undefined : ip;
}

function isLoopback(ip: string): boolean {
  return ip === "::1" || (isIP(ip) === 4 && ip.startsWith("127."));
}
