import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "pino";
import type { CallContext } from "../request-api.js";
import { LockTable, type LockEvent } from "./lock-table.js";

/** Options of ServerLocks. */
export interface ServerLocksOptions {
  readonly log: Logger;
  /** A class property's values (the class's `AllowedAccessCmd`), from the property store. */
  readonly classProperty: (className: string, name: string) => readonly string[] | undefined;
  /** The clock, ms since the epoch (tests pass their own). */
  readonly nowMs?: () => number;
}

/** What ServerLocks.check needs of a device. */
export interface LockedDevice {
  readonly name: string;
  readonly className: string;
}

/**
 * The locks of one server (spec §10.8) and how the request path and the admin device use them:
 * the lock table; the check of each request that changes a device; and who runs the current
 * admin command. The admin device's commands take only their argin, as every device's do, so
 * the request handler runs each admin command inside `runAs(ctx, …)` (an AsyncLocalStorage
 * scoped to that run) and the lock commands and the commands acting on a target device read
 * their caller with `caller()`.
 *
 * @internal
 */
export class ServerLocks {
  readonly table: LockTable;
  readonly #callers = new AsyncLocalStorage<CallContext>();
  readonly #classProperty: ServerLocksOptions["classProperty"];

  constructor(opts: ServerLocksOptions) {
    this.#classProperty = opts.classProperty;
    const log = opts.log;
    this.table = new LockTable({ nowMs: opts.nowMs, onEvent: (e) => logLockEvent(log, e) });
  }

  /**
   * The lock check of a request that changes `device` (spec §5.2 item 2): throws API_DeviceLocked
   * or API_DeviceUnlocked (LockTable.check). `method` is cppTango's operation in the error's
   * origin: `command_inout4`, `write_attributes_4`, `write_read_attributes_5`,
   * `set_attribute_config_5`, `write_pipe_5`, `write_read_pipe_5`, `set_pipe_config_5`, … Give
   * `command` for a command: State and Status are never checked, and the class property
   * `AllowedAccessCmd` lists the commands a locked device still runs for anyone. Requests the
   * server makes itself (no client identity, transport `internal`) are not checked.
   */
  check(ctx: CallContext, device: LockedDevice, method: string, command?: string): void {
    if (ctx.transport === "internal" && ctx.client.pid === undefined) return;
    if (command !== undefined) {
      const lower = command.toLowerCase();
      if (lower === "state" || lower === "status") return;
      this.table.check(device.name, ctx.client, method, () => this.#isAllowed(device.className, lower));
      return;
    }
    this.table.check(device.name, ctx.client, method);
  }

  /** Runs one admin command with `ctx` as its caller (see caller()). */
  runAs<T>(ctx: CallContext, fn: () => T): T {
    return this.#callers.run(ctx, fn);
  }

  /** The caller of the admin command running now; undefined outside one (the process itself). */
  caller(): CallContext | undefined {
    return this.#callers.getStore();
  }

  /**
   * For an admin command acting on `named` (DevRestart, the polling and logging commands):
   * API_DeviceLocked when another client than the caller holds its lock. `command` is cppTango's
   * method name for the origin (`restart`, `add_obj_polling`, …). Nothing is checked outside a
   * client's request.
   */
  checkOwner(named: string, command: string): void {
    const ctx = this.caller();
    if (ctx !== undefined) this.table.checkOwner(named, ctx.client, command);
  }

  #isAllowed(className: string, lowerCommand: string): boolean {
    return this.#classProperty(className, "AllowedAccessCmd")?.some((c) => c.toLowerCase() === lowerCommand) === true;
  }
}

/** Locks taken and ended at info; a forced unlock at warn, naming who forced it (STYLE §6: client values under `client`). */
function logLockEvent(log: Logger, e: LockEvent): void {
  const owner = { host: e.owner.host, pid: e.owner.pid, language: e.owner.language, proxy: e.owner.proxyId, peer: e.owner.peer };
  switch (e.kind) {
    case "locked":
      log.info({ device: e.device, client: owner, counter: e.counter }, "device locked");
      return;
    case "forced":
      log.warn({ device: e.device, client: owner, by: { host: e.by?.host, pid: e.by?.pid, peer: e.by?.peer } }, "device lock forced open");
      return;
    case "unlocked":
      log.info({ device: e.device, client: owner }, "device unlocked");
      return;
    case "expired":
      log.info({ device: e.device, client: owner }, "device lock expired");
      return;
    case "connection":
      log.info({ device: e.device, client: owner }, "device lock ended: the owner's connection closed");
      return;
    case "cleared":
      log.info({ device: e.device, client: owner }, "device lock ended: the server re-initialised its devices");
      return;
  }
}
