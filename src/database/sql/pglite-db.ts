import { PGlite, parse, protocol, type Transaction } from "@electric-sql/pglite";
import { isReadStatement, type SqlDb, type SqlParam, type SqlRow, type SqlRunner } from "./sql-db.js";

/** Options of openPgliteDb. */
export interface PgliteDbOptions {
  /** The data directory (created if missing); none: in memory, gone at close. */
  readonly dataDir?: string | undefined;
  /** Writes between two `VACUUM (ANALYZE)` (default VACUUM_AFTER_WRITES); tests lower it. */
  readonly vacuumAfterWrites?: number;
}

/**
 * Statements kept prepared at most. The database's SQL is a fixed set of texts (a few hundred),
 * so this bounds only a caller that builds texts without end; past it, texts run unprepared.
 */
const MAX_PREPARED = 1000;

/**
 * Writes (statements other than SELECT, transactions, exec) between two `VACUUM (ANALYZE)`. PGlite
 * runs PostgreSQL in single-user mode, where autovacuum never runs: without this, every update
 * (a DbExportDevice, a property put) leaves a dead row version behind for good, and lookups slow
 * down as tables and indexes grow (twice as slow after some ten thousand exports of a thousand
 * devices), and the planner never gets statistics.
 */
const VACUUM_AFTER_WRITES = 10_000;

/** PostgreSQL's "cached plan must not change result type" (a table changed under a prepared statement). */
const FEATURE_NOT_SUPPORTED = "0A000";

/** One prepared statement: its name in the session and its parameters' type OIDs. */
interface Prepared {
  readonly name: string;
  readonly paramTypes: readonly number[];
}

/**
 * Embedded PostgreSQL (PostgreSQL compiled to WebAssembly, one connection, in this process): the
 * database's storage when no server URL is given.
 *
 * Each statement text is prepared once (a named statement of the session) and then only bound and
 * executed, in one exchange with the engine: PGlite's own `query` parses, describes, binds and
 * executes every time, in six exchanges through WebAssembly, which costs three to four times as
 * much as the statement itself (a DbImportDevice's lookup, a DbExportDevice's update). Every use
 * of the engine goes through one queue here (queries, transactions, exec), so a prepared
 * statement's exchange never lands inside another caller's transaction.
 */
export async function openPgliteDb(opts: PgliteDbOptions = {}): Promise<SqlDb> {
  const pg = opts.dataDir === undefined ? new PGlite() : new PGlite(opts.dataDir);
  await pg.waitReady;
  const prepared = new Map<string, Prepared>();
  let tail: Promise<unknown> = Promise.resolve();
  let writes = 0;
  let statements = 0;
  /** Runs `work` once everything queued before it is done. */
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
  /** Counts a write; every VACUUM_AFTER_WRITES, queues a VACUUM behind it. */
  const wrote = (): void => {
    if (++writes < (opts.vacuumAfterWrites ?? VACUUM_AFTER_WRITES)) return;
    writes = 0;
    // A VACUUM that fails (a full disk) changes nothing; the writes that follow report the cause.
    exclusive(() => pg.exec("VACUUM (ANALYZE)")).catch(() => undefined);
  };
  if (opts.dataDir !== undefined) await pg.exec("VACUUM (ANALYZE)");

  async function prepare(sql: string): Promise<Prepared | undefined> {
    const known = prepared.get(sql);
    if (known !== undefined || prepared.size >= MAX_PREPARED) return known;
    const name = `tango_${++statements}`;
    const { messages } = await pg.execProtocol(concat(
      protocol.serialize.parse({ name, text: sql }), protocol.serialize.describe({ type: "S", name }), protocol.serialize.sync()));
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
    prepared.set(sql, statement);
    return statement;
  }

  /** One statement, prepared; `inTransaction`: the engine's files are synced at the commit, not now. */
  async function run<R extends SqlRow>(sql: string, params: readonly SqlParam[], inTransaction: boolean, q: PGlite | Transaction): Promise<R[]> {
    const statement = await prepare(sql);
    if (statement === undefined) return (await q.query<R>(sql, params as unknown[])).rows;
    const values = params.map((p, i) => {
      if (p === null) return null;
      const serializer = pg.serializers[statement.paramTypes[i] ?? 0];
      return serializer === undefined ? String(p) : serializer(p);
    });
    try {
      const { messages } = await pg.execProtocol(concat(
        protocol.serialize.bind({ statement: statement.name, values }), protocol.serialize.describe({ type: "P" }),
        protocol.serialize.execute({}), protocol.serialize.sync()), { syncToFs: !inTransaction });
      return (parse.parseResults(messages, pg.parsers)[0]?.rows ?? []) as R[];
    } catch (err) {
      if ((err as { code?: unknown }).code !== FEATURE_NOT_SUPPORTED) throw err;
      // The tables changed under the statement: forget it; outside a transaction (which the
      // error aborted), run the text unprepared now.
      prepared.delete(sql);
      if (inTransaction) throw err;
      return (await q.query<R>(sql, params as unknown[])).rows;
    }
  }

  /** `work` in one transaction; its runner is refused once the transaction is over. */
  async function transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    let isOpen = true;
    try {
      return await pg.transaction((tx) => work({
        query: <R extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = []) =>
          (isOpen ? run<R>(sql, params, true, tx) : Promise.reject(new Error("Transaction is closed"))),
      }));
    } finally {
      isOpen = false;
    }
  }

  return {
    backend: "pglite",
    query: <R extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = []) => {
      if (!isReadStatement(sql)) wrote();
      return exclusive(() => run<R>(sql, params, false, pg));
    },
    transaction: (work) => {
      wrote();
      return exclusive(() => transaction(work));
    },
    exec: (sql) => {
      wrote();
      return exclusive(async () => { await pg.exec(sql); });
    },
    close: () => exclusive(() => pg.close()),
  };
}

/** The protocol messages of one exchange, end to end. */
function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
