import { isReadStatement, type SqlDb, type SqlParam, type SqlRow, type SqlRunner } from "./sql-db.js";

/*
 * A memory of chosen reads for the embedded store, so that the hottest command, DbImportDevice
 * (every client's first call to a device, and again at each reconnection), costs no SQL when
 * nothing changed: PGlite spends far more per statement (its wire protocol through WebAssembly)
 * than the gRPC call around it. Embedded storage has one user, this process (the data directory
 * is locked), and every write goes through the SqlDb returned here, so a write forgets every
 * remembered read: a `transaction`, an `exec`, or a `query` that is not a SELECT. A read that a
 * write overlapped is not remembered (the write may have committed after the read saw the table).
 * A PostgreSQL server is not cached: other writers (a second database server, an operator) share it.
 */

/** The most reads remembered; past it the memory starts again empty. */
const MAX_ENTRIES = 100_000;

interface Memory {
  /** Bumped when a write starts and when it ends. */
  generation: number;
  readonly entries: Map<string, unknown>;
}

const MEMORIES = new WeakMap<SqlDb, Memory>();

/**
 * `db` with a memory of the reads made through readThrough(); `db` itself when it is not the
 * embedded store (or is already such a db). Use the result for every query from then on.
 */
export function withReadCache(db: SqlDb): SqlDb {
  if (db.backend !== "pglite" || MEMORIES.has(db)) return db;
  const memory: Memory = { generation: 0, entries: new Map() };
  const writing = async <T>(work: () => Promise<T>): Promise<T> => {
    memory.generation++;
    memory.entries.clear();
    try {
      return await work();
    } finally {
      memory.generation++;
      memory.entries.clear();
    }
  };
  const cached: SqlDb = {
    backend: db.backend,
    query: <R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<R[]> =>
      (isReadStatement(sql) ? db.query<R>(sql, params) : writing(() => db.query<R>(sql, params))),
    transaction: (work) => writing(() => db.transaction(work)),
    exec: (sql) => writing(() => db.exec(sql)),
    close: () => db.close(),
  };
  MEMORIES.set(cached, memory);
  return cached;
}

/**
 * What `read` gives for `key`: from memory when `db` came from withReadCache and nothing was
 * written since the same key was read; else read now (and remembered when no write overlapped).
 * `key` must name everything the read depends on; the value is shared, so callers must not change it.
 */
export async function readThrough<T>(db: SqlDb, key: string, read: (runner: SqlRunner) => Promise<T>): Promise<T> {
  const memory = MEMORIES.get(db);
  if (memory === undefined) return read(db);
  if (memory.entries.has(key)) return memory.entries.get(key) as T;
  const generation = memory.generation;
  const value = await read(db);
  if (memory.generation === generation) {
    if (memory.entries.size >= MAX_ENTRIES) memory.entries.clear();
    memory.entries.set(key, value);
  }
  return value;
}
