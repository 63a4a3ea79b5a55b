import type { Logger } from "pino";
import { Device, DevLong, DevString, DevVarLongStringArray, DevVarStringArray, command } from "../device/index.js";
import type { DevVarLongStringArrayValue } from "../device/index.js";
import { DevFailed, TangoErrors, type DevError } from "../core/index.js";
import { checkAccess } from "./access/access-check.js";
import { Right } from "./access/access-policy.js";
import type { DeviceEntry } from "./device-entry.js";
import { dserverEventCommands, type EventsAdmin } from "./dserver-events.js";
import type { PollingAdmin } from "./dserver-polling.js";
import { LockErrors } from "./locking/lock-errors.js";
import { describeOwner, lockOwnerOf, type LockOwner } from "./locking/lock-owner.js";
import type { ServerLocks } from "./locking/server-locks.js";
import type { CallContext } from "./request-api.js";

/** What the admin device's locking commands use of their server. @internal */
export interface LockingAdmin {
  readonly locks: ServerLocks;
  readonly log: Logger;
  /** The entry of a device of this server; API_DeviceNotFound otherwise. */
  entry(name: string): DeviceEntry;
}

/** The caller of a locking command; API_CantGetClientIdent when the process itself runs it. */
function callerOf(server: LockingAdmin, origin: string): CallContext {
  const ctx = server.locks.caller();
  if (ctx === undefined) throw LockErrors.cantGetClientIdent(origin);
  return ctx;
}

/** The caller as a lock owner; API_ClientTooOld when it sent no identity (no PID). */
function ownerOf(ctx: CallContext, action: string, origin: string): LockOwner {
  const owner = lockOwnerOf(ctx.client);
  if (owner === undefined) throw LockErrors.clientTooOld(action, origin, ctx.transport);
  return owner;
}

/** The access decision on the target device (docs/security.md): WRITE to lock it, ADMIN to force it open. */
function allow(server: LockingAdmin, ctx: CallContext, device: string, need: Right, what: string): void {
  if (ctx.principal !== undefined) checkAccess(ctx, ctx.principal, device, need, what, server.log);
}

/**
 * The admin device's locking commands (spec §10.8, §17) with cppTango 9.3.4's argument layouts,
 * descriptions, results and errors; the lock rules are the server's LockTable. The caller is the
 * client of the admin command (ServerLocks.caller). It extends the event commands; the admin
 * device class extends it.
 */
export function dserverLockingCommands(server: LockingAdmin & EventsAdmin & PollingAdmin): abstract new (...args: ConstructorParameters<typeof Device>) => Device {
  abstract class DServerLocking extends dserverEventCommands(server) {
    @command({ dtypeIn: DevVarLongStringArray, docIn: "Str[0] = Device name. Lg[0] = Lock validity" })
    LockDevice(argin: DevVarLongStringArrayValue): void {
      const origin = "DServer::lock_device";
      if (argin.svalue.length === 0 || argin.lvalue.length === 0) throw TangoErrors.wrongNumberOfArgs(origin);
      const ctx = callerOf(server, origin);
      const owner = ownerOf(ctx, "lock", origin);
      const entry = server.entry(argin.svalue[0] ?? "");
      if (entry.className === "DServer") throw LockErrors.adminUnlockable();
      if (entry.className === "DataBase") throw LockErrors.databaseUnlockable();
      allow(server, ctx, entry.name, Right.WRITE, "Command LockDevice");
      server.locks.table.lock(entry.name, owner, argin.lvalue[0] ?? 0, ctx.connection);
    }

    @command({ dtypeIn: DevVarLongStringArray, dtypeOut: DevLong, docIn: "Str[x] = Device name(s). Lg[0] = Force flag", docOut: "Device global lock counter" })
    UnLockDevice(argin: DevVarLongStringArrayValue): number {
      const origin = "DServer::un_lock_device";
      if (argin.svalue.length === 0 || argin.lvalue.length === 0) throw TangoErrors.wrongNumberOfArgs(origin);
      const ctx = callerOf(server, origin);
      const force = argin.lvalue[0] !== 0;
      // cppTango lets a client without identity force a lock open (it needs no owner).
      if (!force) ownerOf(ctx, "un-lock", origin);
      let counter = 0;
      argin.svalue.forEach((name, i) => {
        const entry = server.entry(name);
        let left = 0;
        if (entry.className !== "DServer") {
          allow(server, ctx, entry.name, force ? Right.ADMIN : Right.WRITE, force ? "Command UnLockDevice (forced)" : "Command UnLockDevice");
          left = server.locks.table.unlock(entry.name, ctx.client, force);
        }
        // cppTango answers the counter when one device is named, and 0 when several are.
        counter = i === 0 ? left : 0;
      });
      return counter;
    }

    @command({ dtypeIn: DevVarStringArray, docIn: "Device(s) name" })
    ReLockDevices(argin: readonly string[]): void {
      const origin = "DServer::re_lock_devices";
      const ctx = callerOf(server, origin);
      ownerOf(ctx, "re_lock", origin);
      // cppTango renews every device it can and gathers the first frame of each failure into one DevFailed.
      const errors: DevError[] = [];
      for (const name of argin) {
        try {
          const entry = server.entry(name);
          allow(server, ctx, entry.name, Right.WRITE, "Command ReLockDevices");
          server.locks.table.relock(entry.name, ctx.client, ctx.connection);
        } catch (err) {
          if (!(err instanceof DevFailed)) throw err;
          errors.push(err.errors[0]);
        }
      }
      const [first, ...rest] = errors;
      if (first !== undefined) throw new DevFailed([first, ...rest]);
    }

    @command({ dtypeIn: DevString, dtypeOut: DevVarLongStringArray, docIn: "Device name", docOut: "Device locking status" })
    DevLockStatus(device: string): DevVarLongStringArrayValue {
      const entry = server.entry(device);
      const lock = server.locks.table.status(entry.name);
      if (lock === undefined) return { lvalue: new Int32Array(6), svalue: [`Device ${entry.name} is not locked`, "Not defined", "Not defined"] };
      const { owner } = lock;
      const isJava = owner.language?.toLowerCase() === "java";
      // lv = [locked, PID, Java UUID ×4]: our clients have no Java UUID.
      return {
        lvalue: Int32Array.of(1, owner.pid, 0, 0, 0, 0),
        svalue: [`Device ${entry.name} is locked by ${describeOwner(owner)}`, owner.peer, isJava ? owner.mainClass ?? "Not defined" : "Not defined"],
      };
    }
  }
  return DServerLocking;
}
