import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import {
  CmdArgType, DevFailed, DevState, MultiDevFailed, Reason, TangoErrors, type AttributeValue, type AttributeWrite, type CommandInfo,
} from "../core/index.js";
import type { CallContext, RequestApi } from "../server/index.js";
import { attributeWriteOf, commandArginOf, type ValueSource } from "./device-input.js";
import {
  attributeInfoJson, attributeValueJson, commandInfoJson, deviceInfoJson, readErrorOf,
} from "./device-json.js";
import { deviceLinks } from "./device-links.js";
import {
  AttributeBody, AttributeInfoBody, AttributeParams, AttributeRef, AttributeValueBody, CommandBody, CommandParams,
  CommandResultBody, DeviceBody, DeviceParams, DeviceRef, MultiReadQuery, StateBody, ValueInputBody, WriteQuery,
} from "./device-schemas.js";
import { typedToJson } from "./json-value.js";
import { HttpProblem, HttpReason, errorResponses, type RestErrorBody } from "./rest-errors.js";
import { OPTIONAL_BODY } from "./openapi-doc.js";
import { deviceRefOf } from "./admin-json.js";
import { deviceNameOf, type RestRouteOptions } from "./rest-call.js";

const ORIGIN = "HTTP sidecar (device routes)";
const TAGS = ["devices"];
const DEVICE = "/devices/:domain/:family/:member";


/** The body of a PUT as a value: JSON, or text when sent as text/plain; undefined when absent. */
function bodySource(request: FastifyRequest): ValueSource | undefined {
  if (request.body === undefined) return undefined;
  const isText = /^text\/plain\b/i.test(request.headers["content-type"] ?? "");
  return isText && typeof request.body === "string" ? { kind: "text", text: request.body } : { kind: "json", json: request.body };
}

/** The first element of an API result that has one per name asked. */
/**
 * The declared types of command `cmd`. An unknown command is refused by command_inout itself, so
 * the route's stack is command_inout's (origin `DeviceClass::command_handler`), as over gRPC.
 */
async function commandInfoOf(api: RequestApi, ctx: CallContext, device: string, cmd: string): Promise<CommandInfo> {
  try {
    return await api.commandQuery(ctx, device, cmd);
  } catch (err) {
    if (err instanceof DevFailed && err.reason === Reason.CommandNotFound) await api.commandInout(ctx, device, cmd, undefined);
    throw err;
  }
}

function only<T>(list: readonly T[], missing: () => DevFailed): T {
  const first = list[0];
  if (first === undefined) throw missing();
  return first;
}

/**
 * write_read_attributes of one value and its read back. A write failure comes back as the
 * attribute's own DevFailed, not as a one-entry MultiDevFailed: the route is about one attribute.
 */
async function writeRead(api: RequestApi, ctx: CallContext, device: string, write: AttributeWrite): Promise<AttributeValue> {
  try {
    return only(await api.writeReadAttributes(ctx, device, [write], [write.name]), () => TangoErrors.attrNotFound(write.name));
  } catch (err) {
    if (err instanceof MultiDevFailed && err.errors.length === 1) throw new DevFailed(err.errors[0].errors);
    throw err;
  }
}

/** The enum labels of the DevEnum attributes among `values`, by lower-case name. */
async function enumLabelsOf(
  api: RequestApi, ctx: CallContext, device: string, values: readonly AttributeValue[],
): Promise<Map<string, readonly string[]>> {
  const names = values.filter((v) => v.dataType === CmdArgType.DevEnum && readErrorOf(v) === undefined).map((v) => v.name);
  const labels = new Map<string, readonly string[]>();
  if (names.length === 0) return labels;
  for (const c of await api.getAttributeConfig(ctx, device, names)) labels.set(c.name.toLowerCase(), c.enumLabels);
  return labels;
}

/**
 * Device access in the shape of the Tango REST API v1 (tango-controls/rest-api `docs/device.md`),
 * under /api/v1/devices, for the devices of this server (no `/hosts/{host}/{port}` part). Reads
 * are GET, writes and commands PUT with the bearer token; values are JSON as json-value.ts and
 * device-json.ts write them; errors are `{"errors":[…]}` with the status of their root reason.
 */
