import { isIP } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";

/**
 * The part of a grpc-js error text that says a TLS handshake failed, or undefined when it does not
 * (OpenSSL's and Node's wording: an untrusted or expired certificate, a name mismatch, a missing
 * client certificate, a protocol alert).
 */
export function tlsFailureOf(details: string): string | undefined {
  if (!TLS_FAILURE.test(details)) return undefined;
  // grpc-js says "No connection established. Last error: <reason> (<time>)": keep the reason.
  const last = /Last error: (?:Error: )?(.*?)(?: \([^()]*\))?(?:\. Resolution note:.*)?$/.exec(details);
  return explainTlsFailure((last?.[1] ?? details).trim());
}

/**
 * OpenSSL's text (`80EC…:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate
 * required:../deps/…`) cut to its reason, with what it means for the user in front.
 */
export function explainTlsFailure(message: string): string {
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1]?.trim() ?? message.trim();
  const meaning = MEANINGS.find(([pattern]) => pattern.test(reason))?.[1];
  return meaning === undefined ? reason : `${meaning} (${reason})`;
}

const MEANINGS: readonly (readonly [RegExp, string])[] = [
  [/self[- ]signed|unable to (?:get local issuer|verify the first)|unknown ca|certificate signature failure/i,
    "the server's certificate is not signed by a CA this client trusts"],
  [/certificate has expired|certificate is not yet valid/i, "the server's certificate is not valid now"],
  [/certificate required/i, "the server requires a client certificate"],
  [/alert (?:bad certificate|unknown ca|certificate unknown|decrypt error)/i, "the server refused this client's certificate"],
  [/wrong version number|packet length too long|http request/i, "the server does not speak TLS: use tango:// without TLS options"],
];

const TLS_FAILURE = new RegExp([
  "certificate", "self[- ]signed", "unable to (?:get|verify)", "Hostname/IP does not match", "ERR_TLS", "ERR_SSL",
  "SSL routines", "alert", "wrong version number", "TLS",
].join("|"), "i");

/** Errors of the TCP connection, before any TLS: not ours to explain. */
const TCP_FAILURES: ReadonlySet<string> = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EADDRNOTAVAIL"]);

/** How long a server may take to refuse our client certificate after the handshake (TLS 1.3), ms. */
const ALERT_WAIT_MS = 300;

/**
 * Why a TLS connection to `host:port` fails, found by making one with Node's TLS and the
 * channel's own settings: grpc-js often reports only "Failed to connect" (a TLS 1.3 server's
 * refusal of the client certificate arrives after the client's handshake is done). Resolves to
 * undefined when the TCP connection itself fails or the handshake succeeds; never rejects.
 */
export function diagnoseTls(host: string, port: number, options: ConnectionOptions, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const socket = tlsConnect({ ...options, host, port, ALPNProtocols: ["h2"] });
    const finish = (detail: string | undefined): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      // The answer is in: an error of the socket being torn down says nothing more.
      socket.on("error", () => undefined);
      socket.destroy();
      resolve(detail);
    };
    timer = setTimeout(() => finish(undefined), Math.max(1, timeoutMs));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      finish(err.code !== undefined && TCP_FAILURES.has(err.code) ? undefined : explainTlsFailure(err.message));
    });
    let isSecure = false;
    socket.on("secureConnect", () => {
      isSecure = true;
      clearTimeout(timer);
      timer = setTimeout(() => finish(undefined), ALERT_WAIT_MS);
    });
    // Reading lets an alert that follows the handshake arrive as an error.
    socket.on("data", () => undefined);
    // Node's TLS server closes without an alert when it refuses a client certificate.
    socket.on("end", () => finish(!isSecure ? undefined : options.cert === undefined
      ? "the server closed the connection after the handshake: it requires a client certificate"
      : "the server closed the connection after the handshake: it refused this client's certificate"));
  });
}

/**
 * Whether `host:port` answers a TLS handshake (any certificate), for a plaintext channel that
 * failed: the user then needs `tango+tls://`, not a server that is "not running".
 */
export function isTlsPort(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, ALPNProtocols: ["h2"], rejectUnauthorized: false, ...(isIP(host) === 0 ? { servername: host } : {}) });
    const finish = (isTls: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      // The answer is in: an error of the socket being torn down says nothing more.
      socket.on("error", () => undefined);
      socket.destroy();
      resolve(isTls);
    };
    const timer = setTimeout(() => finish(false), Math.max(1, timeoutMs));
    socket.on("secureConnect", () => finish(true));
    socket.on("error", () => finish(false));
    socket.on("end", () => finish(false));
  });
}
