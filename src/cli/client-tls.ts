import type { DeviceProxyOptions } from "../client/index.js";
import type { VerbArgs } from "./verb.js";

/** A mistake in the TLS options; client-verb.ts reports it as a usage error. */
export class TlsOptionError extends Error {
  override readonly name = "TlsOptionError";
}

/** The environment variables that stand for the client verbs' TLS options (an option wins). */
export const CLIENT_TLS_ENV = {
  tls: "TANGO_CLIENT_TLS",
  ca: "TANGO_CLIENT_CA_FILE",
  cert: "TANGO_CLIENT_CERT_FILE",
  key: "TANGO_CLIENT_KEY_FILE",
  "server-name": "TANGO_CLIENT_SERVER_NAME",
} as const;

/** parseArgs options of the TLS flags, shared by every client verb. */
export const CLIENT_TLS_OPTIONS = {
  tls: { type: "boolean" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  "server-name": { type: "string" },
} as const;

/** The help rows of the TLS flags. */
export const CLIENT_TLS_HELP: readonly (readonly [string, string])[] = [
  ["--tls", `connect with TLS, checking the server's certificate against the system's root CAs (a tango+tls:// TRL does the same; env ${CLIENT_TLS_ENV.tls}=true)`],
  ["--ca <file>", `PEM CA certificates the server's certificate must chain to; implies --tls (env ${CLIENT_TLS_ENV.ca})`],
  ["--cert <file>", `PEM client certificate, for servers that require one (mutual TLS); needs --key (env ${CLIENT_TLS_ENV.cert})`],
  ["--key <file>", `PEM private key of --cert (env ${CLIENT_TLS_ENV.key})`],
  ["--server-name <name>", `the name the server's certificate must carry, when the address is another (a port-forward to localhost); implies --tls (env ${CLIENT_TLS_ENV["server-name"]})`],
];

/**
 * DeviceProxyOptions.tls from `--tls`, `--ca`, `--cert`, `--key`, `--server-name` and their environment variables;
 * undefined when none is given (a `tango+tls://` TRL still turns TLS on). The files are read by
 * the proxy, which reports an unreadable one as API_MethodArgument.
 *
 * @throws TlsOptionError for --cert without --key (or the reverse), or a bad TANGO_CLIENT_TLS.
 */
export function clientTlsOption(values: VerbArgs["values"], env: NodeJS.ProcessEnv): DeviceProxyOptions["tls"] {
  const text = (name: keyof typeof CLIENT_TLS_ENV): string | undefined => {
    const given = values[name];
    if (typeof given === "string") return given;
    const fromEnv = env[CLIENT_TLS_ENV[name]]?.trim();
    return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
  };
  const envTls = env[CLIENT_TLS_ENV.tls]?.trim().toLowerCase();
  if (envTls !== undefined && envTls !== "" && envTls !== "true" && envTls !== "false") {
    throw new TlsOptionError(`${CLIENT_TLS_ENV.tls} must be true or false, got ${JSON.stringify(env[CLIENT_TLS_ENV.tls])}`);
  }
  const ca = text("ca");
  const cert = text("cert");
  const key = text("key");
  const serverName = text("server-name");
  if ((cert === undefined) !== (key === undefined)) {
    throw new TlsOptionError(cert === undefined ? "--key needs --cert, the certificate it belongs to" : "--cert needs --key, its private key");
  }
  const isOn = values.tls === true || envTls === "true";
  if (ca === undefined && cert === undefined && serverName === undefined) return isOn ? true : undefined;
  return {
    ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }),
    ...(serverName === undefined ? {} : { serverName }),
  };
}
