import { readFileSync } from "node:fs";
import { withStorage } from "../../src/database/database-core.js";
import { DataBase } from "../../src/database/database.js";
import type { SqlDb, SqlParam, SqlRow, SqlRunner } from "../../src/database/sql/sql-db.js";
import { DeviceTestContext } from "../../src/testing/index.js";

/*
 * What the property tests share beyond the storage of each backend (support/test-db.ts) and the
 * DataBase device on it (names-fixture.ts): a client's view of the commands, the reference
 * recording, device rows as the names commands leave them, and a statement counter.
 */

export { startDataBase } from "./names-fixture.js";

/** A second DataBase server (`sys/database/<instance>`) on the same storage, as a cluster runs. */
export function startAnotherDataBase(db: SqlDb, instance: string): Promise<DeviceTestContext> {
  return DeviceTestContext.start(withStorage(DataBase, db),
    { deviceName: `sys/database/${instance}`, server: "DataBaseds", instance, timeoutMs: 10_000 });
}

/** A client call of a DataBase command; resolves with its argout. */
export type DbCall = (command: string, argin?: unknown) => Promise<unknown>;

/** The client's command call on `ctx`'s device. */
export function callerOf(ctx: DeviceTestContext): DbCall {
  return (command, argin) => ctx.proxy.commandInout(command, argin);
}

/** One recorded call of the reference. */
export interface RecordedCall {
  readonly command: string;
  readonly case?: string | null;
  readonly argin: unknown;
  readonly argout?: unknown;
  readonly exception?: string;
  readonly errors?: readonly { reason: string; desc: string; origin: string }[];
}

/** The reference recording of cppTango's DataBaseds (the copy beside the tests). */
export interface DbReference {
  readonly commands: readonly {
    name: string; in_type_code: number; out_type_code: number; in_type_desc: string; out_type_desc: string;
  }[];
  readonly examples: { readonly calls: readonly RecordedCall[]; readonly misuse_errors: readonly RecordedCall[] };
}

/** Loads the reference recording. */
export function loadReference(): DbReference {
  const file = new URL("./reference/database_commands.json", import.meta.url);
  return JSON.parse(readFileSync(file, "utf8")) as DbReference;
}

/** The date every history entry shows in the reference, where ours shows the real time. */
export const REFERENCE_DATE = "2026-12-06 05:46:29";

/** `argout` with every history date replaced by the reference's. */
export function withReferenceDates(argout: unknown): unknown {
  if (!Array.isArray(argout)) return argout;
  return argout.map((v: unknown) => (typeof v === "string" && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(v) ? REFERENCE_DATE : v));
}

/** A device row as DbAddDevice and DbExportDevice leave it (written here with SQL). */
export interface DeviceRow {
  readonly name: string;
  readonly server: string;
  readonly class: string;
  readonly exported?: boolean;
  readonly ior?: string;
  readonly host?: string;
  readonly version?: string;
  readonly pid?: number;
}

/** Adds `rows` to the device table, as the naming commands would. */
export async function addDevices(db: SqlDb, rows: readonly DeviceRow[]): Promise<void> {
  for (const r of rows) {
    const [domain = "", family = "", member = ""] = r.name.split("/");
    await db.query(
      `INSERT INTO device (name, domain, family, member, server, class, exported, ior, host, version, pid)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [r.name, domain, family, member, r.server, r.class, r.exported ?? false, r.ior ?? "nada", r.host ?? "nada",
        r.version ?? "0", r.pid ?? 0]);
  }
}

/** A storage that counts the statements run through it, transactions included. */
export interface CountingDb {
  readonly db: SqlDb;
  /** Statements run since the last reset. */
  statements(): number;
  reset(): void;
}

/** `db`, counting its statements: to show a command's cost does not grow with its argin. */
export function countStatements(db: SqlDb): CountingDb {
  let n = 0;
  const counted = (runner: SqlRunner): SqlRunner => ({
    query<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<R[]> {
      n += 1;
      return runner.query<R>(sql, params);
    },
  });
  const wrapped: SqlDb = {
    backend: db.backend,
    query: counted(db).query,
    transaction: (work) => db.transaction((tx) => work(counted(tx))),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
  return { db: wrapped, statements: () => n, reset: () => { n = 0; } };
}
