import { expect } from "chai";
import { DevFailed, Reason } from "../../../src/core/index.js";
import type { ClientIdentity, Connection } from "../../../src/server/index.js";
import { LockTable, type LockEvent } from "../../../src/server/locking/lock-table.js";
import { describeOwner, lockOwnerOf, type LockOwner } from "../../../src/server/locking/lock-owner.js";

const A: ClientIdentity = { host: "pc1", peer: "10.0.0.1:5000", pid: 100, language: "TypeScript", proxyId: "p1" };
const A_OTHER_PROXY: ClientIdentity = { ...A, proxyId: "p2" };
const A_NEW_PORT: ClientIdentity = { ...A, peer: "10.0.0.1:6000" };
const B: ClientIdentity = { host: "pc2", peer: "10.0.0.2:5000", pid: 100, language: "TypeScript", proxyId: "p1" };
const NO_ID: ClientIdentity = { host: "pc3", peer: "10.0.0.3:1" };
const DEV = "sys/tg_test/1";

function owner(c: ClientIdentity): LockOwner {
  const o = lockOwnerOf(c);
  if (o === undefined) throw new TypeError("no owner");
  return o;
}

function thrown(fn: () => unknown): DevFailed {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(DevFailed);
    return err as DevFailed;
  }
  expect.fail("expected a DevFailed");
}

