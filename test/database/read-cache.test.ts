import { expect } from "chai";
import { readThrough, withReadCache } from "../../src/database/sql/read-cache.js";
import type { SqlDb, SqlRunner } from "../../src/database/sql/sql-db.js";
import { emptyTables, openTestDb } from "../support/test-db.js";

describe("the embedded store's memory of reads", () => {
  let raw: SqlDb;
  let db: SqlDb;
  let reads = 0;
  const readCount = async (runner: SqlRunner): Promise<number> => {
    reads++;
    const [row] = await runner.query<{ n: number }>("SELECT count(*)::int AS n FROM item");
    return row?.n ?? -1;
  };

  before(async () => {
    raw = await openTestDb("pglite");
    await raw.exec("CREATE TABLE item (name text NOT NULL)");
    db = withReadCache(raw);
  });
  after(() => raw?.close());
  beforeEach(() => { reads = 0; });
  afterEach(() => emptyTables(db));

  it("answers a key again from memory while nothing is written", async () => {
    expect(await readThrough(db, "count", readCount)).to.equal(0);
    expect(await readThrough(db, "count", readCount)).to.equal(0);
    expect(reads).to.equal(1);
  });

  it("forgets every read at a write through query, transaction or exec", async () => {
    const writes: ((d: SqlDb) => Promise<unknown>)[] = [
      (d) => d.query("INSERT INTO item (name) VALUES ($1)", ["a"]),
      (d) => d.transaction((tx) => tx.query("INSERT INTO item (name) VALUES ('b')")),
      (d) => d.exec("INSERT INTO item (name) VALUES ('c')"),
      (d) => d.query("  delete FROM item WHERE name = 'a'"),
    ];
    let expected = 0;
    for (const [i, write] of writes.entries()) {
      await readThrough(db, "count", readCount);
      await write(db);
      expected += i < 3 ? 1 : -1;
      expect(await readThrough(db, "count", readCount)).to.equal(expected);
    }
    expect(reads).to.equal(writes.length + 1);
  });

  it("forgets a read after a failed write too", async () => {
    await readThrough(db, "count", readCount);
    const failed = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO item (name) VALUES ('x')");
      throw new Error("rolled back");
    }).catch((err: unknown) => err);
    expect(failed).to.be.an("error");
    expect(await readThrough(db, "count", readCount)).to.equal(0);
    expect(reads).to.equal(2);
  });

  it("does not remember a read that a write overlapped", async () => {
    const read = readThrough(db, "count", readCount);
    const write = db.query("INSERT INTO item (name) VALUES ('late')");
    await Promise.all([read, write]);
    expect(await readThrough(db, "count", readCount)).to.equal(1);
    expect(reads).to.equal(2);
  });

  it("keeps keys apart", async () => {
    await db.query("INSERT INTO item (name) VALUES ('a')");
    expect(await readThrough(db, "one", readCount)).to.equal(1);
    expect(await readThrough(db, "two", async () => "other")).to.equal("other");
    expect(await readThrough(db, "one", readCount)).to.equal(1);
    expect(reads).to.equal(1);
  });

  it("reads every time through a db that was not wrapped, or a PostgreSQL server's", async () => {
    await readThrough(raw, "count", readCount);
    await readThrough(raw, "count", readCount);
    expect(reads).to.equal(2);
    const server: SqlDb = { ...raw, backend: "postgres" };
    const unwrapped = withReadCache(server);
    expect(unwrapped).to.equal(server);
    await readThrough(unwrapped, "count", readCount);
    await readThrough(unwrapped, "count", readCount);
    expect(reads).to.equal(4);
  });

  it("wraps once: wrapping the wrapped db gives it back", () => {
    expect(withReadCache(db)).to.equal(db);
  });
});
