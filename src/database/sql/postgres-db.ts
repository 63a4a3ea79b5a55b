import pg from "pg";
import type { SqlDb, SqlParam, SqlRow, SqlRunner } from "./sql-db.js";

/*
 * A PostgreSQL server as the database's storage (DESIGN §10), through `pg`: the same SqlDb as the
 * embedded store (pglite-db.ts), so the same queries and migrations run on both and return the
 * same JS values. Where the two drivers differ by default, this side follows PGlite: int8 is a
 * number (a bigint past 2^53), date and timestamp columns are Dates parsed as PGlite parses them,
 * Date parameters are sent as ISO strings, and each session runs in UTC with ISO dates, as the
 * embedded server does.
 */

/** Options of openPostgresDb. */
export interface PostgresDbOptions {
  /**
   * The server and database, `postgres://user:password@host:port/database` (libpq's URL form, with
   * its query parameters: `?sslmode=require`, `?host=/run/postgresql` for a Unix socket...).
   */
  readonly url: string;
  /** The most connections the pool opens at once; 10 by default. */
  readonly maxConnections?: number | undefined;
  /** How long opening one connection may take before it fails, in ms; 10 000 by default. */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * Told when an idle pooled connection fails (the server restarted or went away). The pool has
   * already dropped that connection and opens a new one for the next query; nothing else is lost.
   */
  readonly onIdleError?: ((err: PostgresConnectionError) => void) | undefined;
}

/** The pool size when openPostgresDb is given none (pg's own default). */
const DEFAULT_MAX_CONNECTIONS = 10;
/** pg waits forever for a connection by default; every wait here is bounded (STYLE §4). */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * The server could not be reached or refused the session: no route, refused, timed out, bad
 * credentials, no such database, shutting down. Its message names the server as
 * `host:port (database "d", user "u")`, never the password; `code` is the system error's
 * (`ECONNREFUSED`) or the server's SQLSTATE (`28P01`) when there is one.
 */
export class PostgresConnectionError extends Error {
  override readonly name = "PostgresConnectionError";
  /** The system error code or SQLSTATE of the failure, when it has one. */
  readonly code: string | undefined;

  /** @param server where, as `host:port (database "d", user "u")`; @param cause the driver's error. */
  constructor(readonly server: string, cause: unknown) {
    super(`PostgreSQL server ${server}: ${messageOf(cause)}`, { cause });
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

/**
 * Opens a pool of connections to a PostgreSQL server and checks that it answers.
 *
 * @throws PostgresConnectionError when the server cannot be reached or refuses the session;
 *   Error when `url` is not a `postgres://` URL (the URL is not repeated: it may hold a password).
 */
export async function openPostgresDb(opts: PostgresDbOptions): Promise<SqlDb> {
  const server = describeServer(opts.url);
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // As the embedded server runs; a URL that sets its own `options` replaces these.
    options: "-c TimeZone=UTC -c DateStyle=ISO",
    types: pgliteTypes(),
  });
  // An idle connection that dies is dropped by the pool; without a listener the 'error' event
  // would end the process.
  pool.on("error", (err) => opts.onIdleError?.(new PostgresConnectionError(server, err)));

  let isClosed = false;
  const connect = async (): Promise<pg.PoolClient> => {
    if (isClosed) throw new Error(`the database at ${server} is closed`);
    try {
      return await pool.connect();
    } catch (err) {
      throw new PostgresConnectionError(server, err);
    }
  };
  const db: SqlDb = {
    backend: "postgres",
    query: async (sql, params = []) => useClient(await connect(), server, (run) => run(sql, params)),
    transaction: async (work) => useClient(await connect(), server, (run, drop) => runTransaction(run, drop, work)),
    // Without parameters pg uses the simple query protocol, which runs several statements at once.
    exec: async (sql) => { await useClient(await connect(), server, (run) => run(sql)); },
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      await pool.end();
    },
  };
  try {
    await db.query("SELECT 1");
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** Runs one statement on a checked-out client; `params` undefined: the simple query protocol. */
type Run = <R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[]) => Promise<R[]>;

/**
 * Lends `use` a client of the pool, and takes it back in every case: dropped, not pooled, when its
 * connection failed (failures that reject as PostgresConnectionError; a statement's own errors
 * reject as the server's DatabaseError, with its SQLSTATE `code`, as on PGlite) or when `use`
 * called `drop`.
 */
async function useClient<T>(client: pg.PoolClient, server: string, use: (run: Run, drop: () => void) => Promise<T>): Promise<T> {
  // A connection that dies while checked out emits 'error'; unheard, that would end the process.
  let lost: unknown;
  const onError = (err: Error): void => { lost ??= err; };
  let isDropped = false;
  client.on("error", onError);
  const run: Run = async <R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<R[]> => {
    try {
      const result = params === undefined ? await client.query<R>(sql) : await client.query<R>(sql, toPgParams(params));
      return result.rows;
    } catch (err) {
      if (lost === undefined && !isConnectionError(err)) throw err;
      lost ??= err;
      throw new PostgresConnectionError(server, err);
    }
  };
  try {
    return await use(run, () => { isDropped = true; });
  } finally {
    client.off("error", onError);
    client.release(lost !== undefined || isDropped);
  }
}

