import { expect } from "chai";
import { join } from "node:path";
import { clientTlsOption, TlsOptionError } from "../../src/cli/client-tls.js";
import { runCli } from "../../src/cli/run-cli.js";
import { makeTestPki, type TestPki } from "../support/test-certs.js";
import { SecretVolume, startServe, type ServeRun } from "../support/tls-serve.js";

describe("client verbs with TLS", function () {
  this.timeout(60_000);

  describe("clientTlsOption", () => {
    it("is undefined without TLS options, true for --tls, and the files otherwise (an option wins over the environment)", () => {
      expect(clientTlsOption({}, {})).to.equal(undefined);
      expect(clientTlsOption({ tls: true }, {})).to.equal(true);
      expect(clientTlsOption({}, { TANGO_CLIENT_TLS: "TRUE" })).to.equal(true);
      expect(clientTlsOption({ ca: "ca.crt" }, {})).to.deep.equal({ ca: "ca.crt" });
      expect(clientTlsOption({ cert: "c.crt", key: "c.key" }, { TANGO_CLIENT_CA_FILE: "env-ca.crt", TANGO_CLIENT_CERT_FILE: "env.crt" }))
        .to.deep.equal({ ca: "env-ca.crt", cert: "c.crt", key: "c.key" });
      expect(clientTlsOption({ "server-name": "svc.ns.svc" }, {})).to.deep.equal({ serverName: "svc.ns.svc" });
    });

    it("refuses a certificate without its key, and a TANGO_CLIENT_TLS that is not a boolean", () => {
      expect(() => clientTlsOption({ cert: "c.crt" }, {})).to.throw(TlsOptionError, "--cert needs --key, its private key");
      expect(() => clientTlsOption({}, { TANGO_CLIENT_KEY_FILE: "k" })).to.throw(TlsOptionError, "--key needs --cert");
      expect(() => clientTlsOption({}, { TANGO_CLIENT_TLS: "yes" })).to.throw(TlsOptionError, /TANGO_CLIENT_TLS must be true or false/);
    });
  });

  describe("against a server with mutual TLS", () => {
    let pki: TestPki;
    let serve: ServeRun;
    let dev: string;

    before(async () => {
      pki = makeTestPki();
      const volume = new SecretVolume(join(pki.dir, "secret"));
      volume.update(pki.server(), pki.ca);
      serve = await startServe({
        TANGO_TLS_CERT_FILE: volume.certFile, TANGO_TLS_KEY_FILE: volume.keyFile, TANGO_TLS_CLIENT_CA_FILE: volume.caFile,
        TANGO_TLS_REQUIRE_CLIENT_CERT: "true",
      });
      dev = `tango://localhost:${serve.grpcPort}/sys/tg_test/1`;
    });
    after(async () => {
      await serve.stop();
      pki.remove();
    });

    async function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
      let stdout = "";
      let stderr = "";
      const code = await runCli(args, { env, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
      return { code, stdout, stderr };
    }

    it("reads with --ca, --cert and --key, or with the same files from the environment", async () => {
      const alice = pki.client("alice");
      const byOptions = await cli(["cmd", dev, "DevString", "hello", "--ca", pki.ca.certFile, "--cert", alice.certFile, "--key", alice.keyFile]);
      expect(byOptions, byOptions.stderr).to.include({ code: 0, stdout: "hello\n" });
      const byEnv = await cli(["cmd", dev.replace("tango://", "tango+tls://"), "DevLong", "5"],
        { TANGO_CLIENT_CA_FILE: pki.ca.certFile, TANGO_CLIENT_CERT_FILE: alice.certFile, TANGO_CLIENT_KEY_FILE: alice.keyFile });
      expect(byEnv, byEnv.stderr).to.include({ code: 0, stdout: "5\n" });
      const byName = await cli(["cmd", `tango://127.0.0.1:${serve.grpcPort}/sys/tg_test/1`, "DevShort", "3", "--ca", pki.ca.certFile,
        "--cert", alice.certFile, "--key", alice.keyFile, "--server-name", "localhost"]);
      expect(byName, byName.stderr).to.include({ code: 0, stdout: "3\n" });
      const otherName = await cli(["state", `tango://127.0.0.1:${serve.grpcPort}/sys/tg_test/1`, "--ca", pki.ca.certFile,
        "--cert", alice.certFile, "--key", alice.keyFile, "--server-name", "elsewhere.example"]);
      expect(otherName.code).to.equal(1);
      expect(otherName.stderr).to.match(/TLS handshake .* failed: .*elsewhere\.example/);
    });

    it("fails with API_CantConnectToDevice and exit code 1 without a client certificate, and with exit code 2 for --cert alone", async () => {
      const none = await cli(["state", dev, "--ca", pki.ca.certFile, "--timeout", "5000"]);
      expect(none.code).to.equal(1);
      expect(none.stderr).to.match(/API_CantConnectToDevice: Failed to connect to device sys\/tg_test\/1/);
      expect(none.stderr).to.match(/TLS handshake with localhost:\d+ failed/);
      const half = await cli(["state", dev, "--cert", pki.ca.certFile]);
      expect(half.code).to.equal(2);
      expect(half.stderr).to.include("--cert needs --key");
    });
  });
});
