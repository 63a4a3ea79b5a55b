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
const MAX_ACCEPTED_HEADERS = 64;

/**
 * Who calls, from the gRPC call's credentials (DESIGN §11): `authorization: Bearer <token>`
 * metadata, the same tokens as REST, or the verified client certificate of an mTLS connection.
 * It runs in the device service's handler wrapper rather than a grpc-js interceptor: an
 * interceptor cannot hand what it found to the handler, and health and reflection stay open.
 *
 * The principals of the headers last accepted are kept (a few dozen at most), so a client
 * sending the same token on every call costs one Map lookup, not a digest; a refused token is
 * logged (never the token itself) and never kept.
 *
 * @internal Used by the device service.
 */
export class GrpcAuthenticator {
  readonly #access: AccessPolicy;
  readonly #log: Logger;
  readonly #accepted = new Map<string, Principal>();
  readonly #isTls: boolean;

  /**
   * `isTls: false` (a plaintext port, where no call has a certificate) skips the TLS peer lookup,
   * which grpc-js makes through the session's socket proxy on every call.
   */
  constructor(access: AccessPolicy, log: Logger, opts: { readonly isTls?: boolean } = {}) {
    this.#access = access;
    this.#log = log;
    this.#isTls = opts.isTls ?? true;
  }

  /** The caller's principal; throws API_CannotCheckAccessControl (UNAUTHENTICATED) for credentials the server refuses. */
  principal(call: CredentialCall): Principal {
    const [header] = call.metadata.get("authorization");
    if (header === undefined) {
      if (!this.#isTls) return this.#access.anonymous;
      const subject = call.getAuthContext?.()?.sslPeerCertificate?.subject;
      return subject === undefined ? this.#access.anonymous : this.#access.authenticate({ certificateSubject: subject });
    }
    const known = typeof header === "string" ? this.#accepted.get(header) : undefined;
    if (known !== undefined) return known;
    const match = typeof header === "string" ? BEARER.exec(header) : null;
    try {
      if (match === null) {
        throw DevFailed.of(Reason.CannotCheckAccessControl,
          "The authorization metadata must read \"Bearer <token>\"", "AccessControl::authenticate");
      }
      const principal = this.#access.authenticate({ bearer: match[1] });
      // Bounded: spellings of the configured tokens only, yet a client could vary the white space.
      if (this.#accepted.size >= MAX_ACCEPTED_HEADERS) this.#accepted.clear();
      this.#accepted.set(header as string, principal);
      return principal;
    } catch (err) {
      this.#log.warn({ peer: call.getPeer(), transport: "grpc", reason: (err as DevFailed).reason },
        "request refused by access control: unknown credentials");
      throw err;
    }
  }
}
