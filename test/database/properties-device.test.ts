import { expect } from "chai";
import { expectDevFailed } from "../support/test-server.js";
import { forEachBackend } from "../support/test-db.js";
import { useDataBase } from "./names-fixture.js";
import { callerOf, startAnotherDataBase, REFERENCE_DATE, withReferenceDates, type DbCall } from "./properties-fixture.js";

/* Device, class and free (object) properties: put, get, list, delete and their history. */

forEachBackend("DataBase device, class and free properties", (_backend, openDb) => {
  const suite = useDataBase(openDb);
  const call: DbCall = (command, argin) => callerOf(suite.ctx)(command, argin);
  const D = REFERENCE_DATE;

  const hist = async (command: string, argin: string[]): Promise<unknown> => withReferenceDates(await call(command, argin));

  it("keeps each element of a value and gives names back as asked, whatever their case", async () => {
    await call("DbPutDeviceProperty", ["Test/Dev/1", "2", "Speed", "3", "1", "2", "3", "label", "1", ""]);
    expect(await call("DbGetDeviceProperty", ["test/dev/1", "SPEED", "Label"]))
      .to.deep.equal(["test/dev/1", "2", "SPEED", "3", "1", "2", "3", "Label", "1", ""]);
    expect(await call("DbGetDevicePropertyList", ["TEST/DEV/1", "*"])).to.deep.equal(["label", "Speed"]);
  });

  it("replaces every element of a value put again, and the stored name's case with the new one", async () => {
    await call("DbPutDeviceProperty", ["test/dev/1", "1", "p", "3", "a", "b", "c"]);
    await call("DbPutDeviceProperty", ["test/dev/1", "1", "P", "1", "z"]);
    expect(await call("DbGetDeviceProperty", ["test/dev/1", "p"])).to.deep.equal(["test/dev/1", "1", "p", "1", "z"]);
    expect(await call("DbGetDevicePropertyList", ["test/dev/1", "*"])).to.deep.equal(["P"]);
  });

  it("keeps the last value of a property named twice in one put, and both in its history", async () => {
    await call("DbPutDeviceProperty", ["test/dev/1", "2", "p", "1", "first", "p", "2", "second", "third"]);
    expect(await call("DbGetDeviceProperty", ["test/dev/1", "p"])).to.deep.equal(["test/dev/1", "1", "p", "2", "second", "third"]);
    expect(await hist("DbGetDevicePropertyHist", ["test/dev/1", "p"]))
      .to.deep.equal(["p", D, "1", "first", "p", D, "2", "second", "third"]);
  });

  it("takes * as a wildcard in device and free property gets, and _ and % as themselves", async () => {
    await call("DbPutDeviceProperty", ["test/dev/1", "3", "pa_1", "1", "x", "paX1", "1", "y", "pb", "1", "z"]);
    expect(await call("DbGetDeviceProperty", ["test/dev/1", "pa_*"])).to.deep.equal(["test/dev/1", "1", "pa_*", "1", "x"]);
    expect(await call("DbGetDeviceProperty", ["test/dev/1", "pa%"])).to.deep.equal(["test/dev/1", "1", "pa%", "0", " "]);
    expect(await call("DbGetDevicePropertyList", ["test/dev/1", "p?1"])).to.deep.equal([]);
    await call("DbPutProperty", ["Obj", "2", "f_1", "1", "x", "fX1", "1", "y"]);
    expect(await call("DbGetProperty", ["obj", "f_*", "none*"])).to.deep.equal(["obj", "2", "f_*", "1", "x", "none*", "0", " "]);
    // cppTango's order (MySQL, case-insensitive): letters as upper case, so X before _.
    expect(await call("DbGetPropertyList", ["OBJ", "f*"])).to.deep.equal(["fX1", "f_1"]);
  });

  it("reads class property names as they are, * included, and gives no filler for a missing one", async () => {
    await call("DbPutClassProperty", ["Motor", "2", "a", "1", "x", "b", "2", "y", "z"]);
    expect(await call("DbGetClassProperty", ["motor", "B", "*", "a"]))
      .to.deep.equal(["motor", "3", "B", "2", "y", "z", "*", "0", "a", "1", "x"]);
    expect(await call("DbGetClassPropertyList", "MOTOR")).to.deep.equal(["a", "b"]);
    expect(await call("DbGetClassPropertyList", "Mo*")).to.deep.equal(["a", "b"]);
  });

  it("lists the objects that have free properties, by wildcard", async () => {
    await call("DbPutProperty", ["CtrlSystem", "1", "Services", "1", "x"]);
    await call("DbPutProperty", ["Beamline_1", "1", "p", "1", "x"]);
    await call("DbPutProperty", ["BeamlineX1", "1", "p", "1", "x"]);
    expect(await call("DbGetObjectList", "*")).to.deep.equal(["BeamlineX1", "Beamline_1", "CtrlSystem"]);
    expect(await call("DbGetObjectList", "beamline_*")).to.deep.equal(["Beamline_1"]);
  });

  it("deletes by wildcard, with one deletion entry per property that was there", async () => {
    await call("DbPutDeviceProperty", ["test/dev/1", "3", "tmp_b", "1", "1", "tmp_a", "1", "2", "keep", "1", "3"]);
    await call("DbDeleteDeviceProperty", ["test/dev/1", "tmp*", "no_such"]);
    expect(await call("DbGetDevicePropertyList", ["test/dev/1", "*"])).to.deep.equal(["keep"]);
    expect(await hist("DbGetDevicePropertyHist", ["test/dev/1", "tmp*"]))
      .to.deep.equal(["tmp_b", D, "1", "1", "tmp_a", D, "1", "2", "tmp_a", D, "0", "tmp_b", D, "0"]);
    await call("DbPutClassProperty", ["C", "2", "x1", "1", "a", "x2", "1", "b"]);
    await call("DbDeleteClassProperty", ["c", "X*"]);
    expect(await call("DbGetClassPropertyList", "C")).to.deep.equal([]);
    await call("DbPutProperty", ["O", "1", "x1", "1", "a"]);
    await call("DbDeleteProperty", ["o", "x1"]);
    expect(await hist("DbGetPropertyHist", ["O", "*"])).to.deep.equal(["x1", D, "1", "a", "x1", D, "0"]);
  });

  it("deletes a property put with no value, without a history entry", async () => {
    await call("DbPutClassProperty", ["C", "1", "p", "1", "a"]);
    await call("DbPutClassProperty", ["C", "1", "p", "0"]);
    expect(await call("DbGetClassProperty", ["C", "p"])).to.deep.equal(["C", "1", "p", "0"]);
    expect(await hist("DbGetClassPropertyHist", ["C", "p"])).to.deep.equal(["p", D, "1", "a"]);
  });

  it("keeps the last 10 history entries of a property, dropping the oldest", async () => {
    for (let i = 1; i <= 12; i++) await call("DbPutDeviceProperty", ["test/dev/1", "1", "p", "1", String(i)]);
    await call("DbPutDeviceProperty", ["test/dev/1", "1", "other", "1", "o"]);
    const entries = await call("DbGetDevicePropertyHist", ["test/dev/1", "p"]) as string[];
    expect(entries.filter((_, i) => i % 4 === 3)).to.deep.equal(["3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]);
    expect(await hist("DbGetDevicePropertyHist", ["test/dev/1", "other"])).to.deep.equal(["other", D, "1", "o"]);
  });

  it("keeps as many history entries as the database device's historyDepth property says, from its next Init", async () => {
    try {
      await call("DbPutDeviceProperty", ["sys/database/2", "1", "historyDepth", "1", "2"]);
      await suite.ctx.proxy.commandInout("Init");
      for (let i = 1; i <= 4; i++) await call("DbPutDeviceProperty", ["test/dev/1", "1", "p", "1", String(i)]);
      expect(await hist("DbGetDevicePropertyHist", ["test/dev/1", "p"])).to.deep.equal(["p", D, "1", "3", "p", D, "1", "4"]);
    } finally {
      await call("DbDeleteDeviceProperty", ["sys/database/2", "historyDepth"]);
      await suite.ctx.proxy.commandInout("Init");
    }
  });

  it("takes concurrent puts of one property from two database servers one after the other, each whole", async () => {
    // One device runs one command at a time; two database servers on one store do not.
    const second = await startAnotherDataBase(suite.db, "3");
    try {
      const callers = [call, callerOf(second)];
      await Promise.all(Array.from({ length: 16 }, (_, i) =>
        callers[i % 2]?.("DbPutDeviceProperty", ["test/dev/1", "1", "p", "2", `a${i}`, `b${i}`])));
    } finally {
      await second.close();
    }
    const [, , , count, a, b] = await call("DbGetDeviceProperty", ["test/dev/1", "p"]) as string[];
    expect(count).to.equal("2");
    expect(b).to.equal(`b${a?.slice(1)}`);
    expect((await call("DbGetDevicePropertyHist", ["test/dev/1", "p"]) as string[]).length).to.equal(10 * 5);
  });

  it("counts the successful calls of the property commands cppTango times in Timing_calls", async () => {
    const calls = async (): Promise<Map<string, number>> => {
      const index = (await suite.ctx.proxy.readAttribute("Timing_index"))?.value as string[];
      const counts = (await suite.ctx.proxy.readAttribute("Timing_calls"))?.value as ArrayLike<number>;
      return new Map(index.map((name, i) => [name, counts[i] ?? -1]));
    };
    await call("ResetTimingValues");
    await call("DbPutDeviceProperty", ["test/dev/1", "1", "p", "1", "v"]);
    await call("DbGetDeviceProperty", ["test/dev/1", "p"]);
    await call("DbGetDeviceProperty", ["test/dev/1", "p"]);
    await expectDevFailed(call("DbGetDeviceProperty", ["test/dev/1"]), "DB_IncorrectArguments");
    await call("DbGetDataForServerCache", ["No/server", "HOST"]);
    await call("DbGetClassProperty", ["C", "p"]);
    const counted = await calls();
    expect([counted.get("DbPutDeviceProperty"), counted.get("DbGetDeviceProperty"), counted.get("DbGetDataForServerCache")])
      .to.deep.equal([1, 2, 1]);
    expect(counted.has("DbGetClassProperty")).to.equal(false);
  });

  it("answers properties of unknown owners as empty, and accepts puts and deletes for them", async () => {
    expect(await call("DbGetClassProperty", ["NoClass", "p"])).to.deep.equal(["NoClass", "1", "p", "0"]);
    expect(await call("DbGetProperty", ["NoObject"])).to.deep.equal(["NoObject", "0"]);
    expect(await call("DbGetDevicePropertyHist", ["no/such/dev", "*"])).to.deep.equal([]);
    await call("DbDeleteDeviceProperty", ["no/such/dev", "p"]);
    await call("DbDeleteDeviceProperty", ["no/such/dev"]);
  });

  describe("bad argin", () => {
    it("refuses gets and history queries with too few or too many elements, with cppTango's text", async () => {
      const df = await expectDevFailed(call("DbGetDeviceProperty", ["test/dev/1"]), "DB_IncorrectArguments");
      expect(df.desc).to.equal("incorrect no. of input arguments, needs at least 2 (device,property)");
      const cases: [string, string[], string][] = [
        ["DbGetDevicePropertyHist", ["d/e/v", "p", "x"], "incorrect no. of input arguments, needs 2 (device,property)"],
        ["DbGetClassPropertyHist", ["C"], "incorrect no. of input arguments, needs 2 (class,property)"],
        ["DbGetPropertyHist", [], "incorrect no. of input arguments, needs 2 (object,property)"],
        ["DbGetPropertyList", ["O"], "incorrect no. of input arguments, needs 2 (object,wildcard)"],
      ];
      for (const [command, argin, desc] of cases) {
        expect((await expectDevFailed(call(command, argin), "DB_IncorrectArguments")).desc, command).to.equal(desc);
      }
      for (const command of ["DbGetClassProperty", "DbGetProperty", "DbGetDevicePropertyList", "DbDeleteDeviceProperty",
        "DbDeleteClassProperty", "DbDeleteProperty", "DbPutDeviceProperty", "DbPutClassProperty", "DbPutProperty"]) {
        await expectDevFailed(call(command, []), "DB_IncorrectArguments");
      }
    });

    it("refuses a put whose counts ask for more elements than sent, writing none of it", async () => {
      await call("DbPutDeviceProperty", ["test/dev/1", "1", "p", "1", "before"]);
      const df = await expectDevFailed(call("DbPutDeviceProperty", ["test/dev/1", "2", "p", "1", "after", "q", "2", "v"]),
        "DB_IncorrectArguments");
      expect(df.desc).to.match(/^incorrect no. of input arguments: a property value expected at element 8, the argin has 8$/);
      await expectDevFailed(call("DbPutDeviceProperty", ["test/dev/1", "2", "p", "1"]), "DB_IncorrectArguments");
      expect(await call("DbGetDeviceProperty", ["test/dev/1", "p", "q"]))
        .to.deep.equal(["test/dev/1", "2", "p", "1", "before", "q", "0", " "]);
      expect(await call("DbGetDevicePropertyHist", ["test/dev/1", "*"])).to.have.length(4);
    });

    it("refuses a value count that is no whole number, writing nothing", async () => {
      for (const count of ["x", "-1", "1.5", ""]) {
        const df = await expectDevFailed(call("DbPutClassProperty", ["C", "2", "a", "1", "v", "b", count, "v"]), "DB_IncorrectArguments");
        expect(df.desc).to.equal(`incorrect value count of b "${count}" at element 6: not a whole number`);
      }
      expect(await call("DbGetClassPropertyList", "C")).to.deep.equal([]);
    });

    it("writes nothing for a property count that is no number, as cppTango (sscanf) does", async () => {
      await call("DbPutProperty", ["O", "x", "p", "1", "v"]);
      await call("DbPutProperty", ["O", "-2", "p", "1", "v"]);
      expect(await call("DbGetObjectList", "*")).to.deep.equal([]);
    });
  });
});
