import { exportDevice, unexportServer } from "./names/export-import.js";
import { parseDeviceName } from "./names/device-names.js";
import type { SqlDb } from "./sql/sql-db.js";

/*
 * The database server registers its own devices in its own tables, as cppTango's DataBaseds
 * does: its device rows are there from the start (create_db.sql inserts sys/database/2 and
 * dserver/DataBaseds/2), and its main() exports both through db_export_device directly, not
 * through a client, since there is no database to ask yet. The export and the unexport here are
 * those of DbExportDevice and DbUnExportServer.
 */

/** What the database server exports of itself. */
export interface SelfExport {
  /** The server, `DataBaseds/<instance>`. */
  readonly server: string;
  /** The DataBase device, `sys/database/<instance>`. */
  readonly device: string;
  /** Its admin device, `dserver/DataBaseds/<instance>`. */
  readonly adminDevice: string;
  /** The address clients dial, where cppTango keeps an IOR: `grpc://host:port` (`grpcs://` over TLS). */
  readonly ior: string;
  /** The host name of this process. */
  readonly host: string;
  readonly pid: number;
  /** The IDL version of the devices (DbImportDevice's Str[2]). */
  readonly version: string;
}

/**
 * Adds the database's two devices if they are not defined (class DataBase and DServer, as
 * create_db.sql; a device that is there keeps its alias and server), then exports both, the admin
 * device first as DataBaseds' main() does, in one transaction.
 */
export async function exportSelf(db: SqlDb, self: SelfExport): Promise<void> {
  const devices: ReadonlyArray<readonly [name: string, className: string]> = [[self.adminDevice, "DServer"], [self.device, "DataBase"]];
  await db.transaction(async (tx) => {
    for (const [name, className] of devices) {
      const parsed = parseDeviceName(name);
      if (parsed === undefined) throw new TypeError(`not a device name: ${name}`);
      await tx.query(
        "INSERT INTO device (name, domain, family, member, server, class) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        [parsed.name, parsed.domain, parsed.family, parsed.member, self.server, className],
      );
      await exportDevice(tx, [name, self.ior, self.host, String(self.pid), self.version]);
    }
  });
}

/** Marks every device of the server not exported, stopped now (DbUnExportServer); address and pid stay. */
export async function unexportSelf(db: SqlDb, server: string): Promise<void> {
  await unexportServer(db, server);
}
