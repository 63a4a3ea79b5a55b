import { expect } from "chai";
import { forEachBackend } from "../support/test-db.js";
import { expectDevFailed } from "../support/test-server.js";
import { call, useDataBase } from "./names-fixture.js";

/* Wildcard lists, case, and device and attribute aliases. */

forEachBackend("DataBase lists and aliases", (_backend, openDb) => {
  const suite = useDataBase(openDb);
  beforeEach(async () => {
    await call(suite.ctx, "DbAddServer", ["Lab/1", "lab/tg_test/1", "TangoTest", "Lab/TGATEST/2", "TangoTest", "lab/x%y/3", "Other"]);
  });

  it("sorts without case, '_' after the letters, and lists a value once whatever its case", async () => {
    expect(await call(suite.ctx, "DbGetDeviceFamilyList", "lab/*")).to.deep.equal(["TGATEST", "tg_test", "x%y"]);
    await call(suite.ctx, "DbAddServer", ["lab/2", "LAB/other/1", "TANGOTEST"]);
    expect(await call(suite.ctx, "DbGetDeviceDomainList", "*")).to.deep.equal(["dserver", "LAB"]);
    expect(await call(suite.ctx, "DbGetClassList", "t*")).to.deep.equal(["TANGOTEST"]);
    expect(await call(suite.ctx, "DbGetServerNameList", "*")).to.deep.equal(["Lab"]);
    expect(await call(suite.ctx, "DbGetInstanceNameList", "LAB")).to.deep.equal(["1", "2"]);
  });

  it("takes '*' as the only wildcard: '%' and '_' match themselves", async () => {
    expect(await call(suite.ctx, "DbGetDeviceWideList", "lab/x%y/*")).to.deep.equal(["lab/x%y/3"]);
    expect(await call(suite.ctx, "DbGetDeviceWideList", "lab/%/*")).to.deep.equal([]);
    expect(await call(suite.ctx, "DbGetDeviceWideList", "lab/tg_test/*")).to.deep.equal(["lab/tg_test/1"]);
    expect(await call(suite.ctx, "DbGetDeviceList", ["%", "%"])).to.deep.equal([]);
    expect(await call(suite.ctx, "DbGetDeviceMemberList", "LAB/TG*")).to.deep.equal(["1", "2"]);
  });

  it("matches device filters on aliases as cppTango does", async () => {
    await call(suite.ctx, "DbPutDeviceAlias", ["lab/tg_test/1", "tester"]);
    await call(suite.ctx, "DbExportDevice", ["lab/tg_test/1", "grpc://h:1", "h", "1", "6"]);
    expect(await call(suite.ctx, "DbGetDeviceExportedList", "test*")).to.deep.equal(["lab/tg_test/1"]);
    expect(await call(suite.ctx, "DbGetDeviceDomainList", "tester")).to.deep.equal(["lab"]);
    expect(await call(suite.ctx, "DbGetDeviceWideList", "tester")).to.deep.equal([]);
  });

  it("gives a device one alias, looked up in any case, and refuses it to another device", async () => {
    await call(suite.ctx, "DbPutDeviceAlias", ["lab/tg_test/1", "Tester"]);
    await call(suite.ctx, "DbPutDeviceAlias", ["LAB/TG_TEST/1", "Tester"]);
    expect(await call(suite.ctx, "DbGetDeviceAlias", "LAB/TG_TEST/1")).to.equal("Tester");
    expect(await call(suite.ctx, "DbGetAliasDevice", "tester")).to.equal("lab/tg_test/1");
    expect(await call(suite.ctx, "DbGetAliasDevice", "tes*")).to.equal("lab/tg_test/1");
    const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbPutDeviceAlias", ["lab/TGATEST/2", "TESTER"]), "DB_SQLError");
    expect(df.errors[0].desc).to.equal("alias TESTER already exists !");
    await call(suite.ctx, "DbPutDeviceAlias", ["lab/tg_test/1", "renamed"]);
    expect(await call(suite.ctx, "DbGetDeviceAliasList", "*")).to.deep.equal(["renamed"]);
    await call(suite.ctx, "DbDeleteDeviceAlias", "RENAMED");
    await expectDevFailed(suite.ctx.proxy.commandInout("DbGetDeviceAlias", "lab/tg_test/1"), "DB_AliasNotDefined");
  });

  it("refuses device aliases cppTango refuses", async () => {
    for (const alias of ["a/b", "a b"]) {
      const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbPutDeviceAlias", ["lab/tg_test/1", alias]), "DB_IncorrectArguments");
      expect(df.errors[0].desc).to.equal("Wrong alias info for device!. Characters '/',' ' forbidden in alias");
    }
    const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbPutDeviceAlias", ["lab/tg_test/1"]), "DB_IncorrectArguments");
    expect(df.errors[0].desc).to.equal("insufficient alias info for device");
    const bad = await expectDevFailed(suite.ctx.proxy.commandInout("DbGetDeviceAlias", "tester"), "DB_IncorrectDeviceName");
    expect(bad.errors[0].desc).to.equal("failed to find alias, device name incorrect");
  });

  it("keeps one alias per attribute and one attribute per alias", async () => {
    await call(suite.ctx, "DbPutAttributeAlias", ["lab/tg_test/1/double_scalar", "ds"]);
    await call(suite.ctx, "DbPutAttributeAlias", ["lab/tg_test/1/double_scalar", "dscalar"]);
    await call(suite.ctx, "DbPutAttributeAlias", ["lab/tg_test/1/ampli", "amp"]);
    expect(await call(suite.ctx, "DbGetAttributeAliasList", "*")).to.deep.equal(["amp", "dscalar"]);
    expect(await call(suite.ctx, "DbGetAttributeAlias2", "LAB/tg_test/1/DOUBLE_SCALAR")).to.equal("dscalar");
    expect(await call(suite.ctx, "DbGetAliasAttribute", "DSCALAR")).to.equal("lab/tg_test/1/double_scalar");
    const taken = await expectDevFailed(suite.ctx.proxy.commandInout("DbPutAttributeAlias", ["lab/tg_test/1/ampli", "dscalar"]), "DB_SQLError");
    expect(taken.errors[0].desc).to.equal("alias dscalar already exists !");
    const syntax = await expectDevFailed(suite.ctx.proxy.commandInout("DbPutAttributeAlias", ["lab/tg_test/ampli", "x"]), "DB_SQLError");
    expect(syntax.errors[0].desc).to.equal("attribute name lab/tg_test/ampli has bad syntax, must have 3 / in it");
    const missing = await expectDevFailed(suite.ctx.proxy.commandInout("DbGetAttributeAlias", "ds"), "DB_SQLError");
    expect(missing.errors[0].desc).to.equal("No attribute found for alias  'ds'");
    const none = await expectDevFailed(suite.ctx.proxy.commandInout("DbGetAttributeAlias2", "lab/tg_test/1/x"), "DB_SQLError");
    expect(none.errors[0].desc).to.equal("No alias found for attribute  'lab/tg_test/1/x'");
    await call(suite.ctx, "DbDeleteAttributeAlias", "AMP");
    expect(await call(suite.ctx, "DbGetAttributeAliasList", "*")).to.deep.equal(["dscalar"]);
  });

  it("gives a device's class and what it inherits from", async () => {
    await suite.db.query("INSERT INTO property_class (class, name, idx, value) VALUES ('TangoTest', 'InheritedFrom', 1, 'Base'), ('TangoTest', 'InheritedFrom', 2, 'TANGO_BASE_CLASS')");
    expect(await call(suite.ctx, "DbGetClassInheritanceForDevice", "LAB/TG_TEST/1")).to.deep.equal(["TangoTest", "Base", "TANGO_BASE_CLASS"]);
    expect(await call(suite.ctx, "DbGetClassInheritanceForDevice", "lab/x%y/3")).to.deep.equal(["Other"]);
    const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbGetClassForDevice", "no/such/dev"), "DB_IncorrectArguments");
    expect(df.errors[0].desc).to.equal("Class not found for no/such/dev");
    expect(await call(suite.ctx, "DbGetDeviceServerClassList", "lab/*")).to.deep.equal(["DServer", "Other", "TangoTest"]);
  });

  it("lists the forwarded attributes rooted on a device", async () => {
    await suite.db.query(`INSERT INTO property_attribute_device (device, attribute, name, idx, value) VALUES
      ('fwd/dev/1', 'fwd_att', '__root_att', 1, 'lab/tg_test/1/double_scalar'),
      ('fwd/dev/2', 'other', '__root_att', 1, 'lab/tg_test/10/double_scalar'),
      ('fwd/dev/1', 'fwd_att', 'label', 1, 'lab/tg_test/1/x')`);
    expect(await call(suite.ctx, "DbGetForwardedAttributeListForDevice", "LAB/TG_TEST/1")).to.deep.equal(
      ["fwd/dev/1", "fwd_att", "lab/tg_test/1/double_scalar"]);
  });

  it("refuses DbGetDeviceList without exactly a server and a class", async () => {
    const df = await expectDevFailed(suite.ctx.proxy.commandInout("DbGetDeviceList", ["*"]), "DB_IncorrectArguments");
    expect(df.errors[0].desc).to.equal("incorrect no. of input arguments, needs 2 (server,class)");
  });
});
