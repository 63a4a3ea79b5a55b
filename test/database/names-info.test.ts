import { expect } from "chai";
import { hostname } from "node:os";
import { STORED_PROCEDURE_RELEASE } from "../../src/database/database.js";
import { formatInfoDate, formatSqlDate } from "../../src/database/names/tango-dates.js";
import { TIMED_COMMANDS } from "../../src/database/names/timing-stats.js";
import { forEachBackend } from "../support/test-db.js";
import { expectDevFailed } from "../support/test-server.js";
import { REFERENCE_START, call, seedReference, snapshot, useDataBase } from "./names-fixture.js";

/* What the database says about itself: DbInfo, the Timing_* attributes, StoredProcedureRelease, DbMySqlSelect. */

describe("Tango dates as cppTango's database prints them", () => {
  it("writes MySQL's %D day suffixes", () => {
    const days: [number, string][] = [[1, "1st"], [2, "2nd"], [3, "3rd"], [4, "4th"], [11, "11th"], [12, "12th"], [13, "13th"],
      [21, "21st"], [22, "22nd"], [23, "23rd"], [30, "30th"], [31, "31st"]];
    for (const [day, text] of days) expect(formatInfoDate(new Date(2026, 0, day, 7, 8, 9))).to.equal(`${text} January 2026 at 07:08:09`);
  });

  it("writes the reference's dates", () => {
    expect(formatInfoDate(REFERENCE_START)).to.equal("6th December 2026 at 05:46:29");
    expect(formatSqlDate(REFERENCE_START)).to.equal("2026-12-06 05:46:29");
  });
});

forEachBackend("DataBase information about itself", (_backend, openDb) => {
  const suite = useDataBase(openDb);

  const read = async (attribute: string): Promise<unknown[]> => Array.from((await suite.ctx.proxy.readAttribute(attribute)).value as ArrayLike<unknown>);

  it("counts devices, servers and properties in DbInfo as the tables change", async () => {
    await seedReference(suite.db);
    const before = await call(suite.ctx, "DbInfo") as string[];
    expect(before.slice(0, 9)).to.deep.equal(["TANGO Database sys/database/2", " ", "Running since 2026-12-06 05:46:29", " ",
      "Devices defined  = 8", "Devices exported  = 4", "Device servers defined  = 4", "Device servers exported  = 2", " "]);
    await call(suite.ctx, "DbAddServer", ["New/1", "a/b/1", "C"]);
    await suite.db.query("INSERT INTO property (object, name, idx, value) VALUES ('CtrlSystem', 'Services', 1, 'x'), ('CtrlSystem', 'Services', 2, 'y')");
    await suite.db.query("INSERT INTO property_hist (object, name, idx, value) VALUES ('CtrlSystem', 'Services', 1, 'x')");
    expect((await call(suite.ctx, "DbInfo") as string[]).slice(4)).to.deep.equal([
      "Devices defined  = 10", "Devices exported  = 4", "Device servers defined  = 5", "Device servers exported  = 2", " ",
      "Device properties defined  = 0 [History lgth = 0]", "Class properties defined  = 72 [History lgth = 5]",
      "Device attribute properties defined  = 0 [History lgth = 0]", "Class attribute properties defined  = 0 [History lgth = 0]",
      "Object properties defined  = 2 [History lgth = 1]"]);
  });

  it("says since when it runs from its own start when it is not registered", async () => {
    const line = (await call(suite.ctx, "DbInfo") as string[])[2];
    expect(line).to.match(/^Running since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it("times cppTango's timed commands: successful calls only, zeroed by ResetTimingValues", async () => {
    await call(suite.ctx, "ResetTimingValues");
    await call(suite.ctx, "DbAddServer", ["S/1", "a/b/1", "C"]);
    for (let i = 0; i < 3; i++) await call(suite.ctx, "DbImportDevice", "a/b/1");
    await expectDevFailed(suite.ctx.proxy.commandInout("DbImportDevice", "no/such/dev"), "DB_DeviceNotDefined");
    const index = await read("Timing_index");
    expect(index).to.deep.equal([...TIMED_COMMANDS]);
    expect(index).to.have.length(28);
    expect(index).to.deep.equal([...index].sort());
    const at = index.indexOf("DbImportDevice");
    const [calls, average, minimum, maximum] = await Promise.all(["Timing_calls", "Timing_average", "Timing_minimum", "Timing_maximum"].map(read)) as number[][];
    expect(calls?.[at]).to.equal(3);
    expect(calls?.filter((c, i) => i !== at && c !== 0)).to.deep.equal([]);
    expect(minimum?.[at]).to.be.greaterThan(0);
    expect(minimum?.[at]).to.be.at.most(average?.[at] ?? -1);
    expect(average?.[at]).to.be.at.most(maximum?.[at] ?? -1);
    const info = await read("Timing_info") as string[];
    expect(info.slice(0, 4)).to.deep.equal([`TANGO Database Timing info on host ${hostname()}`, " ", "command\taverage\tminimum\tmaximum\tcalls", " "]);
    expect(info[4 + at]).to.match(/^DbImportDevice\t[ \d]+\.\d{3}\t[ \d]+\.\d{3}\t[ \d]+\.\d{3}\t3$/);
    await call(suite.ctx, "ResetTimingValues");
    expect((await read("Timing_calls"))[at]).to.equal(0);
    expect((await read("Timing_maximum"))[at]).to.equal(0);
  });

  it("reads StoredProcedureRelease", async () => {
    expect((await suite.ctx.proxy.readAttribute("StoredProcedureRelease")).value).to.equal(STORED_PROCEDURE_RELEASE);
  });

  it("refuses DbMySqlSelect, runs none of the caller's SQL and says why", async () => {
    await seedReference(suite.db);
    const before = await snapshot(suite.db);
    for (const query of ["SELECT name,exported,pid FROM device WHERE server='TangoTest/test'", "DELETE FROM device", "x; DROP TABLE device"]) {
      const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbMySqlSelect", query), "DB_SQLError");
      expect(df.errors[0].desc).to.match(/^DbMySqlSelect is not supported: .* PostgreSQL .*\nThe query was: /s);
      expect(df.errors[0].desc.endsWith(query)).to.equal(true);
    }
    expect(await snapshot(suite.db)).to.deep.equal(before);
  });

  it("keeps server records: put, get, delete, and a mode that is not a number refused", async () => {
    await call(suite.ctx, "DbPutServerInfo", ["S/1", "h", "1", "3"]);
    expect(await call(suite.ctx, "DbGetServerInfo", "s/1")).to.deep.equal(["s/1", "h", "1", "3"]);
    const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbPutServerInfo", ["S/1", "h", "yes", "3"]), "DB_SQLError");
    expect(df.errors[0].desc).to.contain("Incorrect integer value: 'yes' for column `mode`");
    await expectDevFailed(suite.ctx.proxy.commandInout("DbPutServerInfo", ["S/1", "h", "1"]), "DB_IncorrectArguments");
    expect(await call(suite.ctx, "DbGetServerInfo", "S/1")).to.deep.equal(["S/1", "h", "1", "3"]);
    await call(suite.ctx, "DbDeleteServerInfo", "S/1");
    expect(await call(suite.ctx, "DbGetServerInfo", "S/1")).to.deep.equal(["S/1", " ", " ", " "]);
  });
});
