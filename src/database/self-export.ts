import type { SqlDb } from "./sql/sql-db.js";

/*
 * The database server registers its own devices in its own tables, as cppTango's DataBaseds
 * does: its device rows are there from the start (create_db.sql inserts sys/database/2 and
 * dserver/DataBaseds/2), and its main() exports both through db_export_device directly, not
 * through a client, since there is no database to ask yet. The statements here are
 * db_export_device's and db_un_export_server's.
 */

/** What the database server exports of itself. */
export interface SelfExport {
  /** The server, `DataBaseds/<instance>`. */
  readonly server: string;
  /** The DataBase device, `sys/database/<instance>`. */
  readonly device: string;
  /** Its admin device, `dserver/DataBaseds/<instance>`. */
  readonly adminDevice: string;
  /** The address clients dial, where cppTango keeps an IOR: `grpc://host:port`. */
  readonly ior: string;
  /** The host name of this process. */
  readonly host: string;
  readonly pid: number;
  /** The IDL version of the devices (DbImportDevice's Str[2]). */
  readonly version: string;
}

/**
 * Adds the database's two devices if they are not defined (class DataBase and DServer, as
 * create_db.sql), then exports both (exported, address, host, pid, version, started now) and sets
 * the host of the server's row if it has one, in one transaction.
 */
export async function exportSelf(db: SqlDb, self: SelfExport): Promise<void> {
  const devices: ReadonlyArray<readonly [name: string, className: string]> = [[self.adminDevice, "DServer"], [self.device, "DataBase"]];
  await db.transaction(async (tx) => {
    for (const [name, className] of devices) {
      const [domain = "", family = "", member = ""] = name.split("/");
      await tx.query(
        `INSERT INTO device (name, domain, family, member, server, class) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [name, domain, family, member, self.server, className],
      );
      await tx.query(
        "UPDATE device SET exported = true, ior = $2, host = $3, pid = $4, version = $5, started = now() WHERE lower(name) = lower($1)",
        [name, self.ior, self.host, self.pid, self.version],
      );
    }
    await tx.query("UPDATE server SET host = $2 WHERE lower(name) = lower($1)", [self.server, self.host]);
  });
}

/** Marks every device of `server` not exported, stopped now (DbUnExportServer); address and pid stay. */
export async function unexportSelf(db: SqlDb, server: string): Promise<void> {
  await db.query("UPDATE device SET exported = false, stopped = now() WHERE lower(server) = lower($1)", [server]);
}
