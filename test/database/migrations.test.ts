import { expect } from "chai";
import { MIGRATIONS, migrate } from "../../src/database/sql/migrations.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { forEachBackend } from "../support/test-db.js";

forEachBackend("database schema migrations", (_backend, openDb) => {
  let db: SqlDb;
  before(async () => { db = await openDb({ migrated: false }); });
  after(async () => { await db?.close(); });

  it("applies every migration once, in order, and records them", async () => {
    expect(await migrate(db)).to.deep.equal(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db)).to.deep.equal([]);
    const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).to.deep.equal(MIGRATIONS.map((m) => m.version));
  });

  it("lets two migrators race and applies each migration once", async () => {
    const extra = [...MIGRATIONS, { version: 999, name: "test table", sql: "CREATE TABLE migration_race (n integer)" }];
    const [a, b] = await Promise.all([migrate(db, extra), migrate(db, extra)]);
    expect([...a, ...b]).to.deep.equal([999]);
    await db.exec("DROP TABLE migration_race; DELETE FROM schema_migrations WHERE version = 999");
  });

  it("leaves no trace of a migration that fails, and applies it once fixed", async () => {
    const broken = [...MIGRATIONS, { version: 998, name: "broken", sql: "CREATE TABLE half_done (n integer); SELECT * FROM no_such_table" }];
    const err = await migrate(db, broken).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.match(/no_such_table/);
    expect(await db.query("SELECT 1 FROM schema_migrations WHERE version = 998")).to.deep.equal([]);
    expect(await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'half_done'")).to.deep.equal([]);
    const fixed = [...MIGRATIONS, { version: 998, name: "fixed", sql: "CREATE TABLE half_done (n integer)" }];
    expect(await migrate(db, fixed)).to.deep.equal([998]);
    await db.exec("DROP TABLE half_done; DELETE FROM schema_migrations WHERE version = 998");
  });

  it("keeps names unique without regard to case", async () => {
    await db.query("INSERT INTO device (name, domain, family, member, server, class) VALUES ($1, 'sys', 'tg_test', '1', 'TangoTest/test', 'TangoTest')", ["sys/tg_test/1"]);
    const err = await db.query("INSERT INTO device (name, domain, family, member, server, class) VALUES ($1, 'SYS', 'TG_TEST', '1', 'x/y', 'X')", ["SYS/TG_TEST/1"])
      .then(() => undefined, (e: unknown) => e as Error & { code?: string });
    expect(err?.message).to.match(/duplicate key/);
    expect(err?.code).to.equal("23505");
  });

  it("rolls a failed transaction back", async () => {
    const before = await db.query("SELECT count(*)::int AS n FROM server");
    const err = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO server (name) VALUES ('Rolled/back')");
      throw new Error("stop");
    }).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.equal("stop");
    expect(await db.query("SELECT count(*)::int AS n FROM server")).to.deep.equal(before);
  });
});
