import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type, type TSchema } from "typebox";
import { DispLevel, PipeErrors, PipeWriteType, type PipeConfig, type PipeValue } from "../core/index.js";
import { DeviceParams } from "./device-schemas.js";
import { pipeBlobFromJson, pipeBlobToJson } from "./pipe-json.js";
import { HttpProblem, HttpReason, errorResponses, type RestErrorBody } from "./rest-errors.js";
import { deviceNameOf, type RestRouteOptions } from "./rest-call.js";

/*
 * Pipes (spec §8) under /api/v1/devices/{device}/pipes, in the style of the attribute routes:
 * GET the list with configurations, GET one pipe's configuration, GET its value (read_pipe),
 * PUT its value (write_read_pipe, as an attribute's PUT reads back; the body is a blob in
 * pipe-json.ts's JSON). Errors are
 * `{"errors":[…]}` with the status of their root reason (API_PipeNotFound 404, …).
 */

const ORIGIN = "HTTP sidecar (pipe routes)";
const TAGS = ["pipes"];
const DEVICE = "/devices/:domain/:family/:member";

const Href = Type.String({ description: "a path of this sidecar" });

/** A device and one of its pipes. */
const PipeParams = Type.Object({
  ...DeviceParams.properties,
  pipe: Type.String({ minLength: 1, description: "pipe name (case-insensitive)" }),
});

/** A pipe's configuration and links (`GET .../pipes/{pipe}` and each entry of `.../pipes`). */
const PipeBody = Type.Object({
  name: Type.String(),
  label: Type.String(),
  description: Type.String(),
  level: Type.String({ enum: ["OPERATOR", "EXPERT"] }),
  writable: Type.String({ enum: ["PIPE_READ", "PIPE_READ_WRITE"] }),
  value: Href,
  _links: Type.Object({ _device: Href, _self: Href }),
});

const ElementDoc = '{"name", "type": Tango type name, "value"} or {"name", "blob": {…}}; values as attribute values '
  + "(64-bit integers as strings when a double cannot hold them, NaN as \"NaN\", states by name, DevEncoded as {format, data: base64})";

/** A blob as JSON (pipe-json.ts). */
const BlobBody: TSchema = Type.Object({
  name: Type.String(),
  elements: Type.Array(Type.Unknown({ description: ElementDoc })),
});

/** `GET .../pipes/{pipe}/value`. */
const PipeValueBody = Type.Object({
  name: Type.String(),
  timestamp: Type.Number({ description: "when device code set the value, ms since the Unix epoch" }),
  blob: BlobBody,
});

/** The body of `PUT .../pipes/{pipe}/value`. */
const BlobInputBody = Type.Unknown({
  description: `A blob: {"name", "elements": [${ElementDoc}]}, or the record form {"x": 1.5, "label": "a", "in": {"y": 2}} `
    + "whose types are inferred (number DevDouble, string DevString, boolean DevBoolean, a list of one of those its array type, "
    + "an object a nested blob).",
});

function pipeLinks(prefix: string, device: string, pipe: string): { device: string; pipe: string; value: string } {
  const d = `${prefix}/devices/${device.split("/").map(encodeURIComponent).join("/")}`;
  const p = `${d}/pipes/${encodeURIComponent(pipe)}`;
  return { device: d, pipe: p, value: `${p}/value` };
}

function timestampOf(v: PipeValue): number {
  return v.time.sec * 1000 + v.time.usec / 1000;
}

/** The REST routes of pipes. */
export const pipeRoutes: FastifyPluginAsyncTypebox<RestRouteOptions> = async (app, opts) => {
  const { api, auth, call } = opts;
  const prefix = app.prefix;
  app.addHook("onRequest", auth.onRequest);
  const readErrors = (...codes: number[]): Record<number, typeof RestErrorBody> => errorResponses(...codes, ...auth.readAuthErrors);

  const configJson = (device: string, c: PipeConfig) => {
    const l = pipeLinks(prefix, device, c.name);
    return {
      name: c.name, label: c.label, description: c.description, level: DispLevel[c.level] ?? String(c.level),
      writable: PipeWriteType[c.writable] ?? String(c.writable), value: l.value, _links: { _device: l.device, _self: l.pipe },
    };
  };

  app.get(`${DEVICE}/pipes`, {
    schema: {
      tags: TAGS, operationId: "listPipes", summary: "The device's pipes with their configurations",
      ...auth.readSecurity, params: DeviceParams, response: { 200: Type.Array(PipeBody), ...readErrors(404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    return call.run(request, `device ${device}, pipe list`, async (ctx) =>
      (await api.getPipeConfig(ctx, device, [])).map((c) => configJson(device, c)));
  });

  app.get(`${DEVICE}/pipes/:pipe`, {
    schema: {
      tags: TAGS, operationId: "getPipe", summary: "A pipe's configuration (get_pipe_config) and the link to its value",
      ...auth.readSecurity, params: PipeParams, response: { 200: PipeBody, ...readErrors(404, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const { pipe } = request.params;
    return call.run(request, `device ${device}, pipe ${pipe} config`, async (ctx) => {
      const [config] = await api.getPipeConfig(ctx, device, [pipe]);
      if (config === undefined) throw PipeErrors.pipeNotFound(pipe);
      return configJson(device, config);
    });
  });

  app.get(`${DEVICE}/pipes/:pipe/value`, {
    schema: {
      tags: TAGS, operationId: "readPipe", summary: "Reads a pipe (read_pipe): its blob and time",
      ...auth.readSecurity, params: PipeParams, response: { 200: PipeValueBody, ...readErrors(404, 409, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const { pipe } = request.params;
    return call.run(request, `device ${device}, pipe ${pipe}`, async (ctx) => {
      const v = await api.readPipe(ctx, device, pipe);
      return { name: v.name, timestamp: timestampOf(v), blob: pipeBlobToJson(v.blob) };
    });
  });

  app.put(`${DEVICE}/pipes/:pipe/value`, {
    schema: {
      tags: TAGS, operationId: "writePipe", ...auth.writeSecurity,
      summary: "Writes a read-write pipe, then reads it back (write_read_pipe); the body is the blob",
      params: PipeParams, body: BlobInputBody, response: { 200: PipeValueBody, ...errorResponses(400, 401, 403, 404, 409, 503) },
    },
  }, async (request) => {
    const device = deviceNameOf(request.params);
    const { pipe } = request.params;
    if (request.body === undefined) throw new HttpProblem(400, HttpReason.BadRequest, `Writing pipe ${pipe} needs a blob as the JSON body`, ORIGIN);
    const blob = pipeBlobFromJson(request.body, ORIGIN);
    return call.run(request, `device ${device}, pipe ${pipe}`, async (ctx) => {
      const v = await api.writeReadPipe(ctx, device, pipe, blob);
      return { name: v.name, timestamp: timestampOf(v), blob: pipeBlobToJson(v.blob) };
    });
  });
};
