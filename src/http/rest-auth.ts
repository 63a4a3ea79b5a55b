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

/** Bearer-token checks of the REST routes, and what their OpenAPI schemas say of them. */
export interface RestAuth {
  /** Whether read-only routes need the token (for the OpenAPI security of each route). */
  readonly protectsReads: boolean;
  /**
   * The route plugins' onRequest hook; throws HttpProblem (401, 403) when the request may not go
   * on. GET and HEAD are reads (free unless `protectReads`), every other method writes. It runs
   * before the body is read, so a caller without the token learns nothing about its request.
   */
  onRequest(request: FastifyRequest): Promise<void>;
  /** Route schema part of a read-only route: the token's security only when reads are protected. */
  readonly readSecurity: { readonly security?: Array<Record<string, string[]>> };
  /** Route schema part of a mutating route. */
  readonly writeSecurity: { readonly security: Array<Record<string, string[]>> };
  /** Error statuses the token adds to a read-only route: 401 and 403 when reads are protected. */
  readonly readAuthErrors: ReadonlyArray<401 | 403>;
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

  const what = (request: FastifyRequest): string => `${request.method} ${request.routeOptions.url ?? request.url}`;
  const security = [{ adminToken: [] }];
  return {
    protectsReads,
    onRequest: async (request) => {
      if (request.method !== "GET" && request.method !== "HEAD") check(request, what(request));
      else if (protectsReads) check(request, what(request));
    },
    readSecurity: protectsReads ? { security } : {},
    writeSecurity: { security },
    readAuthErrors: protectsReads ? [401, 403] : [],
  };
}
