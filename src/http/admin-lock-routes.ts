import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type, type Static } from "typebox";
import { CmdArgType, type DevVarLongStringArrayValue } from "../core/index.js";
import type { AdminRouteKit } from "./admin-kit.js";
import { DeviceParams } from "./admin-schemas.js";
import { deviceNameOf } from "./rest-call.js";
import { errorResponses } from "./rest-errors.js";

/** A device's lock as DevLockStatus tells it. */
export const LockStatusJson = Type.Object({
  device: Type.String(),
  locked: Type.Boolean(),
  owner: Type.Optional(Type.Object({
    host: Type.String({ description: "the host the owner named itself (else its address)" }),
    pid: Type.Integer({ description: "the owner's process id" }),
    address: Type.String({ description: "the owner's address as the server's transport saw it when it locked, e.g. `127.0.0.1:50744`" }),
  }, { description: "who holds the lock; absent when the device is not locked" })),
  text: Type.String({ description: "DevLockStatus's sentence, e.g. `Device sys/tg_test/1 is locked by TypeScript client with PID 4242 from host lab1`" }),
});
export type LockStatusJson = Static<typeof LockStatusJson>;

/** The host at the end of DevLockStatus's sentence ("… from host <host>"): the command reports it nowhere else. */
const FROM_HOST = / from host (\S+)$/;

function lockStatusOf(device: string, out: DevVarLongStringArrayValue): LockStatusJson {
  const [text = "", address = ""] = out.svalue;
  if (out.lvalue[0] !== 1) return { device, locked: false, text };
  return { device, locked: true, owner: { host: FROM_HOST.exec(text)?.[1] ?? "", pid: out.lvalue[1] ?? 0, address }, text };
}

/**
 * The admin device's locking commands over REST (spec §10.8, docs/locking.md), under
 * /api/v1/admin/devices/{device}/lock: read a device's lock (DevLockStatus) and force it open
 * (UnLockDevice with force, which needs the admin token). There is no route to take a lock: a
 * lock belongs to a client process (its PID, host and proxy) and ends with its connection, and a
 * REST caller has neither. Registered by adminRoutes, whose token check covers these routes too.
 */
export const adminLockRoutes: FastifyPluginAsyncTypebox<AdminRouteKit> = async (app, kit) => {
  const tags = ["admin"];
  const { read, write } = kit;
  const statusOf = async (request: FastifyRequest, device: string): Promise<LockStatusJson> => {
    const out = await kit.runCommand(request, "DevLockStatus", { type: CmdArgType.DevString, value: device });
    // The server checked the value against DevLockStatus's declared output type.
    return lockStatusOf(device, out.value as DevVarLongStringArrayValue);
  };

  app.get("/admin/devices/:domain/:family/:member/lock", {
    schema: {
      tags, summary: "A device's lock (DevLockStatus)",
      description: "Whether a client holds the device's lock, and who: its host, process id and address. 404 API_DeviceNotFound for a device not in this server.",
      security: read.security, params: DeviceParams,
      response: { 200: LockStatusJson, ...kit.readErrors(400, 404, 503) },
    },
  }, async (request) => statusOf(request, deviceNameOf(request.params)));

  app.delete("/admin/devices/:domain/:family/:member/lock", {
    schema: {
      tags, summary: "Force a device's lock open (UnLockDevice with force)",
      description: "Releases the lock whoever holds it and whatever its counter; the previous owner's next requests that change the device "
        + "then fail with API_DeviceUnlocked. Answers the device's lock status afterwards (not locked). Unlocking a device nobody holds does nothing.",
      security: write.security, params: DeviceParams,
      response: { 200: LockStatusJson, ...errorResponses(400, 401, 403, 404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const value: DevVarLongStringArrayValue = { lvalue: Int32Array.of(1), svalue: [device] };
    await kit.runCommand(request, "UnLockDevice", { type: CmdArgType.DevVarLongStringArray, value });
    return statusOf(request, device);
  });
};