/** BEGIN, `work`, then COMMIT; ROLLBACK and rethrow when `work` throws. */
async function runTransaction<T>(run: Run, drop: () => void, work: (tx: SqlRunner) => Promise<T>): Promise<T> {
  // As PGlite's Transaction: a runner kept past the transaction's end must not reach the pooled
  // connection, which by then runs someone else's queries.
  let isOpen = true;
  const tx: SqlRunner = {
    query: async (sql, params = []) => {
      if (!isOpen) throw new Error("Transaction is closed");
      return run(sql, params);
    },
  };
  await run("BEGIN");
  let result: T;
  try {
    result = await work(tx);
  } catch (err) {
    isOpen = false;
    // The work's error is the one to report. A client whose ROLLBACK failed may still be in the
    // transaction: it is dropped, and the server rolls back the transaction of a session that ends.
    await run("ROLLBACK").catch(drop);
    throw err;
  }
  isOpen = false;
  await run("COMMIT");
  return result;
}

/** PGlite sends a Date as its ISO string; pg would send local time with an offset. */
function toPgParams(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (p instanceof Date ? p.toISOString() : p));
}

/** Type OIDs (pg_type) whose pg defaults differ from PGlite's. */
const OID = {
  BYTEA: 17, INT8: 20, POINT: 600, CIRCLE: 718, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, INTERVAL: 1186,
  BYTEA_ARRAY: 1001, NAME_ARRAY: 1003, TEXT_ARRAY: 1009, INT8_ARRAY: 1016, POINT_ARRAY: 1017,
  TIMESTAMP_ARRAY: 1115, DATE_ARRAY: 1182, TIMESTAMPTZ_ARRAY: 1185, INTERVAL_ARRAY: 1187, NUMERIC_ARRAY: 1231,
} as const;

/**
 * This pool's result parsers: pg's, except where PGlite parses otherwise (set per pool, not
 * globally). PGlite parses arrays of any element type; pg, those of the types it knows: an array
 * of another type (a range, say) stays the server's text here.
 */
function pgliteTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  // pg-types' typings list scalar OIDs only; arrays have their parsers all the same.
  const getParser = pg.types.getTypeParser as <T>(oid: number, format: "text") => (value: string) => T;
  const parseTextArray = getParser<unknown[]>(OID.TEXT_ARRAY, "text");
  const parsePgBytea = getParser<Buffer>(OID.BYTEA, "text");
  // A Uint8Array of its own, as PGlite's: not a Buffer, which may be a view of a shared slab.
  const parseBytea = (text: string): Uint8Array => new Uint8Array(parsePgBytea(text));
  const asText = (text: string): string => text;
  const set = (oid: number, parse: (text: string) => unknown): void => types.setTypeParser(oid, "text", parse);
  const setArray = (oid: number, parse: (text: string) => unknown): void => set(oid, (value) => mapArray(parseTextArray(value), parse));

  set(OID.INT8, parseInt8);
  setArray(OID.INT8_ARRAY, parseInt8);
  for (const oid of [OID.DATE, OID.TIMESTAMP, OID.TIMESTAMPTZ]) set(oid, parseDate);
  for (const oid of [OID.DATE_ARRAY, OID.TIMESTAMP_ARRAY, OID.TIMESTAMPTZ_ARRAY]) setArray(oid, parseDate);
  set(OID.BYTEA, parseBytea);
  setArray(OID.BYTEA_ARRAY, parseBytea);
  for (const oid of [OID.INTERVAL, OID.POINT, OID.CIRCLE]) set(oid, asText);
  for (const oid of [OID.INTERVAL_ARRAY, OID.POINT_ARRAY, OID.NUMERIC_ARRAY, OID.NAME_ARRAY]) setArray(oid, asText);
  return types;
}

/** PGlite's int8: a number while it is exact, a bigint past Number.MAX_SAFE_INTEGER. */
function parseInt8(text: string): number | bigint {
  const n = BigInt(text);
  return n < Number.MIN_SAFE_INTEGER || n > Number.MAX_SAFE_INTEGER ? n : Number(n);
}

/** PGlite's date, timestamp and timestamptz: `new Date(text)`, with ±infinity as ±Infinity. */
function parseDate(text: string): Date | number {
  if (text === "infinity") return Infinity;
  if (text === "-infinity") return -Infinity;
  return new Date(text);
}

/** Applies `parse` to every non-null element of a (possibly nested) parsed array. */
function mapArray(values: readonly unknown[], parse: (text: string) => unknown): unknown[] {
  return values.map((v) => (Array.isArray(v) ? mapArray(v, parse) : typeof v === "string" ? parse(v) : v));
}

/**
 * Whether a statement's error is the server ending the session rather than refusing the
 * statement: a SQLSTATE of class 08 (connection), 28 (authorization), 3D000 (no such database),
 * 53300 (too many connections) or 57P0x (terminated, shutting down, starting up).
 */
function isConnectionError(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError)) return false;
  const code = err.code ?? "";
  return /^(08|28)/.test(code) || ["3D000", "53300", "57P01", "57P02", "57P03"].includes(code);
}

/**
 * `host:port (database "d", user "u")` from the URL, for messages: never the password, never the
 * URL itself.
 */
function describeServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL may carry a password: the message must not repeat it, nor keep the parse error.
    throw new Error("the PostgreSQL URL is not valid: expected postgres://user:password@host:port/database");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new Error(`the PostgreSQL URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  const q = parsed.searchParams;
  const host = decodeURIComponent(parsed.hostname) || q.get("host") || "localhost";
  const port = parsed.port || q.get("port") || "5432";
  const database = decodeURIComponent(parsed.pathname.slice(1)) || q.get("dbname") || "(default)";
  const user = decodeURIComponent(parsed.username) || q.get("user") || "(default)";
  return `${host}:${port} (database "${database}", user "${user}")`;
}

/** The message of anything thrown; a few of Node's errors (AggregateError of a dual-stack connect) have none. */
function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.message === "") return err.errors.map(messageOf).join("; ");
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}
