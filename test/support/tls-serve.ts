import { X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { runServe } from "../../src/cli/serve.js";
import type { CertFiles } from "./test-certs.js";
import { FakeProcess, LogSink, type LogLine } from "./log-sink.js";

export { FakeProcess, LogSink, type LogLine };

const WAIT_MS = 10_000;



/**
 * A folder laid out as Kubernetes mounts a Secret: `tls.crt`, `tls.key` and `ca.crt` are links
 * through `..data` to a timestamped folder, and an update swaps `..data` in one rename.
 */
export class SecretVolume {
  #version = 0;
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  get certFile(): string { return join(this.dir, "tls.crt"); }
  get keyFile(): string { return join(this.dir, "tls.key"); }
  get caFile(): string { return join(this.dir, "ca.crt"); }

  /** Writes a new version and swaps `..data` to it, as the kubelet does. */
  update(identity: { cert: Buffer; key: Buffer }, ca: CertFiles): void {
    const version = join(this.dir, `..v${++this.#version}`);
    mkdirSync(version);
    writeFileSync(join(version, "tls.crt"), identity.cert);
    writeFileSync(join(version, "tls.key"), identity.key);
    writeFileSync(join(version, "ca.crt"), ca.cert);
    const tmp = join(this.dir, "..data_tmp");
    symlinkSync(version, tmp);
    renameSync(tmp, join(this.dir, "..data"));
    if (this.#version === 1) {
      for (const name of ["tls.crt", "tls.key", "ca.crt"]) symlinkSync(join("..data", name), join(this.dir, name));
    }
  }
}

/** A running `serve` in this process. */
export interface ServeRun {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly logs: LogSink;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number>;
}

/** Runs `serve` (the embedded TangoTest server) with `env` on 127.0.0.1, ports chosen by the OS. */
export async function startServe(env: NodeJS.ProcessEnv): Promise<ServeRun> {
  const logs = new LogSink();
  const proc = new FakeProcess();
  const run = runServe({
    env: { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", ...env },
    logDestination: logs, process: proc,
  });
  const ready = await Promise.race([logs.waitFor("Ready to accept request"), run.then((code) => {
    throw new Error(`serve ended with ${code} before it was ready:\n${logs.lines.map((l) => JSON.stringify(l)).join("\n")}`);
  })]);
  let stopping: Promise<number> | undefined;
  return {
    grpcPort: ready.grpcPort as number,
    httpPort: ready.httpPort as number,
    logs,
    stop: () => {
      stopping ??= (proc.emit("SIGTERM", "SIGTERM"), run);
      return stopping;
    },
  };
}

/** The serial number of the certificate a fresh TLS connection to 127.0.0.1:`port` is shown. */
export function peerSerial(port: number, opts: ConnectionOptions & { alpn: "h2" | "http/1.1" }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, servername: "localhost", ALPNProtocols: [opts.alpn], ...opts }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.destroy();
      resolve(serial);
    });
    socket.setTimeout(WAIT_MS, () => { socket.destroy(); reject(new Error("TLS connection timed out")); });
    socket.on("error", reject);
  });
}

/** The serial number of a PEM certificate, as getPeerCertificate() writes it. */
export function serialOf(files: CertFiles): string {
  return new X509Certificate(readFileSync(files.certFile)).serialNumber;
}
