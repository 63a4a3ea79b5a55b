import { createHash, timingSafeEqual } from "node:crypto";
import { DevFailed, Reason } from "../../core/index.js";

/**
 * Rights, each including the ones before it (docs/security.md; spec §10.9 has READ and WRITE,
 * ADMIN is ours: the admin device's commands that change the process).
 */
export const Right = { NONE: 0, READ: 1, WRITE: 2, ADMIN: 3 } as const;
export type Right = (typeof Right)[keyof typeof Right];
/** A right as the config writes it. */
export type RightName = keyof typeof Right;

/** Rights as the config gives them: one right for every device, or rules by device pattern (the last match wins). */
export type AccessRules = RightName | ReadonlyArray<{ readonly devices: string; readonly right: RightName }>;

/** The access section with its secrets read (src/cli/access-options.ts reads them). */
export interface AccessOptions {
  /** Rights of a caller with no credentials; default ADMIN when no token or certificate is configured, READ otherwise. */
  readonly anonymous?: AccessRules;
  /** Bearer tokens; `secret` is compared by digest in constant time and never logged. */
  readonly tokens?: ReadonlyArray<{ readonly name: string; readonly secret: string; readonly rights: AccessRules }>;
  /** Client certificates by subject: the CN alone, or the whole subject `CN=…,O=…`. */
  readonly certificates?: ReadonlyArray<{ readonly subject: string; readonly rights: AccessRules }>;
}

/** Who a caller is, once its credentials are checked: carried in the CallContext. */
export interface Principal {
  readonly kind: "anonymous" | "token" | "certificate";
  /** The token's name, the certificate's subject, or `anonymous`. */
  readonly name: string;
  /** How the blackbox and the logs show it: `token "ops"`, `certificate "CN=ops"`, `anonymous`. */
  readonly label: string;
  /** The right on a device (its canonical name); cached per device, so a call costs one Map lookup. */
  rightOn(device: string): Right;
  /** The highest right on any device. */
  readonly maxRight: Right;
}

/** The subject of a client certificate as Node's `TLSSocket.getPeerCertificate()` and grpc-js give it. */
export interface PeerSubject {
  readonly CN?: string | string[];
  readonly [key: string]: string | string[] | undefined;
}

/** What a caller presented: the bearer token (without `Bearer `) and the verified client certificate's subject. */
export interface Credentials {
  readonly bearer?: string;
  readonly certificateSubject?: PeerSubject;
}

const ORIGIN = "AccessControl::authenticate";
const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

/**
 * An attribute value as RFC 4514 writes it: `\` before `\ , + " ; < > =`, a leading space or
 * `#` and a trailing space, so that a value (a CN `robot,O=lab`) cannot spell further attributes.
 */
