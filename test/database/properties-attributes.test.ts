import { expect } from "chai";
import { expectDevFailed } from "../support/test-server.js";
import { forEachBackend } from "../support/test-db.js";
import { useDataBase } from "./names-fixture.js";
import { callerOf, REFERENCE_DATE, withReferenceDates, type DbCall } from "./properties-fixture.js";

/* Attribute and pipe properties, of devices and classes: the v1 and v2 layouts, the memorized value, deletions. */

forEachBackend("DataBase attribute and pipe properties", (_backend, openDb) => {
  const suite = useDataBase(openDb);
  const call: DbCall = (command, argin) => callerOf(suite.ctx)(command, argin);
  const D = REFERENCE_DATE;

  const hist = async (command: string, argin: string[]): Promise<unknown> => withReferenceDates(await call(command, argin));

  it("puts several attributes' properties in one v2 call and reads them back by attribute, in any case", async () => {
    await call("DbPutDeviceAttributeProperty2",
      ["test/dev/1", "2", "Position", "2", "unit", "1", "mm", "max_value", "1", "10", "mode", "1", "labels", "2", "a", "b"]);
    expect(await call("DbGetDeviceAttributeProperty2", ["TEST/DEV/1", "position", "MODE", "other"])).to.deep.equal(
      ["TEST/DEV/1", "3", "position", "2", "max_value", "1", "10", "unit", "1", "mm", "MODE", "1", "labels", "2", "a", "b", "other", "0"]);
    expect(await call("DbGetDeviceAttributeList", ["test/dev/1", "*"])).to.deep.equal(["mode", "Position"]);
    expect(await call("DbGetDeviceAttributeList", ["test/dev/1", "pos*"])).to.deep.equal(["Position"]);
  });

  it("reads the v1 layout with one name-value pair per element, and puts one value per property in v1", async () => {
    await call("DbPutDeviceAttributeProperty", ["test/dev/1", "2", "a", "2", "label", "A", "unit", "V", "b", "1", "label", "B"]);
    await call("DbPutDeviceAttributeProperty2", ["test/dev/1", "1", "c", "1", "values", "2", "x", "y"]);
    expect(await call("DbGetDeviceAttributeProperty", ["test/dev/1", "a", "c", "none"])).to.deep.equal(
      ["test/dev/1", "3", "a", "2", "label", "A", "unit", "V", "c", "2", "values", "x", "values", "y", "none", "0"]);
    expect(await hist("DbGetDeviceAttributePropertyHist", ["test/dev/1", "a", "*"]))
      .to.deep.equal(["a", "label", D, "1", "A", "a", "unit", D, "1", "V"]);
  });

  it("stores a memorized value in place, without history, keeping the attribute's other properties", async () => {
    await call("DbPutDeviceAttributeProperty2", ["test/mem/1", "1", "speed", "2", "unit", "1", "m/s", "__value", "1", "1"]);
    for (const v of ["2.5", "3.5"]) await call("DbPutDeviceAttributeProperty2", ["test/mem/1", "1", "speed", "1", "__value", "1", v]);
    await call("DbPutDeviceAttributeProperty2", ["test/mem/1", "1", "fresh", "1", "__value", "1", "true"]);
    expect(await call("DbGetDeviceAttributeProperty2", ["test/mem/1", "speed", "fresh"])).to.deep.equal(
      ["test/mem/1", "2", "speed", "2", "unit", "1", "m/s", "__value", "1", "3.5", "fresh", "1", "__value", "1", "true"]);
    expect(await hist("DbGetDeviceAttributePropertyHist", ["test/mem/1", "*", "__value"])).to.deep.equal(["speed", "__value", D, "1", "1"]);
  });

  it("deletes named properties of an attribute, with a deletion entry for each one that was there", async () => {
    await call("DbPutDeviceAttributeProperty2", ["test/dev/1", "1", "a", "3", "unit", "1", "mm", "label", "1", "A", "format", "1", "%6.2f"]);
    await call("DbDeleteDeviceAttributeProperty", ["test/dev/1", "A", "LABEL", "unit", "no_such"]);
    expect(await call("DbGetDeviceAttributeProperty2", ["test/dev/1", "a"])).to.deep.equal(["test/dev/1", "1", "a", "1", "format", "1", "%6.2f"]);
    const entries = await hist("DbGetDeviceAttributePropertyHist", ["test/dev/1", "a", "*"]) as string[];
    // The deletion entries name the attribute as the deletion did (cppTango writes its argin).
    expect(entries.slice(15)).to.deep.equal(["A", "label", D, "0", "A", "unit", D, "0"]);
  });

  it("deletes all properties of the attributes named, with history, and a whole attribute without", async () => {
    await call("DbPutDeviceAttributeProperty2", ["test/dev/1", "3", "a", "1", "unit", "1", "mm", "b", "2", "unit", "1", "V", "label", "1", "B",
      "c", "1", "unit", "1", "s"]);
    await call("DbDeleteAllDeviceAttributeProperty", ["test/dev/1", "b", "no_such"]);
    await call("DbDeleteDeviceAttribute", ["test/dev/1", "C"]);
    expect(await call("DbGetDeviceAttributeList", ["test/dev/1", "*"])).to.deep.equal(["a"]);
    expect(await hist("DbGetDeviceAttributePropertyHist", ["test/dev/1", "b", "*"]))
      .to.deep.equal(["b", "unit", D, "1", "V", "b", "label", D, "1", "B", "b", "label", D, "0", "b", "unit", D, "0"]);
    expect(await hist("DbGetDeviceAttributePropertyHist", ["test/dev/1", "c", "*"])).to.deep.equal(["c", "unit", D, "1", "s"]);
  });

  it("accepts a device name with a TRL prefix in attribute deletions, and refuses one without three fields", async () => {
    await call("DbPutDeviceAttributeProperty2", ["test/dev/1", "1", "a", "1", "unit", "1", "mm"]);
    await call("DbDeleteDeviceAttributeProperty", ["tango://db:10000/test/dev/1", "a", "unit"]);
    expect(await call("DbGetDeviceAttributeList", ["test/dev/1", "*"])).to.deep.equal([]);
    const cases: [string, string[], string][] = [
      ["DbDeleteDeviceAttributeProperty", ["nodevice", "a", "p"], "failed to delete device attribute, device name incorrect"],
      ["DbDeleteAllDeviceAttributeProperty", ["a/b", "a"], "Failed to delete all device attribute(s) property, device name incorrect"],
      ["DbDeleteDeviceAttribute", ["test/*/1", "a"], "failed to delete device attribute, device name incorrect"],
      ["DbDeleteDevicePipeProperty", ["x", "p", "q"], "Failed to delete device pipe, device name incorrect"],
      ["DbDeleteAllDevicePipeProperty", ["x", "p"], "Failed to delete all device pipe(s) property, device name incorrect"],
      ["DbDeleteDevicePipe", ["x", "p"], "Failed to delete device pipe, device name incorrect"],
    ];
    for (const [command, argin, desc] of cases) {
      expect((await expectDevFailed(call(command, argin), "DB_IncorrectDeviceName")).desc, command).to.equal(desc);
    }
  });

  it("refuses attribute and pipe commands with too few elements, with cppTango's text", async () => {
    const cases: [string, string[], string][] = [
      ["DbDeleteDeviceAttributeProperty", ["a/b/c", "a"], "insufficient number of arguments to delete device attribute property"],
      ["DbDeleteAllDeviceAttributeProperty", ["a/b/c"], "insufficient number of arguments to delete all device attribute(s) property"],
      ["DbDeleteDeviceAttribute", ["a/b/c"], "insufficient number of arguments to delete device attribute"],
      ["DbDeleteClassAttributeProperty", ["C", "a"], "insufficient number of arguments to delete class attribute property"],
      ["DbDeleteClassAttribute", ["C"], "insufficient number of arguments to delete class attribute"],
      ["DbDeleteDevicePipeProperty", ["a/b/c", "p"], "Insufficient number of arguments to delete device pipe property"],
      ["DbDeleteAllDevicePipeProperty", ["a/b/c"], "Insufficient number of arguments to delete all device pipe(s) property"],
      ["DbDeleteDevicePipe", ["a/b/c"], "insufficient number of arguments to delete device pipe"],
      ["DbDeleteClassPipeProperty", ["C", "p"], "Insufficient number of arguments to delete class pipe property"],
      ["DbDeleteClassPipe", ["C"], "insufficient number of arguments to delete class pipe"],
      ["DbGetDeviceAttributePropertyHist", ["a/b/c", "a"], "incorrect no. of input arguments, needs 3 (device,attribute,property)"],
      ["DbGetClassAttributePropertyHist", ["C", "a", "p", "x"], "incorrect no. of input arguments, needs 3 (class,attribute,property)"],
      ["DbGetDevicePipePropertyHist", ["a/b/c"], "Incorrect no. of input arguments, needs 3 (device,pipe,property)"],
      ["DbGetClassPipePropertyHist", [], "Incorrect no. of input arguments, needs 3 (class,pipe,property)"],
    ];
    for (const [command, argin, desc] of cases) {
      expect((await expectDevFailed(call(command, argin), "DB_IncorrectArguments")).desc, command).to.equal(desc);
    }
    for (const command of ["DbGetDeviceAttributeProperty", "DbGetDeviceAttributeProperty2", "DbGetClassAttributeProperty",
      "DbGetClassAttributeProperty2", "DbGetDevicePipeProperty", "DbGetClassPipeProperty", "DbPutDeviceAttributeProperty",
      "DbPutDeviceAttributeProperty2", "DbPutClassAttributeProperty", "DbPutClassAttributeProperty2", "DbPutDevicePipeProperty",
      "DbPutClassPipeProperty"]) {
      await expectDevFailed(call(command, []), "DB_IncorrectArguments");
    }
    for (const command of ["DbGetDeviceAttributeList", "DbGetClassAttributeList", "DbGetDevicePipeList", "DbGetClassPipeList"]) {
      await expectDevFailed(call(command, ["x"]), "DB_IncorrectArguments");
    }
    await expectDevFailed(call("DbPutDeviceAttributeProperty2", ["d/e/v", "1", "a", "2", "unit", "1", "mm"]), "DB_IncorrectArguments");
    expect(await call("DbGetDeviceAttributeList", ["d/e/v", "*"])).to.deep.equal([]);
  });

  it("keeps class attribute properties, v1 and v2, and deletes them by property or by attribute", async () => {
    await call("DbPutClassAttributeProperty2", ["Motor", "2", "position", "1", "unit", "1", "mm", "speed", "1", "unit", "1", "mm/s"]);
    await call("DbPutClassAttributeProperty", ["Motor", "1", "position", "1", "label", "Position"]);
    expect(await call("DbGetClassAttributeProperty2", ["motor", "Position", "speed"])).to.deep.equal(
      ["motor", "2", "Position", "2", "label", "1", "Position", "unit", "1", "mm", "speed", "1", "unit", "1", "mm/s"]);
    expect(await call("DbGetClassAttributeProperty", ["Motor", "position"]))
      .to.deep.equal(["Motor", "1", "position", "2", "label", "Position", "unit", "mm"]);
    await call("DbDeleteClassAttributeProperty", ["Motor", "position", "label"]);
    await call("DbDeleteClassAttribute", ["Motor", "SPEED"]);
    expect(await call("DbGetClassAttributeList", ["Motor", "*"])).to.deep.equal(["position"]);
    expect(await hist("DbGetClassAttributePropertyHist", ["Motor", "*", "label"]))
      .to.deep.equal(["position", "label", D, "1", "Position", "position", "label", D, "0"]);
  });

  it("keeps device and class pipe properties with their history and lists", async () => {
    await call("DbPutDevicePipeProperty", ["test/dev/1", "2", "p1", "1", "label", "1", "P1", "p2", "1", "desc", "2", "x", "y"]);
    await call("DbPutClassPipeProperty", ["Motor", "1", "status", "1", "label", "1", "S"]);
    expect(await call("DbGetDevicePipeProperty", ["test/dev/1", "P2", "p1"]))
      .to.deep.equal(["test/dev/1", "2", "P2", "1", "desc", "2", "x", "y", "p1", "1", "label", "1", "P1"]);
    expect(await call("DbGetClassPipeProperty", ["Motor", "status", "none"])).to.deep.equal(["Motor", "2", "status", "1", "label", "1", "S", "none", "0"]);
    expect(await call("DbGetDevicePipeList", ["test/dev/1", "p*"])).to.deep.equal(["p1", "p2"]);
    expect(await call("DbGetClassPipeList", ["motor", "*"])).to.deep.equal(["status"]);
    await call("DbDeleteDevicePipeProperty", ["test/dev/1", "p2", "desc"]);
    await call("DbDeleteAllDevicePipeProperty", ["test/dev/1", "p1"]);
    await call("DbDeleteClassPipeProperty", ["Motor", "status", "label"]);
    expect(await call("DbGetDevicePipeList", ["test/dev/1", "*"])).to.deep.equal([]);
    expect(await call("DbGetClassPipeList", ["Motor", "*"])).to.deep.equal([]);
    expect(await hist("DbGetDevicePipePropertyHist", ["test/dev/1", "*", "*"])).to.deep.equal([
      "p1", "label", D, "1", "P1", "p2", "desc", D, "2", "x", "y", "p2", "desc", D, "0", "p1", "label", D, "0"]);
    expect(await hist("DbGetClassPipePropertyHist", ["Motor", "st*", "*"]))
      .to.deep.equal(["status", "label", D, "1", "S", "status", "label", D, "0"]);
    await call("DbPutDevicePipeProperty", ["test/dev/1", "1", "p3", "1", "label", "1", "P3"]);
    await call("DbDeleteDevicePipe", ["test/dev/1", "p3"]);
    await call("DbPutClassPipeProperty", ["Motor", "1", "p4", "1", "label", "1", "P4"]);
    await call("DbDeleteClassPipe", ["Motor", "P4"]);
    expect([await call("DbGetDevicePipeList", ["test/dev/1", "*"]), await call("DbGetClassPipeList", ["Motor", "*"])]).to.deep.equal([[], []]);
  });
});
