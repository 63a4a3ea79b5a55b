import { expect } from "chai";
import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TlsFileWatcher, TlsFilesError, readTlsMaterial, type TlsMaterial } from "../../src/server/index.js";
import { makeTestPki, type TestPki } from "../support/test-certs.js";
import { memoryLogger } from "../support/test-server.js";

describe("TLS files", function () {
  this.timeout(30_000);
  let pki: TestPki;
  before(() => { pki = makeTestPki(); });
  after(() => pki.remove());

  describe("readTlsMaterial", () => {
    it("reads a certificate, its key and a client CA", async () => {
      const server = pki.server();
      const material = await readTlsMaterial({ certFile: server.certFile, keyFile: server.keyFile, clientCaFile: pki.ca.certFile, reloadIntervalMs: 100 });
      expect(material.cert.equals(server.cert)).to.equal(true);
      expect(material.ca?.equals(pki.ca.cert)).to.equal(true);
      expect(material.serialNumber).to.match(/^[0-9A-F]+$/);
    });

    it("names the file at fault: missing, not PEM, or a key of another certificate", async () => {
      const a = pki.server();
      const b = pki.server();
      const garbage = join(pki.dir, "garbage.pem");
      writeFileSync(garbage, "not a certificate\n");
      const failureOf = async (certFile: string, keyFile: string, clientCaFile?: string): Promise<TlsFilesError> => {
        try {
          await readTlsMaterial({ certFile, keyFile, clientCaFile, reloadIntervalMs: 100 });
        } catch (err) {
          expect(err).to.be.instanceOf(TlsFilesError);
          return err as TlsFilesError;
        }
        return expect.fail("expected a TlsFilesError");
      };
      const missing = await failureOf(join(pki.dir, "none.crt"), a.keyFile);
      expect(missing.message).to.match(/^cannot read the certificate file .*none\.crt \(ENOENT/);
      expect((await failureOf(garbage, a.keyFile)).file).to.equal(garbage);
      expect((await failureOf(a.certFile, garbage)).message).to.match(/garbage\.pem is not a PEM private key/);
      const mismatch = await failureOf(a.certFile, b.keyFile);
      expect(mismatch.file).to.equal(b.keyFile);
      expect(mismatch.message).to.include("does not belong to the certificate");
      expect((await failureOf(a.certFile, a.keyFile, garbage)).message).to.match(/garbage\.pem is not a PEM CA certificate/);
    });
  });

  describe("TlsFileWatcher", () => {
    let watcher: TlsFileWatcher | undefined;
    afterEach(() => { watcher?.close(); watcher = undefined; });

    /** Files written in place, one after the other, as a naive writer would. */
    function filesIn(name: string): { certFile: string; keyFile: string; write(certFrom: string, keyFrom: string): void } {
      const certFile = join(pki.dir, `${name}.crt`);
      const keyFile = join(pki.dir, `${name}.key`);
      return { certFile, keyFile, write: (c, k) => { copyFileSync(c, certFile); copyFileSync(k, keyFile); } };
    }

    it("takes a new pair only once both files are written, and tells its listeners", async () => {
      const a = pki.server();
      const b = pki.server();
      const files = filesIn("watched-1");
      files.write(a.certFile, a.keyFile);
      const { logger, lines } = memoryLogger();
      // A long interval: the test drives the checks itself.
      watcher = await TlsFileWatcher.open({ certFile: files.certFile, keyFile: files.keyFile, reloadIntervalMs: 3_600_000 }, logger);
      const seen: TlsMaterial[] = [];
      watcher.onChange((m) => seen.push(m));

      copyFileSync(b.certFile, files.certFile); // the key is still a's: a check now sees a change, not yet stable
      await watcher.check();
      copyFileSync(b.keyFile, files.keyFile);
      await watcher.check();
      expect(seen).to.have.length(0);
      expect(lines().filter((l) => l.level === 50)).to.deep.equal([]);
      await watcher.check();
      expect(seen.map((m) => m.cert.equals(b.cert))).to.deep.equal([true]);
      expect(watcher.material.key.equals(b.key)).to.equal(true);
      await watcher.check();
      expect(seen).to.have.length(1);
    });

    it("logs the certificate it loads, and warns when it is outside its validity", async () => {
      const a = pki.server();
      const { logger, lines } = memoryLogger();
      watcher = await TlsFileWatcher.open({ certFile: a.certFile, keyFile: a.keyFile, reloadIntervalMs: 3_600_000 }, logger);
      watcher.close();
      const loaded = lines().find((l) => l.msg === "TLS certificate loaded");
      expect(loaded).to.include({ level: 30, serialNumber: watcher.material.serialNumber });
      expect(lines().filter((l) => l.level === 40)).to.deep.equal([]);
      // The test certificates are valid for two days: five days on, this one has expired.
      const realNow = Date.now;
      Date.now = () => realNow() + 5 * 24 * 3600 * 1000;
      try {
        watcher = await TlsFileWatcher.open({ certFile: a.certFile, keyFile: a.keyFile, reloadIntervalMs: 3_600_000 }, logger);
      } finally {
        Date.now = realNow;
      }
      expect(lines().filter((l) => l.level === 40).map((l) => l.msg)).to.deep.equal(["the TLS certificate is not valid now: clients will refuse it"]);
    });

    it("keeps the old pair when the new one is bad or missing, logging each bad set once at error level", async () => {
      const a = pki.server();
      const b = pki.server();
      const files = filesIn("watched-2");
      files.write(a.certFile, a.keyFile);
      const { logger, lines } = memoryLogger();
      watcher = await TlsFileWatcher.open({ certFile: files.certFile, keyFile: files.keyFile, reloadIntervalMs: 3_600_000 }, logger);
      files.write(a.certFile, b.keyFile);
      for (let i = 0; i < 4; i++) await watcher.check();
      expect(watcher.material.cert.equals(a.cert) && watcher.material.key.equals(a.key)).to.equal(true);
      expect(lines().filter((l) => l.level === 50).map((l) => l.msg)).to.deep.equal(["new TLS files refused; the current certificate stays in use"]);

      rmSync(files.keyFile);
      for (let i = 0; i < 3; i++) await watcher.check();
      expect(watcher.material.key.equals(a.key)).to.equal(true);
      expect(lines().filter((l) => l.level === 50)).to.have.length(2);

      files.write(b.certFile, b.keyFile);
      await watcher.check();
      await watcher.check();
      expect(watcher.material.cert.equals(b.cert)).to.equal(true);
    });
  });
});
