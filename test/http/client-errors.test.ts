import { expect } from "chai";
import { clientProblemOf } from "../../src/http/client-errors.js";

/** A node:http parser error as the server's clientError event carries it. */
function parserError(code: string, rawPacket?: Buffer): Error & { code: string; rawPacket?: Buffer } {
  return Object.assign(new Error(`Parse Error: ${code}`), { code, rawPacket });
}

describe("node:http client errors as the sidecar answers them", () => {
  it("tells a request line over the header limit (414) from headers over it (431)", () => {
    const longLine = Buffer.from(`GET /${"a".repeat(9_000)} HTTP/1.1\r\nHost: x\r\n`);
    expect(clientProblemOf(parserError("HPE_HEADER_OVERFLOW", longLine), 8192)).to.include({ status: 414, reason: "HTTP_UriTooLong" });
    const unfinished = Buffer.from(`GET /${"a".repeat(9_000)}`);
    expect(clientProblemOf(parserError("HPE_HEADER_OVERFLOW", unfinished), 8192)).to.include({ status: 414 });
    const bigHeader = Buffer.from(`GET /healthz HTTP/1.1\r\nX-Big: ${"a".repeat(20_000)}`);
    expect(clientProblemOf(parserError("HPE_HEADER_OVERFLOW", bigHeader), 8192)).to.include({ status: 431, reason: "HTTP_HeadersTooLarge" });
    // A later chunk of the headers does not start with a request line: headers.
    expect(clientProblemOf(parserError("HPE_HEADER_OVERFLOW", Buffer.from("a".repeat(100))), 8192)).to.include({ status: 431 });
    expect(clientProblemOf(parserError("HPE_HEADER_OVERFLOW"), 8192)).to.include({ status: 431 });
  });

  it("answers a request that timed out with 408 and anything else with 400 naming the parser's code", () => {
    expect(clientProblemOf(parserError("ERR_HTTP_REQUEST_TIMEOUT"), 8192)).to.include({ status: 408, reason: "HTTP_RequestTimeout" });
    const chunk = clientProblemOf(parserError("HPE_INVALID_CHUNK_SIZE"), 8192);
    expect(chunk).to.include({ status: 400, reason: "HTTP_BadRequest" });
    expect(chunk.description).to.contain("chunk size").and.contain("HPE_INVALID_CHUNK_SIZE");
    expect(clientProblemOf(parserError("HPE_SOMETHING_NEW"), 8192).description).to.contain("not valid HTTP/1.1 (HPE_SOMETHING_NEW)");
  });
});