export const deviceRoutes: FastifyPluginAsyncTypebox<RestRouteOptions> = async (app, opts) => {
  const { api, auth, call } = opts;
  const prefix = app.prefix;
  const links = (device: string): ReturnType<typeof deviceLinks> => deviceLinks(prefix, device);

  app.addHook("onRequest", auth.onRequest);

  const readSecurity = auth.readSecurity;
  const readErrors = (...codes: number[]): Record<number, typeof RestErrorBody> => errorResponses(...codes, ...auth.readAuthErrors);

  app.get("/devices", {
    schema: {
      tags: TAGS, operationId: "listDevices", summary: "The devices of this server (the admin device last)", ...readSecurity,
      response: { 200: Type.Array(DeviceRef), ...readErrors(400, 503) },
    },
  }, async (request) => call.run(request, `device ${opts.adminDevice}, command QueryDevice`, async (ctx) => {
    const out = await api.commandInout(ctx, opts.adminDevice, "QueryDevice", undefined);
    const entries: readonly unknown[] = Array.isArray(out.value) ? out.value : [];
    const names = entries.map((entry) => deviceRefOf(String(entry)).name);
    return [...names, opts.adminDevice].map((name) => ({ name, href: links(name).device }));
  }));

  app.get(DEVICE, {
    schema: {
      tags: TAGS, operationId: "getDevice", summary: "A device: its info and the links to its state, attributes and commands",
      ...readSecurity, params: DeviceParams, response: { 200: DeviceBody, ...readErrors(404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    return call.run(request, `device ${device}, info`, async (ctx) => {
      const info = await api.info(ctx, device);
      const l = links(device);
      return {
        name: device, info: deviceInfoJson(device, info), state: l.state, attributes: l.attributes, commands: l.commands,
        _links: { _parent: l.devices, _self: l.device },
      };
    });
  });

  app.get(`${DEVICE}/state`, {
    schema: {
      tags: TAGS, operationId: "getDeviceState", summary: "The device's state and status",
      ...readSecurity, params: DeviceParams, response: { 200: StateBody, ...readErrors(404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    return call.run(request, `device ${device}, state`, async (ctx) => {
      const state = await api.state(ctx, device);
      const status = await api.status(ctx, device);
      const l = links(device);
      return {
        state: DevState[state] ?? String(state), status,
        _links: { _state: l.attribute("State"), _status: l.attribute("Status"), _parent: l.device, _self: l.state },
      };
    });
  });

  app.get(`${DEVICE}/attributes`, {
    schema: {
      tags: TAGS, operationId: "listAttributes", summary: "The device's attributes, State and Status last, with links to value and info",
      ...readSecurity, params: DeviceParams, response: { 200: Type.Array(AttributeRef), ...readErrors(404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    return call.run(request, `device ${device}, attribute list`, async (ctx) => {
      const l = links(device);
      return (await api.getAttributeConfig(ctx, device, [])).map((c) => ({
        name: c.name, value: l.attributeValue(c.name), info: l.attributeInfo(c.name),
        _links: { _device: l.device, _self: l.attribute(c.name) },
      }));
    });
  });

  // A static segment: it wins over `attributes/:attr` (an attribute named "value" is not reachable here).
  app.get(`${DEVICE}/attributes/value`, {
    schema: {
      tags: TAGS, operationId: "readAttributes", summary: "Reads several attributes; a failed one has errors instead of a value",
      ...readSecurity, params: DeviceParams, querystring: MultiReadQuery,
      response: { 200: Type.Array(AttributeValueBody), ...readErrors(400, 404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const names = request.query.attr;
    return call.run(request, `device ${device}, attributes ${names.join(", ")}`, async (ctx) => {
      const values = await api.readAttributes(ctx, device, names);
      const labels = await enumLabelsOf(api, ctx, device, values);
      return values.map((v) => attributeValueJson(v, labels.get(v.name.toLowerCase())));
    });
  });

  /** An attribute's configuration as JSON, and its links. */
  const configOf = async (request: FastifyRequest, device: string, attr: string) =>
    call.run(request, `device ${device}, attribute ${attr} config`, async (ctx) => {
      const config = only(await api.getAttributeConfig(ctx, device, [attr]), () => TangoErrors.attrNotFound(attr));
      const l = links(device);
      return { fields: attributeInfoJson(config), l, _links: { _device: l.device, _parent: l.attributes } };
    });

  app.get(`${DEVICE}/attributes/:attr`, {
    schema: {
      tags: TAGS, operationId: "getAttribute", summary: "An attribute: its configuration and the links to its value and info",
      ...readSecurity, params: AttributeParams, response: { 200: AttributeBody, ...readErrors(404, 503) },
    },
  }, async (request) => {
    const { fields, l, _links } = await configOf(request, deviceNameOf(request.params), request.params.attr);
    return {
      ...fields, value: l.attributeValue(fields.name), info: l.attributeInfo(fields.name),
      _links: { ..._links, _self: l.attribute(fields.name) },
    };
  });

  app.get(`${DEVICE}/attributes/:attr/info`, {
    schema: {
      tags: TAGS, operationId: "getAttributeInfo", summary: "An attribute's configuration (Tango REST's AttributeInfo)",
      ...readSecurity, params: AttributeParams, response: { 200: AttributeInfoBody, ...readErrors(404, 503) },
    },
  }, async (request) => {
    const { fields, l, _links } = await configOf(request, deviceNameOf(request.params), request.params.attr);
    return { ...fields, _links: { ..._links, _self: l.attributeInfo(fields.name) } };
  });

  app.get(`${DEVICE}/attributes/:attr/value`, {
    schema: {
      tags: TAGS, operationId: "readAttribute", summary: "Reads an attribute; a failed read is an error response with its stack",
      ...readSecurity, params: AttributeParams, response: { 200: AttributeValueBody, ...readErrors(400, 404, 409, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const { attr } = request.params;
    return call.run(request, `device ${device}, attribute ${attr}`, async (ctx) => {
      const value = only(await api.readAttributes(ctx, device, [attr]), () => TangoErrors.attrNotFound(attr));
      const failure = readErrorOf(value);
      if (failure !== undefined) throw failure;
      const labels = await enumLabelsOf(api, ctx, device, [value]);
      return attributeValueJson(value, labels.get(value.name.toLowerCase()));
    });
  });

  app.put(`${DEVICE}/attributes/:attr/value`, {
    schema: {
      tags: TAGS, operationId: "writeAttribute", ...auth.writeSecurity, consumes: ["application/json", "text/plain"],
      summary: "Writes an attribute, then reads it back (write_read_attributes); the value is the body or ?v=",
      params: AttributeParams, querystring: WriteQuery, body: ValueInputBody, [OPTIONAL_BODY]: true,
      response: { 200: AttributeValueBody, ...errorResponses(400, 401, 403, 404, 409, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const { attr } = request.params;
    const body = bodySource(request);
    const { v } = request.query;
    if (body !== undefined && v !== undefined) {
      throw new HttpProblem(400, HttpReason.BadRequest, "Send the value either as the body or as ?v=, not both", ORIGIN);
    }
    const source: ValueSource | undefined = v !== undefined ? { kind: "text", text: v } : body;
    if (source === undefined) {
      throw new HttpProblem(400, HttpReason.BadRequest, `Writing ${attr} needs a value: a JSON body or ?v=`, ORIGIN);
    }
    return call.run(request, `device ${device}, attribute ${attr}`, async (ctx) => {
      const config = only(await api.getAttributeConfig(ctx, device, [attr]), () => TangoErrors.attrNotFound(attr));
      const read = await writeRead(api, ctx, device, attributeWriteOf(config, source));
      const failure = readErrorOf(read);
      if (failure !== undefined) throw failure;
      return attributeValueJson(read, config.enumLabels);
    });
  });

  app.get(`${DEVICE}/commands`, {
    schema: {
      tags: TAGS, operationId: "listCommands", summary: "The device's commands with their argument types",
      ...readSecurity, params: DeviceParams, response: { 200: Type.Array(CommandBody), ...readErrors(404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    return call.run(request, `device ${device}, command list`, async (ctx) => {
      const l = links(device);
      return (await api.commandListQuery(ctx, device)).map((c) => ({
        name: c.name, info: commandInfoJson(c), _links: { _parent: l.device, _self: l.command(c.name) },
      }));
    });
  });

  app.get(`${DEVICE}/commands/:cmd`, {
    schema: {
      tags: TAGS, operationId: "getCommand", summary: "A command and its argument types",
      ...readSecurity, params: CommandParams, response: { 200: CommandBody, ...readErrors(404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const { cmd } = request.params;
    return call.run(request, `device ${device}, command ${cmd} info`, async (ctx) => {
      const c = await api.commandQuery(ctx, device, cmd);
      const l = links(device);
      return { name: c.name, info: commandInfoJson(c), _links: { _parent: l.device, _self: l.command(c.name) } };
    });
  });

  app.put(`${DEVICE}/commands/:cmd`, {
    schema: {
      tags: TAGS, operationId: "executeCommand", ...auth.writeSecurity, consumes: ["application/json", "text/plain"],
      summary: "Executes a command (command_inout); the body is the argin, none for DevVoid",
      params: CommandParams, body: ValueInputBody, [OPTIONAL_BODY]: true,
      response: { 200: CommandResultBody, ...errorResponses(400, 401, 403, 404, 409, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const { cmd } = request.params;
    const source = bodySource(request);
    return call.run(request, `device ${device}, command ${cmd}`, async (ctx) => {
      const info = await commandInfoOf(api, ctx, device, cmd);
      const out = await api.commandInout(ctx, device, info.name, commandArginOf(info, source));
      const l = links(device);
      const _links = { _parent: l.device, _self: l.command(info.name) };
      // One shape for every command, as the admin routes: a DevVoid command's output is null.
      return { name: info.name, output: out.type === CmdArgType.DevVoid ? null : typedToJson(out), _links };
    });
  });
};
