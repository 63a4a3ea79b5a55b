import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import type { Logger } from "pino";

/** Where a server's TLS material is, and how often to look for a new one (config `tls`). */
export interface TlsFilesOptions {
  /** PEM certificate chain of the server, leaf first. */
  readonly certFile: string;
  /** PEM private key of `certFile`'s leaf. */
  readonly keyFile: string;
  /** PEM CA bundle that client certificates must chain to; none: clients are not asked for one. */
  readonly clientCaFile?: string | undefined;
  /** How often the files are looked at for a change, ms. */
  readonly reloadIntervalMs: number;
}

/** One consistent set of TLS material, as read from the files. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The client CA bundle, when `clientCaFile` is configured. */
  readonly ca: Buffer | undefined;
  /** The leaf certificate's serial number (hex) and validity, for logs. */
  readonly serialNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
}

/** The TLS material cannot be used; the message names the file and the problem. */
export class TlsFilesError extends Error {
  override readonly name = "TlsFilesError";
  constructor(message: string, readonly file: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Reads the certificate, key and client CA and checks that they go together: each parses as PEM,
 * the key is the certificate's, and Node accepts the set for a TLS server.
 *
 * @throws TlsFilesError naming the file at fault.
 */
export async function readTlsMaterial(opts: TlsFilesOptions): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all([
    readPem(opts.certFile, "certificate"),
    readPem(opts.keyFile, "private key"),
    opts.clientCaFile === undefined ? undefined : readPem(opts.clientCaFile, "client CA bundle"),
  ]);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (err) {
    throw new TlsFilesError(`${opts.certFile} is not a PEM certificate (${messageOf(err)})`, opts.certFile, { cause: err });
  }
  let isMatch: boolean;
  try {
    isMatch = leaf.checkPrivateKey(createPrivateKey(key));
  } catch (err) {
    throw new TlsFilesError(`${opts.keyFile} is not a PEM private key (${messageOf(err)})`, opts.keyFile, { cause: err });
  }
  if (!isMatch) {
    throw new TlsFilesError(`the private key in ${opts.keyFile} does not belong to the certificate in ${opts.certFile}`, opts.keyFile);
  }
  if (ca !== undefined && opts.clientCaFile !== undefined) {
    try {
      new X509Certificate(ca);
    } catch (err) {
      throw new TlsFilesError(`${opts.clientCaFile} is not a PEM CA certificate (${messageOf(err)})`, opts.clientCaFile, { cause: err });
    }
  }
  try {
    createSecureContext({ cert, key, ca });
  } catch (err) {
    throw new TlsFilesError(`the TLS material in ${opts.certFile} and ${opts.keyFile} is not usable (${messageOf(err)})`, opts.certFile, { cause: err });
  }
  return { cert, key, ca, serialNumber: leaf.serialNumber, validFrom: leaf.validFrom, validTo: leaf.validTo };
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new TlsFilesError(`cannot read the ${what} file ${file} (${messageOf(err)})`, file, { cause: err });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Called with each new set of material once it has been checked. */
export type TlsMaterialListener = (material: TlsMaterial) => void;

/**
 * The server's TLS material, kept current: the files are looked at every `reloadIntervalMs`, and
 * a change (new content, or cert-manager swapping the `..data` symlink of a mounted Secret) is
 * taken once it has been stable for one interval, so a certificate and key written one after the
 * other are read together. A new set that fails the checks of `readTlsMaterial` is refused and
 * logged at error level; the old set stays in use. Both ports listen to one watcher.
 */
export class TlsFileWatcher {
  readonly #opts: TlsFilesOptions;
  readonly #log: Logger;
  readonly #listeners = new Set<TlsMaterialListener>();
  #material: TlsMaterial;
  #seen: string;
  /** A signature seen once, waiting to be seen again before it is read. */
  #pending: string | undefined;
  /** The signature of a refused set, so that it is logged once, not every interval. */
  #refused: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #isClosed = false;
  #checking: Promise<void> | undefined;

  private constructor(opts: TlsFilesOptions, log: Logger, material: TlsMaterial, seen: string) {
    this.#opts = opts;
    this.#log = log;
    this.#material = material;
    this.#seen = seen;
  }

  /**
   * Reads the material and starts watching it.
   *
   * @throws TlsFilesError when the first read fails: a server never starts without usable material.
   */
  static async open(opts: TlsFilesOptions, log: Logger): Promise<TlsFileWatcher> {
    const seen = await signatureOf(opts);
    const material = await readTlsMaterial(opts);
    const watcher = new TlsFileWatcher(opts, log, material, seen);
    watcher.#logLoaded(material, "TLS certificate loaded");
    watcher.#schedule();
    return watcher;
  }

  /** The material in use. */
  get material(): TlsMaterial {
    return this.#material;
  }

  /** Whether clients are asked for a certificate (a client CA is configured). */
  get hasClientCa(): boolean {
    return this.#opts.clientCaFile !== undefined;
  }

  /** Calls `listener` with every new set from now on; returns the function that stops it. */
  onChange(listener: TlsMaterialListener): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  /** Looks at the files now (the timer does it every interval); resolves when done. */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => { this.#checking = undefined; });
    return this.#checking;
  }

  /** Stops watching; the material stays readable. */
  close(): void {
    this.#isClosed = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
  }

  /** Logs the certificate in use; one outside its validity is served anyway, with a warning. */
  #logLoaded(material: TlsMaterial, msg: string): void {
    const fields = { serialNumber: material.serialNumber, validFrom: material.validFrom, validTo: material.validTo };
    this.#log.info(fields, msg);
    const now = Date.now();
    if (Date.parse(material.validTo) < now || Date.parse(material.validFrom) > now) {
      this.#log.warn(fields, "the TLS certificate is not valid now: clients will refuse it");
    }
  }

  #schedule(): void {
    if (this.#isClosed) return;
    this.#timer = setTimeout(() => {
      this.check().finally(() => this.#schedule()).catch((err: unknown) => {
        this.#log.error({ err }, "TLS file check failed");
      });
    }, this.#opts.reloadIntervalMs);
    // A watcher alone never keeps the process up.
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    let signature: string;
    try {
      signature = await signatureOf(this.#opts);
    } catch (err) {
      // A file missing for a moment (a writer that deletes, then creates) is looked at again next time.
      if (this.#refused !== "missing") this.#log.error({ err: messageOf(err) }, "TLS files cannot be read; the current certificate stays in use");
      this.#refused = "missing";
      this.#pending = undefined;
      return;
    }
    if (signature === this.#seen || signature === this.#refused) {
      this.#pending = undefined;
      return;
    }
    if (signature !== this.#pending) {
      this.#pending = signature;
      return;
    }
    this.#pending = undefined;
    let material: TlsMaterial;
    try {
      material = await readTlsMaterial(this.#opts);
    } catch (err) {
      this.#refused = signature;
      this.#log.error({ err: messageOf(err), file: err instanceof TlsFilesError ? err.file : undefined },
        "new TLS files refused; the current certificate stays in use");
      return;
    }
    if (this.#isClosed) return;
    this.#seen = signature;
    this.#refused = undefined;
    this.#material = material;
    this.#logLoaded(material, "TLS certificate reloaded");
    for (const listener of this.#listeners) listener(material);
  }
}

/**
 * What changes when a file is replaced: its inode, size and modification time, through symlinks
 * (a Secret volume's files are links into a `..data` directory that is swapped whole).
 */
async function signatureOf(opts: TlsFilesOptions): Promise<string> {
  const files = [opts.certFile, opts.keyFile, ...(opts.clientCaFile === undefined ? [] : [opts.clientCaFile])];
  const stats = await Promise.all(files.map((file) => stat(file)));
  return stats.map((s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`).join("|");
}
