import { expect } from "chai";
import { CmdArgType, DevFailed } from "../../src/core/index.js";
import { NAME_COMMAND_DOCS } from "../../src/database/names/command-docs.js";
import { forEachBackend } from "../support/test-db.js";
import { call, seedReference, snapshot, useDataBase } from "./names-fixture.js";

/*
 * SQL injection: quotes, semicolons, backslashes, comment markers and LIKE characters in every
 * string argument of every names command. Each call either works on the text as written or
 * fails with a DataBase error; afterwards every row that was there is still there, unchanged.
 */

/** Hostile strings: one with spaces and slashes, one without (so that it passes alias and server checks). */
const HOSTILE = [`x'); DELETE FROM device; -- "\\' OR '1'='1 /*`, `q'"\\;--%_`];

/** A valid argin per array command, whose elements are replaced one at a time. */
const BASE: Record<string, string[]> = {
  DbAddDevice: ["Inj/1", "inj/dev/2", "C", "injalias"],
  DbAddServer: ["Inj/1", "inj/dev/3", "C"],
  DbExportDevice: ["inj/dev/1", "grpc://h:1", "h", "1", "6"],
  DbExportEvent: ["inj.event", "grpc://h:1", "h", "1", "6"],
  DbGetDeviceList: ["Inj/1", "C"],
  DbPutAttributeAlias: ["inj/dev/1/attr", "injattralias"],
  DbPutDeviceAlias: ["inj/dev/1", "injdevalias"],
  DbPutServerInfo: ["Inj/1", "h", "1", "2"],
  DbRenameServer: ["Inj/1", "Inj/2"],
};

forEachBackend("DataBase names commands take every string as data, never as SQL", (_backend, openDb) => {
  const suite = useDataBase(openDb);

  it("answers hostile text in every argument with a result or a DB_ error, and changes no row it was not asked to", async () => {
    await seedReference(suite.db);
    const before = await snapshot(suite.db);
    await call(suite.ctx, "DbAddServer", ["Inj/1", "inj/dev/1", "C"]);
    const infos = await suite.ctx.proxy.commandListQuery();
    let calls = 0;
    for (const info of infos.filter((c) => c.name in NAME_COMMAND_DOCS)) {
      const argins: unknown[] = [];
      if (info.inType === CmdArgType.DevString) argins.push(...HOSTILE);
      if (info.inType === CmdArgType.DevVarStringArray) {
        const base = BASE[info.name];
        expect(base, `a base argin for ${info.name}`).to.not.equal(undefined);
        for (const hostile of HOSTILE) {
          argins.push(base?.map(() => hostile));
          for (const i of base?.keys() ?? []) argins.push(base?.map((v, j) => (i === j ? hostile : v)));
        }
      }
      for (const argin of argins) {
        calls++;
        try {
          await suite.ctx.proxy.commandInout(info.name, argin);
        } catch (err) {
          expect(err, `${info.name} ${JSON.stringify(argin)}`).to.be.instanceOf(DevFailed);
          expect((err as DevFailed).reason, `${info.name} ${JSON.stringify(argin)}: ${String(err)}`).to.match(/^(DB|Db)_/);
        }
      }
    }
    expect(calls).to.be.greaterThan(150);
    const after = await snapshot(suite.db);
    for (const [table, rows] of before) {
      const kept = new Set(after.get(table));
      expect(rows.filter((r) => !kept.has(r)), `rows of ${table} changed or gone`).to.deep.equal([]);
    }
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
