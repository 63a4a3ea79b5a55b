import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { DevFailed, Reason } from "../../src/core/index.js";
import { loadTangoProto } from "../../src/grpc/index.js";
import type { AccessServer, Caller, Outcome } from "./access-server.js";
import { waitFor } from "./wait-for.js";

/**
 * The tables of the access tests: every tango.v1.Device RPC, every admin command and every
 * mutating REST route with the right it needs, and the checks that run them for a list of
 * callers. Token callers (access-grpc, access-routes) and certificate callers (access-mtls) go
 * through the same tables and the same assertions, so the two cannot drift apart.
 */

export const DEV = "sys/tg_test/1";
export const LAB = "lab/tg_test/1";
/** The admin device of the access test server (startAccessServer: server Access, instance t). */
export const ADMIN = "dserver/Access/t";
const API = "/api/v1";

export const RANK = { NONE: 0, READ: 1, WRITE: 2, ADMIN: 3 } as const;
export type RightName = keyof typeof RANK;

/** A row of callers: who calls, and the right it has on DEV and on the admin device. */
export interface TableCaller {
  readonly name: string;
  readonly as: Caller;
  readonly right: RightName;
}

const ACCESS_REASONS: readonly string[] = [Reason.ReadOnlyMode, Reason.CannotCheckAccessControl];

/** The root cause of a failed call, as a DevError. */
export function rootOf(o: Outcome): { reason: string; desc: string } | undefined {
  if (o.ok || o.error === undefined) return undefined;
  return o.error instanceof DevFailed ? o.error.errors[0] : o.error.errors[0].errors[0];
}

/** Whether the access control refused the call (any other failure means the call got past it). */
export function isRefused(o: Outcome): boolean {
  return ACCESS_REASONS.includes(rootOf(o)?.reason ?? "");
}

export function expectReadOnly(o: Outcome, what: string): void {
  expect(o.ok, `${what} should be refused`).to.equal(false);
  if (o.ok) return;
  expect(o.code, `${what}: ${o.details}`).to.equal(grpc.status.PERMISSION_DENIED);
  expect(rootOf(o)?.reason, what).to.equal(Reason.ReadOnlyMode);
}

/** The reason of the root cause in a REST error body. */
export function reasonOf(body: unknown): string | undefined {
  return (body as { errors?: Array<{ reason?: string }> }).errors?.[0]?.reason;
}

/**
 * Every tango.v1.Device RPC, with a request that passes decoding, and the right it needs on the
 * device. Subscribe is the stream, checked apart.
 */
export const RPCS: ReadonlyArray<{ method: string; req: object; right: "READ" | "WRITE" }> = [
  { method: "Ping", req: { device: DEV }, right: "READ" },
  { method: "Info", req: { device: DEV }, right: "READ" },
  { method: "State", req: { device: DEV }, right: "READ" },
  { method: "Status", req: { device: DEV }, right: "READ" },
  { method: "BlackBox", req: { device: DEV, n: 5 }, right: "READ" },
  { method: "CommandInout", req: { device: DEV, command: "DumpExecutionState" }, right: "WRITE" },
  { method: "CommandListQuery", req: { device: DEV }, right: "READ" },
  { method: "CommandQuery", req: { device: DEV, command: "DevDouble" }, right: "READ" },
  { method: "ReadAttributes", req: { device: DEV, names: ["long_scalar"] }, right: "READ" },
  { method: "WriteAttributes", req: { device: DEV, values: [] }, right: "WRITE" },
  { method: "WriteReadAttributes", req: { device: DEV, values: [], names: ["long_scalar"] }, right: "WRITE" },
  { method: "GetAttributeConfig", req: { device: DEV, names: ["long_scalar"] }, right: "READ" },
  { method: "SetAttributeConfig", req: { device: DEV, configs: [{ name: "long_scalar", description: "changed" }] }, right: "WRITE" },
  { method: "GetProperty", req: { device: DEV, names: [] }, right: "READ" },
  { method: "PutProperty", req: { device: DEV, properties: [{ name: "p", values: ["1"] }] }, right: "WRITE" },
  { method: "DeleteProperty", req: { device: DEV, names: ["p"] }, right: "WRITE" },
  { method: "ReadAttributeHistory", req: { device: DEV, name: "long_scalar", n: 1 }, right: "READ" },
  { method: "CommandInoutHistory", req: { device: DEV, name: "DevDouble", n: 1 }, right: "READ" },
  { method: "GetPipeConfig", req: { device: DEV, names: [] }, right: "READ" },
  { method: "SetPipeConfig", req: { device: DEV, configs: [{ name: "rw_pipe", description: "changed" }] }, right: "WRITE" },
  { method: "ReadPipe", req: { device: DEV, name: "rw_pipe" }, right: "READ" },
  { method: "WritePipe", req: { device: DEV, name: "rw_pipe", blob: { name: "", elements: [{ name: "x", value: { type: 5, double_value: 1 } }] } }, right: "WRITE" },
  { method: "WriteReadPipe", req: { device: DEV, name: "rw_pipe", blob: { name: "", elements: [{ name: "x", value: { type: 5, double_value: 1 } }] } }, right: "WRITE" },
];

