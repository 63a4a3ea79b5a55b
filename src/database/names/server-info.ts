import type { SqlRunner } from "../sql/sql-db.js";
import { DbErrors } from "./db-errors.js";
import { hostServerList } from "./name-lists.js";

/*
 * What Astor and the Starter keep about a server process (cppTango DbPutServerInfo,
 * DbGetServerInfo, DbDeleteServerInfo, DbGetHostServersInfo): the host it should run on, whether
 * the Starter controls it (mode) and its startup level. A server without such a record reads
 * " " for each.
 */

const NO_INFO = " ";

/** An integer field of DbPutServerInfo, checked as the server table's integer column would. */
function parseInteger(text: string, column: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(value) || Math.abs(value) > 0x7fffffff) {
    throw DbErrors.sqlError(`Failed to query TANGO database (error=Incorrect integer value: '${text}' for column \`${column}\`)`, "db_put_server_info()");
  }
  return value;
}

/** DbPutServerInfo [server, host, mode, level]: replaces the server's record. */
export async function putServerInfo(tx: SqlRunner, argin: readonly string[]): Promise<void> {
  const [server, host, mode, level] = argin;
  if (server === undefined || host === undefined || mode === undefined || level === undefined) {
    throw DbErrors.incorrectArguments("insufficient server info", "db_put_server_info()");
  }
  const values = [server.toLowerCase(), host, parseInteger(mode, "mode"), parseInteger(level, "level")];
  await tx.query("DELETE FROM server WHERE lower(name) = $1", [values[0] as string]);
  await tx.query("INSERT INTO server (name, host, mode, level) VALUES ($1, $2, $3, $4)", values);
}

/** DbGetServerInfo: [server (as asked), host, mode, level]. */
export async function serverInfo(db: SqlRunner, server: string): Promise<string[]> {
  const rows = await db.query<{ host: string; mode: number; level: number }>(
    "SELECT host, mode, level FROM server WHERE lower(name) = lower($1)", [server]);
  const r = rows[0];
  return r === undefined ? [server, NO_INFO, NO_INFO, NO_INFO] : [server, r.host, String(r.mode), String(r.level)];
}

/** DbDeleteServerInfo: forgets the server's record; an unknown server is no error. */
export async function deleteServerInfo(db: SqlRunner, server: string): Promise<void> {
  await db.query("DELETE FROM server WHERE lower(name) = lower($1)", [server]);
}

/** DbGetHostServersInfo: [server, mode, level, ...] for the servers of the hosts matching. */
export async function hostServersInfo(db: SqlRunner, host: string): Promise<string[]> {
  const out: string[] = [];
  for (const server of await hostServerList(db, host)) {
    const [, , mode, level] = await serverInfo(db, server);
    out.push(server, mode ?? NO_INFO, level ?? NO_INFO);
  }
  return out;
}
