import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPgliteDb } from "../../src/database/sql/pglite-db.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";

/*
 * What only the embedded store does (the rest is sql.test.ts, on both backends): statements kept
 * prepared, and the VACUUM that PGlite's single-user PostgreSQL never runs by itself.
 */

const ROWS = 20;

async function tableBytes(db: SqlDb, table: string): Promise<number> {
  const [row] = await db.query<{ bytes: number }>("SELECT pg_relation_size($1)::int AS bytes", [table]);
  return row?.bytes ?? -1;
}

/**
 * Updates every row of `t` `rounds` times, one statement a row, changing the case of its indexed
 * name (as a DbAddServer moving a device does), so that no update can stay on its page (HOT).
 */
async function churn(db: SqlDb, rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const name = (i: number): string => (r % 2 === 0 ? `ROW/${i}` : `row/${i}`);
    for (let i = 0; i < ROWS; i++) await db.query("UPDATE t SET name = $2, v = $3 WHERE lower(name) = lower($1)", [`row/${i}`, name(i), `${r}`.repeat(40)]);
  }
}

async function openChurnDb(vacuumAfterWrites: number): Promise<SqlDb> {
  const db = await openPgliteDb({ vacuumAfterWrites });
  await db.exec("CREATE TABLE t (name text NOT NULL, v text); CREATE UNIQUE INDEX t_name ON t (lower(name))");
  await db.query("INSERT INTO t (name) SELECT 'row/' || i FROM generate_series(0, $1::int - 1) AS i", [ROWS]);
  return db;
}

describe("openPgliteDb", function () {
  this.timeout(60_000);

  it("keeps a table and its index from growing under updates by vacuuming every so many writes, where PGlite alone lets them grow", async () => {
    const plain = await openChurnDb(Number.MAX_SAFE_INTEGER);
    const vacuumed = await openChurnDb(200);
    try {
      await churn(plain, 100);
      await churn(vacuumed, 100);
      const [grown, kept] = [await tableBytes(plain, "t") + await tableBytes(plain, "t_name"), await tableBytes(vacuumed, "t") + await tableBytes(vacuumed, "t_name")];
      expect(grown, "2,000 updates without a VACUUM").to.be.at.least(6 * 8192);
      expect(kept, `with a VACUUM every 200 writes (without: ${grown} bytes)`).to.be.at.most(grown / 2);
      // And the rows are what the last round wrote.
      const rows = await vacuumed.query<{ v: string }>("SELECT DISTINCT v FROM t");
      expect(rows).to.deep.equal([{ v: "99".repeat(40) }]);
    } finally {
      await plain.close();
      await vacuumed.close();
    }
  });

  it("runs a prepared statement again after its table changed under it, and gives each text its own result", async () => {
    const db = await openPgliteDb();
    try {
      await db.exec("CREATE TABLE u (a int)");
      await db.query("INSERT INTO u VALUES ($1)", [1]);
      expect(await db.query("SELECT * FROM u")).to.deep.equal([{ a: 1 }]);
      await db.exec("ALTER TABLE u ADD COLUMN b text DEFAULT 'x'");
      expect(await db.query("SELECT * FROM u")).to.deep.equal([{ a: 1, b: "x" }]);
      expect(await db.query("SELECT a + $1::int AS s FROM u", [2])).to.deep.equal([{ s: 3 }]);
      expect(await db.query("SELECT a - $1::int AS s FROM u", [2])).to.deep.equal([{ s: -1 }]);
    } finally {
      await db.close();
    }
  });

  it("answers a bad parameter with PostgreSQL's error and keeps serving, in and out of a transaction", async () => {
    const db = await openPgliteDb();
    try {
      await db.exec("CREATE TABLE w (n int)");
      const outside = await db.query("INSERT INTO w VALUES ($1)", ["not a number"]).then(() => undefined, (err: unknown) => err as { code?: string });
      expect(outside?.code).to.equal("22P02");
      const inside = await db.transaction(async (tx) => {
        await tx.query("INSERT INTO w VALUES ($1)", [1]);
        await tx.query("INSERT INTO w VALUES ($1)", ["nope"]);
      }).then(() => undefined, (err: unknown) => err as { code?: string });
      expect(inside?.code).to.equal("22P02");
      await db.query("INSERT INTO w VALUES ($1)", [2]);
      expect(await db.query("SELECT n FROM w")).to.deep.equal([{ n: 2 }]);
    } finally {
      await db.close();
    }
  });

  it("vacuums a data directory at open, and keeps what was written across a reopen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pglite-db-"));
    try {
      const first = await openPgliteDb({ dataDir: dir });
      await first.exec("CREATE TABLE k (v text)");
      await first.query("INSERT INTO k VALUES ($1)", ["kept"]);
      await first.close();
      const second = await openPgliteDb({ dataDir: dir });
      try {
        expect(await second.query("SELECT v FROM k")).to.deep.equal([{ v: "kept" }]);
        const [stats] = await second.query<{ analyzed: boolean }>(
          "SELECT last_analyze IS NOT NULL OR reltuples >= 0 AS analyzed FROM pg_stat_user_tables JOIN pg_class USING (relname) WHERE relname = 'k'");
        expect(stats?.analyzed, "the table has planner statistics").to.equal(true);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
