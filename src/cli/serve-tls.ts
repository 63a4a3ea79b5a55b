import type { Logger } from "pino";
import { TlsFileWatcher, TlsFilesError, type ServerConfig } from "../server/index.js";
import { ConfigError } from "./config-error.js";

/** The TLS of both ports: one watcher of the files, and whether clients must show a certificate. */
export interface ServerTls {
  readonly files: TlsFileWatcher;
  readonly requireClientCert: boolean;
}

/**
 * Opens the config's `tls` files, or resolves to undefined when TLS is off. The caller closes
 * `files` at the end.
 *
 * @throws ConfigError naming the `tls` key and the file when the material is unusable.
 */
export async function openServerTls(config: Readonly<ServerConfig>, configFile: string | undefined, log: Logger): Promise<ServerTls | undefined> {
  const tls = config.tls;
  if (tls === undefined) return undefined;
  try {
    const files = await TlsFileWatcher.open({
      certFile: tls.certFile,
      keyFile: tls.keyFile,
      clientCaFile: tls.clientCaFile,
      reloadIntervalMs: tls.reloadIntervalMs,
    }, log.child({ component: "tls" }));
    return { files, requireClientCert: tls.requireClientCert };
  } catch (err) {
    if (!(err instanceof TlsFilesError)) throw err;
    const key = err.file === tls.keyFile ? "keyFile" : err.file === tls.clientCaFile ? "clientCaFile" : "certFile";
    throw new ConfigError(configFile ?? "(embedded default config)", [{ where: err.file, path: ["tls", key], message: err.message }]);
  }
}
