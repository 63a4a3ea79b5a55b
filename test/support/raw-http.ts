import { connect } from "node:net";

/** One HTTP/1.1 answer read off a raw socket. */
export interface RawAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, parsed when it is JSON, else the text. */
  readonly body: unknown;
  /** Everything the server sent. */
  readonly raw: string;
}

/**
 * Writes `request` as is to 127.0.0.1:`port` (fetch would fix or refuse what these tests send:
 * bad percent-encoding, huge headers, a bad chunk) and reads the answer until the server closes
 * the connection; send `Connection: close`. Fails after `timeoutMs` with what arrived so far.
 */
export async function rawRequest(port: number, request: string | Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString("latin1").slice(0, 300))}`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // The server may close while we still write (a refused header): what it sent first counts.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    socket.write(request);
  });
  return parseAnswer(raw);
}

function parseAnswer(raw: string): RawAnswer {
  const headEnd = raw.indexOf("\r\n\r\n");
  if (headEnd < 0) throw new Error(`not an HTTP answer: ${JSON.stringify(raw.slice(0, 300))}`);
  const [statusLine = "", ...lines] = raw.slice(0, headEnd).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const text = raw.slice(headEnd + 4);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status, headers, body, raw };
}
