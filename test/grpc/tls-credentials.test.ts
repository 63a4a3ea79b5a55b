import { Client, credentials, status } from "@grpc/grpc-js";
import { expect } from "chai";
import { loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { AccessPolicy, TlsFileWatcher } from "../../src/server/index.js";
import { makeTestPki, type CertFiles, type TestPki } from "../support/test-certs.js";
import { FakeRequestApi } from "./fake-request-api.js";
import { SERVER_TRANSPORTS, createTestLogger, expectServiceError, unary } from "./grpc-test-client.js";

const { deviceService } = loadTangoProto();

for (const transport of SERVER_TRANSPORTS) describe(`gRPC server with TLS (${transport})`, function () {
  this.timeout(30_000);
  let pki: TestPki;
  let files: TlsFileWatcher;
  let server: GrpcServerHandle | undefined;
  let api: FakeRequestApi;
  const clients: Client[] = [];
  /** Who each call came from, as access control saw it: a verified certificate's subject, or anonymous. */
  const callers = (): string[] => api.calls.map((c) => c.ctx.principal?.name ?? "none");

  before(async () => {
    pki = makeTestPki();
    const identity = pki.server();
    files = await TlsFileWatcher.open({ certFile: identity.certFile, keyFile: identity.keyFile, clientCaFile: pki.ca.certFile, reloadIntervalMs: 60_000 },
      createTestLogger().logger);
  });
  after(() => {
    files.close();
    pki.remove();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close(1000);
    server = undefined;
  });

  async function start(requireClientCert: boolean): Promise<number> {
    api = new FakeRequestApi();
    server = await startGrpcServer({
      api, host: "127.0.0.1", port: 0, maxMessageBytes: 4 * 1024 * 1024, transport,
      logger: createTestLogger().logger, access: new AccessPolicy(), tls: { files, requireClientCert },
    });
    return server.port;
  }
  const clientOf = (port: number, client?: CertFiles): Client => {
    const c = new Client(`localhost:${port}`, credentials.createSsl(pki.ca.cert, client?.key ?? null, client?.cert ?? null));
    clients.push(c);
    return c;
  };
  const ping = (c: Client): Promise<unknown> => unary(c, deviceService, "Ping", { device: "test/fake/1" }, { deadlineMs: 5_000 });

  it("with mutual TLS, identifies each call by the client's verified certificate", async () => {
    const port = await start(true);
    await ping(clientOf(port, pki.client("operator-1")));
    expect(callers()).to.deep.equal(["CN=operator-1"]);
  });

  it("with mutual TLS, refuses a client without a certificate before any call reaches the server", async () => {
    const port = await start(true);
    const err = await expectServiceError(ping(clientOf(port)));
    expect(err.code).to.equal(status.UNAVAILABLE);
    expect(callers()).to.deep.equal([]);
  });

  it("with a client CA but no requirement, lets a client without a certificate in, as anonymous", async () => {
    const port = await start(false);
    await ping(clientOf(port));
    await ping(clientOf(port, pki.client("operator-2")));
    expect(callers()).to.deep.equal(["anonymous", "CN=operator-2"]);
  });
});
