import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";

/**
 * Route schema key saying that the body may be left out (a command without argin). @fastify/swagger
 * marks every body required; `withOptionalBodies` clears that for the operations carrying it.
 */
export const OPTIONAL_BODY = "x-body-optional";

type OpenApiDocument = Parameters<NonNullable<FastifyDynamicSwaggerOptions["transformObject"]>>[0] extends infer D
  ? D extends { openapiObject: infer O } ? O : never : never;

export function withOptionalBodies(doc: OpenApiDocument): OpenApiDocument {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item ?? {})) {
      if (typeof op !== "object" || op === null || !(OPTIONAL_BODY in op)) continue;
      const body = (op as { requestBody?: { required?: boolean } }).requestBody;
      if (body !== undefined) body.required = false;
    }
  }
  return doc;
}

/** An error status an operation may answer whatever its route does (error-handlers.ts, client-errors.ts, rest-errors.ts). */
interface CommonError {
  readonly status: number;
  readonly description: string;
  /**
   * Which operations can get it: all; those taking a body; those whose path has parameters (a
   * path without is either this route or none); those of the Tango routes under /api/.
   */
  readonly scope: "all" | "body" | "params" | "api";
}

/** The statuses the sidecar answers around any route; docs/http-sidecar.md lists them too. */
export const COMMON_ERRORS: readonly CommonError[] = [
  { status: 400, scope: "all", description: "HTTP_BadRequest: the path is not valid percent-encoding, the query or body does not match the schema, or the request is not valid HTTP/1.1" },
  { status: 404, scope: "params", description: "HTTP_NotFound: no route for this path" },
  { status: 405, scope: "all", description: "HTTP_MethodNotAllowed: the path's routes take other methods, listed in the Allow header" },
  { status: 408, scope: "all", description: "HTTP_RequestTimeout: the request's headers and body did not all arrive within 30 s" },
  { status: 413, scope: "body", description: "HTTP_PayloadTooLarge: the body is over 1 MiB" },
  { status: 414, scope: "all", description: "HTTP_UriTooLong: the URL is over 8 KiB" },
  { status: 415, scope: "body", description: "HTTP_UnsupportedMediaType: the body is not application/json (or text/plain where listed), or has no Content-Type" },
  { status: 431, scope: "all", description: "HTTP_HeadersTooLarge: the headers are over Node's limit (16 KiB by default)" },
  { status: 500, scope: "all", description: "API_StdException: a bug in the server, logged; API_InternalError" },
  { status: 501, scope: "api", description: "API_NotSupportedFeature: the server does not offer what the request needs" },
  { status: 503, scope: "api", description: "API_DeviceTimedOut, API_CommandTimedOut, API_ShutdownInProgress: try again later" },
];

/** Name of the error body in `components.schemas`. */
const ERROR_SCHEMA = "RestErrorBody";

function isInScope(e: CommonError, path: string, hasBody: boolean): boolean {
  switch (e.scope) {
    case "all": return true;
    case "body": return hasBody;
    case "params": return path.includes("{");
    case "api": return path.startsWith("/api/");
  }
}

/**
 * Adds COMMON_ERRORS to the responses of every operation that does not describe them already,
 * each pointing at one shared schema of the error body, so that the document names every status
 * a client can meet.
 */
export function withCommonErrors(doc: OpenApiDocument, errorBody: object): OpenApiDocument {
  const components = (doc.components ??= {}) as { schemas?: Record<string, unknown> };
  (components.schemas ??= {})[ERROR_SCHEMA] = JSON.parse(JSON.stringify(errorBody)) as unknown;
  const content = { "application/json": { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } };
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const op of Object.values(item ?? {})) {
      if (typeof op !== "object" || op === null || !("responses" in op)) continue;
      const responses = (op as { responses: Record<string, unknown> }).responses;
      const hasBody = "requestBody" in op;
      for (const e of COMMON_ERRORS) {
        if (isInScope(e, path, hasBody)) responses[String(e.status)] ??= { description: e.description, content };
      }
    }
  }
  return doc;
}
