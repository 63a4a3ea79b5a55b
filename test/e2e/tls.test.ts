import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { request as httpsRequest } from "node:https";
import { DeviceProxy, EventType, Reason } from "../../src/client/index.js";
import { waitFor } from "../support/wait-for.js";
import { expectDevFailed } from "../support/test-server.js";
import { makeTestPki, type CertFiles, type TestPki } from "../support/test-certs.js";
import { SecretVolume, peerSerial, serialOf, startServe, type ServeRun } from "../support/tls-serve.js";

const RELOAD_MS = 100;
const HEALTHCHECK = fileURLToPath(new URL("../../deploy/healthcheck.mjs", import.meta.url));

/** Runs the container health check script against the sidecar's port; resolves to its exit code and stderr. */
function runHealthcheck(env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [HEALTHCHECK], { env: { PATH: process.env.PATH, ...env }, timeout: 15_000 }, (err, _stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stderr });
    });
  });
}

/** GET https://127.0.0.1:`port``path` trusting `ca`, optionally with a client certificate. */
function httpsGet(port: number, path: string, ca: CertFiles, client?: CertFiles): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: "127.0.0.1", port, path, servername: "localhost", ca: ca.cert, timeout: 5_000, agent: false,
      ...(client === undefined ? {} : { cert: client.cert, key: client.key }),
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => { body += chunk; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("HTTPS request timed out")));
    req.on("error", reject);
    req.end();
  });
}

