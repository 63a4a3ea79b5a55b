import { openPgliteDb } from "../../src/database/sql/pglite-db.js";
import { migrate } from "../../src/database/sql/migrations.js";
import { openPostgresDb } from "../../src/database/sql/postgres-db.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { sharedPostgresServer, stopSharedPostgresServer, whyNoPostgres } from "./postgres-server.js";

/*
 * The storage of database tests, on both backends. A test file writes its suite once:
 *
 *   forEachBackend("DbGetDeviceList", (backend, openDb) => {
 *     let db: SqlDb;
 *     before(async () => { db = await openDb(); });   // migrated and empty
 *     after(() => db.close());
 *     afterEach(() => emptyTables(db));
 *     it("...", async () => { ... });
 *   });
 *
 * and mocha runs it as "DbGetDeviceList [pglite]" and "DbGetDeviceList [postgres]". The postgres
 * variant runs on a private PostgreSQL server (postgres-server.ts) that this process starts at
 * the first use, in a fresh database per openDb() (dropped at close), and stops after all tests.
 * Without PostgreSQL's binaries the postgres variant is reported pending with the reason, except
 * under CI (env CI set), where it fails: CI skips nothing.
 */

/** A storage backend of the database: embedded PGlite, or a PostgreSQL server. */
export type Backend = SqlDb["backend"];

/** Every backend, in the order forEachBackend runs them. */
export const BACKENDS: readonly Backend[] = ["pglite", "postgres"];

/** Options of openTestDb. */
export interface TestDbOptions {
  /** Whether to apply the migrations (the tables exist, empty); true by default. */
  readonly migrated?: boolean;
}

/** A suite's tests may take this long, at least: the first postgres variant starts the server. */
const SUITE_TIMEOUT_MS = 60_000;

/**
 * A new, empty database on `backend`, migrated unless told otherwise. Close it when done: on
 * postgres, close also drops the database.
 *
 * @throws Error naming what is missing when backend is postgres and PostgreSQL cannot run here.
 */
export async function openTestDb(backend: Backend = "pglite", opts: TestDbOptions = {}): Promise<SqlDb> {
  const db = backend === "pglite" ? await openPgliteDb() : await openPostgresTestDb();
  if (opts.migrated ?? true) {
    try {
      await migrate(db);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

/**
 * Empties every table but `schema_migrations` (and restarts their id sequences): a clean slate
 * between tests that share one database.
 */
export async function emptyTables(db: SqlDb): Promise<void> {
  const rows = await db.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' ORDER BY tablename",
  );
  if (rows.length === 0) return;
  await db.exec(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(", ")} RESTART IDENTITY`);
}

/**
 * Why the postgres variants cannot run on this machine (no binaries), or undefined when they can.
 */
export function postgresUnavailable(): string | undefined {
  return whyNoPostgres();
}

/**
 * Declares the suite `body` once per backend, as `describe("<title> [<backend>]")`. `body` gets
 * the backend and `openDb`, which opens a new database on it (as openTestDb); it declares hooks
 * and tests as a describe body does.
 */
export function forEachBackend(title: string, body: (backend: Backend, openDb: (opts?: TestDbOptions) => Promise<SqlDb>) => void): void {
  for (const backend of BACKENDS) describeBackend(backend, title, (openDb) => body(backend, openDb));
}

/**
 * Declares the suite `body` for one backend only, as `describe("<title> [<backend>]")`: for tests
 * of what only that backend has (a server that goes away, a connection URL).
 */
export function describeBackend(backend: Backend, title: string, body: (openDb: (opts?: TestDbOptions) => Promise<SqlDb>) => void): void {
  describe(`${title} [${backend}]`, function () {
    this.timeout(Math.max(this.timeout(), SUITE_TIMEOUT_MS));
    const missing = backend === "postgres" ? postgresUnavailable() : undefined;
    if (missing !== undefined && !isCi()) {
      it(`is skipped: ${missing}`);
      return;
    }
    if (missing !== undefined) {
      before(() => { throw new Error(`CI runs every test, and the PostgreSQL ones cannot run: ${missing}`); });
    }
    body((opts) => openTestDb(backend, opts));
  });
}

/** A database of its own on the shared server; closing it drops it. */
async function openPostgresTestDb(): Promise<SqlDb> {
  const server = await sharedPostgresServer();
  const name = await server.createDatabase();
  let db: SqlDb;
  try {
    db = await openPostgresDb({ url: server.url(name) });
  } catch (err) {
    await server.dropDatabase(name);
    throw err;
  }
  return {
    backend: db.backend,
    query: db.query,
    transaction: db.transaction,
    exec: db.exec,
    close: async () => {
      await db.close();
      await server.dropDatabase(name);
    },
  };
}

/** Whether this runs under CI (env CI set to anything but "", "0" or "false"). */
function isCi(): boolean {
  const ci = process.env.CI ?? "";
  return ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

// The shared server is stopped once, after every test of this mocha process: a root-level hook,
// registered when a test file first imports this module (with or without .mocharc.json).
if (typeof after === "function") after("stop the shared PostgreSQL server", stopSharedPostgresServer);
