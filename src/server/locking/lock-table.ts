import type { ClientIdentity, Connection } from "../request-api.js";
import { LockErrors } from "./lock-errors.js";
import { ownerKeyOf, type LockOwner } from "./lock-owner.js";

/** How a lock ended: its owner released it, it was forced open, it expired, its owner's connection closed, or the server re-initialised. */
export type LockEnd = "unlocked" | "forced" | "expired" | "connection" | "cleared";

/** What happened to a lock, for the server's log and metrics. */
export interface LockEvent {
  readonly kind: "locked" | LockEnd;
  /** The device's configured name. */
  readonly device: string;
  readonly owner: LockOwner;
  /** The lock counter after the event (0 once it ended). */
  readonly counter: number;
  /** Who forced the lock open (kind `forced`). */
  readonly by?: ClientIdentity;
}

/** A valid lock as DevLockStatus reports it. */
export interface LockState {
  readonly owner: LockOwner;
  /** When it was last taken or renewed, ms since the epoch. */
  readonly dateMs: number;
  readonly validityS: number;
  readonly counter: number;
}

interface Lock {
  readonly device: string;
  readonly owner: LockOwner;
  dateMs: number;
  validityS: number;
  counter: number;
  /** The connection the owner last locked or renewed on, watched for its close. */
  connection: Connection | undefined;
  stopWatching: (() => void) | undefined;
}

/** Options of a LockTable. */
export interface LockTableOptions {
  /** The clock, ms since the epoch (tests pass their own). */
  readonly nowMs?: () => number;
  /** Told of every lock taken and ended; must not throw. */
  readonly onEvent?: (event: LockEvent) => void;
}

/**
 * The device locks of one server (spec §10.8, cppTango's `DeviceImpl::lock`, `relock`, `unlock`,
 * `check_lock` and `DServer::check_lock_owner`): at most one lock per device, its owner, date,
 * counter and validity. A lock is valid while now ≤ date + validity; an expired one is dropped,
 * silently, when next looked at. Devices are named as configured and found in any case.
 *
 * As cppTango, the table remembers one previous owner per device when a lock is forced open (and,
 * beyond cppTango, when the owner's connection closes): that client's checked requests then fail
 * with API_DeviceUnlocked until a checked request from another client clears the mark.
 *
 * @internal
 */
export class LockTable {
  readonly #locks = new Map<string, Lock>();
  /** Device (lower case) → the owner key of the lock last forced open on it. */
  readonly #previousOwners = new Map<string, string>();
  readonly #nowMs: () => number;
  readonly #onEvent: (event: LockEvent) => void;

  constructor(opts: LockTableOptions = {}) {
    this.#nowMs = opts.nowMs ?? Date.now;
    this.#onEvent = opts.onEvent ?? (() => undefined);
  }

  /**
   * LockDevice: takes the lock for `owner`, or renews it (new date and validity, counter + 1) when
   * `owner` holds it already; API_DeviceLocked when another client holds a valid lock. With a
   * `connection`, the lock ends when it closes.
   */
  lock(device: string, owner: LockOwner, validityS: number, connection?: Connection): void {
    const key = device.toLowerCase();
    let lock = this.#valid(key);
    if (lock !== undefined && lock.owner.key !== owner.key) throw LockErrors.alreadyLocked(device);
    if (lock === undefined) {
      lock = { device, owner, dateMs: 0, validityS, counter: 0, connection: undefined, stopWatching: undefined };
      this.#locks.set(key, lock);
    }
    lock.dateMs = this.#nowMs();
    lock.validityS = validityS;
    lock.counter++;
    this.#onEvent({ kind: "locked", device: lock.device, owner: lock.owner, counter: lock.counter });
    this.#watch(key, lock, connection);
  }

  /** ReLockDevices for one device: re-dates the caller's valid lock; API_DeviceNotLocked or API_DeviceLocked otherwise. */
  relock(device: string, caller: ClientIdentity, connection?: Connection): void {
    const key = device.toLowerCase();
    const lock = this.#valid(key);
    if (lock === undefined) throw LockErrors.notLocked(device);
    if (lock.owner.key !== ownerKeyOf(caller)) throw LockErrors.relockedByOther(device);
    lock.dateMs = this.#nowMs();
    this.#watch(key, lock, connection);
  }