function escapeValue(value: string): string {
  return value.replace(/[\\,+";<>=]/g, "\\$&").replace(/^[ #]| $/g, "\\$&");
}

/** `CN=a,O=b` from a subject object, in the order Node gives its keys, values escaped as RFC 4514 does (`CN=Doe\, John`). */
export function formatSubject(subject: PeerSubject): string {
  return Object.entries(subject).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.map(escapeValue).join("+") : escapeValue(String(v))}`).join(",");
}

/** Rules compiled once: patterns to RegExps, and each device's right cached on first use. */
class CompiledRights {
  readonly #rules: ReadonlyArray<{ readonly re: RegExp; readonly right: Right }>;
  readonly #byDevice = new Map<string, Right>();
  readonly maxRight: Right;

  constructor(rules: AccessRules) {
    this.#rules = typeof rules === "string" ? [{ re: /^/, right: Right[rules] }]
      : rules.map((r) => ({ re: globToRegExp(r.devices), right: Right[r.right] }));
    this.maxRight = this.#rules.reduce<Right>((max, r) => (r.right > max ? r.right : max), Right.NONE);
  }

  rightOn(device: string): Right {
    let right = this.#byDevice.get(device);
    if (right === undefined) {
      const lower = device.toLowerCase();
      right = Right.NONE;
      for (const r of this.#rules) if (r.re.test(lower)) right = r.right;
      this.#byDevice.set(device, right);
    }
    return right;
  }
}

function principalOf(kind: Principal["kind"], name: string, rights: CompiledRights): Principal {
  return {
    kind, name, label: kind === "anonymous" ? "anonymous" : `${kind} ${JSON.stringify(name)}`, maxRight: rights.maxRight,
    rightOn: (device) => rights.rightOn(device),
  };
}

/**
 * The one access policy of a server (DESIGN §11): who a caller is (`authenticate`, at the edge of
 * every transport, from the same credentials) and what it may do (`Principal.rightOn`, asked by
 * the request handler). Tokens are held as SHA-256 digests only.
 */
export class AccessPolicy {
  readonly #tokens: ReadonlyArray<{ readonly digest: Buffer; readonly principal: Principal }>;
  readonly #certificates: ReadonlyArray<{ readonly subject: string; readonly principal: Principal }>;
  readonly #anonymousRights: CompiledRights;
  /** The caller with no credentials. */
  readonly anonymous: Principal;
  /** Whether any token or certificate is configured. */
  readonly hasCredentials: boolean;

  constructor(opts: AccessOptions = {}) {
    const tokens = opts.tokens ?? [];
    const certificates = opts.certificates ?? [];
    this.hasCredentials = tokens.length + certificates.length > 0;
    const names = new Set<string>();
    for (const t of tokens) {
      if (names.has(t.name)) throw new TypeError(`access: the token name ${t.name} is used twice`);
      names.add(t.name);
      if (t.secret.length === 0) throw new TypeError(`access: the token ${t.name} is empty`);
    }
    this.#tokens = tokens.map((t) => ({ digest: digest(t.secret), principal: principalOf("token", t.name, new CompiledRights(t.rights)) }));
    this.#certificates = certificates.map((c) => ({
      subject: c.subject.toLowerCase(), principal: principalOf("certificate", c.subject, new CompiledRights(c.rights)),
    }));
    this.#anonymousRights = new CompiledRights(opts.anonymous ?? (this.hasCredentials ? "READ" : "ADMIN"));
    this.anonymous = principalOf("anonymous", "anonymous", this.#anonymousRights);
  }

  /**
   * Who presents these credentials. A token wins over a certificate. A token the server does not
   * know is refused (API_CannotCheckAccessControl: gRPC UNAUTHENTICATED, HTTP 401); a verified
   * certificate with no entry is identified by its subject but has the anonymous rights.
   */
  authenticate(credentials: Credentials): Principal {
    if (credentials.bearer !== undefined) {
      const presented = digest(credentials.bearer);
      let found: Principal | undefined;
      // Every entry is compared, so the time taken does not say which one matched.
      for (const t of this.#tokens) if (timingSafeEqual(presented, t.digest)) found = t.principal;
      if (found === undefined) {
        throw DevFailed.of(Reason.CannotCheckAccessControl,
          "The bearer token is not one this server knows; send \"authorization: Bearer <token>\" with a configured token, or no token for anonymous access",
          ORIGIN);
      }
      return found;
    }
    const subject = credentials.certificateSubject;
    if (subject !== undefined) {
      const full = formatSubject(subject);
      // Escaped too: a CN `CN=robot,O=lab` must not match the entry of that whole subject.
      const cn = [subject.CN].flat().map((v) => (v === undefined ? undefined : escapeValue(v)))[0];
      const lowerFull = full.toLowerCase();
      const lowerCn = cn?.toLowerCase();
      const entry = this.#certificates.find((c) => c.subject === lowerFull || c.subject === lowerCn);
      if (entry !== undefined) return entry.principal;
      if (full !== "") return principalOf("certificate", full, this.#anonymousRights);
    }
    return this.anonymous;
  }
}
