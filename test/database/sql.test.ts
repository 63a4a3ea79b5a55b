import { expect } from "chai";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { emptyTables, forEachBackend } from "../support/test-db.js";

/** What a rejected promise rejected with (fails the test when it fulfilled). */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    (value) => { throw new Error(`expected a rejection, got ${JSON.stringify(value)}`); },
    (err: unknown) => err as Error & { code?: string },
  );
}

forEachBackend("SqlDb", (backend, openDb) => {
  let db: SqlDb;
  let isClosed = false;
  before(async () => {
    db = await openDb();
    await db.exec("CREATE TABLE counter (id integer PRIMARY KEY, n integer NOT NULL); CREATE TABLE item (name text NOT NULL, at timestamptz, big bigint)");
    await db.exec("CREATE UNIQUE INDEX item_name ON item (lower(name))");
  });
  after(async () => { if (!isClosed) await db?.close(); });
  afterEach(async () => { if (!isClosed) await emptyTables(db); });

  it(`names its backend ${backend}`, () => {
    expect(db.backend).to.equal(backend);
  });

  describe("values", () => {
    it("returns counts, integers and booleans as numbers and booleans, as PGlite does", async () => {
      const [row] = await db.query("SELECT count(*) AS c, count(*)::int AS ci, 7::int2 AS i2, 70000::int4 AS i4, 5000000000::int8 AS i8, true AS t, false AS f, NULL::text AS n FROM counter");
      expect(row).to.deep.equal({ c: 0, ci: 0, i2: 7, i4: 70000, i8: 5000000000, t: true, f: false, n: null });
    });

    it("returns an int8 past 2^53 as a bigint, exactly", async () => {
      const [row] = await db.query("SELECT 9007199254740993::int8 AS big, ARRAY[1, 9007199254740993]::int8[] AS bigs");
      expect(row).to.deep.equal({ big: 9007199254740993n, bigs: [1, 9007199254740993n] });
    });

    it("returns numeric as a string, floats as numbers, and bytea as a Uint8Array", async () => {
      const [row] = await db.query("SELECT 1.50::numeric AS num, 0.25::float4 AS f4, 0.1::float8 AS f8, '\\x0aff'::bytea AS bin");
      expect(row).to.deep.equal({ num: "1.50", f4: 0.25, f8: 0.1, bin: new Uint8Array([10, 255]) });
      expect(Object.getPrototypeOf((row as { bin: unknown }).bin)).to.equal(Uint8Array.prototype);
    });

    it("returns timestamptz, timestamp and date as Dates, and ±infinity as ±Infinity", async () => {
      const [row] = await db.query("SELECT '2024-03-01 10:20:30.456+02'::timestamptz AS tz, '2024-03-01'::date AS d, 'infinity'::timestamptz AS inf, '-infinity'::timestamptz AS ninf, ARRAY['2024-03-01 08:20:30.456+00'::timestamptz] AS tzs");
      expect(row).to.deep.equal({
        tz: new Date("2024-03-01T08:20:30.456Z"), d: new Date("2024-03-01T00:00:00Z"), inf: Infinity, ninf: -Infinity,
        tzs: [new Date("2024-03-01T08:20:30.456Z")],
      });
    });

    it("runs sessions in UTC with ISO dates: timestamptz as text reads the same on both", async () => {
      const [row] = await db.query("SELECT '2024-03-01 10:20:30+02'::timestamptz::text AS text, current_setting('TimeZone') AS tz");
      expect(row).to.deep.equal({ text: "2024-03-01 08:20:30+00", tz: "UTC" });
    });

    it("returns intervals as the server's text, and json as parsed values", async () => {
      const [row] = await db.query(`SELECT '1 day 02:00:00'::interval AS iv, '{"a":[1,"b"]}'::json AS j, '{"a":null}'::jsonb AS jb`);
      expect(row).to.deep.equal({ iv: "1 day 02:00:00", j: { a: [1, "b"] }, jb: { a: null } });
    });

    it("returns text arrays, with NULL elements, and array_agg in the order asked", async () => {
      await db.query("INSERT INTO item (name) VALUES ('b'), ('a'), ('c')");
      const [row] = await db.query("SELECT ARRAY['x', NULL, 'y \"q\"'] AS arr, (SELECT array_agg(name ORDER BY name) FROM item) AS names");
      expect(row).to.deep.equal({ arr: ["x", null, 'y "q"'], names: ["a", "b", "c"] });
    });

    it("lowers and compares non-ASCII names alike", async () => {
      const [row] = await db.query("SELECT lower('ÉCLAIR/Ü/1') AS low, 'Été' ILIKE 'ÉTÉ' AS same");
      expect(row).to.deep.equal({ low: "éclair/ü/1", same: true });
    });

    it("sorts text by code point (the C collation), as PGlite does", async () => {
      const [row] = await db.query("SELECT array_agg(x ORDER BY x) AS sorted FROM unnest(ARRAY['b', 'B', 'a', '_', 'É', 'Z']) AS x");
      expect(row).to.deep.equal({ sorted: ["B", "Z", "_", "a", "b", "É"] });
    });
  });

  describe("parameters", () => {
    it("binds text, numbers, booleans, null, Dates and text arrays", async () => {
      const at = new Date("2024-05-06T07:08:09.123Z");
      const [row] = await db.query(
        "SELECT $1::text AS s, $2::int AS i, $3::float8 AS f, $4::boolean AS b, $5::text AS n, $6::timestamptz AS at, $7::text[] AS arr, 'b' = ANY($7) AS has",
        ["it's", 42, 2.5, true, null, at, ["a", "b"]],
      );
      expect(row).to.deep.equal({ s: "it's", i: 42, f: 2.5, b: true, n: null, at, arr: ["a", "b"], has: true });
    });

    it("stores a Date and reads back the same instant", async () => {
      const at = new Date("1999-12-31T23:59:59.999Z");
      await db.query("INSERT INTO item (name, at) VALUES ($1, $2)", ["x", at]);
      expect(await db.query("SELECT at FROM item")).to.deep.equal([{ at }]);
    });

    it("keeps an injection attempt as plain data", async () => {
      const evil = "x'); DROP TABLE item; --";
      await db.query("INSERT INTO item (name) VALUES ($1)", [evil]);
      expect(await db.query("SELECT name FROM item WHERE name = $1", [evil])).to.deep.equal([{ name: evil }]);
    });
  });

  describe("transactions", () => {
    it("commits what the work did when it resolves, and returns its result", async () => {
      const result = await db.transaction(async (tx) => {
        await tx.query("INSERT INTO counter (id, n) VALUES (1, 5)");
        const [row] = await tx.query<{ n: number }>("SELECT n FROM counter WHERE id = 1");
        return row?.n;
      });
      expect(result).to.equal(5);
      expect(await db.query("SELECT id, n FROM counter")).to.deep.equal([{ id: 1, n: 5 }]);
    });

    it("rolls back and rethrows the work's own error when it throws", async () => {
      const thrown = new Error("the work failed");
      const err = await rejection(db.transaction(async (tx) => {
        await tx.query("INSERT INTO counter (id, n) VALUES (1, 5)");
        throw thrown;
      }));
      expect(err).to.equal(thrown);
      expect(await db.query("SELECT * FROM counter")).to.deep.equal([]);
    });

    it("fails every statement after a failed one until the end, and rolls back", async () => {
      const err = await rejection(db.transaction(async (tx) => {
        await tx.query("INSERT INTO counter (id, n) VALUES (1, 1)");
        await tx.query("SELECT * FROM no_such_table").catch(() => "ignored");
        await tx.query("INSERT INTO counter (id, n) VALUES (2, 2)");
      }));
      expect(err.code).to.equal("25P02");
      expect(await db.query("SELECT * FROM counter")).to.deep.equal([]);
    });

    it("refuses a runner kept past the end of its transaction", async () => {
      let kept: { query: SqlDb["query"] } | undefined;
      await db.transaction(async (tx) => { kept = tx; });
      const err = await rejection(kept!.query("SELECT 1"));
      expect(err.message).to.equal("Transaction is closed");
    });

    it("lets two transactions increment one counter without losing an update", async () => {
      await db.query("INSERT INTO counter (id, n) VALUES (1, 0)");
      const increment = (times: number) => db.transaction(async (tx) => {
        for (let i = 0; i < times; i++) await tx.query("UPDATE counter SET n = n + 1 WHERE id = 1");
      });
      await Promise.all([increment(20), increment(20)]);
      expect(await db.query("SELECT n FROM counter")).to.deep.equal([{ n: 40 }]);
    });

    it("commits one of two transactions adding the same name in different case, and fails the other with 23505", async () => {
      const add = (name: string) => db.transaction(async (tx) => { await tx.query("INSERT INTO item (name) VALUES ($1)", [name]); });
      const results = await Promise.allSettled([add("sys/tg_test/1"), add("SYS/TG_TEST/1")]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(failed).to.have.length(1);
      expect((failed[0]?.reason as { code?: string }).code).to.equal("23505");
      expect(await db.query("SELECT count(*) AS n FROM item")).to.deep.equal([{ n: 1 }]);
    });

    it(backend === "postgres"
      ? "hides uncommitted rows from queries outside the transaction (another connection, READ COMMITTED)"
      : "makes a query outside a transaction wait for its end (one connection), so it never sees uncommitted rows", async () => {
      let outside: Promise<unknown[]> | undefined;
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO counter (id, n) VALUES (1, 1)");
        outside = db.query("SELECT count(*)::int AS n FROM counter");
        // PGlite queues the outside query behind the transaction: awaiting it here would deadlock.
        if (backend === "postgres") expect(await outside).to.deep.equal([{ n: 0 }]);
      });
      expect(await outside).to.deep.equal([{ n: backend === "postgres" ? 0 : 1 }]);
    });
  });

  describe("exec and errors", () => {
    it("runs several statements, and none of them when one fails", async () => {
      await db.exec("INSERT INTO counter (id, n) VALUES (1, 1); INSERT INTO counter (id, n) VALUES (2, 2)");
      const err = await rejection(db.exec("INSERT INTO counter (id, n) VALUES (3, 3); SELECT * FROM no_such_table"));
      expect(err.code).to.equal("42P01");
      expect(await db.query("SELECT id FROM counter ORDER BY id")).to.deep.equal([{ id: 1 }, { id: 2 }]);
    });

    it("rejects a bad statement with the server's message and SQLSTATE code", async () => {
      const missing = await rejection(db.query("SELECT * FROM no_such_table"));
      expect(missing.message).to.equal('relation "no_such_table" does not exist');
      expect(missing.code).to.equal("42P01");
      const badInput = await rejection(db.query("SELECT $1::int AS n", ["twelve"]));
      expect(badInput.message).to.equal('invalid input syntax for type integer: "twelve"');
      expect(badInput.code).to.equal("22P02");
      const syntax = await rejection(db.query("SELEC 1"));
      expect(syntax.code).to.equal("42601");
    });

    it("keeps serving after an error", async () => {
      await rejection(db.query("SELECT * FROM no_such_table"));
      expect(await db.query("SELECT 1 AS one")).to.deep.equal([{ one: 1 }]);
    });
  });

  // Last: it closes the suite's database (nested suites run in order, after the suite's own tests).
  describe("close", () => {
    it("rejects queries and transactions once closed", async () => {
      await db.close();
      isClosed = true;
      await rejection(db.query("SELECT 1"));
      await rejection(db.transaction(async () => undefined));
    });
  });
});
