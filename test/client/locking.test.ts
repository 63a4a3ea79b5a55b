import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrSeverity, Reason } from "../../src/client/index.js";
import { CmdArgType } from "../../src/core/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { ArrayEncoding, encodeValue, fromGrpcError, loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { ipOfAddress } from "../../src/client/device-lock.js";
import { expectDevFailed, startServer } from "../support/test-server.js";
import { proxyPool } from "../support/proxy-pool.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";

const DEV = "sys/tg_test/1";
const OTHER = "sys/tg_test/2";
const ADMIN = "dserver/TangoTest/test";

describe("ipOfAddress (the locker's IP in DevLockStatus's address)", () => {
  const cases: ReadonlyArray<readonly [string, string | undefined]> = [
    ["giop:tcp:10.0.0.1:50744", "10.0.0.1"],
    ["giop:tcp:[::ffff:10.0.0.1]:50744", "10.0.0.1"],
    ["ipv4:127.0.0.1:1234", "127.0.0.1"],
    ["ipv6:[::1]:1234", "::1"],
    ["127.0.0.1:1234", "127.0.0.1"],
    ["[fe80::1]:1234", "fe80::1"],
    ["::ffff:192.168.1.2:9", "192.168.1.2"],
    ["Not defined", undefined],
    ["", undefined],
  ];
  for (const [address, ip] of cases) {
    it(`reads ${JSON.stringify(address)} as ${String(ip)}`, () => {
      expect(ipOfAddress(address)).to.equal(ip);
    });
  }
});

