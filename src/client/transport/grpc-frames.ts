import * as grpc from "@grpc/grpc-js";
import type { IncomingHttpHeaders } from "node:http2";
import type { CallError } from "../connection.js";

export { MESSAGE_PREFIX_BYTES, MessageReader, framesOf } from "../../http2/grpc-messages.js";

/** A failed call's error, shaped as grpc-js's ServiceError (`<code> <NAME>: <details>`). */
export function callErrorOf(code: grpc.status, details: string, metadata = new grpc.Metadata()): CallError {
  const err = new Error(`${code} ${grpc.status[code]}: ${details}`) as Error & { code: grpc.status; details: string; metadata: grpc.Metadata };
  err.code = code;
  err.details = details;
  err.metadata = metadata;
  return err;
}

/** Headers that are the transport's, not metadata the server sent. */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(["grpc-status", "grpc-message", "content-type", "grpc-encoding", "grpc-accept-encoding", "date"]);

/** The metadata of headers or trailers: `-bin` values base64-decoded, pseudo-headers and gRPC's own left out. */
export function metadataOf(headers: IncomingHttpHeaders): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(headers)) {
    if (key.startsWith(":") || TRANSPORT_HEADERS.has(key) || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (key.endsWith("-bin")) {
      for (const v of values) for (const part of v.split(",")) md.add(key, Buffer.from(part.trim(), "base64"));
    } else {
      for (const v of values) md.add(key, v);
    }
  }
  return md;
}

/**
 * The status of a call from its trailers (or a trailers-only reply's headers): undefined when
 * they hold no `grpc-status`. `grpc-message` is percent-decoded (gRPC's HTTP/2 protocol); the
 * metadata is made from the headers on first use.
 */
export function statusOf(headers: IncomingHttpHeaders): { code: grpc.status; details: string; metadata: grpc.Metadata } | undefined {
  const raw = headers["grpc-status"];
  if (raw === undefined) return undefined;
  const parsed = Number(Array.isArray(raw) ? raw[0] : raw);
  const code = Number.isInteger(parsed) && parsed >= 0 && parsed <= 16 ? parsed as grpc.status : grpc.status.UNKNOWN;
  const message = headers["grpc-message"];
  const details = percentDecoded(Array.isArray(message) ? message.join(",") : message ?? "");
  // Read only when someone asks: a call that ends OK never does.
  let metadata: grpc.Metadata | undefined;
  return { code, details, get metadata() { return metadata ??= metadataOf(headers); } };
}

function percentDecoded(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** gRPC's status for a reply with an HTTP status other than 200 (gRPC's http-grpc-status-mapping). */
export function statusOfHttp(httpStatus: number): grpc.status {
  switch (httpStatus) {
    case 400: return grpc.status.INTERNAL;
    case 401: return grpc.status.UNAUTHENTICATED;
    case 403: return grpc.status.PERMISSION_DENIED;
    case 404: return grpc.status.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return grpc.status.UNAVAILABLE;
    default: return grpc.status.UNKNOWN;
  }
}

/** The `grpc-timeout` header for `ms` milliseconds: at most 8 digits, in the finest unit that fits. */
export function grpcTimeoutOf(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  if (whole < 1e8) return `${whole}m`;
  const seconds = Math.ceil(whole / 1000);
  if (seconds < 1e8) return `${seconds}S`;
  return `${Math.min(99_999_999, Math.ceil(seconds / 3600))}H`;
}
