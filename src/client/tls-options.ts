import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import type { ConnectionOptions } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { ClientErrors } from "./client-errors.js";

/**
 * TLS of a DeviceProxy's connection (DeviceProxyOptions.tls). Each PEM item is a Buffer, PEM text
 * (a string holding `-----BEGIN`), or the path of a PEM file, read once when the proxy is made.
 */
export interface TlsClientOptions {
  /** CA certificates the server's certificate must chain to. Default: Node's bundled root CAs. */
  readonly ca?: string | Buffer;
  /** This client's certificate chain, for servers that require one (mutual TLS); needs `key`. */
  readonly cert?: string | Buffer;
  /** The private key of `cert`. */
  readonly key?: string | Buffer;
  /**
   * The name the server's certificate must carry, when it is not the TRL's host (a server
   * reached by an IP address or through a tunnel). Default: the TRL's host.
   */
  readonly serverName?: string;
}

/** The channel credentials and options of a connection. @internal */
export interface ChannelSecurity {
  readonly credentials: grpc.ChannelCredentials;
  readonly options: grpc.ChannelOptions;
  readonly isTls: boolean;
  /** The same settings for node:tls, to tell why a handshake failed (see diagnoseTls). */
  readonly tlsOptions: ConnectionOptions;
}

const ORIGIN = "DeviceProxy::DeviceProxy";

/**
 * Plaintext, unless the TRL says `tango+tls://` or `tls` is given (`true`: Node's root CAs, no
 * client certificate).
 *
 * @throws DevFailed API_MethodArgument when a file cannot be read or the items do not fit together.
 */
export function channelSecurityOf(host: string, isTlsTrl: boolean, tls: boolean | TlsClientOptions | undefined): ChannelSecurity {
  if (!isTlsTrl && (tls === undefined || tls === false)) {
    return { credentials: grpc.credentials.createInsecure(), options: {}, isTls: false, tlsOptions: {} };
  }
  const opts = typeof tls === "object" ? tls : {};
  const ca = pemOf(opts.ca, "CA");
  const cert = pemOf(opts.cert, "certificate");
  const key = pemOf(opts.key, "private key");
  if ((cert === undefined) !== (key === undefined)) {
    throw ClientErrors.methodArgument("tls.cert and tls.key go together: give both, or neither", ORIGIN);
  }
  let credentials: grpc.ChannelCredentials;
  try {
    credentials = grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
  } catch (err) {
    throw ClientErrors.methodArgument(`The TLS options are not usable: ${err instanceof Error ? err.message : String(err)}`, ORIGIN);
  }
  const options: grpc.ChannelOptions = opts.serverName === undefined ? {} : { "grpc.ssl_target_name_override": opts.serverName };
  const servername = opts.serverName ?? (isIP(host) === 0 ? host : undefined);
  const tlsOptions: ConnectionOptions = {
    ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }),
    ...(servername === undefined ? {} : { servername }),
  };
  return { credentials, options, isTls: true, tlsOptions };
}

function pemOf(item: string | Buffer | undefined, what: string): Buffer | undefined {
  if (item === undefined || Buffer.isBuffer(item)) return item;
  if (item.includes("-----BEGIN")) return Buffer.from(item);
  try {
    return readFileSync(item);
  } catch (err) {
    throw ClientErrors.methodArgument(`Cannot read the TLS ${what} file ${item}: ${err instanceof Error ? err.message : String(err)}`, ORIGIN);
  }
}
