import { Metadata } from "@grpc/grpc-js";
import { expect } from "chai";
import { ClientIdentityReader, hostOfPeer } from "../../src/grpc/client-identity.js";
import { CLIENT_METADATA } from "../../src/grpc/index.js";

function metadataOf(entries: Record<string, string>): Metadata {
  const md = new Metadata();
  for (const [k, v] of Object.entries(entries)) md.set(k, v);
  return md;
}

describe("grpc client identity", () => {
  it("takes pid, host, language, main class and proxy id from metadata and keeps the peer as seen", () => {
    const id = new ClientIdentityReader().read(metadataOf({
      [CLIENT_METADATA.pid]: "4242", [CLIENT_METADATA.host]: "ctrl-pc-7", [CLIENT_METADATA.language]: "JS",
      [CLIENT_METADATA.mainClass]: "org.tango.Jive", [CLIENT_METADATA.proxy]: "3f2a9c",
    }), "10.1.2.3:50744");
    expect(id).to.deep.equal({ host: "ctrl-pc-7", peer: "10.1.2.3:50744", pid: 4242, language: "JS", mainClass: "org.tango.Jive", proxyId: "3f2a9c" });
  });

  it("reads a new identity when only the proxy id changes (two proxies of one process are two lock owners)", () => {
    const reader = new ClientIdentityReader();
    const a = reader.read(metadataOf({ [CLIENT_METADATA.pid]: "11", [CLIENT_METADATA.proxy]: "a" }), "10.0.0.1:1");
    expect(reader.read(metadataOf({ [CLIENT_METADATA.pid]: "11", [CLIENT_METADATA.proxy]: "b" }), "10.0.0.1:1").proxyId).to.equal("b");
    expect(a.proxyId).to.equal("a");
  });

  it("falls back to the peer address, with loopback shown as localhost", () => {
    const reader = new ClientIdentityReader();
    expect(reader.read(new Metadata(), "10.1.2.3:50744").host).to.equal("10.1.2.3");
    expect(reader.read(new Metadata(), "127.0.0.1:1").host).to.equal("localhost");
    expect(reader.read(new Metadata(), "10.1.2.3:50745").host).to.equal("10.1.2.3");
  });

  it("ignores malformed metadata instead of failing", () => {
    const id = new ClientIdentityReader().read(metadataOf({
      [CLIENT_METADATA.pid]: "-1", [CLIENT_METADATA.host]: "x".repeat(256), [CLIENT_METADATA.language]: "",
    }), "10.0.0.1:2");
    expect(id).to.deep.equal({ host: "10.0.0.1", peer: "10.0.0.1:2", pid: undefined, language: undefined, mainClass: undefined, proxyId: undefined });
    for (const pid of ["0", "12ab", "99999999999", "1e3", " 12"]) {
      expect(new ClientIdentityReader().read(metadataOf({ [CLIENT_METADATA.pid]: pid }), "p").pid, pid).to.equal(undefined);
    }
  });

  it("reads each call's own identity when clients alternate on one server", () => {
    const reader = new ClientIdentityReader();
    const a = metadataOf({ [CLIENT_METADATA.pid]: "11", [CLIENT_METADATA.language]: "JS" });
    const b = metadataOf({ [CLIENT_METADATA.pid]: "22", [CLIENT_METADATA.language]: "JS" });
    const first = reader.read(a, "10.0.0.1:1");
    expect(reader.read(metadataOf({ [CLIENT_METADATA.pid]: "11", [CLIENT_METADATA.language]: "JS" }), "10.0.0.1:1")).to.equal(first);
    expect(reader.read(b, "10.0.0.1:1").pid).to.equal(22);
    expect(reader.read(a, "10.0.0.2:1")).to.deep.include({ pid: 11, host: "10.0.0.2" });
    expect(reader.read(metadataOf({ [CLIENT_METADATA.pid]: "11" }), "10.0.0.2:1").language).to.equal(undefined);
  });

  it("parses the peer forms grpc-js uses", () => {
    expect(hostOfPeer("192.168.0.5:50051")).to.equal("192.168.0.5");
    expect(hostOfPeer("::1:50051")).to.equal("localhost");
    expect(hostOfPeer("::1:1234")).to.equal("localhost");
    expect(hostOfPeer("2001:db8::7:1234")).to.equal("2001:db8::7");
    expect(hostOfPeer("fe80::1:50051")).to.equal("fe80::1");
    expect(hostOfPeer("::ffff:10.0.0.9:50051")).to.equal("10.0.0.9");
    expect(hostOfPeer("::ffff:127.0.0.1:50051")).to.equal("localhost");
    expect(hostOfPeer("ipv4:10.0.0.2:1234")).to.equal("10.0.0.2");
    expect(hostOfPeer("ipv6:[2001:db8::7]:1234")).to.equal("2001:db8::7");
    expect(hostOfPeer("unknown")).to.equal("unknown");
  });
});
