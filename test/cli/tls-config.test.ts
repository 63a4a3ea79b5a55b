import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/cli/load-config.js";
import { TLS_RELOAD_INTERVAL_MS } from "../../src/core/defaults.js";

describe("loadConfig: the tls section", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "tango-grpc-tls-config-")); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  const withTls = (tls: string): string => {
    const file = join(dir, "server.yaml");
    writeFileSync(file, `tls:\n${tls}classes:\n  - name: TangoTest\n    devices:\n      - name: sys/tg_test/1\n`);
    return file;
  };
  const problemsOf = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      return (err as ConfigError).problems.map((p) => `${p.where}: ${p.path.join(".")}: ${p.message}`);
    }
    return expect.fail("expected a ConfigError");
  };

  it("is absent (plaintext) by default", () => {
    expect(loadConfig(undefined, {}).tls).to.equal(undefined);
  });

  it("reads the files from the config and fills its defaults", () => {
    const config = loadConfig(withTls("  certFile: /tls/tls.crt\n  keyFile: /tls/tls.key\n"), {});
    expect(config.tls).to.deep.equal({ certFile: "/tls/tls.crt", keyFile: "/tls/tls.key", requireClientCert: false, reloadIntervalMs: TLS_RELOAD_INTERVAL_MS });
  });

  it("is turned on and tuned by TANGO_TLS_* variables", () => {
    const config = loadConfig(undefined, {
      TANGO_TLS_CERT_FILE: "/tls/tls.crt", TANGO_TLS_KEY_FILE: "/tls/tls.key", TANGO_TLS_CLIENT_CA_FILE: "/tls/ca.crt",
      TANGO_TLS_REQUIRE_CLIENT_CERT: "true", TANGO_TLS_RELOAD_INTERVAL_MS: "250",
    });
    expect(config.tls).to.deep.equal({
      certFile: "/tls/tls.crt", keyFile: "/tls/tls.key", clientCaFile: "/tls/ca.crt", requireClientCert: true, reloadIntervalMs: 250,
    });
  });

  it("names the variable when a certificate comes without its key", () => {
    expect(problemsOf(() => loadConfig(undefined, { TANGO_TLS_CERT_FILE: "/tls/tls.crt" })).join("\n")).to.match(/tls.*keyFile/);
  });

  it("refuses mutual TLS without a client CA, and unknown keys", () => {
    const file = withTls("  certFile: a\n  keyFile: b\n  requireClientCert: true\n  cert: c\n");
    expect(problemsOf(() => loadConfig(file, {}))).to.deep.equal([
      `${file}:4:22: tls.requireClientCert: needs tls.clientCaFile, the CA that client certificates must chain to`,
      `${file}:5:3: tls.cert: unknown key; expected one of: certFile, keyFile, clientCaFile, requireClientCert, reloadIntervalMs`,
    ]);
  });

  it("refuses a reload interval below 100 ms", () => {
    expect(problemsOf(() => loadConfig(undefined, { TANGO_TLS_CERT_FILE: "a", TANGO_TLS_KEY_FILE: "b", TANGO_TLS_RELOAD_INTERVAL_MS: "5" })).join("\n"))
      .to.match(/env TANGO_TLS_RELOAD_INTERVAL_MS: tls\.reloadIntervalMs: must be >= 100/);
  });
});
