import { expect } from "chai";
import { Metadata } from "@grpc/grpc-js";
import { pino } from "pino";
import { DevFailed, Reason } from "../../src/core/index.js";
import { GrpcAuthenticator, type CredentialCall } from "../../src/grpc/grpc-credentials.js";
import { AccessPolicy, type PeerSubject } from "../../src/server/index.js";

const SECRET = "a-secret-token-0123456789";
const policy = new AccessPolicy({ tokens: [{ name: "ops", secret: SECRET, rights: "WRITE" }], certificates: [{ subject: "robot", rights: "ADMIN" }] });

function callWith(authorization?: string, subject?: PeerSubject): CredentialCall {
  const metadata = new Metadata();
  if (authorization !== undefined) metadata.set("authorization", authorization);
  return {
    metadata,
    getPeer: () => "127.0.0.1:1234",
    getAuthContext: () => (subject === undefined ? { transportSecurityType: "ssl" } as object : { sslPeerCertificate: { subject } }),
  };
}

describe("GrpcAuthenticator", () => {
  const auth = new GrpcAuthenticator(policy, pino({ level: "silent" }));

  it("identifies a bearer token in the authorization metadata, any case of Bearer", () => {
    expect(auth.principal(callWith(`Bearer ${SECRET}`)).name).to.equal("ops");
    expect(auth.principal(callWith(`bearer ${SECRET}`)).name).to.equal("ops");
  });

  it("identifies an mTLS client by its certificate's subject (grpc-js getAuthContext), anonymous without one", () => {
    expect(auth.principal(callWith(undefined, { CN: "robot", O: "lab" }))).to.include({ kind: "certificate", name: "robot" });
    expect(auth.principal(callWith())).to.include({ kind: "anonymous" });
    expect(auth.principal({ metadata: new Metadata(), getPeer: () => "x" }).kind, "a grpc-js without getAuthContext").to.equal("anonymous");
  });

  it("on a plaintext port, never asks for the TLS peer: a call without a token is anonymous", () => {
    const plain = new GrpcAuthenticator(policy, pino({ level: "silent" }), { isTls: false });
    const call: CredentialCall = {
      metadata: new Metadata(), getPeer: () => "x",
      getAuthContext: () => { throw new Error("getAuthContext called on a plaintext port"); },
    };
    expect(plain.principal(call).kind).to.equal("anonymous");
    expect(plain.principal(callWith(`Bearer ${SECRET}`)).name, "tokens still count").to.equal("ops");
  });

  it("refuses an unknown token or a header that is not Bearer with API_CannotCheckAccessControl", () => {
    for (const header of ["Bearer wrong-token", "Basic abc", "Bearer"]) {
      expect(() => auth.principal(callWith(header)), header).to.throw(DevFailed).with.property("reason", Reason.CannotCheckAccessControl);
    }
  });
});