/**
 * Every admin command and the right it needs on the admin device: queries and event subscription
 * READ, the locking commands none (the right on the device they name is checked, see
 * test/e2e/access-grpc.test.ts), the rest ADMIN.
 */
export const ADMIN_COMMANDS: Readonly<Record<string, "NONE" | "READ" | "ADMIN">> = {
  State: "READ", Status: "READ", QueryClass: "READ", QueryDevice: "READ", QuerySubDevice: "READ",
  QueryWizardClassProperty: "READ", QueryWizardDevProperty: "READ", PolledDevice: "READ", DevPollStatus: "READ",
  GetLoggingTarget: "READ", GetLoggingLevel: "READ", ZmqEventSubscriptionChange: "READ", EventSubscriptionChange: "READ",
  EventConfirmSubscription: "READ", DevLockStatus: "READ",
  LockDevice: "NONE", UnLockDevice: "NONE", ReLockDevices: "NONE",
  Init: "ADMIN", DevRestart: "ADMIN", RestartServer: "ADMIN", Kill: "ADMIN", AddObjPolling: "ADMIN",
  UpdObjPollingPeriod: "ADMIN", RemObjPolling: "ADMIN", StartPolling: "ADMIN", StopPolling: "ADMIN",
  AddLoggingTarget: "ADMIN", RemoveLoggingTarget: "ADMIN", SetLoggingLevel: "ADMIN", StopLogging: "ADMIN", StartLogging: "ADMIN",
};

/** Every mutating REST route (by its registered URL), a request to it, and the right it needs. */
export const MUTATING_ROUTES: Readonly<Record<string, { method: string; path: string; body?: unknown; right: "READ" | "WRITE" | "ADMIN" }>> = {
  "POST /api/v1/admin/commands/:command": { method: "POST", path: `${API}/admin/commands/StopPolling`, right: "ADMIN" },
  "POST /api/v1/admin/devices/:domain/:family/:member/restart": { method: "POST", path: `${API}/admin/devices/${DEV}/restart`, right: "ADMIN" },
  "POST /api/v1/admin/init": { method: "POST", path: `${API}/admin/init`, right: "ADMIN" },
  "POST /api/v1/admin/restart": { method: "POST", path: `${API}/admin/restart`, right: "ADMIN" },
  "POST /api/v1/admin/kill": { method: "POST", path: `${API}/admin/kill`, right: "ADMIN" },
  "POST /api/v1/admin/logging/levels": { method: "POST", path: `${API}/admin/logging/levels`, body: [{ device: DEV, level: 5 }], right: "ADMIN" },
  "POST /api/v1/admin/logging/targets": { method: "POST", path: `${API}/admin/logging/targets`, body: { device: DEV, target: "console::cout" }, right: "ADMIN" },
  "DELETE /api/v1/admin/logging/targets": { method: "DELETE", path: `${API}/admin/logging/targets?device=${DEV}&target=console::cout`, right: "ADMIN" },
  "POST /api/v1/admin/logging/start": { method: "POST", path: `${API}/admin/logging/start`, right: "ADMIN" },
  "POST /api/v1/admin/logging/stop": { method: "POST", path: `${API}/admin/logging/stop`, right: "ADMIN" },
  "DELETE /api/v1/admin/devices/:domain/:family/:member/lock": { method: "DELETE", path: `${API}/admin/devices/${DEV}/lock`, right: "ADMIN" },
  "PUT /api/v1/devices/:domain/:family/:member/attributes/:attr/value": { method: "PUT", path: `${API}/devices/${DEV}/attributes/long_scalar_w/value`, body: 5, right: "WRITE" },
  "PUT /api/v1/devices/:domain/:family/:member/commands/:cmd": { method: "PUT", path: `${API}/devices/${DEV}/commands/DumpExecutionState`, right: "WRITE" },
  "PUT /api/v1/devices/:domain/:family/:member/pipes/:pipe/value": { method: "PUT", path: `${API}/devices/${DEV}/pipes/rw_pipe/value`, body: { x: 1 }, right: "WRITE" },
};

