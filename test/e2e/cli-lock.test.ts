import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { DeviceProxy, Reason } from "../../src/client/index.js";
import { runCliProcess, type CliResult } from "../support/cli-process.js";
import { expectDevFailed } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";
import { startTangoTest, type GrpcHarness } from "./grpc-harness.js";
import { cli } from "../support/cli-in-process.js";

/** A spawned CLI run ends in well under this, tsx compilation included. */
const SPAWN_TIMEOUT_MS = 20_000;

describe("tango-grpc lock, unlock and lock-status", function () {
  this.timeout(SPAWN_TIMEOUT_MS + 10_000);
  let ts: GrpcHarness;
  let trl: string;
  const proxies: DeviceProxy[] = [];
  const children: ChildProcess[] = [];
  const proxy = (): DeviceProxy => {
    const p = new DeviceProxy(trl);
    proxies.push(p);
    return p;
  };

  before(async () => {
    ts = await startTangoTest();
    trl = `tango://127.0.0.1:${ts.grpc.port}/sys/tg_test/1`;
  });
  after(() => ts.close());
  afterEach(() => {
    for (const p of proxies.splice(0)) p.close();
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });

  /** Starts `tango-grpc lock …` as a process; resolves once it says it holds the lock (its first line). */
  async function startLock(...args: string[]): Promise<{ child: ChildProcess; exit: Promise<CliResult> }> {
    let child: ChildProcess | undefined;
    const exit = runCliProcess(["lock", trl, ...args], {
      timeoutMs: SPAWN_TIMEOUT_MS,
      onSpawn: (c) => { child = c; children.push(c); },
    });
    // Seen by the client too: the lock is there once the verb has printed.
    let out = "";
    child?.stdout?.on("data", (chunk: string) => { out += chunk; });
    const ended = exit.then((r) => { throw new Error(`lock exited early (${String(r.code)}): ${r.stderr}`); });
    await Promise.race([waitFor(() => out.includes("\n"), "the lock verb locked", SPAWN_TIMEOUT_MS), ended]);
    ended.catch(() => undefined);
    if (child === undefined) throw new Error("no child");
    return { child, exit };
  }

  it("lock --for holds the lock, relocking, and unlocks at the end: another client is refused meanwhile", async () => {
    const { exit } = await startLock("--validity", "2", "--for", "3.5");
    const other = proxy();
    await expectDevFailed(other.writeAttribute("double_scalar", 1), Reason.DeviceLocked);
    expect(await other.lockingStatus()).to.match(/^Device sys\/tg_test\/1 is locked by TypeScript client with PID \d+ from host \S+$/);
    // Past the 2 s validity: the verb's relock keeps it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await expectDevFailed(other.writeAttribute("double_scalar", 1), Reason.DeviceLocked);
    const result = await exit;
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal("locked sys/tg_test/1 (validity 2 s)\nunlocked sys/tg_test/1\n");
    expect(await other.isLocked()).to.equal(false);
    await other.writeAttribute("double_scalar", 1);
  });

  it("lock stops on SIGTERM, unlocking, and exits 0; --json writes one line each", async () => {
    const { child, exit } = await startLock("--json");
    child.kill("SIGTERM");
    const result = await exit;
    expect(result.code, result.stderr).to.equal(0);
    const [locked, unlocked, ...rest] = result.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rest).to.deep.equal([]);
    expect(locked).to.include({ device: "sys/tg_test/1", locked: true, validity: 10 });
    expect(locked?.status).to.match(/is locked by TypeScript client/);
    expect(unlocked).to.deep.equal({ device: "sys/tg_test/1", locked: false });
    expect(await proxy().isLocked()).to.equal(false);
  });

  it("a lock killed with SIGKILL holds nothing soon after, long before its validity ends (its connection closed)", async () => {
    const { child, exit } = await startLock("--validity", "60");
    const other = proxy();
    expect(await other.isLocked()).to.equal(true);
    child.kill("SIGKILL");
    await exit;
    await waitFor(async () => !(await other.isLocked()), "the lock ended with the killed process's connection", 3_000);
    await other.writeAttribute("double_scalar", 2);
  });

  it("unlock without --force is refused for another client's lock; --force releases it, and the owner hears API_DeviceUnlocked", async () => {
    const owner = proxy();
    await owner.lock();
    const refused = await cli("unlock", trl);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain("API_DeviceLocked: Device sys/tg_test/1 is locked by another client, can't unlock it");
    const forced = await cli("unlock", trl, "--force", "--json");
    expect(forced.code, forced.stderr).to.equal(0);
    expect(JSON.parse(forced.stdout)).to.deep.equal({ device: "sys/tg_test/1", counter: 0 });
    await expectDevFailed(owner.writeAttribute("double_scalar", 3), Reason.DeviceUnlocked);
    const again = await cli("unlock", trl);
    expect(again).to.deep.include({ code: 0, stdout: "unlocked sys/tg_test/1\n" });
  });

  it("lock-status says who holds the lock, as text or --json", async () => {
    const free = await cli("lock-status", trl, "--json");
    expect(free.code, free.stderr).to.equal(0);
    expect(JSON.parse(free.stdout)).to.deep.equal({ device: "sys/tg_test/1", locked: false, status: "Device sys/tg_test/1 is not locked", locker: null });
    expect((await cli("lock-status", trl)).stdout).to.equal("Device sys/tg_test/1 is not locked\n");
    const owner = proxy();
    await owner.lock();
    const held = JSON.parse((await cli("lock-status", trl, "--json")).stdout) as { locked: boolean; status: string; locker: Record<string, unknown> };
    expect(held.locked).to.equal(true);
    expect(held.status).to.equal(await owner.lockingStatus());
    expect(held.locker).to.include({ pid: process.pid, language: "CPP", lockerClass: "Not defined" });
    const text = await cli("lock-status", trl);
    expect(text.stdout).to.match(new RegExp(`^Device sys/tg_test/1 is locked by .*\\nhost: +\\S+\\npid: +${process.pid}\\naddress: +\\S+\\nlanguage: +CPP\\n$`));
    await owner.unlock();
  });

  it("exits 2 for a validity below 2 s or not whole, and a --for that is not a positive number", async () => {
    for (const args of [["--validity", "1"], ["--validity", "2.5"], ["--for", "0"], ["--for", "soon"]]) {
      const result = await cli("lock", trl, ...args);
      expect(result.code, args.join(" ")).to.equal(2);
      expect(result.stderr).to.match(/^tango-grpc: lock: --(validity|for) /);
    }
    expect(await proxy().isLocked()).to.equal(false);
  });
});