/** A connection a test closes by hand. */
class FakeConnection implements Connection {
  readonly peer = "10.0.0.1:5000";
  isClosed = false;
  readonly listeners = new Set<() => void>();
  onClose(listener: () => void): () => void {
    if (this.isClosed) listener();
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  close(): void {
    this.isClosed = true;
    for (const l of this.listeners) l();
    this.listeners.clear();
  }
}

describe("LockTable", () => {
  let now: number;
  let events: LockEvent[];
  let table: LockTable;
  beforeEach(() => {
    now = 1_000_000;
    events = [];
    table = new LockTable({ nowMs: () => now, onEvent: (e) => events.push(e) });
  });

  it("grants a lock, counts the owner's locks again and re-dates them", () => {
    table.lock(DEV, owner(A), 10);
    now += 5000;
    table.lock("SYS/TG_TEST/1", owner(A), 3);
    expect(table.status(DEV)).to.include({ dateMs: now, validityS: 3, counter: 2 });
    expect(events.map((e) => [e.kind, e.counter])).to.deep.equal([["locked", 1], ["locked", 2]]);
  });

  it("refuses a lock to another client while the lock is valid, with cppTango's text", () => {
    table.lock(DEV, owner(A), 10);
    for (const other of [B, A_OTHER_PROXY]) {
      const df = thrown(() => table.lock(DEV, owner(other), 10));
      expect(df.errors[0]).to.include({ reason: Reason.DeviceLocked, desc: `Device ${DEV} is already locked by another client`, origin: "Device_Impl::lock" });
    }
  });

  it("treats a caller on another connection of the same process and proxy as the owner", () => {
    table.lock(DEV, owner(A), 10);
    table.lock(DEV, owner(A_NEW_PORT), 10);
    expect(table.status(DEV)?.counter).to.equal(2);
  });

  it("keeps a lock valid until date + validity and drops it silently after", () => {
    table.lock(DEV, owner(A), 2);
    now += 2000;
    expect(table.status(DEV)).to.not.equal(undefined);
    now += 1;
    expect(table.status(DEV)).to.equal(undefined);
    table.lock(DEV, owner(B), 2);
    expect(table.status(DEV)?.owner.host).to.equal("pc2");
    expect(events.map((e) => e.kind)).to.deep.equal(["locked", "expired", "locked"]);
  });

  it("releases the owner's lock when the counter reaches 0 and answers the counter left", () => {
    table.lock(DEV, owner(A), 10);
    table.lock(DEV, owner(A), 10);
    expect(table.unlock(DEV, A, false)).to.equal(1);
    expect(table.unlock(DEV, A, false)).to.equal(0);
    expect(table.status(DEV)).to.equal(undefined);
    expect(table.unlock(DEV, A, false), "unlocking an unlocked device").to.equal(0);
  });

  it("refuses an unlock without force by another client", () => {
    table.lock(DEV, owner(A), 10);
    const df = thrown(() => table.unlock(DEV, B, false));
    expect(df.errors[0]).to.include({ reason: Reason.DeviceLocked, desc: `Device ${DEV} is locked by another client, can't unlock it`, origin: "Device_Impl::unlock" });
    expect(table.status(DEV)?.counter).to.equal(1);
  });

  it("forces a lock open whatever its counter, and the old owner's checked requests then fail until another client's clears the mark", () => {
    table.lock(DEV, owner(A), 10);
    table.lock(DEV, owner(A), 10);
    expect(table.unlock(DEV, B, true)).to.equal(0);
    expect(events.at(-1)).to.include({ kind: "forced", by: B });
    for (let i = 0; i < 2; i++) {
      const df = thrown(() => table.check(DEV, A, "command_inout4"));
      expect(df.errors[0]).to.include({
        reason: Reason.DeviceUnlocked, desc: `Device ${DEV} has been unlocked by an administrative client!!!`, origin: "Device_Impl::command_inout4",
      });
    }
    table.check(DEV, B, "write_attributes_4");
    table.check(DEV, A, "command_inout4");
  });

  it("keeps refusing the old owner after it locked and unlocked again, as cppTango does", () => {
    table.lock(DEV, owner(A), 10);
    table.unlock(DEV, B, true);
    table.lock(DEV, owner(A), 10);
    table.check(DEV, A, "command_inout4");
    table.unlock(DEV, A, false);
    expect(thrown(() => table.check(DEV, A, "command_inout4")).reason).to.equal(Reason.DeviceUnlocked);
  });

  it("refuses checked requests from other clients, and from clients without identity, unless the command is allowed", () => {
    table.lock(DEV, owner(A), 10);
    table.check(DEV, A, "command_inout4");
    for (const other of [B, A_OTHER_PROXY, NO_ID]) {
      const df = thrown(() => table.check(DEV, other, "write_attributes_4"));
      expect(df.errors[0]).to.include({ reason: Reason.DeviceLocked, desc: `Device ${DEV} is locked by another client`, origin: "Device_Impl::write_attributes_4" });
      table.check(DEV, other, "command_inout4", () => true);
    }
  });

  it("lets a checked request through once the lock expired, without looking at the previous owner", () => {
    table.lock(DEV, owner(A), 10);
    table.unlock(DEV, B, true);
    table.lock(DEV, owner(B), 2);
    now += 2001;
    table.check(DEV, A, "command_inout4");
    expect(thrown(() => table.check(DEV, A, "command_inout4")).reason).to.equal(Reason.DeviceUnlocked);
  });

  it("re-dates the owner's lock on relock and refuses relocking another's or no lock", () => {
    table.lock(DEV, owner(A), 2);
    now += 1500;
    table.relock(DEV, A);
    now += 1500;
    expect(table.status(DEV)?.counter, "still valid 3 s after the lock").to.equal(1);
    const other = thrown(() => table.relock(DEV, B));
    expect(other.errors[0]).to.include({ reason: Reason.DeviceLocked, desc: `${DEV}: Device ${DEV} is already locked by another client`, origin: "Device_Impl::relock" });
    now += 2001;
    const none = thrown(() => table.relock(DEV, A));
    expect(none.errors[0]).to.include({ reason: Reason.DeviceNotLocked, desc: `${DEV}: Device ${DEV} is not locked. Can't re-lock it`, origin: "Device_Impl::relock" });
  });

  it("refuses an admin command on a device another client holds, naming the device as the caller wrote it", () => {
    table.checkOwner(DEV, B, "restart");
    table.lock(DEV, owner(A), 10);
    table.checkOwner("Sys/TG_test/1", A, "restart");
    const df = thrown(() => table.checkOwner("Sys/TG_test/1", B, "add_obj_polling"));
    expect(df.errors[0]).to.include({
      reason: Reason.DeviceLocked, desc: "Device Sys/TG_test/1 is locked by another client. Your request is not allowed while a device is locked.",
      origin: "DServer::add_obj_polling",
    });
  });

  it("ends a lock when the connection its owner last used closes, and marks the owner as for a forced unlock", () => {
    const first = new FakeConnection();
    const second = new FakeConnection();
    table.lock(DEV, owner(A), 10, first);
    table.relock(DEV, A, second);
    expect(first.listeners.size, "the first connection is no longer watched").to.equal(0);
    first.close();
    expect(table.status(DEV)).to.not.equal(undefined);
    second.close();
    expect(table.status(DEV)).to.equal(undefined);
    expect(events.at(-1)?.kind).to.equal("connection");
    expect(thrown(() => table.check(DEV, A, "command_inout4")).reason).to.equal(Reason.DeviceUnlocked);
  });

  it("stops watching the connection of a lock that ended otherwise", () => {
    const c = new FakeConnection();
    table.lock(DEV, owner(A), 10, c);
    table.unlock(DEV, A, false);
    expect(c.listeners.size).to.equal(0);
  });

  it("clears every lock and previous owner at a re-initialisation", () => {
    table.lock(DEV, owner(A), 10);
    table.lock("sys/tg_test/2", owner(A), 10);
    table.unlock("sys/tg_test/2", B, true);
    table.clear();
    expect(table.lockedDevices()).to.deep.equal([]);
    table.check("sys/tg_test/2", A, "command_inout4");
  });

  it("names lock owners in cppTango's sentence shape", () => {
    expect(describeOwner(owner({ host: "h", peer: "p", pid: 7, language: "CPP" }))).to.equal("CPP or Python client with PID 7 from host h");
    expect(describeOwner(owner({ host: "h", peer: "p", pid: 7 }))).to.equal("CPP or Python client with PID 7 from host h");
    expect(describeOwner(owner({ host: "h", peer: "p", pid: 7, language: "TypeScript" }))).to.equal("TypeScript client with PID 7 from host h");
    expect(describeOwner(owner({ host: "h", peer: "p", pid: 7, language: "Java", mainClass: "org.Jive" }))).to.equal("JAVA client class org.Jive from host h");
    expect(lockOwnerOf(NO_ID)).to.equal(undefined);
  });
});
