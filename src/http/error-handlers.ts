import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DevFailed, MultiDevFailed } from "../core/index.js";
import { checkBodyAllowed, checkIntegerQuery, validationMessageOf } from "./request-checks.js";
import {
  HttpProblem, HttpReason, httpReasonOf, httpStatusOf, restErrorOf, restMultiErrorOf, restProblemOf, type RestErrorBody,
} from "./rest-errors.js";

/*
 * Every answer that is not a route's own success goes through here, so that all of them are the
 * sidecar's error body `{"errors":[…]}` with a reason: Tango's for a DevFailed, `HTTP_*` for the
 * HTTP layer's own (an unknown route, a bad URL, a body too large, a schema failure…).
 * client-errors.ts does the same for what node:http refuses before Fastify.
 */

const ORIGIN = "HTTP sidecar";
/** How much of a client's URL an error description repeats. */
const URL_ECHO_CHARS = 200;

/** What the handlers need to know of the server. */
export interface ErrorHandlerOptions {
  /** Longest URL (path and query) accepted, bytes; longer ones are 414 HTTP_UriTooLong. */
  readonly maxUrlBytes: number;
}

/** The path of a URL as an error description shows it: no query, cut at URL_ECHO_CHARS. */
function pathOf(url: string): string {
  const path = url.split("?")[0] ?? "";
  return path.length > URL_ECHO_CHARS ? `${path.slice(0, URL_ECHO_CHARS)}…` : path;
}

/** The route URL templates of `app` by method, to tell 405 from 404. */
class RouteMethods {
  readonly #routes: Array<{ method: string; pattern: RegExp }> = [];

  add(method: string, url: string): void {
    const source = url.split("/").map((segment) => {
      if (segment === "*") return ".*";
      if (segment.startsWith(":")) return "[^/]+";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("/");
    this.#routes.push({ method, pattern: new RegExp(`^${source}$`) });
  }

  /** The methods some route serves `path` with, sorted; empty when none does. */
  allowedFor(path: string): string[] {
    const methods = new Set(this.#routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
    return [...methods].sort();
  }
}

/** The status and description of one of Fastify's own errors (FST_ERR_*), by its code. */
function fastifyProblemOf(err: FastifyError, request: FastifyRequest): { status: number; description: string } {
  const status = typeof err.statusCode === "number" ? err.statusCode : 400;
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status, description: `The body is larger than the ${request.routeOptions.bodyLimit ?? ""} bytes the sidecar accepts` };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE": {
      const type = request.headers["content-type"];
      return {
        status,
        description: `${type === undefined ? "The body has no Content-Type" : `Content-Type ${JSON.stringify(type)} is not accepted`}: `
          + "send application/json (text/plain where the route's OpenAPI entry lists it), or no body",
      };
    }
    case "FST_ERR_BAD_URL":
      return { status: 400, description: `The path ${pathOf(request.url)} is not valid percent-encoding (RFC 3986 §2.1, UTF-8)` };
    case "FST_ERR_MAX_PARAM_LENGTH":
      return { status: 414, description: `A path segment of ${pathOf(request.url)} is longer than the sidecar accepts` };
    default:
      return { status, description: err.message };
  }
}

/**
 * Fastify's `frameworkErrors` option: errors of the router, before any route or hook runs (a path
 * that is not valid percent-encoding, a path segment over `maxParamLength`).
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, description } = fastifyProblemOf(err, request);
  // 5xx: an async route constraint failed, which the sidecar has none of; a bug, as below.
  const body = status >= 500 ? restErrorOf(DevFailed.from(err, ORIGIN)) : restProblemOf(httpReasonOf(status), description, ORIGIN);
  if (status >= 500) request.log.error({ err }, "the HTTP router failed");
  void reply.code(status).type("application/json; charset=utf-8").send(JSON.stringify(body));
}

/** The error body and status of anything a route, a hook or Fastify threw. */
function errorReplyOf(err: FastifyError | Error, request: FastifyRequest): { status: number; body: RestErrorBody; headers?: Readonly<Record<string, string>> } {
  const where = `${request.method} ${request.routeOptions.url ?? pathOf(request.url)}`;
  if (err instanceof HttpProblem) {
    return { status: err.statusCode, body: restProblemOf(err.reason, err.message, err.origin), headers: err.headers };
  }
  if (err instanceof DevFailed) return { status: httpStatusOf(err), body: restErrorOf(err) };
  if (err instanceof MultiDevFailed) return restMultiErrorOf(err);
  if ("validation" in err && err.validation !== undefined) {
    return { status: 400, body: restProblemOf(HttpReason.BadRequest, `Bad request: ${validationMessageOf(err)}`, where) };
  }
  if ("statusCode" in err && typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    const { status, description } = fastifyProblemOf(err, request);
    return { status, body: restProblemOf(httpReasonOf(status), description, ORIGIN) };
  }
  // A bug, not a Tango error: logged, and reported like the gRPC side does (API_StdException).
  request.log.error({ err, route: request.routeOptions.url }, "REST route failed with an unexpected error");
  return { status: 500, body: restErrorOf(DevFailed.from(err, where)) };
}

/**
 * Installs the error handler, the not-found handler (404 HTTP_NotFound, or 405
 * HTTP_MethodNotAllowed with `Allow` when the path has routes for other methods) and the
 * request checks every route gets: the URL's length, decimal integers in the query, no body on a
 * route that takes none. Call it before any route is added.
 */
export function installErrorHandlers(app: FastifyInstance, opts: ErrorHandlerOptions): void {
  const methods = new RouteMethods();
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) methods.add(method, route.url);
  });

  app.addHook("onRequest", async (request) => {
    const length = Buffer.byteLength(request.raw.url ?? "");
    if (length > opts.maxUrlBytes) {
      throw new HttpProblem(414, HttpReason.UriTooLong, `The URL is ${length} bytes long; the sidecar accepts at most ${opts.maxUrlBytes}`, ORIGIN);
    }
  });
  app.addHook("preValidation", async (request) => {
    checkIntegerQuery(request);
    checkBodyAllowed(request);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = methods.allowedFor(path);
    if (allowed.length > 0) {
      return reply.code(405).header("allow", allowed.join(", ")).send(restProblemOf(HttpReason.MethodNotAllowed,
        `${request.method} is not served on ${pathOf(path)}; it takes ${allowed.join(", ")}`, ORIGIN));
    }
    return reply.code(404).send(restProblemOf(HttpReason.NotFound,
      `No route ${request.method} ${pathOf(path)}; the routes are listed in /openapi.json`, ORIGIN));
  });

  app.setErrorHandler(async (err: FastifyError | Error, request, reply) => {
    const { status, body, headers } = errorReplyOf(err, request);
    if (headers !== undefined) void reply.headers(headers);
    return reply.code(status).send(body);
  });
}
