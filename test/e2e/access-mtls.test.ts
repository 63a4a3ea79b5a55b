import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { DeviceProxy } from "../../src/client/index.js";
import { Reason } from "../../src/core/index.js";
import type { ServerConfig } from "../../src/server/index.js";
import { ACCESS_SECTION, TOKENS, startAccessServer, type AccessServer } from "../support/access-server.js";
import {
  ADMIN, DEV, LAB, checkEveryAdminCommand, checkEveryMutatingRoute, checkEveryRpc, expectReadOnly, isRefused, reasonOf, rootOf,
  type TableCaller,
} from "../support/access-tables.js";
import { makeTestPki, type CertFiles, type TestPki } from "../support/test-certs.js";
import { expectDevFailed } from "../support/test-server.js";

const API = "/api/v1";
type AccessSection = NonNullable<ServerConfig["access"]>;

/**
 * The access tables of access-grpc and access-routes, with client certificates as the identity
 * (no token) on a mutual-TLS server: `access.certificates` maps CN=reader, CN=writer and
 * CN=operator to READ, WRITE and ADMIN (by CN alone, and by the whole subject for the writer).
 */
describe("access control by client certificate (mutual TLS)", function () {
  this.timeout(60_000);
  let pki: TestPki;
  let certs: { reader: CertFiles; writer: CertFiles; operator: CertFiles; stranger: CertFiles; mallory: CertFiles };
  let callers: readonly TableCaller[];
  let s: AccessServer | undefined;

  const access: AccessSection = {
    ...ACCESS_SECTION,
    certificates: [
      { subject: "reader", rights: "READ" },
      { subject: "CN=writer", rights: "WRITE" },
      { subject: "operator", rights: "ADMIN" },
    ],
  };
  const start = async (section: AccessSection = access): Promise<AccessServer> => {
    s = await startAccessServer({ access: section, tls: { pki } });
    return s;
  };

  before(() => {
    pki = makeTestPki();
    certs = {
      reader: pki.client("reader"), writer: pki.client("writer"), operator: pki.client("operator"),
      stranger: pki.client("stranger"), mallory: pki.client("operator", "otherCa"),
    };
    callers = [
      { name: "certificate CN=stranger (no entry: the anonymous READ)", as: { cert: certs.stranger }, right: "READ" },
      { name: "certificate CN=reader (READ)", as: { cert: certs.reader }, right: "READ" },
      { name: "certificate CN=writer (WRITE)", as: { cert: certs.writer }, right: "WRITE" },
      { name: "certificate CN=operator (ADMIN)", as: { cert: certs.operator }, right: "ADMIN" },
    ];
  });
  after(() => pki.remove());
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it("checks every tango.v1.Device RPC against READ, WRITE and ADMIN certificates", async () => {
    await checkEveryRpc(await start(), callers);
  });

  it("checks every admin command against READ, WRITE and ADMIN certificates", async () => {
    await checkEveryAdminCommand(await start(), callers);
  });

  it("checks every mutating REST route against READ, WRITE and ADMIN certificates; no certificate, or one from another CA, is 401", async () => {
    await checkEveryMutatingRoute(await start(), callers, [
      { name: "no certificate", as: undefined },
      { name: "certificate CN=operator from another CA", as: { cert: certs.mallory } },
    ]);
  });

  it("treats Subscribe as a read: allowed to a READ certificate, refused to a certificate with the anonymous NONE", async () => {
    const srv = await start({ ...access, anonymous: "NONE" });
    const req = { device: DEV, attribute: "long_scalar", event_type: 4 };
    expect(isRefused(await srv.subscribe(req, { cert: certs.reader }))).to.equal(false);
    const o = await srv.subscribe(req, { cert: certs.stranger });
    expect(!o.ok && o.code).to.equal(grpc.status.PERMISSION_DENIED);
    expect(rootOf(o)?.desc).to.contain('(certificate "CN=stranger" has NONE access to this device; READ is needed)');
  });

  it("shows the certificate's identity in the blackbox lines and in the log of a refused call, on gRPC and REST", async () => {
    const srv = await start();
    await srv.call("ReadAttributes", { device: DEV, names: ["long_scalar"] }, { cert: certs.writer });
    expectReadOnly(await srv.call("WriteAttributes", { device: DEV, values: [] }, { cert: certs.reader }), "reader write");
    await srv.call("ReadAttributes", { device: DEV, names: ["long_scalar"] }, { cert: certs.stranger });
    const put = await srv.rest("PUT", `${API}/devices/${DEV}/attributes/long_scalar_w/value`, { cert: certs.operator, body: 7 });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    const refusedRest = await srv.rest("POST", `${API}/admin/kill`, { cert: certs.writer });
    expect(refusedRest.status).to.equal(403);

    const bb = await srv.call<{ records: string[] }>("BlackBox", { device: DEV, n: 5 }, { cert: certs.reader });
    expect(bb.ok, bb.ok ? "" : bb.details).to.equal(true);
    if (!bb.ok) return;
    // The REST write reads the attribute's configuration first (get_attribute_config_5, by the same caller).
    const [rest, restConfig, stranger, refused, read] = bb.reply.records;
    expect(restConfig).to.match(/get_attribute_config_5 requested from 127\.0\.0\.1 as certificate "operator"$/);
    expect(rest).to.match(/write_read_attributes_5 \(long_scalar_w \/ long_scalar_w\) requested from 127\.0\.0\.1 as certificate "operator"$/);
    expect(stranger).to.match(/read_attributes_5 \(long_scalar\) from device requested from localhost \(CPP\/Python client with PID 777\) as certificate "CN=stranger"$/);
    expect(refused).to.match(/write_attributes_4 \(\) requested from localhost \(CPP\/Python client with PID 777\) as certificate "reader"$/);
    expect(read).to.match(/read_attributes_5 \(long_scalar\) from device requested from localhost \(CPP\/Python client with PID 777\) as certificate "CN=writer"$/);

    const refusals = srv.logs().filter((l) => typeof l.msg === "string" && l.msg.startsWith("request refused by access control:") && l.identity !== undefined);
    expect(refusals.find((l) => l.transport === "grpc")).to.deep.include({ identity: 'certificate "reader"', device: DEV, reason: Reason.ReadOnlyMode });
    const http = refusals.find((l) => l.transport === "http");
    expect(http).to.deep.include({ identity: 'certificate "CN=writer"', device: ADMIN, reason: Reason.ReadOnlyMode });
    expect(http?.msg).to.contain(`on device ${ADMIN} is not authorized (certificate "CN=writer" has WRITE access to this device; ADMIN is needed)`);
  });

  it("lets a token sent on an mTLS connection win over the certificate", async () => {
    const srv = await start();
    expect((await srv.call("PutProperty", { device: DEV, properties: [{ name: "p", values: ["1"] }] }, { cert: certs.reader, token: TOKENS.writer })).ok).to.equal(true);
    expectReadOnly(await srv.call("PutProperty", { device: DEV, properties: [{ name: "p", values: ["1"] }] }, { cert: certs.operator, token: TOKENS.reader }), "operator certificate with the reader token");
    const res = await srv.rest("POST", `${API}/admin/kill`, { cert: certs.operator, token: TOKENS.reader });
    expect(res.status).to.equal(403);
  });

  it("gives a verified certificate with no entry the anonymous rights, rules by device included", async () => {
    const srv = await start({ ...access, anonymous: [{ devices: "*", right: "READ" }, { devices: "lab/*", right: "WRITE" }] });
    const put = (device: string): ReturnType<AccessServer["call"]> => srv.call("PutProperty", { device, properties: [{ name: "p", values: ["1"] }] }, { cert: certs.stranger });
    expect((await put(LAB)).ok).to.equal(true);
    const refused = await put(DEV);
    expectReadOnly(refused, "stranger PutProperty on sys/");
    expect(rootOf(refused)?.desc).to.contain('(certificate "CN=stranger" has READ access to this device; WRITE is needed)');
    const rest = await srv.rest("PUT", `${API}/devices/${LAB}/attributes/long_scalar_w/value`, { cert: certs.stranger, body: 3 });
    expect(rest.status, JSON.stringify(rest.body)).to.equal(200);
    const restRefused = await srv.rest("PUT", `${API}/devices/${DEV}/attributes/long_scalar_w/value`, { cert: certs.stranger, body: 3 });
    expect(restRefused.status).to.equal(403);
    expect(reasonOf(restRefused.body)).to.equal(Reason.ReadOnlyMode);
  });

  it("refuses a certificate from another CA: the gRPC handshake fails before any call, REST answers 401 even to reads", async () => {
    const srv = await start();
    const o = await srv.call("ReadAttributes", { device: DEV, names: ["long_scalar"] }, { cert: certs.mallory, token: TOKENS.admin });
    expect(o.ok).to.equal(false);
    // The server refuses the handshake (docs/tls.md), so the client sees no call status of the server's but UNAVAILABLE.
    expect(!o.ok && o.code, o.ok ? "" : o.details).to.equal(grpc.status.UNAVAILABLE);
    const none = await srv.call("Ping", { device: DEV });
    expect(!none.ok && none.code, "no certificate at all").to.equal(grpc.status.UNAVAILABLE);
    const bb = await srv.call<{ records: string[] }>("BlackBox", { device: DEV, n: 1 }, { cert: certs.operator });
    expect(!bb.ok && rootOf(bb)?.reason, "nothing reached the device").to.equal(Reason.BlackBoxEmpty);

    const read = await srv.rest("GET", `${API}/devices/${DEV}/attributes/long_scalar/value`, { cert: certs.mallory });
    expect(read.status).to.equal(401);
    expect(reasonOf(read.body)).to.equal("HTTP_Unauthorized");
    const withToken = await srv.rest("POST", `${API}/admin/kill`, { cert: certs.mallory, token: TOKENS.admin });
    expect(withToken.status, "a valid token does not make up for the certificate").to.equal(401);
    expect(srv.server.isShuttingDown).to.equal(false);
  });

  it("identifies the TypeScript client by its certificate, on its admin device proxy too", async () => {
    const srv = await start();
    const proxies: DeviceProxy[] = [];
    const proxyAs = (cert: CertFiles): DeviceProxy => {
      // token "": none sent, whatever TANGO_TOKEN says; dialling localhost avoids Node's DEP0123 warning for an IP.
      const p = new DeviceProxy(`tango+tls://localhost:${srv.grpc.port}/${DEV}`, { timeoutMs: 5_000, token: "", tls: { ca: pki.ca.cert, cert: cert.cert, key: cert.key } });
      proxies.push(p);
      return p;
    };
    try {
      await proxyAs(certs.writer).writeAttribute("long_scalar_w", 4);
      await expectDevFailed(proxyAs(certs.reader).writeAttribute("long_scalar_w", 4), Reason.ReadOnlyMode);
      // Polling goes through the admin device (AddObjPolling: ADMIN on dserver/Access/t).
      const refused = await expectDevFailed(proxyAs(certs.writer).pollAttribute("long_scalar", 1000), Reason.ReadOnlyMode);
      expect(refused.desc).to.contain(`on device ${ADMIN} is not authorized (certificate "CN=writer" has WRITE access`);
      await proxyAs(certs.operator).pollAttribute("long_scalar", 1000);
      expect(await proxyAs(certs.stranger).isAttributePolled("long_scalar")).to.equal(true);
    } finally {
      for (const p of proxies) p.close();
    }
  });

  it("matches a whole subject attribute by attribute: a CN that spells out `robot,O=lab` is not CN=robot,O=lab", async () => {
    const srv = await start({ ...access, certificates: [...access.certificates ?? [], { subject: "CN=robot,O=lab", rights: "ADMIN" }] });
    const robot = pki.client("robot/O=lab");
    const forged = pki.client("robot,O=lab");
    const putAs = (cert: CertFiles): ReturnType<AccessServer["call"]> => srv.call("PutProperty", { device: DEV, properties: [{ name: "p", values: ["1"] }] }, { cert });
    expect((await putAs(robot)).ok, "the certificate CN=robot, O=lab").to.equal(true);
    const o = await putAs(forged);
    expectReadOnly(o, "the certificate whose CN is `robot,O=lab`");
    expect(rootOf(o)?.desc).to.contain("has READ access to this device; WRITE is needed");
    const rest = await srv.rest("POST", `${API}/admin/commands/StopPolling`, { cert: forged });
    expect(rest.status, JSON.stringify(rest.body)).to.equal(403);
  });

  it("without requireClientCert, takes a certificate from another CA for no identity: anonymous, never its CN's rights", async () => {
    s = await startAccessServer({ access, tls: { pki, requireClientCert: false } });
    const put = await s.call("PutProperty", { device: DEV, properties: [{ name: "p", values: ["1"] }] }, { cert: certs.mallory });
    expectReadOnly(put, "CN=operator from another CA PutProperty");
    expect(rootOf(put)?.desc).to.contain("(anonymous has READ access to this device; WRITE is needed)");
    expect((await s.call("Ping", { device: DEV }, { cert: certs.mallory })).ok).to.equal(true);
    expect((await s.rest("POST", `${API}/admin/kill`, { cert: certs.mallory })).status).to.equal(401);
    expect((await s.rest("GET", `${API}/devices/${DEV}/state`, { cert: certs.mallory })).status).to.equal(200);
    // A verified certificate is still an identity when certificates are optional.
    expect((await s.call("PutProperty", { device: DEV, properties: [{ name: "p", values: ["1"] }] }, { cert: certs.writer })).ok).to.equal(true);
    expect(s.server.isShuttingDown).to.equal(false);
  });

  it("answers 401 without a verified certificate however the request spells the /api/v1 path", async () => {
    const srv = await start();
    const write = `/devices/${DEV}/attributes/long_scalar_w/value`;
    // The router decodes percent-encoding and takes absolute-form targets: each of these reaches a REST route.
    for (const path of [`/%61pi/v1${write}`, `/api/%761${write}`, `/api/v1${write.replace("devices", "d%65vices")}`, `http://elsewhere.example/api/v1${write}`]) {
      for (const [who, cert] of [["no certificate", undefined], ["another CA's certificate", certs.mallory]] as const) {
        const res = await srv.rest("PUT", path, { cert, token: TOKENS.admin, body: 9 });
        expect(res.status, `${who} PUT ${path}: ${JSON.stringify(res.body)}`).to.equal(401);
        expect(reasonOf(res.body)).to.equal("HTTP_Unauthorized");
      }
      const read = await srv.rest("GET", path);
      expect(read.status, `no certificate GET ${path}`).to.equal(401);
    }
    const bb = await srv.call<{ records: string[] }>("BlackBox", { device: DEV, n: 1 }, { cert: certs.operator });
    expect(!bb.ok && rootOf(bb)?.reason, "nothing reached the device").to.equal(Reason.BlackBoxEmpty);
  });
});
