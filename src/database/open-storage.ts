import { mkdir, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { openPgliteDb } from "./sql/pglite-db.js";
import { MIGRATIONS, type Migration } from "./sql/migrations.js";
import type { SqlDb } from "./sql/sql-db.js";

/*
 * Opening the database server's storage (DESIGN §10) with errors an operator can act on: the
 * embedded store's data directory checked and locked before PGlite touches it (PGlite creates a
 * database in any directory, even a full one, and fails on an unwritable one with an uncaught
 * error), a PostgreSQL server retried with a bounded backoff while it is unreachable, and a
 * schema written by a newer program refused.
 */

/** Where the Tango database keeps its tables. */
export type StorageChoice =
  /** Embedded PostgreSQL (PGlite) in a data directory, created if missing. */
  | { readonly kind: "embedded"; readonly dataDir: string }
  /** A PostgreSQL server, by connection URL (`postgres://user:password@host:5432/tango`). */
  | { readonly kind: "postgres"; readonly url: string };

/**
 * Opens a PostgreSQL server's database by URL (the `pg` backend); the first query may still fail.
 * `onConnectionLost` hears of a pooled connection that failed while idle (the server restarted).
 */
export type OpenPostgres = (url: string, onConnectionLost: (err: Error) => void) => Promise<SqlDb>;

/** The storage cannot be used; the message says why and what to do, for the log and stderr. */
export class StorageError extends Error {
  override readonly name = "StorageError";
}

/** An open storage: its database, what it is (for logs), and its end. */
export interface OpenStorage {
  readonly db: SqlDb;
  /** The data directory (absolute) or the server URL without its password. */
  readonly location: string;
  /** Closes the database and releases the data directory. */
  close(): Promise<void>;
}

/** Options of openStorage. */
export interface OpenStorageOptions {
  readonly log: Logger;
  /** How to reach a PostgreSQL server; needed for `kind: "postgres"`. */
  readonly openPostgres?: OpenPostgres | undefined;
  /** How long a PostgreSQL server may stay unreachable at start before giving up. */
  readonly connectTimeoutMs: number;
  /** Ends the waits between attempts (a stop request during startup). */
  readonly signal?: AbortSignal | undefined;
}

/** The lock file the embedded store keeps in its data directory while a server uses it. */
export const DATA_DIR_LOCK = "tango-grpc.pid";
/** Entries a data directory may hold before a database is made in it (a fresh volume's lost+found). */
const ALLOWED_IN_NEW_DIR = new Set([DATA_DIR_LOCK, "lost+found"]);
/** First wait between attempts to reach PostgreSQL; doubled after each, up to the cap. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * Opens the storage. The schema is not touched (see checkSchemaVersion and migrate).
 *
 * @throws StorageError when the data directory cannot be used or the PostgreSQL server cannot be
 *   reached within `connectTimeoutMs` or refuses the connection for good.
 */
export async function openStorage(choice: StorageChoice, opts: OpenStorageOptions): Promise<OpenStorage> {
  if (choice.kind === "embedded") return openEmbedded(resolvePath(choice.dataDir), opts.log);
  const openPostgres = opts.openPostgres;
  if (openPostgres === undefined) throw new StorageError("this program cannot use a PostgreSQL server (no pg backend)");
  const location = redactUrl(choice.url);
  const onConnectionLost = (err: Error): void => {
    opts.log.warn({ postgres: location, reason: describeError(err) }, "PostgreSQL connection lost; the next query opens a new one");
  };
  const db = await connectWithRetry(() => openPostgres(choice.url, onConnectionLost), location, opts);
  return { db, location, close: () => db.close() };
}

async function openEmbedded(dir: string, log: Logger): Promise<OpenStorage> {
  await prepareDataDir(dir);
  const release = await lockDataDir(dir, log);
  let db: SqlDb;
  try {
    db = await openPgliteDb({ dataDir: dir });
  } catch (err) {
    await release();
    throw new StorageError(`cannot open the embedded database in ${dir}: ${describeError(err)}`, { cause: err });
  }
  return {
    db,
    location: dir,
    close: async () => {
      try {
        await db.close();
      } finally {
        await release();
      }
    },
  };
}

/** Creates the directory if missing; refuses a file, and a directory holding things but no database. */
async function prepareDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    if (!(await stat(dir)).isDirectory()) throw new StorageError(`the data directory ${dir} is not a directory`);
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw new StorageError(`cannot create the data directory ${dir}: ${describeError(err)}`, { cause: err });
  }
  const entries = await readdir(dir).catch((err: unknown) => {
    throw new StorageError(`cannot read the data directory ${dir}: ${describeError(err)}`, { cause: err });
  });
  if (entries.includes("PG_VERSION")) return;
  const foreign = entries.filter((e) => !ALLOWED_IN_NEW_DIR.has(e)).sort();
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(", ") + (foreign.length > 3 ? `, … (${foreign.length} entries)` : "");
    throw new StorageError(`the data directory ${dir} is not empty and holds no database (it has ${shown}): give an empty or new directory`);
  }
}

/**
 * Takes the data directory for this process (PGlite has no lock of its own: two processes on one
 * directory would both write it). The lock file names its process; one left by a process that is
 * gone (kill -9, a container restarted) is taken over. Writing it is also the check that the
 * directory can be written. Resolves to the release.
 */
