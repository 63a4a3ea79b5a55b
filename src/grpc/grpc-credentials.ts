import type { Metadata } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { DevFailed, Reason } from "../core/index.js";
import type { AccessPolicy, PeerSubject, Principal } from "../server/index.js";

/** What the authenticator needs of a call: its metadata, its peer, and (grpc-js ≥ 1.12) its TLS peer. */
export interface CredentialCall {
  readonly metadata: Metadata;
  getPeer(): string;
  getAuthContext?(): { readonly sslPeerCertificate?: { readonly subject?: PeerSubject } } | undefined;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Who calls, from the gRPC call's credentials (DESIGN §11): `authorization: Bearer <token>`
 * metadata, the same tokens as REST, or the verified client certificate of an mTLS connection.
 * It runs in the device service's handler wrapper rather than a grpc-js interceptor: an
 * interceptor cannot hand what it found to the handler, and health and reflection stay open.
 *
 * The principal of the last token is kept, so a client sending the same token on every call
 * costs one string comparison; a refused token is logged (never the token itself).
 *
 * @internal Used by the device service.
 */
export class GrpcAuthenticator {
  readonly #access: AccessPolicy;
  readonly #log: Logger;
  #lastHeader: string | undefined;
  #lastPrincipal: Principal | undefined;

  constructor(access: AccessPolicy, log: Logger) {
    this.#access = access;
    this.#log = log;
  }

  /** The caller's principal; throws API_CannotCheckAccessControl (UNAUTHENTICATED) for credentials the server refuses. */
  principal(call: CredentialCall): Principal {
    const [header] = call.metadata.get("authorization");
    if (header === undefined) {
      const subject = call.getAuthContext?.()?.sslPeerCertificate?.subject;
      return subject === undefined ? this.#access.anonymous : this.#access.authenticate({ certificateSubject: subject });
    }
    if (header === this.#lastHeader && this.#lastPrincipal !== undefined) return this.#lastPrincipal;
    const match = typeof header === "string" ? BEARER.exec(header) : null;
    try {
      if (match === null) {
        throw DevFailed.of(Reason.CannotCheckAccessControl,
          "The authorization metadata must read \"Bearer <token>\"", "AccessControl::authenticate");
      }
      const principal = this.#access.authenticate({ bearer: match[1] });
      this.#lastHeader = header as string;
      this.#lastPrincipal = principal;
      return principal;
    } catch (err) {
      this.#log.warn({ peer: call.getPeer(), transport: "grpc", reason: (err as DevFailed).reason },
        "request refused by access control: unknown credentials");
      throw err;
    }
  }
}
