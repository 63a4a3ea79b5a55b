import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { SqlDb, SqlParam, SqlRow, SqlRunner } from "./sql-db.js";

/** Options of openPgliteDb. */
export interface PgliteDbOptions {
  /** The data directory (created if missing); none: in memory, gone at close. */
  readonly dataDir?: string | undefined;
}

/**
 * Embedded PostgreSQL (PostgreSQL compiled to WebAssembly, one connection, in this process): the
 * database's storage when no server URL is given. Queries are serialized by PGlite itself.
 */
export async function openPgliteDb(opts: PgliteDbOptions = {}): Promise<SqlDb> {
  const pg = opts.dataDir === undefined ? new PGlite() : new PGlite(opts.dataDir);
  await pg.waitReady;
  const runner = (q: PGlite | Transaction): SqlRunner => ({
    async query<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = []): Promise<R[]> {
      const result = await q.query<R>(sql, params as unknown[]);
      return result.rows;
    },
  });
  const main = runner(pg);
  return {
    backend: "pglite",
    query: main.query,
    transaction: (work) => pg.transaction((tx) => work(runner(tx))),
    exec: async (sql) => { await pg.exec(sql); },
    close: () => pg.close(),
  };
}
