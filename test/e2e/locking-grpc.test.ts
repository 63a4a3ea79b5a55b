import { spawn, type ChildProcess } from "node:child_process";
import { networkInterfaces } from "node:os";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { DeviceProxy } from "../../src/client/index.js";
import { CmdArgType, DevFailed, Reason, type TypedValue } from "../../src/core/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { CLIENT_METADATA, encodeValue, fromGrpcError, loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { expectDevFailed, startServer } from "../support/test-server.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";

const DEV = "sys/tg_test/1";
const ADMIN = "dserver/TangoTest/test";
const HOLDER = fileURLToPath(new URL("../support/lock-holder.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** A lock that outlives every test: only its connection's end can end it in time. */
const LONG_VALIDITY_S = 60;

type Unary = (req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === "::1"));

/** A raw grpc-js client on its own connection, sending the identity metadata given. */
function rawClient(address: string, identity: Record<string, string>): {
  command(device: string, command: string, argin?: TypedValue): Promise<unknown>;
  close(): void;
} {
  const Ctor = grpc.makeGenericClientConstructor(loadTangoProto().deviceService, "Device");
  const client = new Ctor(address, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 }) as unknown as grpc.Client & Record<string, Unary>;
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(identity)) md.set(k, v);
  return {
    command: (device, command, argin) => new Promise((resolve, reject) => {
      const req = { device, command, argin: argin === undefined ? null : encodeValue(argin), source: 0, array_encoding: 0 };
      client.CommandInout?.call(client, req, md, (err, res) => (err ? reject(fromGrpcError(err) ?? err) : resolve(res)));
    }),
    close: () => client.close(),
  };
}

const lockArgin = (device: string, validityS: number): TypedValue =>
  ({ type: CmdArgType.DevVarLongStringArray, value: { lvalue: Int32Array.of(validityS), svalue: [device] } });

