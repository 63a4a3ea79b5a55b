import { expect } from "chai";
import { formatFields, formatTable, formatValue } from "../../src/cli/format.js";
import { formatTime, presentAttributeValue, presentTime, presentValue } from "../../src/cli/present-value.js";
import { AttrDataFormat, CmdArgType, DevState } from "../../src/core/index.js";

describe("human output", () => {
  describe("formatValue", () => {
    it("shows scalars plainly and nothing as -", () => {
      expect(formatValue(3.5)).to.equal("3.5");
      expect(formatValue(-0)).to.equal("-0");
      expect(formatValue(9007199254740993n)).to.equal("9007199254740993");
      expect(formatValue(true)).to.equal("true");
      expect(formatValue("hello world")).to.equal("hello world");
      expect(formatValue(undefined)).to.equal("-");
    });

    it("quotes a string holding a newline, which would break a table", () => {
      expect(formatValue("a\nb")).to.equal('"a\\nb"');
    });

    it("abbreviates long lists, counting what it left out", () => {
      expect(formatValue(new Float64Array([1, 2, 3]))).to.equal("[1, 2, 3]");
      expect(formatValue(Array.from({ length: 20 }, (_, i) => i))).to.equal("[0, 1, 2, 3, 4, 5, 6, 7, … (12 more)]");
      expect(formatValue([1, 2, 3], { maxElements: 2 })).to.equal("[1, 2, … (1 more)]");
      expect(formatValue([[1, 2], [3, 4]])).to.equal("[[1, 2], [3, 4]]");
      const image = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => 0));
      expect(formatValue(image)).to.equal("[[0, 0, 0, 0, … (2 more)], [0, 0, 0, 0, … (2 more)], … (3 more)]");
      expect(formatValue([[1, 2, 3], [4, 5, 6]])).to.equal("[[1, 2, 3], [4, 5, 6]]");
      expect(formatValue(image, { maxElements: Infinity })).to.contain("[0, 0, 0, 0, 0, 0]");
      expect(formatValue(["a", "b"])).to.equal('["a", "b"]');
    });

    it("shows objects as key: value pairs", () => {
      expect(formatValue({ lvalue: new Int32Array([1]), svalue: ["x"] })).to.equal('{lvalue: [1], svalue: ["x"]}');
    });
  });

  it("aligns table columns without trailing spaces", () => {
    expect(formatTable(["NAME", "VALUE"], [["a", "1"], ["long_name", ""]])).to.equal(
      "NAME       VALUE\na          1\nlong_name\n",
    );
  });

  it("aligns field values after the longest name", () => {
    expect(formatFields([["a", "1"], ["abc", "2"]])).to.equal("a:   1\nabc: 2\n");
  });
});

describe("presenting values", () => {
  it("writes times in ISO 8601 with microseconds", () => {
    expect(formatTime({ sec: 1714564800, usec: 1234 })).to.equal("2024-05-01T12:00:00.001234Z");
    expect(presentTime({ sec: 0, usec: 999999 })).to.deep.equal({ sec: 0, usec: 999999, iso: "1970-01-01T00:00:00.999999Z" });
  });

  it("names states and writes DevEncoded data in base64", () => {
    expect(presentValue(DevState.RUNNING, CmdArgType.DevState)).to.equal("RUNNING");
    expect(presentValue([DevState.ON, DevState.FAULT], CmdArgType.DevVarStateArray)).to.deep.equal(["ON", "FAULT"]);
    expect(presentValue({ format: "raw", data: new Uint8Array([1, 2, 3]) }, CmdArgType.DevEncoded))
      .to.deep.equal({ format: "raw", data: "AQID" });
    expect(presentValue(1.5, CmdArgType.DevDouble)).to.equal(1.5);
  });

  it("shows an image as rows, a spectrum as a list and a state attribute by name", () => {
    const flat = new Float64Array([1, 2, 3, 4, 5, 6]);
    expect(presentAttributeValue(flat, CmdArgType.DevDouble, AttrDataFormat.IMAGE, 3, 2)).to.deep.equal([[1, 2, 3], [4, 5, 6]]);
    expect(presentAttributeValue(flat, CmdArgType.DevDouble, AttrDataFormat.IMAGE, 4, 2)).to.equal(flat);
    expect(presentAttributeValue(flat, CmdArgType.DevDouble, AttrDataFormat.SPECTRUM, 6, 0)).to.equal(flat);
    expect(presentAttributeValue(DevState.ON, CmdArgType.DevState, AttrDataFormat.SCALAR, 1, 0)).to.equal("ON");
    expect(presentAttributeValue(undefined, CmdArgType.DevDouble, AttrDataFormat.SCALAR, 0, 0)).to.equal(undefined);
  });
});
