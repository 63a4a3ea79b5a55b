import { expect } from "chai";
import { DevFailed, Reason } from "../../src/core/index.js";
import { AccessPolicy, Right, formatSubject } from "../../src/server/index.js";
import { accessRefusal, commandRight } from "../../src/server/access/access-check.js";

const SECRET = "a-secret-token-0123456789";

describe("AccessPolicy", () => {
  it("gives anonymous callers ADMIN when nothing is configured, READ once a token or certificate is, or what `anonymous` says", () => {
    expect(new AccessPolicy().anonymous.rightOn("sys/tg_test/1")).to.equal(Right.ADMIN);
    expect(new AccessPolicy({ tokens: [{ name: "t", secret: SECRET, rights: "WRITE" }] }).anonymous.rightOn("sys/tg_test/1")).to.equal(Right.READ);
    expect(new AccessPolicy({ certificates: [{ subject: "ops", rights: "WRITE" }] }).anonymous.maxRight).to.equal(Right.READ);
    expect(new AccessPolicy({ anonymous: "NONE" }).anonymous.maxRight).to.equal(Right.NONE);
  });

  it("applies rules by device pattern in any case, the last match winning, NONE when none matches", () => {
    const p = new AccessPolicy({ tokens: [{ name: "t", secret: SECRET, rights: [
      { devices: "sys/*", right: "READ" }, { devices: "sys/tg_test/*", right: "WRITE" }, { devices: "sys/tg_test/9", right: "NONE" },
    ] }] }).authenticate({ bearer: SECRET });
    expect(p.rightOn("sys/tg_test/1")).to.equal(Right.WRITE);
    expect(p.rightOn("SYS/TG_TEST/1"), "cached under the name asked, decided in lower case").to.equal(Right.WRITE);
    expect(p.rightOn("sys/tg_test/9")).to.equal(Right.NONE);
    expect(p.rightOn("sys/other/1")).to.equal(Right.READ);
    expect(p.rightOn("lab/tg_test/1")).to.equal(Right.NONE);
    expect(p.rightOn("sysx/tg_test/1"), "a pattern matches whole names, `.` is literal").to.equal(Right.NONE);
    expect(p.maxRight).to.equal(Right.WRITE);
    expect(p.label).to.equal('token "t"');
  });

  it("refuses an unknown token with API_CannotCheckAccessControl, and prefers a token to a certificate", () => {
    const policy = new AccessPolicy({
      tokens: [{ name: "t", secret: SECRET, rights: "WRITE" }],
      certificates: [{ subject: "CN=ops,O=lab", rights: "ADMIN" }],
    });
    expect(() => policy.authenticate({ bearer: "nope" })).to.throw(DevFailed).with.property("reason", Reason.CannotCheckAccessControl);
    expect(policy.authenticate({ bearer: SECRET, certificateSubject: { CN: "ops", O: "lab" } }).name).to.equal("t");
    expect(() => new AccessPolicy({ tokens: [{ name: "a", secret: SECRET, rights: "READ" }, { name: "a", secret: "x", rights: "READ" }] })).to.throw(TypeError);
  });

  it("maps a client certificate by its CN or its whole subject, any case; an unmapped one keeps its subject with the anonymous rights", () => {
    const policy = new AccessPolicy({ certificates: [{ subject: "Operator", rights: "WRITE" }, { subject: "CN=robot,O=Lab", rights: "ADMIN" }] });
    const op = policy.authenticate({ certificateSubject: { CN: "operator", O: "x" } });
    expect(op).to.include({ kind: "certificate", name: "Operator", label: 'certificate "Operator"' });
    expect(op.rightOn("a/b/c")).to.equal(Right.WRITE);
    expect(policy.authenticate({ certificateSubject: { CN: "robot", O: "lab" } }).rightOn("a/b/c")).to.equal(Right.ADMIN);
    const stranger = policy.authenticate({ certificateSubject: { CN: "stranger", O: "elsewhere" } });
    expect(stranger).to.include({ kind: "certificate", name: "CN=stranger,O=elsewhere" });
    expect(stranger.rightOn("a/b/c")).to.equal(Right.READ);
    expect(policy.authenticate({}).kind).to.equal("anonymous");
  });

  it("cannot be fooled by a value that spells further attributes: values are escaped as RFC 4514 writes them", () => {
    const policy = new AccessPolicy({ certificates: [{ subject: "CN=robot,O=lab", rights: "ADMIN" }, { subject: "Doe\\, John", rights: "WRITE" }] });
    const forged = policy.authenticate({ certificateSubject: { CN: "robot,O=lab" } });
    expect(forged).to.include({ name: "CN=robot\\,O\\=lab" });
    expect(forged.rightOn("a/b/c"), "a CN `robot,O=lab`").to.equal(Right.READ);
    expect(policy.authenticate({ certificateSubject: { CN: "CN=robot,O=lab", O: "evil" } }).rightOn("a/b/c"), "a CN `CN=robot,O=lab`").to.equal(Right.READ);
    expect(policy.authenticate({ certificateSubject: { OU: ["a", "b"] } }).name).to.not.equal(policy.authenticate({ certificateSubject: { OU: "a+b" } }).name);
    expect(policy.authenticate({ certificateSubject: { CN: "Doe, John", O: "lab" } }).rightOn("a/b/c"), "an escaped CN in the config").to.equal(Right.WRITE);
    expect(formatSubject({ CN: " #a;b<c>\\\"d " })).to.equal('CN=\\ #a\\;b\\<c\\>\\\\\\"d\\ ');
  });
});

describe("the right a command needs", () => {
  const allowed = (): readonly string[] => ["DevDouble"];
  const table: ReadonlyArray<[boolean, string, Right]> = [
    [false, "State", Right.READ], [false, "status", Right.READ], [false, "devdouble", Right.READ], [false, "DevLong", Right.WRITE],
    [false, "Init", Right.WRITE], [true, "QueryDevice", Right.READ], [true, "DevPollStatus", Right.READ],
    [true, "ZmqEventSubscriptionChange", Right.READ], [true, "Kill", Right.ADMIN], [true, "RestartServer", Right.ADMIN],
    [true, "DevRestart", Right.ADMIN], [true, "Init", Right.ADMIN], [true, "AddLoggingTarget", Right.ADMIN], [true, "AddObjPolling", Right.ADMIN],
  ];
  for (const [isAdmin, command, right] of table) {
    it(`${command} on ${isAdmin ? "the admin device" : "a device"} needs ${["NONE", "READ", "WRITE", "ADMIN"][right]}`, () => {
      expect(commandRight(isAdmin, command, allowed)).to.equal(right);
    });
  }

  it("refuses with cppTango's sentence and API_ReadOnlyMode, or asks an anonymous caller with no right for credentials", () => {
    const policy = new AccessPolicy({ anonymous: "NONE", tokens: [{ name: "r", secret: SECRET, rights: "READ" }] });
    const ro = accessRefusal(policy.authenticate({ bearer: SECRET }), Right.READ, Right.WRITE, "Command DevLong on device a/b/c");
    expect(ro.reason).to.equal(Reason.ReadOnlyMode);
    expect(ro.errors[0].desc).to.equal('Command DevLong on device a/b/c is not authorized (token "r" has READ access to this device; WRITE is needed)');
    expect(accessRefusal(policy.anonymous, Right.NONE, Right.READ, "Ping on device a/b/c").reason).to.equal(Reason.CannotCheckAccessControl);
  });
});