describe("serve with TLS (both ports)", function () {
  this.timeout(60_000);
  let pki: TestPki;
  let volume: SecretVolume;
  let serve: ServeRun | undefined;
  const proxies: DeviceProxy[] = [];

  before(() => { pki = makeTestPki(); });
  after(() => pki.remove());
  beforeEach(function () {
    volume = new SecretVolume(join(pki.dir, `secret-${this.currentTest?.title.length ?? 0}-${Date.now()}`));
  });
  afterEach(async () => {
    for (const proxy of proxies.splice(0)) proxy.close();
    await serve?.stop();
    serve = undefined;
  });

  const envOf = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    TANGO_TLS_CERT_FILE: volume.certFile, TANGO_TLS_KEY_FILE: volume.keyFile, TANGO_TLS_RELOAD_INTERVAL_MS: String(RELOAD_MS), ...extra,
  });
  const proxy = (trl: string, options: ConstructorParameters<typeof DeviceProxy>[1] = {}): DeviceProxy => {
    const p = new DeviceProxy(trl, { timeoutMs: 5_000, ...options });
    proxies.push(p);
    return p;
  };

  it("serves a tango+tls:// client, and a rotated certificate is used for new connections while a connected client goes on", async () => {
    const first = pki.server();
    const second = pki.server();
    volume.update(first, pki.ca);
    serve = await startServe(envOf());
    const trl = `tango+tls://localhost:${serve.grpcPort}/sys/tg_test/1`;
    const dev = proxy(trl, { tls: { ca: pki.ca.certFile } });
    expect(dev.trl).to.equal(`${trl}#dbase=no`);
    expect(await dev.commandInout("DevString", "before")).to.equal("before");
    expect(await peerSerial(serve.grpcPort, { alpn: "h2", ca: pki.ca.cert })).to.equal(serialOf(first));
    expect(await peerSerial(serve.httpPort, { alpn: "http/1.1", ca: pki.ca.cert })).to.equal(serialOf(first));

    // An event stream on the same connection (double_scalar is polled every second, abs_change 0.1).
    const received: number[] = [];
    await dev.subscribeEvent<number>("double_scalar", EventType.CHANGE_EVENT, (ev) => { if (ev.value !== undefined) received.push(Date.now()); });

    volume.update(second, pki.ca);
    await serve.logs.waitFor("TLS certificate reloaded");
    const reloadedAt = Date.now();
    expect(await peerSerial(serve.grpcPort, { alpn: "h2", ca: pki.ca.cert })).to.equal(serialOf(second));
    expect(await peerSerial(serve.httpPort, { alpn: "http/1.1", ca: pki.ca.cert })).to.equal(serialOf(second));
    // The connection made before the rotation is still the one in use: no reconnection happened.
    const generation = (dev as unknown as { connection: { generation: number } }).connection.generation;
    expect(await dev.commandInout("DevString", "after")).to.equal("after");
    expect((dev as unknown as { connection: { generation: number } }).connection.generation).to.equal(generation);
    await waitFor(() => received.some((t) => t > reloadedAt), "a change event after the rotation, on the old connection", 10_000);
    expect(await proxy(trl, { tls: { ca: pki.ca.cert } }).commandInout("DevString", "new")).to.equal("new");
    expect((await httpsGet(serve.httpPort, "/healthz", pki.ca)).status).to.equal(200);
  });

  it("passes the container health check over HTTPS, whether TLS is named in the environment or only in the config", async () => {
    volume.update(pki.server(), pki.ca);
    serve = await startServe(envOf({ TANGO_TLS_CLIENT_CA_FILE: volume.caFile, TANGO_TLS_REQUIRE_CLIENT_CERT: "true" }));
    const port = String(serve.httpPort);
    expect(await runHealthcheck({ TANGO_HTTP_PORT: port, TANGO_TLS_CERT_FILE: volume.certFile })).to.deep.equal({ code: 0, stderr: "" });
    expect(await runHealthcheck({ TANGO_HTTP_PORT: port })).to.deep.equal({ code: 0, stderr: "" });
    await serve.stop();
    serve = undefined;
    const down = await runHealthcheck({ TANGO_HTTP_PORT: port, TANGO_TLS_CERT_FILE: volume.certFile });
    expect(down.code).to.equal(1);
    expect(down.stderr).to.match(/healthcheck: GET https:\/\/127\.0\.0\.1:\d+\/readyz failed: .*ECONNREFUSED/);
  });

  it("passes the container health check over plain HTTP when TLS is off", async () => {
    serve = await startServe({});
    expect(await runHealthcheck({ TANGO_HTTP_PORT: String(serve.httpPort) })).to.deep.equal({ code: 0, stderr: "" });
  });

  it("keeps the old certificate when the new key does not match it, and logs the refusal at error level", async () => {
    const first = pki.server();
    volume.update(first, pki.ca);
    serve = await startServe(envOf());
    volume.update({ cert: pki.server().cert, key: pki.server().key }, pki.ca);
    const refused = await serve.logs.waitFor("new TLS files refused; the current certificate stays in use");
    expect(refused.level).to.equal(50);
    expect(String(refused.err)).to.match(/does not belong to the certificate/);
    expect(await peerSerial(serve.grpcPort, { alpn: "h2", ca: pki.ca.cert })).to.equal(serialOf(first));
    const dev = proxy(`tango+tls://127.0.0.1:${serve.grpcPort}/sys/tg_test/1`, { tls: { ca: pki.ca.cert } });
    expect(await dev.commandInout("DevLong", 7)).to.equal(7);
  });

  it("reports an untrusted server certificate and a name mismatch as API_CantConnectToDevice", async () => {
    volume.update(pki.server(), pki.ca);
    serve = await startServe(envOf());
    const untrusted = await expectDevFailed(
      proxy(`tango+tls://127.0.0.1:${serve.grpcPort}/sys/tg_test/1`, { tls: { ca: pki.otherCa.cert } }).state(),
      Reason.CantConnectToDevice);
    expect(untrusted.desc).to.match(/TLS handshake with 127\.0\.0\.1:\d+ failed: the server's certificate is not signed by a CA this client trusts \(.+\)$/);

    volume.update(pki.serverForOtherName(), pki.ca);
    await serve.logs.waitFor("TLS certificate reloaded");
    const mismatch = await expectDevFailed(
      proxy(`tango+tls://127.0.0.1:${serve.grpcPort}/sys/tg_test/1`, { tls: { ca: pki.ca.cert } }).state(),
      Reason.CantConnectToDevice);
    expect(mismatch.desc).to.match(/TLS handshake .* failed: .*(does not match|altnames)/i);
    // A plaintext client on a TLS port is told to use TLS, not that the server is not running.
    const plain = await expectDevFailed(proxy(`tango://127.0.0.1:${serve.grpcPort}/sys/tg_test/1`).state(), Reason.CantConnectToDevice);
    expect(plain.desc).to.match(/The device server at 127\.0\.0\.1:\d+ speaks TLS: connect with tango\+tls:\/\//);
  });

  it("tells a TLS client on a plaintext port that the server does not speak TLS", async () => {
    serve = await startServe({});
    const df = await expectDevFailed(proxy(`tango+tls://localhost:${serve.grpcPort}/sys/tg_test/1`, { tls: { ca: pki.ca.cert } }).state(),
      Reason.CantConnectToDevice);
    expect(df.desc).to.match(/TLS handshake with localhost:\d+ failed: the server does not speak TLS/);
  });

  describe("mutual TLS", () => {
    const mtlsEnv = (): NodeJS.ProcessEnv => envOf({ TANGO_TLS_CLIENT_CA_FILE: volume.caFile, TANGO_TLS_REQUIRE_CLIENT_CERT: "true" });

    it("accepts a client certificate signed by the client CA on gRPC and REST", async () => {
      volume.update(pki.server(), pki.ca);
      serve = await startServe(mtlsEnv());
      const alice = pki.client("alice");
      const dev = proxy(`tango+tls://localhost:${serve.grpcPort}/sys/tg_test/1`, { tls: { ca: pki.ca.certFile, cert: alice.certFile, key: alice.keyFile } });
      expect(await dev.commandInout("DevDouble", 1.5)).to.equal(1.5);
      const rest = await httpsGet(serve.httpPort, "/api/v1/devices/sys/tg_test/1/state", pki.ca, alice);
      expect(rest.status, rest.body).to.equal(200);
    });

    it("takes a new client CA without a restart: certificates of the old CA are refused from then on", async () => {
      const server = pki.server();
      volume.update(server, pki.ca);
      serve = await startServe(mtlsEnv());
      const trl = `tango+tls://localhost:${serve.grpcPort}/sys/tg_test/1`;
      const alice = pki.client("alice");
      const bob = pki.client("bob", "otherCa");
      expect(await proxy(trl, { tls: { ca: pki.ca.cert, cert: alice.cert, key: alice.key } }).commandInout("DevLong", 1)).to.equal(1);
      await expectDevFailed(proxy(trl, { tls: { ca: pki.ca.cert, cert: bob.cert, key: bob.key } }).state(), Reason.CantConnectToDevice);

      volume.update(server, pki.otherCa);
      await serve.logs.waitFor("TLS certificate reloaded");
      expect(await proxy(trl, { tls: { ca: pki.ca.cert, cert: bob.cert, key: bob.key } }).commandInout("DevLong", 2)).to.equal(2);
      await expectDevFailed(proxy(trl, { tls: { ca: pki.ca.cert, cert: alice.cert, key: alice.key } }).state(), Reason.CantConnectToDevice);
      expect((await httpsGet(serve.httpPort, "/api/v1/devices/sys/tg_test/1/state", pki.ca, bob)).status).to.equal(200);
      expect((await httpsGet(serve.httpPort, "/api/v1/devices/sys/tg_test/1/state", pki.ca, alice)).status).to.equal(401);
    });

    it("refuses a client without a certificate, or with one from another CA, with API_CantConnectToDevice; probes stay open", async () => {
      volume.update(pki.server(), pki.ca);
      serve = await startServe(mtlsEnv());
      const trl = `tango+tls://localhost:${serve.grpcPort}/sys/tg_test/1`;
      const none = await expectDevFailed(proxy(trl, { tls: { ca: pki.ca.cert } }).state(), Reason.CantConnectToDevice);
      expect(none.desc).to.match(/TLS handshake with localhost:\d+ failed: the server (requires a client certificate|closed the connection after the handshake: it requires a client certificate)/);
      const mallory = pki.client("mallory", "otherCa");
      const refused = await expectDevFailed(proxy(trl, { tls: { ca: pki.ca.cert, cert: mallory.cert, key: mallory.key } }).state(), Reason.CantConnectToDevice);
      expect(refused.desc).to.match(/it refused this client's certificate|the server refused this client's certificate/);

      expect((await httpsGet(serve.httpPort, "/healthz", pki.ca)).status).to.equal(200);
      expect((await httpsGet(serve.httpPort, "/metrics", pki.ca)).status).to.equal(200);
      const rest = await httpsGet(serve.httpPort, "/api/v1/devices/sys/tg_test/1/state", pki.ca, mallory);
      expect(rest.status).to.equal(401);
      expect(JSON.parse(rest.body)).to.have.nested.property("errors[0].reason", "HTTP_Unauthorized");
    });
  });

  it("refuses to start, exit code 2 before listening, when the key does not match the certificate", async () => {
    const a = pki.server();
    const b = pki.server();
    volume.update({ cert: a.cert, key: b.key }, pki.ca);
    try {
      serve = await startServe(envOf());
      expect.fail("serve started with a mismatched key");
    } catch (err) {
      expect(String(err)).to.match(/tls\.keyFile: the private key in .* does not belong to the certificate/);
    }
  });
});
