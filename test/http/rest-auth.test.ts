import { expect } from "chai";
import type { FastifyRequest } from "fastify";
import { pino } from "pino";
import { createRestAuth, principalOf } from "../../src/http/rest-auth.js";
import { AccessPolicy } from "../../src/server/index.js";

const access = new AccessPolicy({ certificates: [{ subject: "CN=robot,O=lab", rights: "ADMIN" }] });

/** A request as the hook sees it, on a socket that is TLS (verified or not) or plain TCP. */
function requestOn(socket: object, method = "GET"): FastifyRequest {
  return {
    method, url: "/api/v1/admin", routeOptions: { url: "/api/v1/admin" }, headers: {}, ip: "127.0.0.1",
    log: pino({ level: "silent" }), raw: { socket },
  } as unknown as FastifyRequest;
}

describe("REST identity from a client certificate", () => {
  const auth = createRestAuth({ access });
  const tls = (authorized: boolean, subject: object | undefined): object => ({ encrypted: true, authorized, getPeerCertificate: () => (subject === undefined ? {} : { subject }) });

  it("identifies a verified client certificate by its subject, also for a mutating route", async () => {
    const request = requestOn(tls(true, { CN: "robot", O: "lab" }), "POST");
    await auth.onRequest(request);
    expect(principalOf(request)).to.include({ kind: "certificate", name: "CN=robot,O=lab" });
  });

  it("takes an unverified certificate, no certificate or plain TCP for an anonymous caller", async () => {
    for (const socket of [tls(false, { CN: "robot", O: "lab" }), tls(true, undefined), {}]) {
      const request = requestOn(socket);
      await auth.onRequest(request);
      expect(principalOf(request)?.kind).to.equal("anonymous");
    }
  });
});
