import type { TLSSocket } from "node:tls";
import type { FastifyRequest } from "fastify";
import { DevFailed } from "../core/index.js";
import { AccessPolicy, type PeerSubject, type Principal } from "../server/index.js";
import { HttpProblem, HttpReason } from "./rest-errors.js";

/** Who may call the REST routes (DESIGN §4). */
export interface RestAuthOptions {
  /**
   * The server's access policy (DeviceServer.access): the same tokens, certificates and rights as
   * gRPC. Without it, `adminToken` alone is an ADMIN token named `admin`.
   */
  readonly access?: AccessPolicy;
  /** The bearer token of mutating routes (`TANGO_ADMIN_TOKEN`), when no `access` is given; unset: they are refused. */
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

/** The principal of each request, set by onRequest (a WeakMap: nothing outlives the request). */
const principals = new WeakMap<FastifyRequest, Principal>();

/** Who sent `request` (the REST caller's CallContext carries it); undefined before onRequest ran. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/** The subject of a verified client certificate on a TLS connection (no certificate, or plain TCP: none). */
function certificateSubjectOf(request: FastifyRequest): PeerSubject | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || socket.authorized !== true) return undefined;
  const subject = socket.getPeerCertificate?.()?.subject as PeerSubject | undefined;
  return subject === undefined || Object.keys(subject).length === 0 ? undefined : subject;
}

/**
 * Who calls (DESIGN §11), from the same credentials as gRPC: an `Authorization: Bearer` header
 * or the client certificate; the server's access decision then applies to every route, as to
 * gRPC calls. Mutating routes (and reads, with `protectReads`) also need credentials, as before:
 * none is 401 with a `WWW-Authenticate` challenge (RFC 6750), none configured is 403 saying how
 * to enable them. A token the server does not know is 401 on every route. Tokens are compared
 * by digest in constant time (AccessPolicy) and never logged.
 */
export function createRestAuth(opts: RestAuthOptions): RestAuth {
  const adminToken = opts.adminToken === undefined || opts.adminToken === "" ? undefined : opts.adminToken;
  const access = opts.access ?? new AccessPolicy({ tokens: adminToken === undefined ? [] : [{ name: "admin", secret: adminToken, rights: "ADMIN" }] });
  const protectsReads = opts.protectReads === true;

  const authenticate = (request: FastifyRequest, what: string, needsCredentials: boolean): Principal => {
    if (needsCredentials && !access.hasCredentials) {
      throw new HttpProblem(403, HttpReason.Forbidden,
        `${what} is disabled: no token is configured. Set TANGO_ADMIN_TOKEN (or access.tokens) in the server's config and send it as "Authorization: Bearer <token>"`,
        ORIGIN);
    }
    const header = request.headers.authorization;
    let principal: Principal;
    if (header === undefined) principal = access.authenticate({ certificateSubject: certificateSubjectOf(request) });
    else {
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      if (match === null) {
        throw new HttpProblem(401, HttpReason.Unauthorized, `${what} needs "Authorization: Bearer <token>"`, ORIGIN,
          { "www-authenticate": CHALLENGE });
      }
      try {
        principal = access.authenticate({ bearer: match[1] });
      } catch (err) {
        if (!(err instanceof DevFailed)) throw err;
        request.log.warn({ peer: request.ip, transport: "http", reason: err.reason }, "request refused by access control: unknown credentials");
        throw new HttpProblem(401, HttpReason.Unauthorized, `${what}: the bearer token is not one this server knows`, ORIGIN,
          { "www-authenticate": `${CHALLENGE}, error="invalid_token"` });
      }
    }
    if (needsCredentials && principal.kind === "anonymous") {
      throw new HttpProblem(401, HttpReason.Unauthorized, `${what} needs "Authorization: Bearer <token>"`, ORIGIN,
        { "www-authenticate": CHALLENGE });
    }
    return principal;
  };

  const what = (request: FastifyRequest): string => `${request.method} ${request.routeOptions.url ?? request.url}`;
  const security = [{ adminToken: [] }];
  return {
    protectsReads,
    onRequest: async (request) => {
      const isRead = request.method === "GET" || request.method === "HEAD";
      principals.set(request, authenticate(request, what(request), !isRead || protectsReads));
    },
    readSecurity: protectsReads ? { security } : {},
    writeSecurity: { security },
    readAuthErrors: protectsReads ? [401, 403] : [],
  };
}
