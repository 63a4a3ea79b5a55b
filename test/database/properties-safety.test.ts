import { expect } from "chai";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import type { DeviceTestContext } from "../../src/testing/index.js";
import { expectDevFailed } from "../support/test-server.js";
import { emptyTables, forEachBackend } from "../support/test-db.js";
import {
  addDevices, callerOf, countStatements, REFERENCE_DATE, startDataBase, withReferenceDates,
  type CountingDb, type DbCall,
} from "./properties-fixture.js";

/*
 * What a client sends is data, never SQL: strings made to break quoting go through every string
 * argument of every property command and come back as sent, and nothing else changes. Huge
 * property values and lists round-trip in a few statements.
 */

/** Strings that end a quoted literal, comment out the rest, escape, or act as LIKE wildcards. */
const HOSTILE = [
  "'; DROP TABLE property_device; --",
  "\" OR \"1\"=\"1",
  "\\'; DELETE FROM device; --\\",
  "a'/b\"/c;--",
  "%/_/\\",
  "$1; SELECT pg_sleep(10)",
  "O'Brien\\\\",
];

/** The statements a put, get or delete may run, whatever the number of elements it carries. */
const MAX_STATEMENTS_PER_CALL = 6;

const PROPERTY_TABLES = ["property_device", "property_class", "property", "property_attribute_device",
  "property_attribute_class", "property_pipe_device", "property_pipe_class"];

