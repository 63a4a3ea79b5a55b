import { expect } from "chai";
import { ValueTextError, parseArgin, parseAttributeValue } from "../../src/cli/argin.js";
import { AttrDataFormat, CmdArgType, DevState } from "../../src/core/index.js";

const T = CmdArgType;

function refuses(text: string, type: CmdArgType, message: RegExp): void {
  expect(() => parseArgin(text, type)).to.throw(ValueTextError, message);
}

describe("parseArgin", () => {
  describe("numbers", () => {
    it("reads doubles, floats and integers from plain text", () => {
      expect(parseArgin("3.14", T.DevDouble)).to.equal(3.14);
      expect(parseArgin(" -2 ", T.DevDouble)).to.equal(-2);
      expect(parseArgin("1e-3", T.DevDouble)).to.equal(0.001);
      expect(parseArgin("0.1", T.DevFloat)).to.equal(Math.fround(0.1));
      expect(parseArgin("-2", T.DevLong)).to.equal(-2);
      expect(parseArgin("0x1F", T.DevUShort)).to.equal(31);
      expect(parseArgin("-0x10", T.DevShort)).to.equal(-16);
    });

    it("reads NaN and the infinities for floating types, case-insensitively", () => {
      expect(parseArgin("NaN", T.DevDouble)).to.be.NaN;
      expect(parseArgin("-inf", T.DevDouble)).to.equal(-Infinity);
      expect(parseArgin("Infinity", T.DevFloat)).to.equal(Infinity);
    });

    it("keeps 64-bit integers exact, through BigInt and never a double", () => {
      expect(parseArgin("9007199254740993", T.DevLong64)).to.equal(9007199254740993n);
      expect(parseArgin("-9223372036854775808", T.DevLong64)).to.equal(-(2n ** 63n));
      expect(parseArgin("18446744073709551615", T.DevULong64)).to.equal(2n ** 64n - 1n);
      expect(parseArgin("0xFFFFFFFFFFFFFFFF", T.DevULong64)).to.equal(2n ** 64n - 1n);
    });

    it("refuses text that is not a number, naming the type and the expected form", () => {
      refuses("abc", T.DevDouble, /"abc" is not a DevDouble \(a number such as/);
      refuses("", T.DevDouble, /is not a DevDouble/);
      refuses("0x10", T.DevDouble, /is not a DevDouble/);
      refuses("1.5", T.DevLong, /"1.5" is not a DevLong \(an integer, decimal or 0x hex\)/);
      refuses("1e3", T.DevLong64, /is not a DevLong64/);
    });

    it("refuses values outside the type's range with core coerce's message", () => {
      refuses("70000", T.DevShort, /70000 is outside the DevShort range \[-32768, 32767\]/);
      refuses("-1", T.DevULong, /outside the DevULong range/);
      refuses("9223372036854775808", T.DevLong64, /outside the DevLong64 range/);
      refuses("-1", T.DevULong64, /outside the DevULong64 range/);
      refuses("99999999999999999999", T.DevLong, /outside the DevLong range/);
      refuses("1e39", T.DevFloat, /outside the DevFloat range/);
    });
  });

  it("reads booleans as true, false, 1 or 0 in any case", () => {
    expect(parseArgin("TRUE", T.DevBoolean)).to.equal(true);
    expect(parseArgin("0", T.DevBoolean)).to.equal(false);
    refuses("yes", T.DevBoolean, /"yes" is not a DevBoolean \(true, false, 1 or 0\)/);
  });

  it("takes a string as is, unquoting a JSON string literal", () => {
    expect(parseArgin("hello world", T.DevString)).to.equal("hello world");
    expect(parseArgin('"a\\tb"', T.DevString)).to.equal("a\tb");
    expect(parseArgin('"a"b"', T.DevString)).to.equal('"a"b"');
    expect(parseArgin("", T.DevString)).to.equal("");
  });

  it("reads a DevState by name in any case or by number", () => {
    expect(parseArgin("running", T.DevState)).to.equal(DevState.RUNNING);
    expect(parseArgin("8", T.DevState)).to.equal(DevState.FAULT);
    refuses("SLEEPY", T.DevState, /"SLEEPY" is not a DevState \(a state name such as ON/);
    refuses("20", T.DevState, /not a DevState/);
  });

  it("reads DevEncoded from JSON with base64 data or UTF-8 text", () => {
    const b64 = parseArgin('{"format":"raw","data":"AQID"}', T.DevEncoded) as { format: string; data: Uint8Array };
    expect(b64.format).to.equal("raw");
    expect(Array.from(b64.data)).to.deep.equal([1, 2, 3]);
    const text = parseArgin('{"format":"json","text":"é"}', T.DevEncoded) as { data: Uint8Array };
    expect(Array.from(text.data)).to.deep.equal([0xc3, 0xa9]);
    refuses("hello", T.DevEncoded, /DevEncoded wants a JSON object .* not valid JSON/);
    refuses('{"format":"x","data":"!!"}', T.DevEncoded, /base64/);
    refuses('{"data":"AQID"}', T.DevEncoded, /string "format"/);
  });

  it("refuses any argin for DevVoid", () => {
    refuses("1", T.DevVoid, /DevVoid takes no argin/);
  });

  describe("sequences", () => {
    it("reads a JSON array or comma-separated text into the canonical typed array", () => {
      expect(parseArgin("[1, 2.5, -3]", T.DevVarDoubleArray)).to.deep.equal(new Float64Array([1, 2.5, -3]));
      expect(parseArgin("1, 2.5,-3", T.DevVarDoubleArray)).to.deep.equal(new Float64Array([1, 2.5, -3]));
      expect(parseArgin("", T.DevVarLongArray)).to.deep.equal(new Int32Array(0));
      expect(parseArgin("[]", T.DevVarLongArray)).to.deep.equal(new Int32Array(0));
    });

    it("reads NaN and infinities in a JSON array, quoted as --json writes them", () => {
      const out = parseArgin('["NaN", "Infinity", "-Infinity"]', T.DevVarDoubleArray) as Float64Array;
      expect(Array.from(out)).to.deep.equal([NaN, Infinity, -Infinity]);
      refuses('["NaN"]', T.DevVarLongArray, /element 0: "NaN" is not a DevLong/);
    });

    it("keeps 64-bit elements exact in both forms", () => {
      const exact = new BigInt64Array([9007199254740993n, -1n]);
      expect(parseArgin("[9007199254740993, -1]", T.DevVarLong64Array)).to.deep.equal(exact);
      expect(parseArgin("9007199254740993,-1", T.DevVarLong64Array)).to.deep.equal(exact);
      expect(parseArgin('["9007199254740993", "-1"]', T.DevVarLong64Array)).to.deep.equal(exact);
    });

    it("reads string, boolean and state sequences", () => {
      expect(parseArgin('["a, b", "c"]', T.DevVarStringArray)).to.deep.equal(["a, b", "c"]);
      expect(parseArgin("a, b,c", T.DevVarStringArray)).to.deep.equal(["a", "b", "c"]);
      expect(parseArgin("[true, 0]", T.DevVarBooleanArray)).to.deep.equal([true, false]);
      expect(parseArgin("ON,fault", T.DevVarStateArray)).to.deep.equal([DevState.ON, DevState.FAULT]);
    });

    it("names the element that does not fit", () => {
      refuses("1,x,3", T.DevVarDoubleArray, /element 1: "x" is not a DevDouble/);
      refuses("[1, 300]", T.DevVarCharArray, /element 1: 300 is outside the DevUChar range/);
      refuses("[1, 2", T.DevVarDoubleArray, /not valid JSON/);
      refuses('{"a": 1}', T.DevVarDoubleArray, /element 0: .* is not a DevDouble/);
      refuses("[1, 2]", T.DevVarStringArray, /element 0: 1 is not a DevString/);
    });
  });

  it("reads DevVarLongStringArray and DevVarDoubleStringArray from JSON objects", () => {
    expect(parseArgin('{"lvalue": [1, 2], "svalue": ["a"]}', T.DevVarLongStringArray)).to.deep.equal({
      lvalue: new Int32Array([1, 2]), svalue: ["a"],
    });
    expect(parseArgin('{"dvalue": [0.5], "svalue": []}', T.DevVarDoubleStringArray)).to.deep.equal({
      dvalue: new Float64Array([0.5]), svalue: [],
    });
    refuses('{"dvalue": [1]}', T.DevVarLongStringArray, /has no key "dvalue"/);
    refuses("1,2", T.DevVarLongStringArray, /wants a JSON object \{"lvalue"/);
    refuses('{"lvalue": 1}', T.DevVarLongStringArray, /"lvalue" must be an array/);
  });
});

describe("parseAttributeValue", () => {
  const scalar = (dataType: CmdArgType) => ({ dataType, dataFormat: AttrDataFormat.SCALAR });

  it("reads scalars as parseArgin does", () => {
    expect(parseAttributeValue("2.5", scalar(T.DevDouble))).to.equal(2.5);
    expect(parseAttributeValue("9007199254740993", scalar(T.DevLong64))).to.equal(9007199254740993n);
  });

  it("reads a DevEnum by label or by index", () => {
    const shape = { dataType: T.DevEnum, dataFormat: AttrDataFormat.SCALAR, enumLabels: ["Zero", "One"] };
    expect(parseAttributeValue("one", shape)).to.equal(1);
    expect(parseAttributeValue("0", shape)).to.equal(0);
    expect(() => parseAttributeValue("Two", shape)).to.throw(ValueTextError, /one of Zero, One, or an index/);
  });

  it("ignores the empty label list of a plain integer attribute", () => {
    const shape = { dataType: T.DevLong, dataFormat: AttrDataFormat.SPECTRUM, enumLabels: [] };
    expect(() => parseAttributeValue("1,x", shape)).to.throw(ValueTextError, /^element 1: "x" is not a DevLong \(an integer, decimal or 0x hex\)$/);
  });

  it("reads a spectrum as the sequence of its element type", () => {
    const shape = { dataType: T.DevLong64, dataFormat: AttrDataFormat.SPECTRUM };
    expect(parseAttributeValue("1,9007199254740993", shape)).to.deep.equal(new BigInt64Array([1n, 9007199254740993n]));
  });

  it("reads an image as rows of plain arrays, checked per element", () => {
    const shape = { dataType: T.DevDouble, dataFormat: AttrDataFormat.IMAGE };
    expect(parseAttributeValue("[[1, 2], [3, 4]]", shape)).to.deep.equal([[1, 2], [3, 4]]);
    expect(parseAttributeValue("[]", shape)).to.deep.equal([]);
    expect(() => parseAttributeValue("[[1, 2], [3]]", shape)).to.throw(ValueTextError, /image row 1 has 1 elements, row 0 has 2/);
    expect(() => parseAttributeValue("1,2", shape)).to.throw(ValueTextError, /JSON array of rows/);
    expect(() => parseAttributeValue("[1, 2]", shape)).to.throw(ValueTextError, /JSON array of rows/);
    expect(() => parseAttributeValue('[[1, "x"]]', shape)).to.throw(ValueTextError, /image row 0: element 1: "x" is not a DevDouble/);
  });
});
