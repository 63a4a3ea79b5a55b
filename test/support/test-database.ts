import { Writable } from "node:stream";
import { DataBase } from "../../src/database/database.js";
import { withStorage } from "../../src/database/database-core.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { serve } from "../../src/serve/serve.js";
import { DatabaseClient } from "./database-client.js";
import { emptyTables, openTestDb } from "./test-db.js";

/** The Tango database (DataBase `sys/database/2` of DataBaseds/2) served on 127.0.0.1 over a storage. */
export interface TestDatabase {
  readonly port: number;
  /** `127.0.0.1:<port>`: the TANGO_HOST of servers that use it. */
  readonly tangoHost: string;
  /** The database seen through its commands. */
  readonly client: DatabaseClient;
  /** Stops the device server; the storage stays open, for a restart on it. */
  stop(): Promise<void>;
}

/**
 * Serves the real DataBase device over `storage` (openTestDb's) on `port` (0: the OS picks), as
 * `tango-grpc database` runs it: a device server like any other.
 */
export async function startTestDatabase(storage: SqlDb, port = 0): Promise<TestDatabase> {
  const running = await serve({
    classes: [withStorage(DataBase, storage)],
    config: {
      server: "DataBaseds", instance: "2", grpc: { host: "127.0.0.1", port }, http: { host: "127.0.0.1", port: 0 },
      shutdownGraceMs: 1000, classes: [{ name: "DataBase", devices: [{ name: "sys/database/2" }] }],
    },
    env: {},
    handleSignals: false,
    logDestination: new Writable({ write: (_chunk, _enc, done) => done() }),
  });
  const tangoHost = `127.0.0.1:${running.grpcPort}`;
  const client = new DatabaseClient(tangoHost);
  return {
    port: running.grpcPort,
    tangoHost,
    client,
    stop: async () => {
      client.close();
      await running.stop();
    },
  };
}

/**
 * Declares a suite's hooks, inside a describe: an embedded storage and the DataBase device served
 * on it for the whole suite (`startTestDatabase`), every table emptied after each test, both
 * stopped after the suite. The result is the suite's database once its `before` hook ran.
 */
export function useTestDatabase(): TestDatabase {
  let storage: SqlDb | undefined;
  let database: TestDatabase | undefined;
  before(async () => {
    storage = await openTestDb();
    database = await startTestDatabase(storage);
  });
  after(async () => {
    await database?.stop();
    await storage?.close();
  });
  afterEach(async () => { if (storage !== undefined) await emptyTables(storage); });
  const started = (): TestDatabase => {
    if (database === undefined) throw new Error("the suite's database is not started: its before hook failed");
    return database;
  };
  return {
    get port() { return started().port; },
    get tangoHost() { return started().tangoHost; },
    get client() { return started().client; },
    stop: () => started().stop(),
  };
}
