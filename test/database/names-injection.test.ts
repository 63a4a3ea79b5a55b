import { expect } from "chai";
import { CmdArgType, DevFailed } from "../../src/core/index.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { emptyTables, forEachBackend } from "../support/test-db.js";
import { REFERENCE, call, seedReference, snapshot, useDataBase } from "./names-fixture.js";

/*
 * SQL injection: quotes, semicolons, backslashes, comment markers, LIKE characters, a NUL and a
 * long run of quotes in every string argument of every command of the reference (all 100 of
 * cppTango's DataBaseds, driven by its command list, so a command added later is covered or the
 * test fails). Each call either works on the text as written or fails with a DataBase error, and
 * after each command's attempts every row that was there before is still there, unchanged, unless
 * the arguments named it; every new row carries the text the arguments gave.
 */

/** Hostile strings: one with spaces and slashes, one without (so that it passes alias and server checks). */
const HOSTILE = [`x'); DELETE FROM device; -- "\\' OR '1'='1 /*`, `q'"\\;--%_`];

/** More text made to break a query: a placeholder and a sleep, LIKE characters with slashes, a NUL, 300 quotes. */
const ATTACKS = [...HOSTILE, "'; DROP TABLE property_device; --", "$1; SELECT pg_sleep(10)", "%/_/\\", "nul\u0000byte", "'".repeat(300)];

/** What every row the sandbox below creates contains; rows without it are bystanders no call may touch. */
const SANDBOX = "inj";

/**
 * A valid argin per DevVarStringArray command, naming the sandbox's objects; its elements are
 * replaced by hostile text one at a time, then all at once.
 */
const BASE: Record<string, readonly string[]> = {
  DbAddDevice: ["Inj/1", "inj/dev/2", "C", "injalias"],
  DbAddServer: ["Inj/1", "inj/dev/3", "C"],
  DbDeleteAllDeviceAttributeProperty: ["inj/dev/1", "attr"],
  DbDeleteAllDevicePipeProperty: ["inj/dev/1", "pipe"],
  DbDeleteClassAttribute: ["InjC", "attr"],
  DbDeleteClassAttributeProperty: ["InjC", "attr", "unit"],
  DbDeleteClassPipe: ["InjC", "pipe"],
  DbDeleteClassPipeProperty: ["InjC", "pipe", "p"],
  DbDeleteClassProperty: ["InjC", "p"],
  DbDeleteDeviceAttribute: ["inj/dev/1", "attr"],
  DbDeleteDeviceAttributeProperty: ["inj/dev/1", "attr", "unit"],
  DbDeleteDevicePipe: ["inj/dev/1", "pipe"],
  DbDeleteDevicePipeProperty: ["inj/dev/1", "pipe", "p"],
  DbDeleteDeviceProperty: ["inj/dev/1", "p"],
  DbDeleteProperty: ["InjObj", "p"],
  DbExportDevice: ["inj/dev/1", "grpc://h:1", "h", "1", "6"],
  DbExportEvent: ["inj.event", "grpc://h:1", "h", "1", "6"],
  DbGetClassAttributeList: ["InjC", "*"],
  DbGetClassAttributeProperty: ["InjC", "attr"],
  DbGetClassAttributeProperty2: ["InjC", "attr"],
  DbGetClassAttributePropertyHist: ["InjC", "attr", "unit"],
  DbGetClassPipeList: ["InjC", "*"],
  DbGetClassPipeProperty: ["InjC", "pipe"],
  DbGetClassPipePropertyHist: ["InjC", "pipe", "p"],
  DbGetClassProperty: ["InjC", "p"],
  DbGetClassPropertyHist: ["InjC", "p"],
  DbGetDataForServerCache: ["Inj/1", "h"],
  DbGetDeviceAttributeList: ["inj/dev/1", "*"],
  DbGetDeviceAttributeProperty: ["inj/dev/1", "attr"],
  DbGetDeviceAttributeProperty2: ["inj/dev/1", "attr"],
  DbGetDeviceAttributePropertyHist: ["inj/dev/1", "attr", "unit"],
  DbGetDeviceList: ["Inj/1", "InjC"],
  DbGetDevicePipeList: ["inj/dev/1", "*"],
  DbGetDevicePipeProperty: ["inj/dev/1", "pipe"],
  DbGetDevicePipePropertyHist: ["inj/dev/1", "pipe", "p"],
  DbGetDeviceProperty: ["inj/dev/1", "p"],
  DbGetDevicePropertyHist: ["inj/dev/1", "p"],
  DbGetDevicePropertyList: ["inj/dev/1", "*"],
  DbGetProperty: ["InjObj", "p"],
  DbGetPropertyHist: ["InjObj", "p"],
  DbGetPropertyList: ["InjObj", "*"],
  DbPutAttributeAlias: ["inj/dev/1/attr", "injattralias"],
  DbPutClassAttributeProperty: ["InjC", "1", "attr", "1", "unit", "mm"],
  DbPutClassAttributeProperty2: ["InjC", "1", "attr", "1", "unit", "1", "mm"],
  DbPutClassPipeProperty: ["InjC", "1", "pipe", "1", "p", "1", "v"],
  DbPutClassProperty: ["InjC", "1", "p", "1", "v"],
  DbPutDeviceAlias: ["inj/dev/1", "injdevalias"],
  DbPutDeviceAttributeProperty: ["inj/dev/1", "1", "attr", "1", "unit", "mm"],
  DbPutDeviceAttributeProperty2: ["inj/dev/1", "1", "attr", "1", "unit", "1", "mm"],
  DbPutDevicePipeProperty: ["inj/dev/1", "1", "pipe", "1", "p", "1", "v"],
  DbPutDeviceProperty: ["inj/dev/1", "1", "p", "1", "v"],
  DbPutProperty: ["InjObj", "1", "p", "1", "v"],
  DbPutServerInfo: ["Inj/1", "h", "1", "2"],
  DbRenameServer: ["Inj/1", "Inj/2"],
};

