import type { FastifyError, FastifyRequest } from "fastify";
import { HttpProblem, HttpReason } from "./rest-errors.js";

/*
 * Checks of a request that its route schema cannot say, run before the schema is: Fastify's Ajv
 * turns query text into numbers with `Number()`, so "0x10", "1e3" or " 5" pass an integer
 * schema; and a route without a body schema would silently ignore a body sent to it.
 */

const DECIMAL_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/** `GET /api/v1/admin/blackbox`: the route a check failed on, as origin. */
function originOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? ""}`;
}

/** The JSON schema of one query parameter, as far as these checks read it. */
interface ParamSchema {
  readonly type?: unknown;
  readonly items?: ParamSchema;
}

function isIntegerSchema(schema: ParamSchema | undefined): boolean {
  return schema?.type === "integer" || schema?.items?.type === "integer";
}

/**
 * Refuses (400 HTTP_BadRequest) a query parameter that the route declares an integer but that is
 * not written as a decimal integer. Bounds are the schema's (`minimum`, `maximum`).
 */
export function checkIntegerQuery(request: FastifyRequest): void {
  const schema = request.routeOptions.schema?.querystring as { properties?: Record<string, ParamSchema> } | undefined;
  const properties = schema?.properties;
  if (properties === undefined || typeof request.query !== "object" || request.query === null) return;
  const query = request.query as Record<string, unknown>;
  for (const [name, param] of Object.entries(properties)) {
    if (!isIntegerSchema(param) || query[name] === undefined) continue;
    for (const text of [query[name]].flat()) {
      if (typeof text === "string" && !DECIMAL_INTEGER.test(text)) {
        throw new HttpProblem(400, HttpReason.BadRequest, `Bad request: querystring/${name} must be a decimal integer, not ${JSON.stringify(text.slice(0, 40))}`, originOf(request));
      }
    }
  }
}

function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null || body === "") return true;
  return typeof body === "object" && !Array.isArray(body) && Object.keys(body).length === 0;
}

/**
 * Refuses (400 HTTP_BadRequest) a body sent to a route that takes none (a GET, a DELETE, a POST
 * that only runs a DevVoid command), so that nothing a client sends is silently dropped. An
 * empty body, `null` and `{}` are no body.
 */
export function checkBodyAllowed(request: FastifyRequest): void {
  if (request.routeOptions.schema?.body !== undefined) return;
  // Fastify does not read the body of a GET or HEAD: its headers tell there is one.
  const { "content-length": length, "transfer-encoding": encoding } = request.headers;
  const hasUnreadBody = request.body === undefined && ((length !== undefined && length !== "0") || encoding !== undefined);
  if (!hasUnreadBody && isEmptyBody(request.body)) return;
  throw new HttpProblem(400, HttpReason.BadRequest,
    `${originOf(request)} takes no body; leave it out (the parameters go in the path or the query)`, originOf(request));
}

/** One Ajv error, as Fastify keeps them in `validation`. */
interface AjvError {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A schema failure's description: Fastify's message, naming the property for an unknown one. */
export function validationMessageOf(err: FastifyError): string {
  const first = (err.validation as readonly AjvError[] | undefined)?.[0];
  if (first?.keyword === "additionalProperties" && typeof first.params?.additionalProperty === "string") {
    const where = `${err.validationContext ?? "request"}${first.instancePath ?? ""}`;
    return `${where} has an unknown property ${JSON.stringify(first.params.additionalProperty)}`;
  }
  return err.message;
}
