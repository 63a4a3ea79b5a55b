import { ServerCredentials, experimental } from "@grpc/grpc-js";
import type { TlsFileWatcher, TlsMaterial } from "../server/index.js";

/** TLS on the gRPC port: the watched material, and whether clients must present a certificate. */
export interface GrpcTlsOptions {
  readonly files: TlsFileWatcher;
  /** Mutual TLS: a client without a certificate signed by the client CA fails the handshake. */
  readonly requireClientCert: boolean;
}

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/**
 * grpc-js credentials fed by the watcher: each reloaded set becomes the secure context of new
 * connections (grpc-js calls `setSecureContext` on its HTTP/2 server); connections already open
 * keep theirs. Both providers are this one object, so the certificate and the client CA change
 * together.
 */
export function createGrpcServerCredentials(opts: GrpcTlsOptions): ServerCredentials {
  const provider = new WatcherCertificateProvider(opts.files);
  // grpc-js 1.14 passes its first argument on as the identity provider and the second as the CA's
  // (the parameter names say the opposite); one provider for both makes the order moot.
  return experimental.createCertificateProviderServerCredentials(
    provider, opts.files.hasClientCa ? provider : null, opts.requireClientCert);
}

class WatcherCertificateProvider implements experimental.CertificateProvider {
  readonly #files: TlsFileWatcher;
  readonly #ca = new Set<CaListener>();
  readonly #identity = new Set<IdentityListener>();
  #stop: (() => void) | undefined;

  constructor(files: TlsFileWatcher) {
    this.#files = files;
  }

  addCaCertificateListener(listener: CaListener): void {
    this.#ca.add(listener);
    this.#listen();
    const { ca } = this.#files.material;
    if (ca !== undefined) queueMicrotask(() => { if (this.#ca.has(listener)) listener({ caCertificate: ca }); });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#ca.delete(listener);
    this.#unlistenIfIdle();
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.add(listener);
    this.#listen();
    const { cert, key } = this.#files.material;
    // Later, not now: grpc-js adds its server's watcher only after it has added this listener, so
    // a value given now would reach no server and the port would drop every connection.
    queueMicrotask(() => { if (this.#identity.has(listener)) listener({ certificate: cert, privateKey: key }); });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.delete(listener);
    this.#unlistenIfIdle();
  }

  #listen(): void {
    this.#stop ??= this.#files.onChange((material) => { this.#publish(material); });
  }

  #unlistenIfIdle(): void {
    if (this.#ca.size > 0 || this.#identity.size > 0) return;
    this.#stop?.();
    this.#stop = undefined;
  }

  #publish(material: TlsMaterial): void {
    // The CA first: grpc-js rebuilds the context on each update, and the identity completes it.
    if (material.ca !== undefined) for (const listener of this.#ca) listener({ caCertificate: material.ca });
    for (const listener of this.#identity) listener({ certificate: material.cert, privateKey: material.key });
  }
}