async function lockDataDir(dir: string, log: Logger): Promise<() => Promise<void>> {
  const file = join(dir, DATA_DIR_LOCK);
  const mine: LockOwner = { pid: process.pid, host: hostname(), started: await processStart(process.pid) };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, "wx");
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return async () => { await rm(file, { force: true }); };
    } catch (err) {
      if (!isErrno(err, "EEXIST")) throw new StorageError(`cannot write the data directory ${dir}: ${describeError(err)}`, { cause: err });
    }
    const owner = await readLockOwner(file);
    if (owner !== undefined && await isAlive(owner, mine)) {
      throw new StorageError(`the data directory ${dir} is in use by process ${owner.pid} (${DATA_DIR_LOCK}): one database server per data directory`);
    }
    log.warn({ dataDir: dir, previousOwner: owner }, "data directory lock left by a process that is gone; taking it over");
    await rm(file, { force: true });
  }
  throw new StorageError(`cannot lock the data directory ${dir}: another process takes it at the same time`);
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The process's start time as the kernel counts it (Linux), to tell a reused pid apart. */
  readonly started?: string | undefined;
}

async function readLockOwner(file: string): Promise<LockOwner | undefined> {
  const text = await readFile(file, "utf8").catch((err: unknown) => {
    if (isErrno(err, "ENOENT")) return "";
    throw err;
  });
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid !== "number" || typeof value.host !== "string") return undefined;
    return { pid: value.pid, host: value.host, started: typeof value.started === "string" ? value.started : undefined };
  } catch (err) {
    if (err instanceof SyntaxError) return undefined; // a torn write: its writer died in it
    throw err;
  }
}

/**
 * Whether the lock's owner still runs. Only a process of this host can be looked at; one of
 * another host (a container before a restart) is taken as gone, as is this very process (a
 * container's pid 1 again) and a pid reused by another program.
 */
async function isAlive(owner: LockOwner, mine: LockOwner): Promise<boolean> {
  if (owner.host !== mine.host || owner.pid === mine.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if (isErrno(err, "ESRCH")) return false;
    if (!isErrno(err, "EPERM")) throw err; // EPERM: it runs, as another user
  }
  const started = await processStart(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
async function processStart(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch((err: unknown) => {
    if (isErrno(err, "ENOENT") || isErrno(err, "EACCES")) return undefined; // gone, or no /proc here
    throw err;
  });
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count from its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

/**
 * Opens the PostgreSQL database and runs a first query, again and again while the server cannot
 * be reached (refused, unknown host, starting up, too many connections), waiting 250 ms, then
 * twice as long each time up to 5 s, for at most `connectTimeoutMs` in all. Each failure is
 * logged. A refusal that waiting cannot mend (a wrong password, no such database) fails at once.
 */
async function connectWithRetry(openDb: () => Promise<SqlDb>, location: string, opts: OpenStorageOptions): Promise<SqlDb> {
  const startedAt = performance.now();
  let delayMs = RETRY_FIRST_MS;
  for (let attempt = 1; ; attempt += 1) {
    let db: SqlDb | undefined;
    try {
      db = await openDb();
      await db.query("SELECT 1");
      if (attempt > 1) opts.log.info({ postgres: location, attempt }, "PostgreSQL server reached");
      return db;
    } catch (err) {
      await db?.close().catch((closeErr: unknown) => opts.log.debug({ err: closeErr }, "closing a failed PostgreSQL connection failed"));
      if (!isTransient(err)) throw new StorageError(`the PostgreSQL server at ${location} refused the connection: ${describeError(err)}`, { cause: err });
      const elapsedMs = performance.now() - startedAt;
      if (elapsedMs + delayMs > opts.connectTimeoutMs) {
        const seconds = Math.round(elapsedMs / 100) / 10;
        throw new StorageError(`cannot reach the PostgreSQL server at ${location} (${attempt} attempts in ${seconds} s): ${describeError(err)}`, { cause: err });
      }
      opts.log.warn({ postgres: location, attempt, retryInMs: delayMs, reason: describeError(err) }, "PostgreSQL server not reachable; retrying");
      await sleep(delayMs, undefined, { signal: opts.signal });
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    }
  }
}

/** Network errors of Node and PostgreSQL states that mean "not now" rather than "never". */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE",
  "57P03", // cannot_connect_now: the server is starting up or shutting down
  "53300", // too_many_connections
  "08000", "08001", "08006", // connection_exception, unable to establish, connection failure
]);

function isTransient(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isTransient); // one per address tried
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
  return err instanceof Error && /Connection terminated|timeout expired/i.test(err.message);
}

/**
 * Refuses a schema written by a newer program: one that holds a migration this program does not
 * know (its tables may have changed under the queries here). A new or older schema passes; migrate
 * then brings it up to date.
 *
 * @throws StorageError naming the unknown versions.
 */
export async function checkSchemaVersion(db: SqlDb, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  const [table] = await db.query<{ name: string | null }>("SELECT to_regclass('schema_migrations')::text AS name");
  if (table?.name === null || table?.name === undefined) return;
  const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  const known = new Set(migrations.map((m) => m.version));
  const unknown = rows.map((r) => r.version).filter((v) => !known.has(v));
  if (unknown.length === 0) return;
  const newest = Math.max(0, ...known);
  throw new StorageError(
    `the database schema is newer than this program: it has migration${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}, `
    + `and this tango-grpc knows migrations up to ${newest}. Run the tango-grpc release that wrote it (or a later one), or restore a backup`,
  );
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "****";
    return parsed.toString();
  } catch (err) {
    if (err instanceof TypeError) return "(a URL that cannot be parsed)";
    throw err;
  }
}

function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describeError).join("; ");
  if (err instanceof Error) return err.message !== "" ? err.message : String((err as { code?: unknown }).code ?? err.name);
  if (err !== null && typeof err === "object") {
    const { name, errno, code } = err as { name?: unknown; errno?: unknown; code?: unknown };
    return [name, code, errno === undefined ? undefined : `errno ${String(errno)}`].filter((p) => p !== undefined).join(" ");
  }
  return String(err);
}

function isErrno(err: unknown, code: string): boolean {
  return (err as { code?: unknown } | null)?.code === code;
}