  /**
   * UnLockDevice for one device: the owner's unlock takes one off the counter and releases the lock
   * at 0; `force` releases it whoever asks, and marks the owner as its previous owner. Returns the
   * counter left (0 when released or not locked). API_DeviceLocked for a non-owner without force.
   */
  unlock(device: string, caller: ClientIdentity, force: boolean): number {
    const key = device.toLowerCase();
    const lock = this.#valid(key);
    if (lock === undefined) {
      // cppTango's forced unlock of an unlocked device forgets the previous owner too.
      if (force) this.#previousOwners.delete(key);
      return 0;
    }
    if (!force && lock.owner.key !== ownerKeyOf(caller)) throw LockErrors.unlockByOther(device);
    lock.counter--;
    if (lock.counter > 0 && !force) return lock.counter;
    this.#end(key, lock, force ? "forced" : "unlocked", force ? caller : undefined);
    return 0;
  }

  /** The valid lock of a device, if any. */
  status(device: string): LockState | undefined {
    const lock = this.#valid(device.toLowerCase());
    return lock === undefined ? undefined : { owner: lock.owner, dateMs: lock.dateMs, validityS: lock.validityS, counter: lock.counter };
  }

  /**
   * The lock check of a request that changes the device (spec §5.2 item 2, cppTango's
   * `check_lock`): API_DeviceLocked when another client holds a valid lock (unless
   * `isAllowedCommand`: the class's AllowedAccessCmd), API_DeviceUnlocked for the previous owner of
   * a lock forced open. `method` is cppTango's operation name for the origin (`command_inout4`,
   * `write_attributes_4`, …). Costs two Map sizes while no device is locked.
   */
  check(device: string, caller: ClientIdentity, method: string, isAllowedCommand?: () => boolean): void {
    if (this.#locks.size === 0 && this.#previousOwners.size === 0) return;
    const key = device.toLowerCase();
    const lock = this.#locks.get(key);
    if (lock !== undefined) {
      if (this.#isValid(lock)) {
        if (lock.owner.key !== ownerKeyOf(caller) && isAllowedCommand?.() !== true) throw LockErrors.locked(device, method);
      } else {
        // cppTango drops the expired lock and lets this request through without looking at the previous owner.
        this.#end(key, lock, "expired");
      }
      return;
    }
    const previous = this.#previousOwners.get(key);
    if (previous === undefined) return;
    if (previous === ownerKeyOf(caller)) throw LockErrors.unlocked(device, method);
    this.#previousOwners.delete(key);
  }

  /**
   * The check of an admin command acting on a device (cppTango's `DServer::check_lock_owner`):
   * API_DeviceLocked when another client holds a valid lock on it. `named` is the device as the
   * caller wrote it (cppTango's message repeats it); `command` is cppTango's method name.
   */
  checkOwner(named: string, caller: ClientIdentity, command: string): void {
    if (this.#locks.size === 0) return;
    const lock = this.#valid(named.toLowerCase());
    if (lock !== undefined && lock.owner.key !== ownerKeyOf(caller)) throw LockErrors.lockedForAdmin(named, command);
  }

  /** The configured names of the devices with a valid lock (the `tango_device_locked` gauge). */
  lockedDevices(): string[] {
    const out: string[] = [];
    for (const lock of this.#locks.values()) if (this.#isValid(lock)) out.push(lock.device);
    return out;
  }

  /** Ends every lock and forgets every previous owner: the admin device's Init rebuilds all devices (spec §10.8 item 7). */
  clear(): void {
    for (const [key, lock] of [...this.#locks]) this.#end(key, lock, "cleared");
    this.#previousOwners.clear();
  }

  #isValid(lock: Lock): boolean {
    return this.#nowMs() <= lock.dateMs + lock.validityS * 1000;
  }

  /** The device's lock when valid; an expired one is dropped. */
  #valid(key: string): Lock | undefined {
    const lock = this.#locks.get(key);
    if (lock === undefined || this.#isValid(lock)) return lock;
    this.#end(key, lock, "expired");
    return undefined;
  }

  /** Watches the connection the owner last used (none: keep watching the one before). */
  #watch(key: string, lock: Lock, connection: Connection | undefined): void {
    if (connection === undefined || connection === lock.connection) return;
    lock.stopWatching?.();
    lock.connection = connection;
    // Called at once when the connection closed while the request ran.
    lock.stopWatching = connection.onClose(() => {
      if (this.#locks.get(key) === lock) this.#end(key, lock, "connection");
    });
  }

  #end(key: string, lock: Lock, kind: LockEnd, by?: ClientIdentity): void {
    this.#locks.delete(key);
    lock.stopWatching?.();
    lock.stopWatching = undefined;
    if (kind === "forced" || kind === "connection") this.#previousOwners.set(key, lock.owner.key);
    this.#onEvent({ kind, device: lock.device, owner: lock.owner, counter: 0, by });
  }
}
