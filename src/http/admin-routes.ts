import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { CmdArgType, DevFailed, DevState, Reason, type TypedValue } from "../core/index.js";
import { adminKitOf } from "./admin-kit.js";
import { deviceNameOf } from "./rest-call.js";
import { adminLoggingRoutes } from "./admin-logging-routes.js";
import { adminLockRoutes } from "./admin-lock-routes.js";
import { arginOf, commandInfoJson, deviceRefOf, voidResultOf, wizardPropertiesOf } from "./admin-json.js";
import {
  AdminSummary, BlackBoxQuery, ClassParams, CommandBody, CommandInfoJson, CommandParams, CommandResult, DEFAULT_BLACKBOX_RECORDS,
  DeviceList, DeviceParams, StringList, WizardPropertyList,
} from "./admin-schemas.js";
import { typedToJson } from "./json-value.js";
import type { RestRouteOptions } from "./rest-call.js";
import { errorResponses } from "./rest-errors.js";
import { OPTIONAL_BODY } from "./openapi-doc.js";

const stringsOf = (v: TypedValue): string[] => (Array.isArray(v.value) ? v.value.map(String) : []);

/**
 * The admin device over REST (DESIGN §4, spec §17 and §20 item 2), under /api/v1/admin: the
 * read-only queries as GET (free unless the server protects reads), every command as
 * `POST /admin/commands/{command}` and the mutating ones as readable POST shortcuts, all of
 * these behind the admin bearer token.
 */