/** Asserts that `o` got past the access control when the caller's right covers `need`, and was refused with API_ReadOnlyMode otherwise. */
function expectDecision(o: Outcome, caller: TableCaller, need: RightName, what: string): void {
  if (RANK[caller.right] >= RANK[need]) expect(isRefused(o), `${what} ${o.ok ? "" : o.details}`).to.equal(false);
  else expectReadOnly(o, what);
}

/** Runs every tango.v1.Device RPC (but Subscribe) as each caller. */
export async function checkEveryRpc(s: AccessServer, callers: readonly TableCaller[]): Promise<void> {
  const methods = Object.keys(loadTangoProto().deviceService).filter((m) => m !== "Subscribe");
  expect(RPCS.map((r) => r.method), "the table covers every RPC").to.have.members(methods);
  for (const caller of callers) {
    for (const rpc of RPCS) expectDecision(await s.call(rpc.method, rpc.req, caller.as), caller, rpc.right, `${caller.name} ${rpc.method}`);
  }
}

/** Runs every admin command as each caller (RestartServer, Kill and Init included: the server is ready again at the end). */
export async function checkEveryAdminCommand(s: AccessServer, callers: readonly TableCaller[]): Promise<void> {
  const list = await s.call<{ commands: Array<{ cmd_name: string }> }>("CommandListQuery", { device: ADMIN }, callers[0]?.as);
  expect(list.ok && list.reply.commands.map((c) => c.cmd_name), "the table covers every admin command").to.have.members(Object.keys(ADMIN_COMMANDS));
  for (const caller of callers) {
    for (const [command, right] of Object.entries(ADMIN_COMMANDS)) {
      expectDecision(await s.call("CommandInout", { device: ADMIN, command }, caller.as), caller, right, `${caller.name} ${command}`);
    }
  }
  await waitFor(() => s.server.isReady, "the server ready again after RestartServer");
}

/**
 * Runs every mutating REST route as each caller: 200 or 202 when its right covers the route, 403
 * API_ReadOnlyMode otherwise; each of `unauthenticated` (no credentials) gets 401.
 */
export async function checkEveryMutatingRoute(
  s: AccessServer, callers: readonly TableCaller[], unauthenticated: ReadonlyArray<{ readonly name: string; readonly as: Caller }>,
): Promise<void> {
  const registered = s.http.routes.filter((r) => r.url.startsWith(API) && r.method !== "GET").map((r) => `${r.method} ${r.url}`);
  expect(Object.keys(MUTATING_ROUTES), "the table covers every mutating route").to.have.members(registered);
  const rest = (r: { method: string; path: string; body?: unknown }, as: Caller): ReturnType<AccessServer["rest"]> => {
    const { token, cert } = typeof as === "string" ? { token: as, cert: undefined } : as ?? {};
    return s.rest(r.method, r.path, { token, cert, body: r.body });
  };
  for (const [route, r] of Object.entries(MUTATING_ROUTES)) {
    for (const caller of unauthenticated) {
      const res = await rest(r, caller.as);
      expect(res.status, `${caller.name} ${route}: ${JSON.stringify(res.body)}`).to.equal(401);
    }
    for (const caller of callers) {
      const res = await rest(r, caller.as);
      const what = `${caller.name} ${route}: ${JSON.stringify(res.body)}`;
      if (RANK[caller.right] >= RANK[r.right]) {
        expect(res.status, what).to.be.oneOf([200, 202]);
      } else {
        expect(res.status, what).to.equal(403);
        expect(reasonOf(res.body), what).to.equal(Reason.ReadOnlyMode);
      }
    }
    if (route.includes("restart") || route.includes("init")) await waitFor(() => s.server.isReady, "the server ready again after a restart");
  }
}
