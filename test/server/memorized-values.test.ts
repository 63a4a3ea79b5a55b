import { expect } from "chai";
import { CmdArgType } from "../../src/core/index.js";
import { formatG, memorizedText, parseMemorized } from "../../src/server/memorized-values.js";

describe("memorized values as __value holds them", () => {
  it("writes floats as C's %.15g, as cppTango's stream of precision 15", () => {
    expect([4.25, 1e-7, 1.5e20, 0.0001, 123456789012345, 1234567890123456, -2.5, 0, Math.fround(0.1)].map((x) => formatG(x)))
      .to.deep.equal(["4.25", "1e-07", "1.5e+20", "0.0001", "123456789012345", "1.23456789012346e+15", "-2.5", "0", "0.100000001490116"]);
  });

  it("writes the reference's strings and reads them back as the attribute's type", () => {
    const cases: Array<[CmdArgType, unknown, string]> = [
      [CmdArgType.DevDouble, 4.25, "4.25"], [CmdArgType.DevDouble, 1e-7, "1e-07"], [CmdArgType.DevString, "hello world", "hello world"],
      [CmdArgType.DevBoolean, true, "true"], [CmdArgType.DevLong, -12, "-12"], [CmdArgType.DevULong64, 18446744073709551615n, "18446744073709551615"],
      [CmdArgType.DevEnum, 2, "2"],
    ];
    for (const [type, value, text] of cases) {
      expect(memorizedText(type, value), CmdArgType[type]).to.equal(text);
      expect(parseMemorized(type, text), CmdArgType[type]).to.deep.equal(value);
    }
    expect(parseMemorized(CmdArgType.DevBoolean, "0")).to.equal(false);
  });

  it("refuses text that does not fit the type", () => {
    expect(() => parseMemorized(CmdArgType.DevBoolean, "maybe")).to.throw(/not a boolean/);
    expect(() => parseMemorized(CmdArgType.DevLong, "abc")).to.throw(/not a number/);
    expect(() => parseMemorized(CmdArgType.DevShort, "70000")).to.throw();
  });
});