export const adminRoutes: FastifyPluginAsyncTypebox<RestRouteOptions> = async (app, opts) => {
  const admin = opts.adminDevice;
  const kit = adminKitOf(opts);
  app.addHook("onRequest", opts.auth.onRequest);
  const tags = ["admin"];
  const { read, write } = kit;

  app.get("/admin", {
    schema: {
      tags, summary: "The admin device: state, status and device information",
      description: "Reads the admin device's State and Status and its info (DevInfo). The admin device is always ON (spec §3.2).",
      security: read.security, response: { 200: AdminSummary, ...kit.readErrors(400, 503) },
    },
  }, async (request) => opts.call.run(request, `device ${admin}, state, status and info`, async (ctx) => {
    const state = await opts.api.state(ctx, admin);
    const status = await opts.api.status(ctx, admin);
    const info = await opts.api.info(ctx, admin);
    return { name: admin, state: DevState[state] ?? String(state), status, info };
  }));

  app.get("/admin/devices", {
    schema: {
      tags, summary: "The devices of this server (QueryDevice)", security: read.security,
      response: { 200: DeviceList, ...kit.readErrors(400, 503) },
    },
  }, async (request) => stringsOf(await kit.runCommand(request, "QueryDevice")).map(deviceRefOf));

  app.get("/admin/classes", {
    schema: {
      tags, summary: "The device classes of this server (QueryClass)", security: read.security,
      response: { 200: Type.Array(Type.String(), { description: "class names, the admin class excluded" }), ...kit.readErrors(400, 503) },
    },
  }, async (request) => stringsOf(await kit.runCommand(request, "QueryClass")));

  app.get("/admin/subdevices", {
    schema: {
      tags, summary: "Devices this server's devices use as clients (QuerySubDevice)",
      description: "Each entry is `<device> <sub-device>`, or `<sub-device>` when used outside a device's request.",
      security: read.security, response: { 200: StringList, ...kit.readErrors(400, 503) },
    },
  }, async (request) => stringsOf(await kit.runCommand(request, "QuerySubDevice")));

  for (const [scope, command] of [["class", "QueryWizardClassProperty"], ["device", "QueryWizardDevProperty"]] as const) {
    app.get(`/admin/classes/:class/${scope}-properties`, {
      schema: {
        tags, summary: `The ${scope} properties a class declares (${command})`,
        description: "Each property declared in the class's code with its description and default. 404 API_ClassNotFound for a class this server does not have.",
        security: read.security, params: ClassParams,
        response: { 200: WizardPropertyList, ...kit.readErrors(400, 404, 503) },
      },
    }, async (request) => {
      const out = await kit.runCommand(request, command, { type: CmdArgType.DevString, value: request.params.class });
      return wizardPropertiesOf(command, stringsOf(out));
    });
  }

  app.get("/admin/commands", {
    schema: {
      tags, summary: "The admin device's commands (command_list_query)", security: read.security,
      response: { 200: Type.Array(CommandInfoJson, { description: "in ASCII order of name" }), ...kit.readErrors(400, 503) },
    },
  }, async (request) => {
    const list = await opts.call.run(request, `device ${admin}, command_list_query`, (ctx) => opts.api.commandListQuery(ctx, admin));
    return list.map(commandInfoJson);
  });

  app.get("/admin/commands/:command", {
    schema: {
      tags, summary: "One admin command's description (command_query)", description: "404 API_CommandNotFound for an unknown command.",
      security: read.security, params: CommandParams,
      response: { 200: CommandInfoJson, ...kit.readErrors(400, 404, 503) },
    },
  }, async (request) => commandInfoJson(await opts.call.run(request, `device ${admin}, command_query ${request.params.command}`,
    (ctx) => opts.api.commandQuery(ctx, admin, request.params.command))));

  app.get("/admin/blackbox", {
    schema: {
      tags, summary: "The admin device's last requests (black_box)",
      description: "The newest `n` blackbox records, newest first, in cppTango's format (`… requested from <client>`); "
        + "an empty list when nothing is recorded yet (API_BlackBoxEmpty).",
      security: read.security, querystring: BlackBoxQuery,
      response: { 200: Type.Array(Type.String(), { description: "newest first" }), ...kit.readErrors(400, 503) },
    },
  }, async (request) => opts.call.run(request, `device ${admin}, black_box`, async (ctx) => {
    try {
      return await opts.api.blackBox(ctx, admin, request.query.n ?? DEFAULT_BLACKBOX_RECORDS);
    } catch (err) {
      // A list has a value for "nothing yet": the empty one.
      if (err instanceof DevFailed && err.reason === Reason.BlackBoxEmpty) return [];
      throw err;
    }
  }));

  app.post("/admin/commands/:command", {
    schema: {
      tags, summary: "Run any admin command (command_inout)",
      description: "Runs the command with `argin` checked against its declared input type first: a value that does not fit, a missing argin, "
        + "or an argin given to a DevVoid command is 400 API_IncompatibleCmdArgumentType naming the expected type. "
        + "Read-only commands run here too; this route always needs the admin token. RestartServer and Kill reply before their work is done.",
      security: write.security, params: CommandParams, body: CommandBody, [OPTIONAL_BODY]: true,
      response: { 200: CommandResult, ...errorResponses(400, 401, 403, 404, 409, 503) },
    },
  }, async (request) => {
    // No body at all arrives as undefined, whatever the schema's type says.
    const argin: unknown = request.body?.argin;
    const name = request.params.command;
    return opts.call.run(request, `device ${admin}, command ${name}`, async (ctx) => {
      const info = await opts.api.commandQuery(ctx, admin, name);
      const out = await opts.api.commandInout(ctx, admin, info.name, arginOf(info, argin));
      return { name: info.name, output: typedToJson(out) };
    });
  });

  app.post("/admin/devices/:domain/:family/:member/restart", {
    schema: {
      tags, summary: "Destroy and rebuild one device (DevRestart)",
      description: "The device is deleted and built again through its class, running initDevice (spec §9.4). "
        + "404 API_DeviceNotFound for a device not in this server; the admin device itself cannot be restarted.",
      security: write.security, params: DeviceParams,
      response: { 200: CommandResult, ...errorResponses(400, 401, 403, 404, 409, 503) },
    },
  }, async (request) => {
    await kit.runCommand(request, "DevRestart", { type: CmdArgType.DevString, value: deviceNameOf(request.params) });
    return voidResultOf("DevRestart");
  });

  app.post("/admin/init", {
    schema: {
      tags, summary: "Re-initialise the admin device (Init)",
      description: "Destroys and rebuilds every device of the server synchronously, as at startup (spec §9.4); replies once they are back.",
      security: write.security, response: { 200: CommandResult, ...errorResponses(400, 401, 403, 503) },
    },
  }, async (request) => {
    await kit.runCommand(request, "Init");
    return voidResultOf("Init");
  });

  for (const [path, command, what] of [
    ["/admin/restart", "RestartServer", "Restart every device of the server (RestartServer)"],
    ["/admin/kill", "Kill", "Shut the device server down (Kill)"],
  ] as const) {
    app.post(path, {
      schema: {
        tags, summary: what,
        description: "202 Accepted: the server replies first and does the work afterwards (spec §9.3, §9.4), so the reply says nothing of its outcome.",
        security: write.security, response: { 202: CommandResult, ...errorResponses(400, 401, 403, 503) },
      },
    }, async (request, reply) => {
      await kit.runCommand(request, command);
      return reply.code(202).send(voidResultOf(command));
    });
  }

  await app.register(adminLoggingRoutes, kit);
  await app.register(adminLockRoutes, kit);
};