forEachBackend("DataBase property commands and hostile or huge input", (_backend, openDb) => {
  let db: SqlDb | undefined;
  let counting: CountingDb | undefined;
  let ctx: DeviceTestContext | undefined;
  let call: DbCall;

  before(async () => {
    db = await openDb();
    counting = countStatements(db);
    ctx = await startDataBase(counting.db);
    call = callerOf(ctx);
  });
  after(async () => {
    await ctx?.close();
    await db?.close();
  });
  beforeEach(async () => { if (db !== undefined) await emptyTables(db); });

  /** Every row of the property tables, their history and the device table, dates aside. */
  async function snapshot(sql: SqlDb): Promise<string> {
    const parts: unknown[] = [await sql.query("SELECT name, server, class FROM device ORDER BY name")];
    for (const t of PROPERTY_TABLES) {
      parts.push(await sql.query(`SELECT (to_jsonb(x) - 'updated')::text AS j FROM ${t} AS x ORDER BY j`));
      parts.push(await sql.query(`SELECT (to_jsonb(x) - 'date')::text AS j FROM ${t}_hist AS x ORDER BY x.hist_id, x.idx`));
    }
    return JSON.stringify(parts);
  }

  /** Properties of another owner in every table, which no call below may touch. */
  async function seedBystanders(): Promise<void> {
    if (db === undefined) throw new Error("no database");
    await addDevices(db, [{ name: "keep/dev/1", server: "Keep/1", class: "Keep" }]);
    await call("DbPutDeviceProperty", ["keep/dev/1", "1", "p", "2", "v1", "v2"]);
    await call("DbPutClassProperty", ["Keep", "1", "p", "1", "v"]);
    await call("DbPutProperty", ["Keep", "1", "p", "1", "v"]);
    await call("DbPutDeviceAttributeProperty2", ["keep/dev/1", "1", "a", "1", "p", "1", "v"]);
    await call("DbPutClassAttributeProperty2", ["Keep", "1", "a", "1", "p", "1", "v"]);
    await call("DbPutDevicePipeProperty", ["keep/dev/1", "1", "a", "1", "p", "1", "v"]);
    await call("DbPutClassPipeProperty", ["Keep", "1", "a", "1", "p", "1", "v"]);
  }

  it("stores, reads, lists and deletes hostile strings in every string argument as plain text", async () => {
    if (db === undefined) throw new Error("no database");
    await seedBystanders();
    const before = await snapshot(db);
    for (const s of HOSTILE) {
      const sub3 = [s, "1", s, "1", s, "2", s, `${s}2`];
      await call("DbPutDeviceProperty", [s, "1", s, "2", s, `${s}2`]);
      await call("DbPutClassProperty", [s, "1", s, "2", s, `${s}2`]);
      await call("DbPutProperty", [s, "1", s, "2", s, `${s}2`]);
      await call("DbPutDeviceAttributeProperty2", sub3);
      await call("DbPutDeviceAttributeProperty", [s, "1", `${s}v1`, "1", s, s]);
      await call("DbPutClassAttributeProperty2", sub3);
      await call("DbPutClassAttributeProperty", [s, "1", `${s}v1`, "1", s, s]);
      await call("DbPutDevicePipeProperty", sub3);
      await call("DbPutClassPipeProperty", sub3);
      await call("DbPutDeviceAttributeProperty2", [s, "1", `${s}m`, "1", "__value", "1", s]);

      const values = [s, "1", s, "2", s, `${s}2`];
      expect(await call("DbGetDeviceProperty", [s, s]), s).to.deep.equal(values);
      expect(await call("DbGetClassProperty", [s, s]), s).to.deep.equal(values);
      expect(await call("DbGetProperty", [s, s]), s).to.deep.equal(values);
      const subValues = [s, "1", s, "1", s, "2", s, `${s}2`];
      for (const command of ["DbGetDeviceAttributeProperty2", "DbGetClassAttributeProperty2", "DbGetDevicePipeProperty", "DbGetClassPipeProperty"]) {
        expect(await call(command, [s, s]), `${command} ${s}`).to.deep.equal(subValues);
      }
      expect(await call("DbGetDeviceAttributeProperty", [s, `${s}v1`]), s).to.deep.equal([s, "1", `${s}v1`, "1", s, s]);
      expect(await call("DbGetClassAttributeProperty", [s, `${s}v1`]), s).to.deep.equal([s, "1", `${s}v1`, "1", s, s]);
      expect(await call("DbGetDeviceAttributeProperty2", [s, `${s}m`]), s).to.deep.equal([s, "1", `${s}m`, "1", "__value", "1", s]);
      expect(await call("DbGetDevicePropertyList", [s, s]), s).to.deep.equal([s]);
      expect(await call("DbGetPropertyList", [s, s]), s).to.deep.equal([s]);
      expect(await call("DbGetClassPropertyList", s), s).to.deep.equal([s]);
      expect(await call("DbGetObjectList", s), s).to.deep.equal([s]);
      expect(await call("DbGetDeviceAttributeList", [s, s]), s).to.deep.equal([s]);
      expect(await call("DbGetClassAttributeList", [s, s]), s).to.deep.equal([s]);
      expect(await call("DbGetDevicePipeList", [s, s]), s).to.deep.equal([s]);
      expect(await call("DbGetClassPipeList", [s, s]), s).to.deep.equal([s]);
      for (const command of ["DbGetDevicePropertyHist", "DbGetClassPropertyHist", "DbGetPropertyHist"]) {
        expect(withReferenceDates(await call(command, [s, s])), `${command} ${s}`).to.deep.equal([s, REFERENCE_DATE, "2", s, `${s}2`]);
      }
      for (const command of ["DbGetDeviceAttributePropertyHist", "DbGetClassAttributePropertyHist", "DbGetDevicePipePropertyHist",
        "DbGetClassPipePropertyHist"]) {
        expect(withReferenceDates(await call(command, [s, s, s])), `${command} ${s}`).to.deep.equal([s, s, REFERENCE_DATE, "2", s, `${s}2`]);
      }
      expect(await call("DbGetDataForServerCache", [s, s]), s).to.deep.equal([`dserver/${s}`, "Not Found"]);

      await call("DbDeleteDeviceProperty", [s, s]);
      await call("DbDeleteClassProperty", [s, s]);
      await call("DbDeleteProperty", [s, s]);
      await call("DbDeleteClassAttributeProperty", [s, s, s]);
      await call("DbDeleteClassAttribute", [s, `${s}v1`]);
      await call("DbDeleteClassPipeProperty", [s, s, s]);
      await call("DbDeleteClassPipe", [s, s]);
      if (s.split("/").length === 3 && !s.includes("*")) {
        await call("DbDeleteDeviceAttributeProperty", [s, s, s]);
        await call("DbDeleteAllDeviceAttributeProperty", [s, `${s}v1`]);
        await call("DbDeleteDeviceAttribute", [s, `${s}m`]);
        await call("DbDeleteDevicePipeProperty", [s, s, s]);
        await call("DbDeleteAllDevicePipeProperty", [s, s]);
        await call("DbDeleteDevicePipe", [s, s]);
      } else {
        await expectDevFailed(call("DbDeleteDeviceAttributeProperty", [s, s, s]), "DB_IncorrectDeviceName");
        await db.query("DELETE FROM property_attribute_device WHERE device = $1", [s]);
        await db.query("DELETE FROM property_pipe_device WHERE device = $1", [s]);
      }
      expect(await call("DbGetProperty", [s, s]), s).to.deep.equal([s, "1", s, "0", " "]);
      // What the calls wrote for this owner, history included, goes; nothing else may have changed.
      for (const t of PROPERTY_TABLES) {
        const owner = t.includes("class") ? "class" : t === "property" ? "object" : "device";
        await db.query(`DELETE FROM ${t}_hist WHERE ${owner} = $1`, [s]);
      }
      expect(await snapshot(db), `after ${s}`).to.equal(before);
    }
  });

  it("refuses a value no text column can hold with DB_SQLError, writing nothing", async () => {
    if (db === undefined) throw new Error("no database");
    await seedBystanders();
    const before = await snapshot(db);
    const df = await expectDevFailed(call("DbPutDeviceProperty", ["keep/dev/1", "2", "p", "1", "new", "q", "1", "nul\u0000byte"]), "DB_SQLError");
    expect(df.desc).to.match(/^Failed to query TANGO database \(error=/);
    expect(df.desc).to.not.include("nul");
    expect(await snapshot(db)).to.equal(before);
  });

  it("round-trips a value of 10,000 elements and 10,000 properties in one call each", async () => {
    // One statement per element would take seconds (~0.6 ms each on the embedded store); over
    // arrays, a statement takes the 10,000 elements in about 0.1 s.
    const counted = async (command: string, argin: unknown): Promise<unknown> => {
      counting?.reset();
      const argout = await call(command, argin);
      expect(counting?.statements(), `statements of ${command} with 10,000 elements`).to.be.at.most(MAX_STATEMENTS_PER_CALL);
      return argout;
    };
    const values = Array.from({ length: 10_000 }, (_, i) => `value ${i}`);
    await counted("DbPutDeviceProperty", ["big/dev/1", "1", "array", String(values.length), ...values]);
    expect(await call("DbGetDeviceProperty", ["big/dev/1", "array"])).to.deep.equal(["big/dev/1", "1", "array", "10000", ...values]);
    expect((await call("DbGetDevicePropertyHist", ["big/dev/1", "array"]) as string[]).slice(3)).to.deep.equal(values);

    const names = values.map((_, i) => `p${String(i).padStart(5, "0")}`);
    await counted("DbPutClassProperty", ["BigClass", String(names.length), ...names.flatMap((n, i) => [n, "1", `v${i}`])]);
    expect(await counted("DbGetClassProperty", ["BigClass", ...names]))
      .to.deep.equal(["BigClass", "10000", ...names.flatMap((n, i) => [n, "1", `v${i}`])]);
    expect(await call("DbGetClassPropertyList", "BigClass")).to.deep.equal(names);

    await counted("DbPutDeviceAttributeProperty2", ["big/dev/1", String(names.length), ...names.flatMap((n, i) => [n, "1", "__value", "1", `${i}`])]);
    expect(await counted("DbGetDeviceAttributeProperty2", ["big/dev/1", ...names]))
      .to.deep.equal(["big/dev/1", "10000", ...names.flatMap((n, i) => [n, "1", "__value", "1", `${i}`])]);
    await counted("DbDeleteAllDeviceAttributeProperty", ["big/dev/1", ...names]);
    expect(await call("DbGetDeviceAttributeList", ["big/dev/1", "*"])).to.deep.equal([]);
  });

  it("stores and reads back a property of 100,000 values and a value of 10 MiB intact, with their history", async function () {
    // On the embedded store a put of 100,000 values takes ~17 s here (~0.17 ms a value, most of
    // it the history insert), and PGlite runs on the server's event loop: the calls get a long
    // timeout of their own.
    this.timeout(300_000);
    if (db === undefined || ctx === undefined) throw new Error("no database");
    const slow = { timeoutMs: 120_000 };
    await seedBystanders();
    const before = await snapshot(db);
    const values = Array.from({ length: 100_000 }, (_, i) => `v'${i}"\\`);
    await ctx.proxy.commandInout("DbPutDeviceProperty", ["huge/dev/1", "1", "many", String(values.length), ...values], slow);
    expect(await ctx.proxy.commandInout("DbGetDeviceProperty", ["huge/dev/1", "many"], slow))
      .to.deep.equal(["huge/dev/1", "1", "many", "100000", ...values]);

    // 10 MiB of text with quotes, backslashes and characters of several UTF-8 lengths.
    const big = "a'é\\€😀;".repeat(Math.ceil(10 * 1024 * 1024 / 8)).slice(0, 10 * 1024 * 1024);
    await ctx.proxy.commandInout("DbPutDeviceAttributeProperty2", ["huge/dev/1", "1", "spectrum", "1", "description", "1", big], slow);
    const got = (await ctx.proxy.commandInout("DbGetDeviceAttributeProperty2", ["huge/dev/1", "spectrum"], slow) as string[])[6];
    expect(got?.length, "length of the value read back").to.equal(big.length);
    expect(got === big, "the value read back is the one put").to.equal(true);
    const hist = await ctx.proxy.commandInout("DbGetDeviceAttributePropertyHist", ["huge/dev/1", "spectrum", "description"], slow) as string[];
    expect(hist.at(-1) === big, "the history keeps the value").to.equal(true);

    await ctx.proxy.commandInout("DbDeleteDeviceProperty", ["huge/dev/1", "many"], slow);
    await ctx.proxy.commandInout("DbDeleteAllDeviceAttributeProperty", ["huge/dev/1", "spectrum"], slow);
    await db.query("DELETE FROM property_device_hist WHERE device = 'huge/dev/1'");
    await db.query("DELETE FROM property_attribute_device_hist WHERE device = 'huge/dev/1'");
    expect(await snapshot(db), "the other owners' properties").to.equal(before);
  });
});