for (const [family, host, address] of [["IPv4", "127.0.0.1", "127.0.0.1"], ["IPv6", "::1", "[::1]"]] as const) {
  describe(`device locking over gRPC (${family} loopback)`, function () {
    let ts: Awaited<ReturnType<typeof startServer>>;
    let handle: GrpcServerHandle;
    let target: string;
    const proxies: DeviceProxy[] = [];
    const track = <T extends DeviceProxy>(p: T): T => { proxies.push(p); return p; };
    let holder: ChildProcess | undefined;

    before(function () {
      if (family === "IPv6" && !hasIpv6Loopback) this.skip();
    });
    beforeEach(async () => {
      ts = await startServer({ classes: Object.fromEntries(BUILTIN_CLASSES), devices: { TangoTest: [DEV] }, config: { server: "TangoTest", instance: "test" } });
      handle = await startGrpcServer({ api: ts.server.api, host, port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: ts.server.log });
      target = `${address}:${handle.port}`;
    });
    afterEach(async () => {
      holder?.kill("SIGKILL");
      holder = undefined;
      for (const p of proxies.splice(0)) p.close();
      await handle.close(1000);
      await ts.close();
    });

    // One client: a device proxy and an admin proxy on their own connections, sharing one proxy id
    // so that they are one lock owner (as a process's proxies are in cppTango).
    const clientOf = async (pid: number): Promise<{ dev: DeviceProxy; admin: DeviceProxy }> => ({
      dev: track(new DeviceProxy(`tango://${target}/${DEV}#dbase=no`, { identity: { pid, proxyId: `client-${pid}` } })),
      admin: track(await DeviceProxy.adminOf(target, { identity: { pid, proxyId: `client-${pid}` } })),
    });
    const lockStatus = async (): Promise<number> => (await ts.server.api.commandInout(
      { client: { host: "localhost", peer: "in-process" }, transport: "internal" }, ADMIN, "DevLockStatus", { type: CmdArgType.DevString, value: DEV },
    ) as { value: { lvalue: Int32Array } }).value.lvalue[0] ?? -1;

    it("lets the owner write and refuses another client, while both read; the status names the owner's address", async () => {
      const owner = await clientOf(1001);
      const other = await clientOf(1002);
      await owner.admin.commandInout("LockDevice", { lvalue: [10], svalue: [DEV] });
      await owner.dev.writeAttribute("double_scalar", 1.5);
      await owner.dev.commandInout("DevDouble", 2);
      const df = await expectDevFailed(other.dev.writeAttribute("double_scalar", 2.5), Reason.DeviceLocked);
      expect(df.errors[0]).to.deep.include({ desc: `Device ${DEV} is locked by another client`, origin: "Device_Impl::write_attributes_4" });
      await expectDevFailed(other.dev.commandInout("DevDouble", 2), Reason.DeviceLocked);
      expect(await other.dev.commandInout("State")).to.not.equal(undefined);
      await other.dev.readAttribute("double_scalar");
      const status = await other.admin.commandInout<{ lvalue: Int32Array; svalue: string[] }>("DevLockStatus", DEV);
      expect([...status.lvalue]).to.deep.equal([1, 1001, 0, 0, 0, 0]);
      expect(status.svalue[0]).to.match(/^Device sys\/tg_test\/1 is locked by TypeScript client with PID 1001 from host /);
      expect(status.svalue[1], "the owner's address as the transport saw it").to.match(family === "IPv4" ? /^127\.0\.0\.1:\d+$/ : /^::1:\d+$/);
    });

    it("tells two proxies of one process apart by their tango-client-proxy metadata", async () => {
      const a = rawClient(target, { [CLIENT_METADATA.pid]: "4242", [CLIENT_METADATA.proxy]: "proxy-a" });
      const b = rawClient(target, { [CLIENT_METADATA.pid]: "4242", [CLIENT_METADATA.proxy]: "proxy-b" });
      try {
        await a.command(ADMIN, "LockDevice", lockArgin(DEV, 10));
        await a.command(DEV, "DevDouble", { type: CmdArgType.DevDouble, value: 1 });
        const err = await b.command(DEV, "DevDouble", { type: CmdArgType.DevDouble, value: 1 }).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(DevFailed).with.property("reason", Reason.DeviceLocked);
      } finally {
        a.close();
        b.close();
      }
    });

    it("ends a lock when the owner's connection closes, long before its validity, and the owner then hears API_DeviceUnlocked", async () => {
      const owner = await clientOf(2001);
      await owner.admin.commandInout("LockDevice", { lvalue: [LONG_VALIDITY_S], svalue: [DEV] });
      expect(await lockStatus()).to.equal(1);
      owner.admin.close();
      await waitFor(async () => (await lockStatus()) === 0, "the lock's end after its owner's connection closed", 3000);
      expect(ts.logs().some((l) => l.msg === "device lock ended: the owner's connection closed" && l.device === DEV)).to.equal(true);
      const df = await expectDevFailed(owner.dev.commandInout("DevDouble", 2), Reason.DeviceUnlocked);
      expect(df.errors[0].desc).to.equal(`Device ${DEV} has been unlocked by an administrative client!!!`);
    });

    it("ends a lock when the owner's process is killed with SIGKILL", async function () {
      this.timeout(30_000);
      const child = spawn(process.execPath, ["--import", "tsx", HOLDER, target, DEV, String(LONG_VALIDITY_S)], {
        cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"],
      });
      holder = child;
      let out = "";
      child.stderr?.setEncoding("utf8").on("data", (s: string) => { out += s; });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the lock holder did not lock within 15 s:\n${out}`)), 15_000);
        child.stdout?.setEncoding("utf8").on("data", (s: string) => {
          out += s;
          if (out.includes("locked")) { clearTimeout(timer); resolve(); }
        });
        child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`the lock holder exited (${code}):\n${out}`)); });
      });
      expect(await lockStatus()).to.equal(1);
      const other = await clientOf(3001);
      await expectDevFailed(other.dev.commandInout("DevDouble", 2), Reason.DeviceLocked);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      await waitFor(async () => (await lockStatus()) === 0, "the lock's end after its owner was killed", 2000);
      await other.dev.commandInout("DevDouble", 2);
    });
  });
}

describe("device locks and a server restart", function () {
  this.timeout(60_000);
  let sp: ServerProcess | undefined;
  const proxies: DeviceProxy[] = [];
  afterEach(async () => {
    for (const p of proxies.splice(0)) p.close();
    await sp?.close();
  });

  it("loses every lock when the server process is restarted", async () => {
    sp = await startServerProcess();
    const admin = await DeviceProxy.adminOf(sp.address, { identity: { pid: 5001 } });
    proxies.push(admin);
    await admin.commandInout("LockDevice", { lvalue: [LONG_VALIDITY_S], svalue: [DEV] });
    expect((await admin.commandInout<{ lvalue: Int32Array }>("DevLockStatus", DEV)).lvalue[0]).to.equal(1);
    await sp.kill();
    await sp.restart();
    const after = await DeviceProxy.adminOf(sp.address, { identity: { pid: 5002 } });
    proxies.push(after);
    expect((await after.commandInout<{ lvalue: Int32Array }>("DevLockStatus", DEV)).lvalue[0]).to.equal(0);
    const dev = new DeviceProxy(sp.trl(`${DEV}#dbase=no`), { identity: { pid: 5002 } });
    proxies.push(dev);
    await dev.commandInout("DevDouble", 1);
  });
});