/** The argins of one command: each attack as the DevString, or in each element of its base argin and in all of them. */
function attemptsOf(command: string, inType: number): unknown[] {
  if (inType === CmdArgType.DevVoid) return [];
  if (inType === CmdArgType.DevString) return [...ATTACKS];
  const base = BASE[command] ?? [];
  return ATTACKS.flatMap((attack) => [base.map(() => attack), ...base.map((_, i) => base.map((v, j) => (i === j ? attack : v)))]);
}

/** The rows of the sandbox: a server with a device, every kind of property with history, aliases, an event channel. */
async function seedSandbox(db: SqlDb, run: (command: string, argin: unknown) => Promise<unknown>): Promise<void> {
  await run("DbAddServer", ["Inj/1", "inj/dev/1", "InjC"]);
  await run("DbExportDevice", ["inj/dev/1", "grpc://inj:1", "injhost", "1", "6"]);
  await run("DbPutServerInfo", ["Inj/1", "injhost", "1", "2"]);
  await run("DbPutDeviceAlias", ["inj/dev/1", "injdevalias"]);
  await run("DbPutAttributeAlias", ["inj/dev/1/attr", "injattralias"]);
  await run("DbExportEvent", ["inj.event", "grpc://inj:2", "injhost", "1", "6"]);
  for (let i = 0; i < 2; i++) {
    await run("DbPutDeviceProperty", ["inj/dev/1", "1", "p", "1", `v${i}`]);
    await run("DbPutClassProperty", ["InjC", "1", "p", "1", `v${i}`]);
    await run("DbPutProperty", ["InjObj", "1", "p", "1", `v${i}`]);
    await run("DbPutDeviceAttributeProperty2", ["inj/dev/1", "1", "attr", "1", "unit", "1", `mm${i}`]);
    await run("DbPutClassAttributeProperty2", ["InjC", "1", "attr", "1", "unit", "1", `mm${i}`]);
    await run("DbPutDevicePipeProperty", ["inj/dev/1", "1", "pipe", "1", "p", "1", `v${i}`]);
    await run("DbPutClassPipeProperty", ["InjC", "1", "pipe", "1", "p", "1", `v${i}`]);
  }
  expect((await db.query("SELECT count(*)::int AS n FROM property_pipe_class_hist"))[0]).to.deep.equal({ n: 2 });
}

/** Whether a row (as `snapshot` gives it) holds one of `texts` in one of its values, case aside. */
function holdsAny(row: string, texts: readonly string[]): boolean {
  const values = Object.values(JSON.parse(row) as Record<string, unknown>).filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
  return texts.some((t) => values.some((v) => v.includes(t.toLowerCase())));
}

