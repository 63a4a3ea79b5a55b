import { expect } from "chai";
import { parseServerCache } from "../../src/server/registry/server-cache.js";

// Replies of cppTango 9.3.4's DataBaseds to DbGetDataForServerCache, as recorded (IORs cut).
const ALLOWED = ["DServer", "1", "AllowedAccessCmd", "11", "QueryClass", "QueryDevice", "EventSubscriptionChange", "DevPollStatus",
  "GetLoggingLevel", "GetLoggingTarget", "QueryWizardDevProperty", "QueryWizardClassProperty", "QuerySubDevice",
  "ZMQEventSubscriptionChange", "EventConfirmSubscription", "Default", "0"];
const TANGO_TEST = ["dserver/TangoTest/test", "IOR:0100000017000000...", "5", "TangoTest/test", "HOST", "1", "0", "DServer",
  "notifd/factory/HOST", "Not Found", "dserver/TangoTest/test", "Not Found", ...ALLOWED, "dserver/TangoTest/test", "0",
  "TangoTest/test", "1", "TangoTest", "4", "Description", "2", "A device to test generic clients. It offers a \"echo\" like command for",
  "each TANGO data type (i.e. each command returns an exact copy of <argin>).", "doc_url", "1",
  "http://www.esrf.eu/computing/cs/tango/tango_doc/ds_doc/", "InheritedFrom", "1", "TANGO_BASE_CLASS", "ProjectTitle", "1",
  "TANGO Device Server for testing generic clients", "TangoTest", "0", "TangoTest", "1", "sys/tg_test/1", "sys/tg_test/1", "0",
  "sys/tg_test/1", "0", "CtrlSystem", "0"];
const DB_REF_WITH_PIPES = ["release 1.13", "dserver/DbRefServer/ref", "IOR:0100000017000000...", "5", "DbRefServer/ref", "HOST", "0", "0",
  "DServer", "notifd/factory/HOST", "Not Found", "dserver/DbRefServer/ref", "Not Found", ...ALLOWED, "dserver/DbRefServer/ref", "0",
  "DbRefServer/ref", "1", "DbRefClass", "1", "cprop", "1", "c", "DbRefClass", "1", "attr_x", "1", "unit", "1", "mm", "DbRefClass", "0",
  "DbRefClass", "3", "test/dbref/1", "test/dbref/2", "test/dbref/3", "test/dbref/1", "2", "prop_a", "1", "value_a2", "prop_multiline",
  "1", "line1\nline2", "test/dbref/1", "2", "attr_x", "1", "__value", "1", "3.5", "attr_z", "1", "label", "1", "Z", "test/dbref/1", "0",
  "test/dbref/2", "1", "p2", "1", "v2", "test/dbref/2", "0", "test/dbref/2", "0", "test/dbref/3", "0", "test/dbref/3", "0",
  "test/dbref/3", "0", "CtrlSystem", "0"];

describe("DbGetDataForServerCache replies", () => {
  it("give a server's classes, devices and properties, as cppTango's DataBaseds lays them out", () => {
    const cache = parseServerCache(TANGO_TEST);
    expect(cache.isDefined).to.equal(true);
    expect(cache.adminProperties).to.deep.equal([]);
    expect(cache.classes.map((c) => c.name)).to.deep.equal(["TangoTest"]);
    expect(cache.classes[0]?.properties.map((p) => p.name)).to.deep.equal(["Description", "doc_url", "InheritedFrom", "ProjectTitle"]);
    expect(cache.classes[0]?.properties[0]?.values).to.have.length(2);
    expect(cache.devices).to.deep.equal([{ name: "sys/tg_test/1", className: "TangoTest", properties: [], attributeProperties: {} }]);
  });

  it("read the release and pipe properties that a <host>%%<release> request adds", () => {
    const cache = parseServerCache(DB_REF_WITH_PIPES);
    expect(cache.classes.map((c) => ({ ...c, attributeProperties: { ...c.attributeProperties } }))).to.deep.equal([
      { name: "DbRefClass", properties: [{ name: "cprop", values: ["c"] }], attributeProperties: { attr_x: { unit: ["mm"] } } },
    ]);
    expect(cache.devices.map((d) => d.name)).to.deep.equal(["test/dbref/1", "test/dbref/2", "test/dbref/3"]);
    expect(cache.devices[0]?.properties).to.deep.equal([
      { name: "prop_a", values: ["value_a2"] }, { name: "prop_multiline", values: ["line1\nline2"] },
    ]);
    expect({ ...cache.devices[0]?.attributeProperties }).to.deep.equal({ attr_x: { __value: ["3.5"] }, attr_z: { label: ["Z"] } });
    expect(cache.devices[1]?.properties).to.deep.equal([{ name: "p2", values: ["v2"] }]);
  });

  it("skip event channels a server exported (six elements each, as ds_start's import_event)", () => {
    const withChannels = TANGO_TEST.map((x) => x === "Not Found" ? ["IOR:0100", "4", "HOST", "1", "42"] : [x]).flat();
    expect(withChannels).to.have.length(TANGO_TEST.length + 8);
    expect(parseServerCache(withChannels)).to.deep.equal(parseServerCache(TANGO_TEST));
  });

  it("say when the database does not know the server", () => {
    expect(parseServerCache(["dserver/NoSuch/server", "Not Found"])).to.deep.equal({ isDefined: false, adminProperties: [], classes: [], devices: [] });
  });

  it("refuse a reply cut short or with a count that is not a number, naming the place", () => {
    expect(() => parseServerCache(TANGO_TEST.slice(0, 40))).to.throw(/the reply ends where .* should be \(element 40\)/);
    const bad = [...TANGO_TEST];
    bad[bad.lastIndexOf("TangoTest/test") + 1] = "x";
    expect(() => parseServerCache(bad)).to.throw(/the number of classes is "x", not a count/);
  });
});
