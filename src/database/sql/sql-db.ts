/*
 * The SQL the Tango database runs, whatever runs it (DESIGN §10): embedded PostgreSQL
 * (@electric-sql/pglite, pglite-db.ts) or a PostgreSQL server (pg). One dialect, PostgreSQL's,
 * with numbered parameters ($1, $2, ...); the same queries and migrations on both.
 */

const SELECT = /^\s*SELECT\b/i;

/** Whether `sql` only reads (a SELECT); anything else may write, a `WITH … UPDATE` included. */
export function isReadStatement(sql: string): boolean {
  return SELECT.test(sql);
}

/** A value bound to a query parameter. */
export type SqlParam = string | number | boolean | null | Date | readonly string[];

/** A row as the driver returns it: column name → value. */
export type SqlRow = Record<string, unknown>;

/** A connection (or a transaction on one) to run queries on. */
export interface SqlRunner {
  /** Runs one statement with `$1`... parameters; resolves with its rows (none for a write). */
  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
}

/** A database: queries, transactions, and the end of it. */
export interface SqlDb extends SqlRunner {
  /** `pglite` or `postgres`, for logs and metrics. */
  readonly backend: "pglite" | "postgres";
  /**
   * Runs `work` in one transaction (READ COMMITTED): committed when it resolves, rolled back when
   * it throws. Queries inside go through `tx` only.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs several statements separated by `;`, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Closes the database; later calls reject. */
  close(): Promise<void>;
}
