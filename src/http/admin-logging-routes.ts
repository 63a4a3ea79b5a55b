import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CmdArgType, type DevVarLongStringArrayValue } from "../core/index.js";
import type { AdminRouteKit } from "./admin-kit.js";
import { deviceNameOf } from "./rest-call.js";
import { levelNumberOf, loggingLevelsOf, voidResultOf } from "./admin-json.js";
import {
  CommandResult, DeviceParams, LevelsQuery, LoggingLevelList, LoggingTarget, SetLoggingLevelBody, StringList,
} from "./admin-schemas.js";
import { errorResponses } from "./rest-errors.js";

const DONE = { 200: CommandResult };
const WRITE_ERRORS = errorResponses(400, 401, 403, 404, 409, 503);

/**
 * The admin device's logging commands over REST (spec §13, §17), under /api/v1/admin/logging.
 * Device names accept Tango's `*` wildcard; a name matching no device is 404 API_DeviceNotFound.
 * Registered by adminRoutes, whose token check covers these routes too.
 */
export const adminLoggingRoutes: FastifyPluginAsyncTypebox<AdminRouteKit> = async (app, kit) => {
  const tags = ["admin"];
  const { read, write } = kit;

  app.get("/admin/logging/targets/:domain/:family/:member", {
    schema: {
      tags, summary: "A device's logging targets (GetLoggingTarget)",
      description: "Targets as `type::name`, e.g. `file::/tmp/sys_tg_test_1.log`. The process log (JSON on stdout) is not listed.",
      security: read.security, params: DeviceParams,
      response: { 200: StringList, ...kit.readErrors(400, 404, 503) },
    },
  }, async (request) => {
    const out = await kit.runCommand(request, "GetLoggingTarget", { type: CmdArgType.DevString, value: deviceNameOf(request.params) });
    return Array.isArray(out.value) ? out.value.map(String) : [];
  });

  app.get("/admin/logging/levels", {
    schema: {
      tags, summary: "Logging levels of devices (GetLoggingLevel)",
      description: "`?device=a/b/c&device=x/*`: the level of every matching device (all devices when no `device` is given).",
      security: read.security, querystring: LevelsQuery,
      response: { 200: LoggingLevelList, ...kit.readErrors(400, 404, 503) },
    },
  }, async (request) => {
    const devices = request.query.device ?? ["*"];
    const out = await kit.runCommand(request, "GetLoggingLevel", { type: CmdArgType.DevVarStringArray, value: devices });
    // The server checked the value against GetLoggingLevel's declared output type.
    return loggingLevelsOf(out.value as DevVarLongStringArrayValue);
  });

  app.post("/admin/logging/levels", {
    schema: {
      tags, summary: "Set logging levels (SetLoggingLevel)",
      description: "Each entry sets the level (0–5 or its name) of the devices its `device` pattern matches.",
      security: write.security, body: SetLoggingLevelBody, response: { ...DONE, ...WRITE_ERRORS },
    },
  }, async (request) => {
    const value: DevVarLongStringArrayValue = {
      lvalue: Int32Array.from(request.body, (e) => levelNumberOf(e.level)),
      svalue: request.body.map((e) => e.device),
    };
    await kit.runCommand(request, "SetLoggingLevel", { type: CmdArgType.DevVarLongStringArray, value });
    return voidResultOf("SetLoggingLevel");
  });

  app.post("/admin/logging/targets", {
    schema: {
      tags, summary: "Add a logging target (AddLoggingTarget)",
      security: write.security, body: LoggingTarget, response: { ...DONE, ...WRITE_ERRORS },
    },
  }, async (request) => {
    await kit.runCommand(request, "AddLoggingTarget", { type: CmdArgType.DevVarStringArray, value: [request.body.device, request.body.target] });
    return voidResultOf("AddLoggingTarget");
  });

  app.delete("/admin/logging/targets", {
    schema: {
      tags, summary: "Remove logging targets (RemoveLoggingTarget)",
      description: "`?device=<pattern>&target=<type::name>`; both accept wildcards, e.g. `target=file::*`.",
      security: write.security, querystring: LoggingTarget, response: { ...DONE, ...WRITE_ERRORS },
    },
  }, async (request) => {
    await kit.runCommand(request, "RemoveLoggingTarget", { type: CmdArgType.DevVarStringArray, value: [request.query.device, request.query.target] });
    return voidResultOf("RemoveLoggingTarget");
  });

  for (const [path, command, what] of [
    ["/admin/logging/start", "StartLogging", "Restore the levels StopLogging saved (StartLogging)"],
    ["/admin/logging/stop", "StopLogging", "Save every device's level and set it OFF (StopLogging)"],
  ] as const) {
    app.post(path, {
      schema: { tags, summary: what, security: write.security, response: { ...DONE, ...errorResponses(400, 401, 403, 503) } },
    }, async (request) => {
      await kit.runCommand(request, command);
      return voidResultOf(command);
    });
  }
};