forEachBackend("DataBase commands take every string as data, never as SQL", (_backend, openDb) => {
  const suite = useDataBase(openDb);

  it("answers hostile text in every argument of every command with a result or a DB_ error, and changes no row it was not asked to", async function () {
    this.timeout(300_000);
    const run = (command: string, argin: unknown): Promise<unknown> => call(suite.ctx, command, argin);
    const seed = async (): Promise<Map<string, string[]>> => {
      await emptyTables(suite.db);
      await seedReference(suite.db);
      await seedSandbox(suite.db, run);
      return snapshot(suite.db);
    };
    let baseline = await seed();
    const infos = await suite.ctx.proxy.commandListQuery();
    expect(infos.map((c) => c.name).sort(), "the device's commands are the reference's").to.deep.equal(REFERENCE.commands.map((c) => c.name).sort());
    const stringArrayCommands = REFERENCE.commands.filter((c) => c.in_type_code === CmdArgType.DevVarStringArray).map((c) => c.name);
    expect(Object.keys(BASE).sort(), "a base argin for each DevVarStringArray command").to.deep.equal(stringArrayCommands.sort());
    let calls = 0;
    for (const command of REFERENCE.commands) {
      expect([CmdArgType.DevVoid, CmdArgType.DevString, CmdArgType.DevVarStringArray], `${command.name} takes a type this test knows`)
        .to.include(command.in_type_code);
      for (const argin of attemptsOf(command.name, command.in_type_code)) {
        calls++;
        const label = `${command.name} ${JSON.stringify(argin).slice(0, 200)}`;
        try {
          await suite.ctx.proxy.commandInout(command.name, argin);
        } catch (err) {
          expect(err, label).to.be.instanceOf(DevFailed);
          expect((err as DevFailed).reason, `${label}: ${String(err)}`).to.match(/^(DB|Db)_/);
        }
      }
      const after = await snapshot(suite.db);
      for (const [table, rows] of baseline) {
        const kept = new Set(after.get(table));
        const lost = rows.filter((r) => !kept.has(r) && !holdsAny(r, [SANDBOX]));
        expect(lost, `${command.name}: rows of ${table} it was not asked to touch, changed or gone`).to.deep.equal([]);
        const had = new Set(rows);
        const added = (after.get(table) ?? []).filter((r) => !had.has(r) && !holdsAny(r, [SANDBOX, ...ATTACKS]));
        expect(added, `${command.name}: rows of ${table} that no argument asked for`).to.deep.equal([]);
      }
      if ([...baseline].some(([table, rows]) => JSON.stringify(after.get(table)) !== JSON.stringify(rows))) baseline = await seed();
    }
    expect(calls).to.be.greaterThan(1_500);
  });

  it("stores and returns hostile text exactly", async () => {
    const [spaced, plain] = HOSTILE as [string, string];
    await call(suite.ctx, "DbAddServer", [spaced, "inj/dev/1", plain]);
    await call(suite.ctx, "DbExportDevice", ["inj/dev/1", spaced, plain, "7", spaced]);
    expect(await call(suite.ctx, "DbImportDevice", "inj/dev/1")).to.deep.equal([[1, 7], ["inj/dev/1", spaced, spaced, spaced, plain, plain]]);
    await call(suite.ctx, "DbPutDeviceAlias", ["inj/dev/1", plain]);
    expect(await call(suite.ctx, "DbGetAliasDevice", plain.replaceAll("*", ""))).to.equal("inj/dev/1");
    expect(await call(suite.ctx, "DbGetDeviceAlias", "inj/dev/1")).to.equal(plain);
    await call(suite.ctx, "DbPutAttributeAlias", ["inj/dev/1/a", `${plain}2`]);
    expect(await call(suite.ctx, "DbGetAliasAttribute", `${plain}2`)).to.equal("inj/dev/1/a");
    expect(await call(suite.ctx, "DbGetServerList", "*")).to.deep.equal([spaced]);
    expect(await call(suite.ctx, "DbGetClassList", plain)).to.deep.equal([plain]);
    expect(await call(suite.ctx, "DbGetDeviceList", [spaced, plain])).to.deep.equal(["inj/dev/1"]);
  });
});
