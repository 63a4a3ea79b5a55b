import { expect } from "chai";
import { openPgliteDb } from "../../src/database/sql/pglite-db.js";
import { MIGRATIONS, migrate } from "../../src/database/sql/migrations.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";

describe("database schema migrations (embedded PostgreSQL)", function () {
  this.timeout(30_000);
  let db: SqlDb;
  before(async () => { db = await openPgliteDb(); });
  after(async () => { await db.close(); });

  it("applies every migration once, in order, and records them", async () => {
    expect(await migrate(db)).to.deep.equal(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db)).to.deep.equal([]);
    const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).to.deep.equal(MIGRATIONS.map((m) => m.version));
  });

  it("keeps names unique without regard to case", async () => {
    await db.query("INSERT INTO device (name, domain, family, member, server, class) VALUES ($1, 'sys', 'tg_test', '1', 'TangoTest/test', 'TangoTest')", ["sys/tg_test/1"]);
    const err = await db.query("INSERT INTO device (name, domain, family, member, server, class) VALUES ($1, 'SYS', 'TG_TEST', '1', 'x/y', 'X')", ["SYS/TG_TEST/1"])
      .then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.match(/duplicate key/);
  });

  it("rolls a failed transaction back", async () => {
    const before = await db.query("SELECT count(*)::int AS n FROM server");
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO server (name) VALUES ('Rolled/back')");
      throw new Error("stop");
    }).catch(() => undefined);
    expect(await db.query("SELECT count(*)::int AS n FROM server")).to.deep.equal(before);
  });
});
