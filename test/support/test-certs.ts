import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM files of one certificate: the certificate, its key, and both as buffers. */
export interface CertFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * A throw-away PKI made with openssl 3 in a temporary folder: a CA, server certificates for
 * 127.0.0.1 and localhost signed by it, client certificates, and a second CA nobody trusts.
 * Each server certificate has its own serial number, so a test can tell which one a peer shows.
 */
export interface TestPki {
  readonly dir: string;
  readonly ca: CertFiles;
  readonly otherCa: CertFiles;
  /** A server certificate signed by `ca`, SAN IP:127.0.0.1 and DNS:localhost. */
  server(name?: string): CertFiles;
  /** A server certificate signed by `ca` for another host only (DNS:elsewhere.example). */
  serverForOtherName(): CertFiles;
  /** A client certificate signed by `ca` (or by `otherCa`), with the subject CN given. */
  client(cn: string, signer?: "ca" | "otherCa"): CertFiles;
  /** Removes the folder. */
  remove(): void;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: 20_000 });
}

function filesOf(dir: string, name: string): CertFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** Makes the PKI (EC P-256 keys: quick to make, and what cert-manager's ECDSA issuers give). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-pki-"));
  let count = 0;
  const makeCa = (name: string): CertFiles => {
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
      "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.crt`,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
    return filesOf(dir, name);
  };
  const issue = (name: string, cn: string, signer: string, ext: string): CertFiles => {
    openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", `/CN=${cn}`,
      "-keyout", `${name}.key`, "-out", `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", `${signer}.crt`, "-CAkey", `${signer}.key`,
      "-set_serial", String(1000 + count), "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`], dir);
    return filesOf(dir, name);
  };
  const ca = makeCa("ca");
  const otherCa = makeCa("other-ca");
  return {
    dir, ca, otherCa,
    server: (name = `server-${++count}`) => issue(name, "tango-grpc test server", "ca",
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
    serverForOtherName: () => issue(`elsewhere-${++count}`, "elsewhere", "ca",
      "subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth\n"),
    client: (cn, signer = "ca") => issue(`client-${++count}`, cn, signer === "ca" ? "ca" : "other-ca", "extendedKeyUsage=clientAuth\n"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
