import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { CmdArgType, Reason } from "../../src/core/index.js";
import { loadTangoProto } from "../../src/grpc/index.js";
import { ACCESS_SECTION, TOKENS, startAccessServer, type AccessServer, type Outcome } from "../support/access-server.js";
import {
  ADMIN, DEV, LAB, checkEveryAdminCommand, checkEveryRpc, expectReadOnly, isRefused, rootOf, type TableCaller,
} from "../support/access-tables.js";

const voidArgin = { type: CmdArgType.DevVoid };

/** Callers and their rights on DEV and on the admin device. */
const CALLERS: readonly TableCaller[] = [
  { name: "anonymous (a token exists: READ)", as: undefined, right: "READ" },
  { name: "token reader (READ)", as: TOKENS.reader, right: "READ" },
  { name: "token writer (WRITE)", as: TOKENS.writer, right: "WRITE" },
  { name: "TANGO_ADMIN_TOKEN (ADMIN)", as: TOKENS.admin, right: "ADMIN" },
];

describe("access control over gRPC", () => {
  let s: AccessServer;
  beforeEach(async () => { s = await startAccessServer(); });
  afterEach(async () => { await s.close(); });

  it("with TANGO_ADMIN_TOKEN set, refuses an anonymous Kill, RestartServer, DevRestart, write, SetAttributeConfig and PutProperty, and lets it read", async () => {
    const anonymous = [
      ["Kill", await s.call("CommandInout", { device: ADMIN, command: "Kill" })],
      ["RestartServer", await s.call("CommandInout", { device: ADMIN, command: "RestartServer" })],
      ["DevRestart", await s.call("CommandInout", { device: ADMIN, command: "DevRestart", argin: { type: CmdArgType.DevString, string_value: DEV } })],
      ["write", await s.call("WriteAttributes", { device: DEV, values: [{ name: "long_scalar_w", value: { type: CmdArgType.DevLong, int_value: 5 } }] })],
      ["SetAttributeConfig", await s.call("SetAttributeConfig", { device: DEV, configs: [{ name: "long_scalar", description: "x" }] })],
      ["PutProperty", await s.call("PutProperty", { device: DEV, properties: [{ name: "p", values: ["1"] }] })],
    ] as const;
    for (const [what, o] of anonymous) expectReadOnly(o, what);
    const kill = anonymous[0][1];
    expect(rootOf(kill)?.desc).to.equal(`Command Kill on device ${ADMIN} is not authorized (anonymous has READ access to this device; ADMIN is needed)`);
    expect(s.server.isReady && !s.server.isShuttingDown, "nothing was restarted or killed").to.equal(true);
    expect(await s.call("GetProperty", { device: DEV, names: ["p"] })).to.deep.include({ ok: true });
    const read = await s.call<{ values: Array<{ name: string }> }>("ReadAttributes", { device: DEV, names: ["long_scalar", "State"] });
    expect(read.ok && read.reply.values.map((v) => v.name)).to.deep.equal(["long_scalar", "State"]);
    expect((await s.call("CommandInout", { device: ADMIN, command: "QueryDevice" })).ok).to.equal(true);
    expect((await s.call("CommandInout", { device: DEV, command: "State" })).ok).to.equal(true);
    // The admin token does what the anonymous caller may not.
    expect((await s.call("PutProperty", { device: DEV, properties: [{ name: "p", values: ["1"] }] }, TOKENS.admin)).ok).to.equal(true);
  });

  it("checks every tango.v1.Device RPC against READ, WRITE and ADMIN callers", async () => {
    await checkEveryRpc(s, CALLERS);
  });

  it("checks every admin command against READ, WRITE and ADMIN callers", async () => {
    await checkEveryAdminCommand(s, CALLERS);
  });

  it("lets a READ caller run State, Status and the class's AllowedAccessCmd, and nothing else", async () => {
    const run = (command: string, argin: object = voidArgin): Promise<Outcome> => s.call("CommandInout", { device: DEV, command, argin }, TOKENS.reader);
    expect((await run("DevDouble", { type: CmdArgType.DevDouble, double_value: 2.5 })).ok).to.equal(true);
    expect((await run("devdouble", { type: CmdArgType.DevDouble, double_value: 2.5 })).ok, "any case").to.equal(true);
    expect((await run("State")).ok).to.equal(true);
    expect((await run("Status")).ok).to.equal(true);
    expectReadOnly(await run("DevLong", { type: CmdArgType.DevLong, int_value: 1 }), "DevLong");
    expectReadOnly(await run("Init"), "Init");
  });

  it("applies rules by device pattern, the last match winning", async () => {
    const write = (device: string): Promise<Outcome> => s.call("PutProperty", { device, properties: [{ name: "p", values: ["1"] }] }, TOKENS.lab);
    expect((await write(LAB)).ok).to.equal(true);
    expect((await write(LAB.toUpperCase())).ok, "names in any case").to.equal(true);
    expectReadOnly(await write(DEV), "lab token on sys/");
    expect((await s.call("ReadAttributes", { device: DEV, names: ["long_scalar"] }, TOKENS.lab)).ok).to.equal(true);
  });

  it("decides the locking commands on the device they name: WRITE to lock, relock and unlock, ADMIN to force a lock open", async () => {
    const lockArgs = (device: string, n: number): object => ({ type: CmdArgType.DevVarLongStringArray, long_string_array: { lvalue: [n], svalue: [device] } });
    const admin = (command: string, argin: object, as: string | undefined): Promise<Outcome> => s.call("CommandInout", { device: ADMIN, command, argin }, as);
    const lock = await admin("LockDevice", lockArgs(DEV, 10), TOKENS.lab);
    expectReadOnly(lock, "lab token locking sys/");
    expect(rootOf(lock)?.desc).to.equal(`Command LockDevice on device ${DEV} is not authorized (token "lab" has READ access to this device; WRITE is needed)`);
    expect((await admin("LockDevice", lockArgs(LAB, 10), TOKENS.lab)).ok).to.equal(true);
    expect((await admin("ReLockDevices", { type: CmdArgType.DevVarStringArray, string_array: { values: [LAB] } }, TOKENS.lab)).ok).to.equal(true);
    expectReadOnly(await admin("UnLockDevice", lockArgs(LAB, 1), TOKENS.lab), "lab token forcing a lock open");
    expectReadOnly(await admin("UnLockDevice", lockArgs(LAB, 1), TOKENS.writer), "writer token forcing a lock open");
    expect(await admin("DevLockStatus", { type: CmdArgType.DevString, string_value: LAB }, TOKENS.reader)).to.deep.include({ ok: true });
    expect((await admin("UnLockDevice", lockArgs(LAB, 1), TOKENS.admin)).ok).to.equal(true);
  });

  it("answers an unknown token with UNAUTHENTICATED and a DevFailed, before any device is touched, and logs it without the token", async () => {
    const o = await s.call("ReadAttributes", { device: DEV, names: ["long_scalar"] }, "not-a-known-token-123456");
    expect(!o.ok && o.code).to.equal(grpc.status.UNAUTHENTICATED);
    expect(rootOf(o)?.reason).to.equal(Reason.CannotCheckAccessControl);
    const bb = await s.call<{ records: string[] }>("BlackBox", { device: DEV, n: 1 }, TOKENS.admin);
    expect(!bb.ok && rootOf(bb)?.reason, "nothing reached the device's blackbox").to.equal(Reason.BlackBoxEmpty);
    const stream = await s.subscribe({ device: DEV, attribute: "long_scalar", event_type: 4 }, "not-a-known-token-123456");
    expect(!stream.ok && stream.code).to.equal(grpc.status.UNAUTHENTICATED);
    const logged = JSON.stringify(s.logs());
    expect(logged).to.contain("request refused by access control: unknown credentials");
    expect(logged).to.not.contain("not-a-known-token-123456");
    for (const secret of Object.values(TOKENS)) expect(logged).to.not.contain(secret);
  });

  it("treats Subscribe as a read: allowed to READ, refused to an anonymous caller with no rights", async () => {
    const req = { device: DEV, attribute: "long_scalar", event_type: 4 };
    expect(isRefused(await s.subscribe(req, TOKENS.reader))).to.equal(false);
    await s.close();
    s = await startAccessServer({ access: { ...ACCESS_SECTION, anonymous: "NONE" } });
    const o = await s.subscribe(req);
    expect(!o.ok && o.code).to.equal(grpc.status.UNAUTHENTICATED);
    expect(rootOf(o)?.reason).to.equal(Reason.CannotCheckAccessControl);
    expect(rootOf(o)?.desc).to.contain("authorization: Bearer <token>");
    const ping = await s.call("Ping", { device: DEV });
    expect(!ping.ok && ping.code).to.equal(grpc.status.UNAUTHENTICATED);
  });

  it("shows the identity in the blackbox and in the log line of a refused call", async () => {
    await s.call("ReadAttributes", { device: DEV, names: ["long_scalar"] }, TOKENS.writer);
    await s.call("WriteAttributes", { device: DEV, values: [] }, TOKENS.reader);
    const bb = await s.call<{ records: string[] }>("BlackBox", { device: DEV, n: 2 }, TOKENS.admin);
    expect(bb.ok).to.equal(true);
    if (!bb.ok) return;
    expect(bb.reply.records[0]).to.match(/write_attributes_4 \(\) requested from localhost \(CPP\/Python client with PID 777\) as token "reader"$/);
    expect(bb.reply.records[1]).to.match(/read_attributes_5 \(long_scalar\) from device requested from localhost \(CPP\/Python client with PID 777\) as token "writer"$/);
    const refused = s.logs().find((l) => typeof l.msg === "string" && l.msg.startsWith("request refused by access control:") && l.identity !== undefined);
    expect(refused).to.deep.include({ identity: 'token "reader"', device: DEV, reason: Reason.ReadOnlyMode, transport: "grpc" });
    expect(refused?.msg).to.contain(`Writing attributes on device ${DEV} is not authorized`);
  });

  it("leaves the health service open to callers with no rights", async () => {
    await s.close();
    s = await startAccessServer({ access: { ...ACCESS_SECTION, anonymous: "NONE" } });
    const pkg = grpc.loadPackageDefinition(loadTangoProto().packageDefinition) as unknown as {
      grpc: { health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & { Check(r: object, cb: (e: grpc.ServiceError | null, r: { status: unknown }) => void): void } } } };
    };
    const health = new pkg.grpc.health.v1.Health(`127.0.0.1:${s.grpc.port}`, grpc.credentials.createInsecure());
    try {
      const status = await new Promise<unknown>((resolve, reject) => health.Check({ service: "" }, (e, r) => (e ? reject(e) : resolve(r.status))));
      expect(status === "SERVING" || status === 1).to.equal(true);
    } finally {
      health.close();
    }
  });
});
