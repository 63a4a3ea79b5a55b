import type { FastifyRequest } from "fastify";
import type { TypedValue } from "../core/index.js";
import type { RestRouteOptions } from "./rest-call.js";
import { RestErrorBody, errorResponses } from "./rest-errors.js";

/** What the admin route plugins share: the route options plus the helpers below. */
export interface AdminRouteKit extends RestRouteOptions {
  /** Runs one admin command for a request; `argin` undefined for DevVoid. */
  runCommand(request: FastifyRequest, command: string, argin?: TypedValue): Promise<TypedValue>;
  /** Schema parts of a read-only (GET) route: the token only when reads are protected. */
  readonly read: { readonly security?: Array<Record<string, string[]>> };
  /** Error responses of a read-only route: `codes`, plus 401 and 403 when reads are protected. */
  readErrors<const C extends number>(...codes: readonly C[]): Partial<Record<C | 401 | 403, typeof RestErrorBody>>;
  /** Schema parts of a mutating route: the token is always needed (its errors are 401 and 403). */
  readonly write: { readonly security: Array<Record<string, string[]>> };
}

/** The kit of the admin routes of `opts`. */
export function adminKitOf(opts: RestRouteOptions): AdminRouteKit {
  const admin = opts.adminDevice;
  // Not `...opts`: a plugin's options also hold its `prefix`, which the kit must not pass on.
  return {
    api: opts.api, adminDevice: admin, auth: opts.auth, call: opts.call,
    runCommand: (request, command, argin) => opts.call.run(request, `device ${admin}, command ${command}`,
      (ctx) => opts.api.commandInout(ctx, admin, command, argin)),
    read: opts.auth.readSecurity,
    readErrors: <const C extends number>(...codes: readonly C[]) => errorResponses<C | 401 | 403>(...codes, ...opts.auth.readAuthErrors),
    write: opts.auth.writeSecurity,
  };
}