describe("DeviceProxy locking (spec §10.8), against a server in this process", function () {
  this.timeout(30_000);
  let close: () => Promise<void>;
  let grpcServer: GrpcServerHandle;
  const pool = proxyPool((device) => `tango://127.0.0.1:${grpcServer.port}/${device}#dbase=no`);
  const { proxy } = pool;

  before(async () => {
    const ts = await startServer({
      classes: Object.fromEntries(BUILTIN_CLASSES), devices: { TangoTest: [DEV, OTHER] }, config: { server: "TangoTest", instance: "test" },
    });
    grpcServer = await startGrpcServer({ api: ts.server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: ts.server.log });
    close = async () => {
      await grpcServer.close(1000);
      await ts.close();
    };
  });
  after(async () => { await close?.(); });
  afterEach(() => { pool.closeAll(); });

  it("gives each proxy its own id, and sends the one it is given", () => {
    const a = proxy(DEV);
    const b = proxy(DEV);
    expect(a.proxyId).to.match(/^[0-9a-f-]{36}$/);
    expect(b.proxyId).to.not.equal(a.proxyId);
    expect(proxy(DEV, { identity: { proxyId: "bench-7" } }).proxyId).to.equal("bench-7");
    expect(() => proxy(DEV, { identity: { proxyId: "a b" } })).to.throw().with.property("reason", Reason.MethodArgument);
  });

  it("locks, says who holds the lock, counts locks and unlocks", async () => {
    const a = proxy(DEV);
    expect(await a.isLocked()).to.equal(false);
    expect(await a.lockingStatus()).to.equal("Device sys/tg_test/1 is not locked");
    expect(await a.getLocker()).to.equal(undefined);
    await a.lock();
    expect(await a.isLocked()).to.equal(true);
    expect(await a.isLockedByMe()).to.equal(true);
    expect(await a.lockingStatus()).to.match(new RegExp(`^Device sys/tg_test/1 is locked by TypeScript client with PID ${process.pid} from host \\S+$`));
    const locker = await a.getLocker();
    expect(locker).to.include({ language: "CPP", pid: process.pid, host: hostname(), lockerClass: "Not defined" });
    expect(locker?.uuid).to.deep.equal([0, 0, 0, 0]);
    expect(ipOfAddress(locker?.address ?? "")).to.equal("127.0.0.1");
    // The owner may write; locking again counts up, each lock needs its unlock.
    await a.writeAttribute("double_scalar", 1.5);
    await a.lock();
    expect(await a.unlock()).to.equal(1);
    expect(await a.isLockedByMe()).to.equal(true);
    expect(await a.unlock()).to.equal(0);
    expect(await a.isLocked()).to.equal(false);
    expect(await a.isLockedByMe()).to.equal(false);
  });

  it("makes two proxies of one process two owners: the other is refused, then allowed after the unlock", async () => {
    const a = proxy(DEV);
    const b = proxy(DEV);
    await a.lock();
    const refused = await expectDevFailed(b.writeAttribute("double_scalar", 2), Reason.DeviceLocked);
    expect(refused.errors[0].desc).to.equal("Device sys/tg_test/1 is locked by another client");
    await expectDevFailed(b.commandInout("SwitchStates"), Reason.DeviceLocked);
    await expectDevFailed(b.lock(), Reason.DeviceLocked);
    await expectDevFailed(b.unlock(), Reason.DeviceLocked);
    // Reads, State and Status stay free; the lock is seen, but not as b's.
    expect(await b.readAttribute("double_scalar")).to.have.property("name", "double_scalar");
    await b.commandInout("State");
    await b.status();
    expect(await b.isLocked()).to.equal(true);
    expect(await b.isLockedByMe()).to.equal(false);
    expect(await a.isLockedByMe()).to.equal(true);
    expect(await a.unlock()).to.equal(0);
    await b.writeAttribute("double_scalar", 2);
  });

  it("lets the admin device act for the proxy: its polling commands pass the owner's lock, not another proxy's", async () => {
    const a = proxy(DEV);
    const b = proxy(DEV);
    await a.lock();
    await a.pollAttribute("long_scalar", 1000);
    await expectDevFailed(b.pollAttribute("long_scalar", 2000), Reason.DeviceLocked);
    await a.stopPollAttribute("long_scalar");
    await a.unlock();
  });

  it("refuses a validity below 2 s or not whole, before asking the server (API_MethodArgument, cppTango's text)", async () => {
    const a = proxy(DEV);
    for (const validity of [1, 0, -3, 2.5]) {
      const df = await expectDevFailed(a.lock(validity), Reason.MethodArgument);
      expect(df.errors).to.deep.equal([
        { reason: "API_MethodArgument", desc: "Lock validity can not be lower than 2 seconds", origin: "DeviceProxy::lock", severity: ErrSeverity.ERR },
      ]);
    }
    expect(await a.isLocked()).to.equal(false);
    await a.lock(3);
    const df = await expectDevFailed(a.lock(5), Reason.MethodArgument);
    expect(df.desc).to.equal("Device sys/tg_test/1 is already locked with another lock validity (3 sec)");
    await a.unlock();
  });

  it("relocks in the background: a 2 s lock is still held after 5 s, when one nobody relocks has expired", async function () {
    this.timeout(20_000);
    const a = proxy(DEV);
    const b = proxy(DEV);
    const c = proxy(OTHER);
    await a.lock(2);
    await lockWithoutRelock(OTHER, 2);
    await expectDevFailed(c.writeAttribute("double_scalar", 1), Reason.DeviceLocked);
    await sleep(5_200);
    await expectDevFailed(b.writeAttribute("double_scalar", 3), Reason.DeviceLocked);
    expect(await a.isLockedByMe()).to.equal(true);
    await c.writeAttribute("double_scalar", 1);
    await a.unlock();
  });

  it("after a forced unlock by another proxy, fails the old owner's next write with API_DeviceUnlocked", async () => {
    const a = proxy(DEV);
    const b = proxy(DEV);
    await a.lock();
    expect(await b.unlock(true)).to.equal(0);
    const df = await expectDevFailed(a.writeAttribute("double_scalar", 4), Reason.DeviceUnlocked);
    // cppTango's client puts API_DeviceUnlocked on top too (DeviceUnlockedExcept).
    expect(df.errors.at(-1)).to.include({ reason: Reason.DeviceUnlocked, desc: "Failed to write_attribute on device sys/tg_test/1, attribute double_scalar" });
    expect(await a.isLockedByMe()).to.equal(false);
    expect(await a.isLocked()).to.equal(false);
  });

  it("when the background relock is refused (another client took the lock), fails the next locked call once with API_DeviceUnlocked", async function () {
    this.timeout(15_000);
    const a = proxy(DEV);
    const b = proxy(DEV);
    await a.lock(2);
    await b.unlock(true);
    await b.lock();
    // a's relock, 1.5 s after its lock, finds b's lock.
    await sleep(2_000);
    const df = await expectDevFailed(a.commandInout("SwitchStates"), Reason.DeviceUnlocked);
    expect(df.errors).to.have.length(1);
    expect(df.desc).to.equal("Device sys/tg_test/1 has lost your lock(s) (relock refused, API_DeviceLocked) while executing command SwitchStates");
    expect(df.errors[0].origin).to.equal("Connection::command_inout()");
    // Told once: then the server's answer, b's lock.
    await expectDevFailed(a.commandInout("SwitchStates"), Reason.DeviceLocked);
    expect(await a.isLockedByMe()).to.equal(false);
    expect(await b.unlock()).to.equal(0);
  });

  it("releases the lock when the proxy closes (its connection ends it), with no unlock call", async () => {
    const a = proxy(DEV);
    const b = proxy(DEV);
    await a.lock();
    await expectDevFailed(b.lock(), Reason.DeviceLocked);
    a.close();
    await waitFor(async () => !(await b.isLocked()), "the lock ended with a's connection", 3_000);
    await b.lock();
    expect(await b.unlock()).to.equal(0);
  });

  /** LockDevice over a plain gRPC client that never relocks (identity: PID 777). */
  async function lockWithoutRelock(device: string, validityS: number): Promise<void> {
    const Ctor = grpc.makeGenericClientConstructor(loadTangoProto().deviceService, "Device");
    const client = new Ctor(`127.0.0.1:${grpcServer.port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      CommandInout(req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null) => void): void;
    };
    const md = new grpc.Metadata();
    md.set("tango-client-pid", "777");
    const argin = encodeValue({ type: CmdArgType.DevVarLongStringArray, value: { lvalue: Int32Array.of(validityS), svalue: [device] } }, ArrayEncoding.PACKED);
    // The connection stays open (a closed one would end the lock); closed when the suite ends.
    after(() => client.close());
    await new Promise<void>((resolve, reject) => client.CommandInout({ device: ADMIN, command: "LockDevice", argin }, md, (err) => {
      if (err === null) resolve();
      else reject(fromGrpcError(err) ?? err);
    }));
  }
});

describe("DeviceProxy locking across a server restart (a real process)", function () {
  this.timeout(60_000);
  let sp: ServerProcess;
  const pool = proxyPool((device) => sp.trl(device));

  before(async () => { sp = await startServerProcess(); });
  after(async () => { await sp?.close(); });
  afterEach(() => { pool.closeAll(); });

  it("knows its lock is gone after the server restarts: not locked by it, the next write fails once with API_DeviceUnlocked", async () => {
    const a = pool.proxy(DEV);
    await a.lock();
    await sp.kill("SIGKILL");
    await sp.restart();
    expect(await a.isLockedByMe()).to.equal(false);
    const df = await expectDevFailed(a.writeAttribute("double_scalar", 5), Reason.DeviceUnlocked);
    expect(df.desc).to.equal("Device sys/tg_test/1 has lost your lock(s) (server re-start?) while executing write_attributes");
    // Not locked again behind the user's back: the next write goes through, unlocked.
    await a.writeAttribute("double_scalar", 5);
    expect(await a.isLocked()).to.equal(false);
  });
});
