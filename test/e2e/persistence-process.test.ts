import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceProxy } from "../../src/client/index.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { startTestDatabase, type TestDatabase } from "../support/test-database.js";
import { emptyTables, openTestDb } from "../support/test-db.js";

/*
 * Nothing acknowledged to a client is lost by kill -9 (issue 16): a memorized value, a run-time
 * property, a run-time attribute configuration and the polling configuration, each set through
 * the client, the server process killed with SIGKILL right after the reply, restarted, and checked
 * with the first client call; without a database (the file store) and with one.
 */

const FIXTURE = fileURLToPath(new URL("../support/memo-fixture.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Starting a server from source takes ~2 s here; a loaded machine gets more. */
const START_TIMEOUT_MS = 20_000;
const DEV = "test/memo/1";

/** The Memo server in its own process, on the same port across restarts. */
class MemoProcess {
  #child: ChildProcess | undefined;
  #out = "";
  port = 0;

  constructor(readonly configPath: string, readonly config: Record<string, unknown>) {}

  async start(): Promise<void> {
    writeFileSync(this.configPath, JSON.stringify({
      ...this.config, server: "Memo", instance: "kill9",
      grpc: { host: "127.0.0.1", port: this.port }, http: { host: "127.0.0.1", port: 0 }, advertiseAddress: "127.0.0.1",
      classes: [{ name: "Memo", devices: [{ name: DEV }] }],
    }));
    const c = spawn(process.execPath, ["--import", "tsx", FIXTURE, "-c", this.configPath], {
      cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TANGO_LOG_LEVEL: "info" },
    });
    this.#child = c;
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { c.kill("SIGKILL"); reject(new Error(`not ready within ${START_TIMEOUT_MS} ms:\n${this.#out}`)); }, START_TIMEOUT_MS);
      c.stderr?.setEncoding("utf8").on("data", (s: string) => { this.#out += s; });
      c.stdout?.setEncoding("utf8").on("data", (s: string) => {
        this.#out += s;
        const m = /"grpcPort":(\d+)[^\n]*"msg":"Ready to accept request"|"msg":"Ready to accept request"[^\n]*"grpcPort":(\d+)/.exec(this.#out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(Number(m[1] ?? m[2]));
        }
      });
      c.once("exit", (code, signal) => { clearTimeout(timer); reject(new Error(`exited (${code ?? signal}) before it was ready:\n${this.#out}`)); });
    });
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    const c = this.#child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill("SIGKILL");
    await gone;
    this.#out = "";
  }

  output(): string {
    return this.#out;
  }
}

for (const withDatabase of [false, true]) {
  describe(`persistence across kill -9 ${withDatabase ? "with a Tango database (embedded PostgreSQL)" : "with the file store"}`, function () {
    this.timeout(120_000);
    let dir: string;
    let storage: SqlDb | undefined;
    let db: TestDatabase | undefined;
    let server: MemoProcess;
    const proxies: DeviceProxy[] = [];
    /** A fresh client: its first call is the first call the new process answers for it. */
    const proxy = (): DeviceProxy => {
      const p = new DeviceProxy(`tango://127.0.0.1:${server.port}/${DEV}#dbase=no`, { timeoutMs: 5000, token: "" });
      proxies.push(p);
      return p;
    };
    const killAndRestart = async (): Promise<void> => {
      for (const p of proxies.splice(0)) p.close();
      await server.kill();
      await server.start();
    };

    before(async () => { if (withDatabase) storage = await openTestDb(); });
    after(async () => { await storage?.close(); });
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), "tango-grpc-kill9-"));
      if (storage !== undefined) db = await startTestDatabase(storage);
      server = new MemoProcess(join(dir, "server.json"), db === undefined ? { storePath: join(dir, "store.jsonl") } : { tangoHost: db.tangoHost });
      await server.start();
    });
    afterEach(async () => {
      for (const p of proxies.splice(0)) p.close();
      await server.kill();
      await db?.stop();
      db = undefined;
      if (storage !== undefined) await emptyTables(storage);
      rmSync(dir, { recursive: true, force: true });
    });

    it("restores memorized values before the first client call: the set value, and the hwMemorized write", async () => {
      const dev = proxy();
      await dev.writeAttribute("speed", 2.5);
      await dev.writeAttribute("gain", 7);
      await killAndRestart();
      const [speed, gain, seen] = await proxy().readAttributes(["speed", "gain", "seen"]);
      expect(speed?.wValue, server.output()).to.equal(2.5);
      expect(gain?.value).to.equal(7);
      expect(seen?.value, "the device saw the write at start").to.equal("gain=7");
      if (db !== undefined) {
        const database = new DeviceProxy(`tango://127.0.0.1:${db.port}/sys/database/2#dbase=no`, { timeoutMs: 5000, token: "" });
        proxies.push(database);
        expect(await database.commandInout("DbGetDeviceAttributeProperty2", [DEV, "speed", "gain"])).to.deep.equal(
          [DEV, "2", "speed", "1", "__value", "1", "2.5", "gain", "1", "__value", "1", "7"]);
      }
    });

    it("keeps a property put at run time", async () => {
      await proxy().putProperty({ Speed_limit: ["12", "mm/s"] });
      await killAndRestart();
      expect(await proxy().getProperty("Speed_limit")).to.deep.equal({ Speed_limit: ["12", "mm/s"] });
    });

    it("keeps an attribute configuration set at run time", async () => {
      await proxy().setAttributeConfig({ name: "speed", set: { label: "Vitesse", maxValue: "40", absChange: "0.5" } });
      await killAndRestart();
      const config = await proxy().getAttributeConfig("speed");
      expect(config).to.deep.include({ label: "Vitesse", maxValue: "40", unit: "mm/s" });
      expect((config as { events: { absChange: string } }).events.absChange).to.equal("0.5");
    });

    it("keeps the polling configuration added, updated and removed through the admin device", async () => {
      await proxy().pollAttribute("speed", 300);
      await killAndRestart();
      expect(await proxy().getAttributePollPeriod("speed")).to.equal(300);
      await proxy().pollAttribute("speed", 700);
      await killAndRestart();
      expect(await proxy().getAttributePollPeriod("speed")).to.equal(700);
      await proxy().stopPollAttribute("speed");
      await killAndRestart();
      expect(await proxy().isAttributePolled("speed")).to.equal(false);
    });
  });
}
