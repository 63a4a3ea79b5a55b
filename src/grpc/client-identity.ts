import { isIP } from "node:net";
import type { Metadata } from "@grpc/grpc-js";
import type { ClientIdentity } from "../server/index.js";
import { CLIENT_METADATA } from "./client-metadata.js";

/** Longest client-supplied string kept; longer ones are ignored, not cut. */
const MAX_TEXT_CHARS = 255;
const MAX_PID = 0x7fffffff;
// eslint-disable-next-line no-control-regex -- control characters would garble blackbox lines
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A client-supplied string: non-empty, bounded, printable; anything else reads as absent. */
function readText(metadata: Metadata, key: string): string | undefined {
  const [v] = metadata.get(key);
  if (typeof v !== "string" || v.length === 0 || v.length > MAX_TEXT_CHARS || CONTROL_CHARS.test(v)) return undefined;
  return v;
}

function readPid(metadata: Metadata): number | undefined {
  const v = readText(metadata, CLIENT_METADATA.pid);
  if (v === undefined || !/^[1-9][0-9]{0,9}$/.test(v)) return undefined;
  const pid = Number(v);
  return pid <= MAX_PID ? pid : undefined;
}

/**
 * The host part of a grpc-js peer string: `127.0.0.1:50744`, `::1:50744` (grpc-js ≥ 1.10 joins
 * an IPv6 address and its port without brackets), `ipv4:10.0.0.1:1`, `ipv6:[::1]:1`. IPv4-mapped
 * IPv6 addresses read as IPv4, loopback as `localhost`; no DNS lookup (it would sit on the request
 * path). Anything unparsable is returned as given.
 *
 * @internal
 */
export function hostOfPeer(peer: string): string {
  let p = peer.startsWith("ipv4:") || peer.startsWith("ipv6:") ? peer.slice(5) : peer;
  if (p.startsWith("[")) {
    const end = p.indexOf("]");
    if (end > 0) p = p.slice(1, end);
  } else {
    // grpc-js always appends the port, so strip it first: "::1:1234" is ::1, port 1234 (it
    // would also parse as one IPv6 address).
    const colon = p.lastIndexOf(":");
    if (colon > 0 && /^\d+$/.test(p.slice(colon + 1)) && isIP(p.slice(0, colon)) !== 0) p = p.slice(0, colon);
  }
  if (p.toLowerCase().startsWith("::ffff:") && isIP(p.slice(7)) === 4) p = p.slice(7);
  if (p === "::1" || (isIP(p) === 4 && p.startsWith("127."))) return "localhost";
  return p;
}

/**
 * Reads who is calling (spec §10.7): the metadata a Tango client sends, and the transport's peer.
 * `host` is the client's own name for itself when it sent one, else the peer's address. Bad or
 * oversized metadata is ignored, never an error.
 *
 * Keeps the last peer's host, so the usual case (many calls on one connection) parses nothing.
 *
 * @internal Used by the device service.
 */
export class ClientIdentityReader {
  #lastPeer = "";
  #lastHost = "";
  /** The last identity read and the raw values it was read from: a client sends the same ones on every call. */
  #last: { readonly raw: readonly unknown[]; readonly identity: ClientIdentity } | undefined;

  /** The identity of one call (the object of the previous call when nothing differs). */
  read(metadata: Metadata, peer: string): ClientIdentity {
    const raw = [peer, metadata.get(CLIENT_METADATA.host)[0], metadata.get(CLIENT_METADATA.pid)[0],
      metadata.get(CLIENT_METADATA.language)[0], metadata.get(CLIENT_METADATA.mainClass)[0], metadata.get(CLIENT_METADATA.proxy)[0]];
    const last = this.#last;
    if (last !== undefined && raw.every((v, i) => v === last.raw[i])) return last.identity;
    if (peer !== this.#lastPeer) {
      this.#lastHost = hostOfPeer(peer);
      this.#lastPeer = peer;
    }
    const identity: ClientIdentity = {
      host: readText(metadata, CLIENT_METADATA.host) ?? this.#lastHost,
      peer,
      pid: readPid(metadata),
      language: readText(metadata, CLIENT_METADATA.language),
      mainClass: readText(metadata, CLIENT_METADATA.mainClass),
      proxyId: readText(metadata, CLIENT_METADATA.proxy),
    };
    this.#last = { raw, identity };
    return identity;
  }
}
