import { expect } from "chai";
import { JsonNumber, JsonTextError, parseJsonText } from "../../src/cli/json-text.js";

describe("parseJsonText", () => {
  it("keeps every number as its source text, so 2^53 + 1 is not rounded", () => {
    const doc = parseJsonText('{"v": [9007199254740993, -1.5e3, 0]}') as { v: JsonNumber[] };
    expect(doc.v.map((n) => n.text)).to.deep.equal(["9007199254740993", "-1.5e3", "0"]);
    expect(doc.v[0]).to.be.instanceOf(JsonNumber);
  });

  it("reads strings with escapes, booleans, null and nested containers", () => {
    expect(parseJsonText(' [ "a\\"b\\u00e9", true, false, null, {"k": []} ] ')).to.deep.equal(
      ['a"bé', true, false, null, { k: [] }],
    );
  });

  it("leaves NaN and the infinities to strings, as --json writes them", () => {
    expect(parseJsonText('["NaN", "-Infinity"]')).to.deep.equal(["NaN", "-Infinity"]);
    expect(() => parseJsonText("[NaN]")).to.throw(JsonTextError);
  });

  it("treats __proto__ as an ordinary key", () => {
    const doc = parseJsonText('{"__proto__": "x"}') as Record<string, unknown>;
    expect(Object.keys(doc)).to.deep.equal(["__proto__"]);
  });

  for (const bad of ["", "[1,", "[1 2]", "{a: 1}", '"open', "01", "1 2", "[1,]", "nul", ".5"]) {
    it(`refuses ${JSON.stringify(bad)} with a JsonTextError saying where`, () => {
      expect(() => parseJsonText(bad)).to.throw(JsonTextError, /position \d+|end of/i);
    });
  }
});
