import { Client, ServerInterceptingCall, credentials, status, type ServerInterceptor } from "@grpc/grpc-js";
import { expect } from "chai";
import type { PeerCertificate } from "node:tls";
import { loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { TlsFileWatcher } from "../../src/server/index.js";
import { makeTestPki, type CertFiles, type TestPki } from "../support/test-certs.js";
import { FakeRequestApi } from "./fake-request-api.js";
import { createTestLogger, expectServiceError, unary } from "./grpc-test-client.js";

const { deviceService } = loadTangoProto();

describe("gRPC server with TLS", function () {
  this.timeout(30_000);
  let pki: TestPki;
  let files: TlsFileWatcher;
  let server: GrpcServerHandle | undefined;
  const clients: Client[] = [];
  /** The peer certificate each call's auth context carried (what ACCESS maps to rights). */
  const peers: Array<PeerCertificate | undefined> = [];
  const recordPeer: ServerInterceptor = (_method, call) => {
    peers.push(call.getAuthContext().sslPeerCertificate);
    return new ServerInterceptingCall(call);
  };

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
    peers.length = 0;
    await server?.close(1000);
    server = undefined;
  });

  async function start(requireClientCert: boolean): Promise<number> {
    server = await startGrpcServer({
      api: new FakeRequestApi(), host: "127.0.0.1", port: 0, maxMessageBytes: 4 * 1024 * 1024,
      logger: createTestLogger().logger, interceptors: [recordPeer], tls: { files, requireClientCert },
    });
    return server.port;
  }
  const clientOf = (port: number, client?: CertFiles): Client => {
    const c = new Client(`localhost:${port}`, credentials.createSsl(pki.ca.cert, client?.key ?? null, client?.cert ?? null));
    clients.push(c);
    return c;
  };
  const ping = (c: Client): Promise<unknown> => unary(c, deviceService, "Ping", { device: "test/fake/1" }, { deadlineMs: 5_000 });

  it("with mutual TLS, hands the client's verified certificate to each call's auth context", async () => {
    const port = await start(true);
    await ping(clientOf(port, pki.client("operator-1")));
    expect(peers).to.have.length(1);
    expect(peers[0]?.subject.CN).to.equal("operator-1");
    expect(peers[0]?.issuer.CN).to.equal("ca");
  });

  it("with mutual TLS, refuses a client without a certificate before any call reaches the server", async () => {
    const port = await start(true);
    const err = await expectServiceError(ping(clientOf(port)));
    expect(err.code).to.equal(status.UNAVAILABLE);
    expect(peers).to.deep.equal([]);
  });

  it("with a client CA but no requirement, lets a client without a certificate in, with no peer certificate", async () => {
    const port = await start(false);
    await ping(clientOf(port));
    await ping(clientOf(port, pki.client("operator-2")));
    expect(peers.map((p) => p?.subject.CN)).to.deep.equal([undefined, "operator-2"]);
  });
});
