import * as grpc from "@grpc/grpc-js";
import type { IncomingHttpHeaders } from "node:http2";
import type { CallError } from "../connection.js";

/** Bytes of gRPC's message prefix: a compression flag and a big-endian uint32 length. */
export const MESSAGE_PREFIX_BYTES = 5;

/** Messages up to this size go out as one buffer with their prefix; larger ones as two writes, uncopied. */
const COPY_LIMIT_BYTES = 16 * 1024;

/** The 5-byte prefix of an uncompressed message of `length` bytes. */
function prefixOf(length: number): Buffer {
  const prefix = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES);
  prefix[0] = 0;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/** One uncompressed gRPC message as the buffers to write: prefix and message, joined when small. */
export function framesOf(message: Buffer): readonly Buffer[] {
  if (message.length >= COPY_LIMIT_BYTES) return [prefixOf(message.length), message];
  const framed = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, MESSAGE_PREFIX_BYTES);
  return [framed];
}

/**
 * Cuts the DATA of a gRPC reply into messages, whatever the frames: a message may span chunks
 * and a chunk may hold several. A message that fits one chunk is a view of it, not a copy.
 * Throws a CallError for a message over `maxMessageBytes` (RESOURCE_EXHAUSTED, as grpc-js says
 * it) or a compressed one (none is asked for).
 */
export class MessageReader {
  readonly #maxMessageBytes: number;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  /** The length of the message being read, once its prefix is in; -1 before. */
  #length = -1;

  constructor(maxMessageBytes: number) {
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Bytes received that are not a whole message yet. */
  get pendingBytes(): number {
    return this.#buffered;
  }

  /** Takes a chunk of DATA; returns the messages it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (this.#buffered === 0) {
      // The common case: whole messages in one chunk, no copy.
      let offset = 0;
      while (chunk.length - offset >= MESSAGE_PREFIX_BYTES) {
        const length = this.#lengthAt(chunk, offset);
        if (chunk.length - offset - MESSAGE_PREFIX_BYTES < length) break;
        out.push(chunk.subarray(offset + MESSAGE_PREFIX_BYTES, offset + MESSAGE_PREFIX_BYTES + length));
        offset += MESSAGE_PREFIX_BYTES + length;
      }
      if (offset === chunk.length) return out;
      chunk = chunk.subarray(offset);
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#length < 0) {
        if (this.#buffered < MESSAGE_PREFIX_BYTES) return out;
        const head = this.#take(MESSAGE_PREFIX_BYTES);
        this.#length = this.#lengthAt(head, 0);
      }
      if (this.#buffered < this.#length) return out;
      out.push(this.#take(this.#length));
      this.#length = -1;
    }
  }

  #lengthAt(bytes: Buffer, offset: number): number {
    const flag = bytes[offset];
    const length = bytes.readUInt32BE(offset + 1);
    if (flag !== 0) {
      throw callErrorOf(grpc.status.INTERNAL, "Received compressed message but \"grpc-encoding\" header was identity");
    }
    if (length > this.#maxMessageBytes) {
      throw callErrorOf(grpc.status.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${this.#maxMessageBytes})`);
    }
    return length;
  }

  /** The next `n` buffered bytes (a view when they lie in one chunk). */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0] as Buffer;
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}

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
