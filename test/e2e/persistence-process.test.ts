import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceProxy } from "../../src/client/index.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { MEMO_DEVICE, MemoProcess } from "../support/memo-process.js";
import { startTestDatabase, type TestDatabase } from "../support/test-database.js";
import { emptyTables, openTestDb } from "../support/test-db.js";

/*
 * Nothing acknowledged to a client is lost by kill -9 (issue 16): a memorized value, a run-time
 * property, a run-time attribute configuration and the polling configuration, each set through
 * the client, the server process killed with SIGKILL right after the reply, restarted, and checked
 * with the first client call; without a database (the file store) and with one.
 */

const DEV = MEMO_DEVICE;

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
      if (db !== undefined) {
        // cppTango applies the class's attribute properties under the device's own.
        const database = new DeviceProxy(`tango://127.0.0.1:${db.port}/sys/database/2#dbase=no`, { timeoutMs: 5000, token: "" });
        proxies.push(database);
        await database.commandInout("DbPutClassAttributeProperty2", ["Memo", "1", "speed", "2", "label", "1", "Class label", "unit", "1", "cm/s"]);
      }
      await killAndRestart();
      const config = await proxy().getAttributeConfig("speed");
      expect(config).to.deep.include({ label: "Vitesse", maxValue: "40", unit: db === undefined ? "mm/s" : "cm/s" });
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
