import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyBaseLogger } from "fastify";
import { HttpReason, restProblemOf } from "./rest-errors.js";

/*
 * Requests that node:http refuses before Fastify sees them (headers over Node's limit, a request
 * line or chunked body that is not HTTP/1.1, a client too slow to send its headers) arrive as the
 * server's `clientError` event, with a socket and no reply object. Fastify's default answer is
 * its own `{error, message, statusCode}`; this one is the sidecar's error body.
 */

const ORIGIN = "HTTP sidecar (HTTP parser)";

/** A node:http parser error as the `clientError` event gives it (`rawPacket` is a Buffer at run time). */
interface ParserError extends Error {
  readonly code?: string;
  readonly rawPacket?: unknown;
}

/** What llhttp's error codes mean, for the description (the rest say "not valid HTTP/1.1"). */
const PARSER_PROBLEMS: Readonly<Record<string, string>> = {
  HPE_INVALID_METHOD: "the method is not an HTTP method",
  HPE_INVALID_URL: "the request target is not a valid URL",
  HPE_INVALID_CHUNK_SIZE: "the chunked body has a chunk size that is not hexadecimal",
  HPE_INVALID_TRANSFER_ENCODING: "the Transfer-Encoding header is not one Node reads",
  HPE_UNEXPECTED_CONTENT_LENGTH: "the request has both Content-Length and Transfer-Encoding: chunked",
  HPE_INVALID_CONTENT_LENGTH: "the Content-Length header is not a number",
  HPE_INVALID_HEADER_TOKEN: "a header name or value holds a character HTTP does not allow",
  HPE_INVALID_VERSION: "the HTTP version is not one Node reads",
  HPE_CR_EXPECTED: "a line does not end with CRLF",
  HPE_LF_EXPECTED: "a line does not end with CRLF",
};

/** True when the packet starts with a request line that has not ended within `maxUrlBytes`. */
function isRequestLineTooLong(rawPacket: unknown, maxUrlBytes: number): boolean {
  if (!Buffer.isBuffer(rawPacket)) return false;
  const head = rawPacket.subarray(0, maxUrlBytes + 32).toString("latin1");
  if (!/^[A-Z]+ \S/.test(head)) return false;
  const end = head.indexOf("\r\n");
  return end < 0 || end > maxUrlBytes;
}

/** The status, reason and description of a client error. */
export function clientProblemOf(err: ParserError, maxUrlBytes: number): { status: number; reason: HttpReason; description: string } {
  switch (err.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, reason: HttpReason.RequestTimeout, description: "The request's headers or body did not arrive in time" };
    case "HPE_HEADER_OVERFLOW":
      // Node counts the request line with the headers; a long line is a long URL.
      return isRequestLineTooLong(err.rawPacket, maxUrlBytes)
        ? { status: 414, reason: HttpReason.UriTooLong, description: `The URL is longer than ${maxUrlBytes} bytes` }
        : { status: 431, reason: HttpReason.HeadersTooLarge, description: "The request's headers are larger than the server accepts (Node's --max-http-header-size, 16 KiB by default)" };
    default: {
      const what = (err.code !== undefined ? PARSER_PROBLEMS[err.code] : undefined) ?? "it is not valid HTTP/1.1";
      return { status: 400, reason: HttpReason.BadRequest, description: `The request could not be read: ${what} (${err.code ?? err.message})` };
    }
  }
}

/**
 * A Fastify `clientErrorHandler`: answers in the sidecar's error body and closes the connection.
 * Nothing is written when the connection is gone or a response on it has already started (the
 * bytes would land in the middle of it); Node's own handler does the same.
 */
export function createClientErrorHandler(log: FastifyBaseLogger, maxUrlBytes: number): (err: ParserError, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    const inProgress = Reflect.get(socket, "_httpMessage") as { headersSent?: boolean } | null | undefined;
    if (!socket.writable || inProgress?.headersSent === true) {
      socket.destroy(err);
      return;
    }
    const { status, reason, description } = clientProblemOf(err, maxUrlBytes);
    log.debug({ code: err.code, status }, "HTTP request refused by the parser");
    const body = JSON.stringify(restProblemOf(reason, description, ORIGIN));
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nContent-Type: application/json; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    // The client may still be sending what the parser refused: don't wait for it to stop.
    const timer = setTimeout(() => socket.destroy(), CLOSE_AFTER_MS).unref();
    socket.once("close", () => clearTimeout(timer));
  };
}

/** How long a refused connection may linger after the answer is written, ms. */
const CLOSE_AFTER_MS = 1_000;
