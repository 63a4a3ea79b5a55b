import { expect } from "chai";
import { toJsonLine, toJsonText } from "../../src/cli/json-output.js";

describe("toJsonText", () => {
  it("writes bigint as exact JSON number text", () => {
    expect(toJsonText({ v: 9007199254740993n, w: -(2n ** 63n) })).to.equal(
      '{\n  "v": 9007199254740993,\n  "w": -9223372036854775808\n}\n',
    );
  });

  it("writes typed arrays as arrays on one line, 64-bit ones exactly", () => {
    expect(toJsonText(new Float64Array([1, 2.5]))).to.equal("[1, 2.5]\n");
    expect(toJsonText(new BigInt64Array([9007199254740993n]))).to.equal("[9007199254740993]\n");
    expect(toJsonText(new Uint8Array(0))).to.equal("[]\n");
  });

  it("writes NaN and infinities as strings, which JSON has no numbers for", () => {
    expect(toJsonText([NaN, Infinity, -Infinity])).to.equal('["NaN", "Infinity", "-Infinity"]\n');
  });

  it("leaves out undefined object members and writes undefined elsewhere as null", () => {
    expect(toJsonText({ a: undefined, b: 1 })).to.equal('{\n  "b": 1\n}\n');
    expect(toJsonText(undefined)).to.equal("null\n");
    expect(toJsonText([undefined])).to.equal("[null]\n");
  });

  it("indents nested objects and lists of lists, and parses back with JSON.parse", () => {
    const doc = { rows: [[1, 2], [3, 4]], s: "a\"b", t: true, e: {}, n: null };
    const text = toJsonText(doc);
    expect(text).to.contain('"rows": [\n    [1, 2],\n    [3, 4]\n  ]');
    expect(JSON.parse(text)).to.deep.equal(doc);
  });
});

describe("toJsonLine", () => {
  it("writes one document on one line, values as toJsonText writes them", () => {
    const doc = { v: 9007199254740993n, list: new Float64Array([1, NaN]), nested: { rows: [[1, 2], [3]], s: "a\nb" }, gone: undefined };
    const text = toJsonLine(doc);
    expect(text).to.equal('{"v":9007199254740993,"list":[1,"NaN"],"nested":{"rows":[[1,2],[3]],"s":"a\\nb"}}\n');
    expect(text.indexOf("\n")).to.equal(text.length - 1);
    expect(toJsonLine([])).to.equal("[]\n");
    expect(toJsonLine({})).to.equal("{}\n");
  });
});
