import { expect } from "chai";
import { DevFailed, DevState, DeviceProxy, Reason } from "../../src/client/index.js";
import { expectDevFailed } from "../support/test-server.js";
import { proxyPool } from "../support/proxy-pool.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";

/** spec §10.3: connection, transparent reconnection and timeouts, against a real server process. */
describe("DeviceProxy reconnection and timeouts", function () {
  this.timeout(60_000);
  let sp: ServerProcess;
  const pool = proxyPool((device) => sp.trl(device));
  const { proxy } = pool;

  before(async () => { sp = await startServerProcess(); });
  after(async () => { await sp?.close(); });
  afterEach(async function () {
    pool.closeAll();
    // A test that killed the server leaves it running again for the next one.
    if (this.currentTest?.state === "failed" || !(await isUp())) {
      await sp.kill();
      await sp.restart();
    }
  });

  async function isUp(): Promise<boolean> {
    const probe = new DeviceProxy(sp.trl("sys/tg_test/1"), { timeoutMs: 2_000 });
    try {
      await probe.ping();
      return true;
    } catch (err) {
      if (err instanceof DevFailed) return false;
      throw err;
    } finally {
      probe.close();
    }
  }

  /** Resolves once the server has started running `command` on `device` (its blackbox says so). */
  async function started(device: string, command: string): Promise<void> {
    const spy = proxy(device);
    await waitFor(async () => (await spy.blackBox(1))[0]?.includes(`(cmd = ${command})`) === true, `${command} started`);
  }

  it("survives a server killed and restarted between two calls, without an exception", async () => {
    const dev = proxy("sys/tg_test/1");
    expect(await dev.state()).to.equal(DevState.RUNNING);
    await sp.kill("SIGKILL");
    await sp.restart();
    // A command too, not only a read: it was not sent before the reconnection.
    expect(await dev.commandInout("DevDouble", 1.5)).to.equal(1.5);
    expect(await dev.state()).to.equal(DevState.RUNNING);
    expect(await dev.readAttribute("short_scalar")).to.have.property("name", "short_scalar");
  });

  it("fails fast with API_ServerNotRunning while the server is down, then works again", async () => {
    const dev = proxy("sys/tg_test/1", { timeoutMs: 20_000 });
    await dev.ping();
    await sp.kill("SIGKILL");
    for (let i = 0; i < 3; i++) {
      const start = Date.now();
      const df = await expectDevFailed(dev.commandInout("DevVoid"), Reason.ServerNotRunning);
      expect(df.desc).to.contain(`Failed to connect to device sys/tg_test/1`).and.contain(sp.address);
      expect(Date.now() - start, "never the whole timeout on a dead port").to.be.lessThan(5_000);
    }
    await expectDevFailed(proxy("sys/tg_test/1").connect(), Reason.ServerNotRunning);
    // and no "connection request was delayed": an immediate retry after the restart connects.
    await sp.restart();
    for (let i = 0; i < 5; i++) expect(await dev.commandInout("DevLong", i)).to.equal(i);
  });

  it("reports a connection lost during a slow command as API_CommunicationFailed and does not resend it", async () => {
    const slow = proxy("test/slow/1", { timeoutMs: 20_000 });
    const outcome = expectDevFailed(slow.commandInout("Sleep", 10_000), Reason.CommunicationFailed);
    await started("test/slow/1", "Sleep");
    await sp.kill("SIGKILL");
    const df = await outcome;
    expect(df.desc).to.contain("may have been executed");
    await sp.restart();
    expect(await slow.state()).to.equal(DevState.ON);
  });

  it("sends a read once more after its connection broke mid-call, but never a command", async () => {
    const blocker = proxy("test/slow/1", { timeoutMs: 20_000 });
    const reader = proxy("test/slow/1", { timeoutMs: 20_000 });
    const writer = proxy("test/slow/1", { timeoutMs: 20_000 });
    await Promise.all([reader.ping(), writer.commandList()]); // connected, command types known
    const blocked = blocker.commandInout("Block", 5_000).catch((err: unknown) => err);
    const probe = proxy("test/slow/1", { timeoutMs: 100 });
    await waitFor(() => probe.ping().then(() => false, () => true), "the server blocked");
    // Both calls wait in the server, which cannot answer while it is blocked; then it dies.
    const read = expectDevFailed(reader.state(), Reason.ServerNotRunning); // resent: nothing listens now
    const command = expectDevFailed(writer.commandInout("Sleep", 1), Reason.CommunicationFailed);
    await sp.kill("SIGKILL");
    await Promise.all([read, command, blocked]);
  });

  it("without transparent reconnection reports the lost connection once, then reconnects", async () => {
    const dev = proxy("sys/tg_test/1", { transparentReconnection: false });
    await dev.ping();
    await sp.kill("SIGKILL");
    await sp.restart();
    await expectDevFailed(dev.state(), Reason.CommunicationFailed);
    expect(await dev.state()).to.equal(DevState.RUNNING);
  });

  it("gives API_DeviceTimedOut within timeout + 200 ms for a slow command, and the proxy stays usable", async () => {
    const slow = proxy("test/slow/1", { timeoutMs: 300 });
    const start = Date.now();
    const df = await expectDevFailed(slow.commandInout("Sleep", 1_500), Reason.DeviceTimedOut);
    const elapsed = Date.now() - start;
    expect(df.desc).to.equal("Timeout (300 mS) exceeded on device test/slow/1, command Sleep");
    expect(elapsed).to.be.at.least(290).and.at.most(500);
    expect(await slow.ping()).to.be.greaterThan(0);
    // The device is still busy with Sleep: a call with room to wait gets through after it.
    expect(await slow.commandInout("Sleep", 1, { timeoutMs: 5_000 })).to.equal(undefined);
  });

  it("takes a per-call timeout over the proxy's, and Infinity as no timeout", async () => {
    const slow = proxy("test/slow/1", { timeoutMs: 200 });
    await expectDevFailed(slow.commandInout("Sleep", 600, { timeoutMs: 100 }), Reason.DeviceTimedOut);
    await slow.commandInout("Sleep", 1, { timeoutMs: 5_000 }); // wait for the first Sleep to end
    expect(await slow.commandInout("Sleep", 600, { timeoutMs: Infinity })).to.equal(undefined);
    slow.timeoutMs = Infinity;
    expect(await slow.commandInout("Sleep", 300)).to.equal(undefined);
    expect(() => { slow.timeoutMs = 0; }).to.throw(DevFailed).with.property("reason", Reason.MethodArgument);
  });

  it("times out against a server whose event loop is blocked, drops the connection and reconnects", async () => {
    const slow = proxy("test/slow/1", { timeoutMs: 300 });
    const df = await expectDevFailed(slow.commandInout("Block", 1_500), Reason.DeviceTimedOut);
    expect(df.desc).to.contain("did not answer a ping");
    expect(await slow.state({ timeoutMs: 5_000 })).to.equal(DevState.ON);
  });

  it("rejects with the signal's reason when the caller aborts", async () => {
    const slow = proxy("test/slow/1", { timeoutMs: 5_000 });
    const ac = new AbortController();
    const outcome = slow.commandInout("Sleep", 2_000, { signal: ac.signal }).then(
      () => expect.fail("the call succeeded"),
      (err: unknown) => err,
    );
    await started("test/slow/1", "Sleep");
    ac.abort(new Error("user stop"));
    expect(await outcome).to.be.instanceOf(Error).with.property("message", "user stop");
    expect(await slow.ping()).to.be.greaterThan(0);
  });
});
