import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { HttpProblem, HttpReason } from "./rest-errors.js";

/** Who may call the REST routes (DESIGN §4). */
export interface RestAuthOptions {
  /** The bearer token of mutating routes (`TANGO_ADMIN_TOKEN`); unset: they are refused. */
  readonly adminToken?: string;
  /** Read-only routes need the token too (`TANGO_HTTP_PROTECT_READS`). */
  readonly protectReads?: boolean;
}

/** Checks a request's bearer token; throws HttpProblem (401, 403) when it may not go on. */
export interface RestAuth {
  /** For routes that change something: commands, writes, restarts. */
  checkWrite(request: FastifyRequest): void;
  /** For read-only routes: free unless `protectReads`. */
  checkRead(request: FastifyRequest): void;
  /** Whether read-only routes need the token (for the OpenAPI security of each route). */
  readonly protectsReads: boolean;
}

const ORIGIN = "HTTP sidecar (bearer token)";
const CHALLENGE = 'Bearer realm="tango-grpc"';

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/**
 * Bearer-token checks (RFC 6750). The token is compared by digest in constant time and never
 * logged: it lives only in this closure. No header or a wrong token: 401 with a `WWW-Authenticate`
 * challenge; no token configured: 403 saying how to enable the route.
 */
export function createRestAuth(opts: RestAuthOptions): RestAuth {
  const expected = opts.adminToken === undefined || opts.adminToken === "" ? undefined : digest(opts.adminToken);
  const protectsReads = opts.protectReads === true;

  const check = (request: FastifyRequest, what: string): void => {
    if (expected === undefined) {
      throw new HttpProblem(403, HttpReason.Forbidden,
        `${what} is disabled: no admin token is configured. Set TANGO_ADMIN_TOKEN in the server's environment and send it as "Authorization: Bearer <token>"`,
        ORIGIN);
    }
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match === null) {
      throw new HttpProblem(401, HttpReason.Unauthorized, `${what} needs "Authorization: Bearer <token>"`, ORIGIN,
        { "www-authenticate": CHALLENGE });
    }
    if (!timingSafeEqual(digest(match[1] ?? ""), expected)) {
      throw new HttpProblem(401, HttpReason.Unauthorized, `${what}: the bearer token is not the configured admin token`, ORIGIN,
        { "www-authenticate": `${CHALLENGE}, error="invalid_token"` });
    }
  };

  return {
    protectsReads,
    checkWrite: (request) => check(request, `${request.method} ${request.routeOptions.url ?? request.url}`),
    checkRead: (request) => {
      if (protectsReads) check(request, `${request.method} ${request.routeOptions.url ?? request.url}`);
    },
  };
}
