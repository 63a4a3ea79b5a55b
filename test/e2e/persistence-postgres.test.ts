import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceProxy } from "../../src/client/index.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { MEMO_DEVICE, MemoProcess } from "../support/memo-process.js";
import { startTestDatabase, type TestDatabase } from "../support/test-database.js";
import { describeBackend } from "../support/test-db.js";

/* The kill -9 test of persistence-process.test.ts once on a real PostgreSQL server. */
describeBackend("postgres", "memorized values and attribute configuration kept in the database across kill -9", (openDb) => {
  let storage: SqlDb | undefined;
  let db: TestDatabase | undefined;
  let server: MemoProcess | undefined;
  let dir: string;
  const proxies: DeviceProxy[] = [];
  const proxy = (port: number, device: string): DeviceProxy => {
    const p = new DeviceProxy(`tango://127.0.0.1:${port}/${device}#dbase=no`, { timeoutMs: 5000, token: "" });
    proxies.push(p);
    return p;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-kill9-pg-"));
    storage = await openDb();
    db = await startTestDatabase(storage);
  });
  afterEach(async () => {
    for (const p of proxies.splice(0)) p.close();
    await server?.kill();
    await db?.stop();
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restores a memorized value and a run-time configuration before the first client call", async () => {
    server = new MemoProcess(join(dir, "server.json"), { tangoHost: db!.tangoHost });
    await server.start();
    const dev = proxy(server.port, MEMO_DEVICE);
    await dev.writeAttribute("gain", 11);
    await dev.setAttributeConfig({ name: "gain", set: { label: "Gain", minValue: "0" } });
    await server.kill();
    await server.start();
    const [gain, seen] = await proxy(server.port, MEMO_DEVICE).readAttributes(["gain", "seen"]);
    expect(gain?.value, server.output()).to.equal(11);
    expect(seen?.value).to.equal("gain=11");
    expect(await proxy(server.port, MEMO_DEVICE).getAttributeConfig("gain")).to.deep.include({ label: "Gain", minValue: "0" });
    expect(await proxy(db!.port, "sys/database/2").commandInout("DbGetDeviceAttributeProperty2", [MEMO_DEVICE, "gain"])).to.deep.equal(
      [MEMO_DEVICE, "1", "gain", "3", "label", "1", "Gain", "min_value", "1", "0", "__value", "1", "11"]);
  });
});
