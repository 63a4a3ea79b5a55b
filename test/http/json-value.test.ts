import { expect } from "chai";
import { CmdArgType, DevState, ValueCoercionError } from "../../src/core/index.js";
import { jsonToValue, parseJsonBody, valueToJson } from "../../src/http/json-value.js";

describe("REST JSON values", () => {
  describe("valueToJson", () => {
    it("keeps 64-bit integers as numbers while a double holds them exactly, else as decimal strings", () => {
      expect(valueToJson(42n, CmdArgType.DevLong64)).to.equal(42);
      expect(valueToJson(2n ** 53n - 1n, CmdArgType.DevLong64)).to.equal(2 ** 53 - 1);
      expect(valueToJson(2n ** 53n + 1n, CmdArgType.DevLong64)).to.equal("9007199254740993");
      expect(valueToJson(-(2n ** 63n), CmdArgType.DevLong64)).to.equal("-9223372036854775808");
      expect(valueToJson(BigUint64Array.of(1n, 2n ** 64n - 1n), CmdArgType.DevVarULong64Array)).to.deep.equal([1, "18446744073709551615"]);
    });

    it("turns typed arrays into lists and non-finite doubles into their names", () => {
      expect(valueToJson(Float64Array.of(1.5, Number.NaN, -Infinity, Infinity), CmdArgType.DevVarDoubleArray))
        .to.deep.equal([1.5, "NaN", "-Infinity", "Infinity"]);
      expect(valueToJson(Int16Array.of(-1, 2), CmdArgType.DevVarShortArray)).to.deep.equal([-1, 2]);
      expect(valueToJson(Number.NaN, CmdArgType.DevDouble)).to.equal("NaN");
    });

    it("names states, encodes DevEncoded in base64 and keeps the long/double-string structs", () => {
      expect(valueToJson(DevState.MOVING, CmdArgType.DevState)).to.equal("MOVING");
      expect(valueToJson([DevState.ON, DevState.FAULT], CmdArgType.DevVarStateArray)).to.deep.equal(["ON", "FAULT"]);
      expect(valueToJson({ format: "raw", data: Uint8Array.of(1, 2, 255) }, CmdArgType.DevEncoded)).to.deep.equal({ format: "raw", data: "AQL/" });
      expect(valueToJson({ lvalue: Int32Array.of(1, 2), svalue: ["a"] }, CmdArgType.DevVarLongStringArray))
        .to.deep.equal({ lvalue: [1, 2], svalue: ["a"] });
      expect(valueToJson(undefined, CmdArgType.DevVoid)).to.equal(null);
    });
  });

  describe("jsonToValue", () => {
    it("takes 64-bit integers as numbers, decimal strings or bigints, exactly", () => {
      expect(jsonToValue("9007199254740993", CmdArgType.DevLong64)).to.equal(9007199254740993n);
      expect(jsonToValue(12, CmdArgType.DevULong64)).to.equal(12n);
      expect(jsonToValue(2n ** 64n - 1n, CmdArgType.DevULong64)).to.equal(2n ** 64n - 1n);
      expect(jsonToValue(["-9223372036854775808", 3], CmdArgType.DevVarLong64Array)).to.deep.equal(BigInt64Array.of(-(2n ** 63n), 3n));
    });

    it("rejects what does not fit the type, naming the problem", () => {
      expect(() => jsonToValue("12x", CmdArgType.DevLong64)).to.throw(ValueCoercionError, /not a DevLong64/);
      expect(() => jsonToValue("18446744073709551616", CmdArgType.DevULong64)).to.throw(ValueCoercionError, /outside the DevULong64 range/);
      expect(() => jsonToValue(9007199254740993n, CmdArgType.DevLong)).to.throw(ValueCoercionError, /outside the DevLong range/);
      expect(() => jsonToValue("1.5", CmdArgType.DevDouble)).to.throw(ValueCoercionError, /not a DevDouble/);
      expect(() => jsonToValue([1, "a"], CmdArgType.DevVarDoubleArray)).to.throw(ValueCoercionError, /element 1/);
    });

    it("holds structured values to their exact keys: both lvalue/dvalue and svalue, DevEncoded's format and data", () => {
      expect(() => jsonToValue({}, CmdArgType.DevVarLongStringArray)).to.throw(ValueCoercionError, /"lvalue" is missing, "svalue" is missing/);
      expect(() => jsonToValue({ lvalue: [1] }, CmdArgType.DevVarLongStringArray)).to.throw(ValueCoercionError, /"svalue" is missing/);
      expect(() => jsonToValue({ svalue: [] }, CmdArgType.DevVarDoubleStringArray)).to.throw(ValueCoercionError, /"dvalue" is missing/);
      expect(() => jsonToValue({ lvalue: [], svalue: [], x: 1 }, CmdArgType.DevVarLongStringArray)).to.throw(ValueCoercionError, /"x" is not one of its keys/);
      expect(jsonToValue({ lvalue: [], svalue: [] }, CmdArgType.DevVarLongStringArray)).to.deep.equal({ lvalue: new Int32Array(0), svalue: [] });
      expect(() => jsonToValue({ format: "raw" }, CmdArgType.DevEncoded)).to.throw(ValueCoercionError, /"data" is missing/);
      expect(() => jsonToValue([{ format: "raw", data: "", more: 1 }], CmdArgType.DevVarEncodedArray)).to.throw(ValueCoercionError, /"more"/);
      for (const bad of ["AQL", "AQL/=", "A QL/", "AQL_", "!!!!"]) {
        expect(() => jsonToValue({ format: "raw", data: bad }, CmdArgType.DevEncoded), bad).to.throw(ValueCoercionError, /base64/);
      }
      expect(() => jsonToValue(" 12", CmdArgType.DevLong64)).to.throw(ValueCoercionError, /not a DevLong64/);
    });

    it("takes the spellings valueToJson gives back: NaN names, state names, base64", () => {
      expect(jsonToValue("NaN", CmdArgType.DevDouble)).to.be.NaN;
      expect(jsonToValue(["Infinity", 2], CmdArgType.DevVarDoubleArray)).to.deep.equal(Float64Array.of(Infinity, 2));
      expect(jsonToValue("fault", CmdArgType.DevState)).to.equal(DevState.FAULT);
      expect(jsonToValue(8, CmdArgType.DevState)).to.equal(DevState.FAULT);
      expect(jsonToValue({ format: "raw", data: "AQL/" }, CmdArgType.DevEncoded)).to.deep.equal({ format: "raw", data: Uint8Array.of(1, 2, 255) });
      expect(jsonToValue({ dvalue: ["NaN", 1], svalue: ["x"] }, CmdArgType.DevVarDoubleStringArray))
        .to.deep.equal({ dvalue: Float64Array.of(Number.NaN, 1), svalue: ["x"] });
    });
  });

  describe("parseJsonBody", () => {
    it("keeps integer literals past 2^53 exact as bigint and parses the rest as JSON.parse does", () => {
      expect(parseJsonBody('{"argin": 18446744073709551615, "x": [1.5, 2, "s", null, true]}'))
        .to.deep.equal({ argin: 18446744073709551615n, x: [1.5, 2, "s", null, true] });
      expect(parseJsonBody("9007199254740991")).to.equal(9007199254740991);
    });

    it("throws a SyntaxError on malformed JSON", () => {
      expect(() => parseJsonBody("{")).to.throw(SyntaxError);
    });
  });
});
