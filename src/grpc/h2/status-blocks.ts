import type { Metadata } from "@grpc/grpc-js";
import { encodeHeaderBlock } from "../../http2/hpack.js";

/** A status to send: gRPC's code, its text, and trailing metadata. @internal */
export interface SentStatus {
  readonly code: number;
  readonly details: string;
  readonly metadata?: Metadata | undefined;
}

const RESPONSE_FIELDS: ReadonlyArray<readonly [string, string]> = [
  [":status", "200"], ["content-type", "application/grpc"], ["grpc-accept-encoding", "identity"],
];

/**
 * The response headers of every call (HPACK), encoded once. `content-type`'s value is
 * Huffman-coded, which makes the block 46 bytes long: a reply's message (after this HEADERS
 * frame, a DATA frame header and the 5-byte prefix) then starts at 5 mod 8 of the write, where
 * grpc-js puts a message and so where aligned-raw.ts lays a large array out to be 8-aligned. A
 * client that reads the reply from the start of a fresh buffer, as a sequential call's reply is
 * read, maps the array where it lies instead of copying it. (Padding the frame would do it for
 * any block, but gRPC's C core refuses padded HEADERS.) test/grpc/h2-server.test.ts checks it.
 * @internal
 */
export const RESPONSE_HEADERS = encodeHeaderBlock(RESPONSE_FIELDS, { huffmanValues: new Set(["content-type"]) });

/** The trailers of a call that ended OK with no trailing metadata, encoded once. */
const OK_TRAILERS = encodeHeaderBlock([["grpc-status", "0"], ["grpc-message", "OK"]]);

/** Characters grpc-message carries as they are (gRPC over HTTP/2: printable ASCII but `%`). */
const PLAIN_MESSAGE = /^[\x20-\x24\x26-\x7e]*$/;

/** `grpc-message`'s percent-encoding of UTF-8 text (gRPC over HTTP/2, "Status-Message"). */
export function percentEncoded(text: string): string {
  if (PLAIN_MESSAGE.test(text)) return text;
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The header fields of `metadata` (`-bin` values base64), as grpc-js sends them. */
function metadataFields(metadata: Metadata | undefined): Array<[string, string]> {
  if (metadata === undefined) return [];
  const fields: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(metadata.toHttp2Headers())) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) fields.push([key, String(v)]);
  }
  return fields;
}

/**
 * A header block with `sent`'s status (`grpc-status`, `grpc-message`) and `metadata`; with the
 * response headers first when `withResponseHeaders` (a trailers-only reply). Without `sent`, the
 * response headers with `metadata` (a call's own response metadata).
 * @internal
 */
export function statusBlockOf(sent: SentStatus | undefined, metadata: Metadata | undefined, withResponseHeaders: boolean): Buffer {
  const extra = metadataFields(metadata);
  if (sent !== undefined && sent.code === 0 && !withResponseHeaders && extra.length === 0) return OK_TRAILERS;
  return encodeHeaderBlock([
    ...(withResponseHeaders ? RESPONSE_FIELDS : []),
    ...(sent === undefined ? [] : [["grpc-status", String(sent.code)], ["grpc-message", percentEncoded(sent.details)]] as const),
    ...extra,
  ]);
}
