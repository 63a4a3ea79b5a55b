import type { Logger } from "pino";
import { DevFailed, Reason } from "../../core/index.js";
import type { CallContext } from "../request-api.js";
import { Right, type Principal } from "./access-policy.js";

/**
 * Admin-device commands a READ caller may run: queries, and the event subscription commands
 * (subscribing is a read). Every other admin command changes the process (Kill, RestartServer,
 * DevRestart, Init, logging, polling) and needs ADMIN.
 */
const ADMIN_READ_COMMANDS: ReadonlySet<string> = new Set([
  "state", "status", "queryclass", "querydevice", "querysubdevice", "querywizardclassproperty", "querywizarddevproperty",
  "queryeventsystem", "queryeventchannelior", "polleddevice", "devpollstatus", "devlockstatus", "getloggingtarget",
  "getlogginglevel", "zmqeventsubscriptionchange", "eventsubscriptionchange", "eventconfirmsubscription",
]);

/**
 * Admin-device commands whose right is decided on the device they name, inside the command
 * (dserver-locking.ts): WRITE to lock, unlock or relock it, ADMIN to force its lock open.
 */
const TARGET_CHECKED_COMMANDS: ReadonlySet<string> = new Set(["lockdevice", "unlockdevice", "relockdevices"]);

const NAMES = ["NONE", "READ", "WRITE", "ADMIN"] as const;

/**
 * The right a command needs (spec §10.9): on the admin device, READ for its queries, nothing for
 * the locking commands (their target device's right is checked) and ADMIN for the rest; on any other device, READ for State, Status and the class's `AllowedAccessCmd`,
 * WRITE for the rest. `allowed` is asked only when it can matter.
 */
export function commandRight(isAdminDevice: boolean, command: string, allowed: () => readonly string[] | undefined): Right {
  const lower = command.toLowerCase();
  if (isAdminDevice) return ADMIN_READ_COMMANDS.has(lower) ? Right.READ : TARGET_CHECKED_COMMANDS.has(lower) ? Right.NONE : Right.ADMIN;
  if (lower === "state" || lower === "status") return Right.READ;
  return allowed()?.some((c) => c.toLowerCase() === lower) === true ? Right.READ : Right.WRITE;
}

/**
 * The refusal of a request the caller's right does not cover: API_ReadOnlyMode (gRPC
 * PERMISSION_DENIED, HTTP 403) with cppTango's sentence, then who asked and what is needed. An
 * anonymous caller with no right at all is told to authenticate (API_CannotCheckAccessControl).
 */
export function accessRefusal(principal: Principal, have: Right, need: Right, what: string): DevFailed {
  const detail = `${principal.label} has ${NAMES[have]} access to this device; ${NAMES[need]} is needed`;
  if (principal.kind === "anonymous" && have === Right.NONE) {
    return DevFailed.of(Reason.CannotCheckAccessControl,
      `${what} is not authorized without credentials (${detail}); send "authorization: Bearer <token>"`, "AccessControl::check_access");
  }
  return DevFailed.of(Reason.ReadOnlyMode, `${what} is not authorized (${detail})`, "AccessControl::check_access");
}

/**
 * The access decision (DESIGN §11, spec §10.9): throws the refusal when `principal`'s right on
 * `device` is below `need`, and logs who was refused. `what` opens cppTango's sentence
 * ("Command Kill", "Writing attributes"). Costs one cached Map lookup when allowed.
 */
export function checkAccess(ctx: CallContext, principal: Principal, device: string, need: Right, what: string, log: Logger): void {
  const have = principal.rightOn(device);
  if (have >= need) return;
  const err = accessRefusal(principal, have, need, `${what} on device ${device}`);
  log.warn({ identity: principal.label, client: { host: ctx.client.host, peer: ctx.client.peer }, transport: ctx.transport,
    device, reason: err.reason }, `request refused by access control: ${err.errors[0].desc}`);
  throw err;
}
