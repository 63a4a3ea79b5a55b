import { expect } from "chai";
import { join } from "node:path";
import { DeviceProxy, Reason, formatTrl, parseTrl } from "../../src/client/index.js";
import { channelSecurityOf } from "../../src/client/tls-options.js";
import { explainTlsFailure, tlsFailureOf } from "../../src/client/tls-failure.js";
import { DevFailed } from "../../src/core/index.js";
import { makeTestPki, type TestPki } from "../support/test-certs.js";

function devFailedOf(fn: () => unknown): DevFailed {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(DevFailed);
    return err as DevFailed;
  }
  return expect.fail("expected a DevFailed");
}

describe("client TLS options", function () {
  this.timeout(30_000);
  let pki: TestPki;
  before(() => { pki = makeTestPki(); });
  after(() => pki.remove());

  describe("tango+tls:// TRLs", () => {
    it("parses the TLS protocol in any case and gives it back in the canonical TRL", () => {
      const trl = parseTrl("TANGO+TLS://Host.example:50051/Sys/TG_Test/1/double_scalar#dbase=no");
      expect(trl).to.deep.include({ host: "host.example", port: 50051, device: "sys/tg_test/1", attribute: "double_scalar", isTls: true });
      expect(formatTrl(trl)).to.equal("tango+tls://host.example:50051/sys/tg_test/1/double_scalar#dbase=no");
      expect(parseTrl("tango://h:1/a/b/c").isTls).to.equal(undefined);
    });

    it("still refuses other protocols, naming both that exist", () => {
      const df = devFailedOf(() => parseTrl("tango+ssh://h:1/a/b/c"));
      expect(df.reason).to.equal(Reason.UnsupportedProtocol);
      expect(df.desc).to.include("the protocols are tango:// and tango+tls://");
    });

    it("needs host:port after tango+tls:// as after tango://", () => {
      expect(devFailedOf(() => parseTrl("tango+tls://a/b/c")).reason).to.equal(Reason.WrongDeviceNameSyntax);
    });
  });

  describe("DeviceProxy", () => {
    it("turns TLS on from the TRL or the tls option, and says so in its TRL", () => {
      const proxies = [
        new DeviceProxy("tango+tls://localhost:50051/a/b/c"),
        new DeviceProxy("tango://localhost:50051/a/b/c", { tls: true }),
        new DeviceProxy("localhost:50051/a/b/c", { tls: { ca: pki.ca.certFile } }),
        new DeviceProxy("tango://localhost:50051/a/b/c", { tls: false }),
      ];
      try {
        expect(proxies.map((p) => [p.isTls, p.trl])).to.deep.equal([
          [true, "tango+tls://localhost:50051/a/b/c#dbase=no"],
          [true, "tango+tls://localhost:50051/a/b/c#dbase=no"],
          [true, "tango+tls://localhost:50051/a/b/c#dbase=no"],
          [false, "tango://localhost:50051/a/b/c#dbase=no"],
        ]);
      } finally {
        for (const p of proxies) p.close();
      }
    });

    it("refuses unreadable files and a certificate without its key with API_MethodArgument", () => {
      const missing = devFailedOf(() => new DeviceProxy("tango+tls://localhost:1/a/b/c", { tls: { ca: join(pki.dir, "nope.crt") } }));
      expect(missing.reason).to.equal(Reason.MethodArgument);
      expect(missing.desc).to.match(/^Cannot read the TLS CA file .*nope\.crt: ENOENT/);
      const client = pki.client("c");
      const lonely = devFailedOf(() => new DeviceProxy("tango+tls://localhost:1/a/b/c", { tls: { cert: client.certFile } }));
      expect(lonely.desc).to.equal("tls.cert and tls.key go together: give both, or neither");
    });
  });

  describe("channelSecurityOf", () => {
    it("takes PEM as a Buffer, as PEM text or as a file path, and names the server for an IP address only when told", () => {
      const fromText = channelSecurityOf("127.0.0.1", true, { ca: pki.ca.cert.toString("utf8") });
      expect(fromText.tlsOptions).to.deep.equal({ ca: pki.ca.cert });
      const named = channelSecurityOf("127.0.0.1", false, { ca: pki.ca.certFile, serverName: "localhost" });
      expect(named.tlsOptions).to.deep.equal({ ca: pki.ca.cert, servername: "localhost" });
      expect(named.options).to.deep.equal({ "grpc.ssl_target_name_override": "localhost" });
      expect(channelSecurityOf("db.example", true, undefined).tlsOptions).to.deep.equal({ servername: "db.example" });
    });
  });

  describe("tlsFailureOf", () => {
    it("keeps the reason of a grpc-js TLS failure and ignores other failures", () => {
      expect(tlsFailureOf("No connection established. Last error: Error: self-signed certificate in certificate chain (2026-01-01T00:00:00.000Z)"))
        .to.equal("the server's certificate is not signed by a CA this client trusts (self-signed certificate in certificate chain)");
      expect(tlsFailureOf("No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1 (2026-01-01T00:00:00.000Z)")).to.equal(undefined);
    });
  });

  describe("explainTlsFailure", () => {
    it("cuts OpenSSL's text to its reason and says what it means", () => {
      expect(explainTlsFailure("80EC2157DF7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:" +
        "../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n"))
        .to.equal("the server requires a client certificate (tlsv13 alert certificate required)");
      expect(explainTlsFailure("803C:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/x.c:350:\n"))
        .to.equal("the server does not speak TLS: use tango:// without TLS options (wrong version number)");
      expect(explainTlsFailure("certificate has expired")).to.equal("the server's certificate is not valid now (certificate has expired)");
      expect(explainTlsFailure("Hostname/IP does not match certificate's altnames: Host: a. is not in the cert's altnames: DNS:b"))
        .to.equal("Hostname/IP does not match certificate's altnames: Host: a. is not in the cert's altnames: DNS:b");
    });
  });
});
