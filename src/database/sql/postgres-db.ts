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

  const fail = (err: unknown): never => {
    throw isConnectionError(err) ? new PostgresConnectionError(server, err) : err;
  };
  let isClosed = false;
  const query = async <R extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = []): Promise<R[]> => {
    if (isClosed) throw new Error(`the database at ${server} is closed`);
    const result = await pool.query<R>(sql, toPgParams(params)).catch(fail);
    return result.rows;
  };
  const db: SqlDb = {
    backend: "postgres",
    query,
    transaction: async (work) => {
      if (isClosed) throw new Error(`the database at ${server} is closed`);
      return runTransaction(await pool.connect().catch(fail), server, work, fail);
    },
    exec: async (sql) => {
      if (isClosed) throw new Error(`the database at ${server} is closed`);
      // No parameters: the simple query protocol, which runs several statements in one call.
      await pool.query(sql).catch(fail);
    },
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      await pool.end();
    },
  };
  try {
    await query("SELECT 1");
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/**
 * BEGIN, `work`, then COMMIT, or ROLLBACK when `work` throws; the client goes back to the pool in
 * every case, and is destroyed instead when the connection broke or ROLLBACK failed (the pool also
 * drops, on its own, a client whose connection ended).
 */
async function runTransaction<T>(client: pg.PoolClient, server: string, work: (tx: SqlRunner) => Promise<T>, fail: (err: unknown) => never): Promise<T> {
  // A connection that dies while checked out emits 'error'; unheard, that would end the process.
  // The query under way rejects with the same failure, so the listener only has to exist.
  let broken: unknown;
  const onError = (err: Error): void => { broken = err; };
  client.on("error", onError);
  // As PGlite's Transaction: a runner kept past the transaction's end must not reach the pooled
  // connection, which by then runs someone else's queries.
  let isOpen = true;
  const tx: SqlRunner = {
    async query<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = []): Promise<R[]> {
      if (!isOpen) throw new Error("Transaction is closed");
      const result = await client.query<R>(sql, toPgParams(params)).catch(fail);
      return result.rows;
    },
  };
  try {
    await client.query("BEGIN").catch(fail);
    let result: T;
    try {
      result = await work(tx);
    } catch (err) {
      isOpen = false;
      await client.query("ROLLBACK").catch((rollbackErr: unknown) => { broken ??= rollbackErr; });
      throw err;
    }
    isOpen = false;
    await client.query("COMMIT").catch(fail);
    return result;
  } finally {
    isOpen = false;
    client.off("error", onError);
    client.release(broken === undefined ? undefined : new PostgresConnectionError(server, broken));
  }
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
 * Whether `err` is about the connection rather than the statement: a system error, the driver's
 * own (timeout, terminated), or a SQLSTATE of class 08 (connection), 28 (authorization), 3D000
 * (no such database), 53300 (too many connections) or 57P0x (shutdown, starting up).
 */
function isConnectionError(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError)) return err instanceof Error;
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
