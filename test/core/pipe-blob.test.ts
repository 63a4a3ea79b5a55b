import { expect } from "chai";
import {
  CmdArgType, DevFailed, DevState, PipeBlobBuilder, Reason, pipeBlob, validatePipeBlob,
} from "../../src/core/index.js";
import type { PipeBlob, PipeElementType } from "../../src/core/index.js";
import { PIPE_BLOB_MAX_DEPTH } from "../../src/core/defaults.js";

function caught(fn: () => unknown): DevFailed {
  try {
    fn();
  } catch (err) {
    if (err instanceof DevFailed) return err;
    throw err;
  }
  throw new Error("expected a DevFailed, nothing was thrown");
}

/** A loose input of each data element type and the canonical value `coerce` makes of it. */
const EVERY_TYPE: readonly [PipeElementType, unknown, unknown][] = [
  [CmdArgType.DevBoolean, true, true],
  [CmdArgType.DevShort, -12, -12],
  [CmdArgType.DevLong, 666, 666],
  [CmdArgType.DevFloat, 0.1, Math.fround(0.1)],
  [CmdArgType.DevDouble, 1.5, 1.5],
  [CmdArgType.DevUShort, 65535, 65535],
  [CmdArgType.DevULong, 4294967295, 4294967295],
  [CmdArgType.DevString, "The string", "The string"],
  [CmdArgType.ConstDevString, "const", "const"],
  [CmdArgType.DevVarCharArray, [1, 255], Uint8Array.from([1, 255])],
  [CmdArgType.DevVarShortArray, [-1, 2], Int16Array.from([-1, 2])],
  [CmdArgType.DevVarLongArray, [1, -2], Int32Array.from([1, -2])],
  [CmdArgType.DevVarFloatArray, [0.1], Float32Array.from([0.1])],
  [CmdArgType.DevVarDoubleArray, [1.23, 4.56], Float64Array.from([1.23, 4.56])],
  [CmdArgType.DevVarUShortArray, [7], Uint16Array.from([7])],
  [CmdArgType.DevVarULongArray, [8], Uint32Array.from([8])],
  [CmdArgType.DevVarStringArray, ["a", "b"], ["a", "b"]],
  [CmdArgType.DevVarLongStringArray, { lvalue: [1], svalue: ["x"] }, { lvalue: Int32Array.from([1]), svalue: ["x"] }],
  [CmdArgType.DevVarDoubleStringArray, { dvalue: [2.5], svalue: ["y"] }, { dvalue: Float64Array.from([2.5]), svalue: ["y"] }],
  [CmdArgType.DevState, DevState.ON, DevState.ON],
  [CmdArgType.DevVarBooleanArray, [true, false], [true, false]],
  [CmdArgType.DevUChar, 200, 200],
  [CmdArgType.DevLong64, 5, 5n],
  [CmdArgType.DevULong64, 2n ** 64n - 1n, 2n ** 64n - 1n],
  [CmdArgType.DevVarLong64Array, [1, -2n], BigInt64Array.from([1n, -2n])],
  [CmdArgType.DevVarULong64Array, [3n], BigUint64Array.from([3n])],
  [CmdArgType.DevEncoded, { format: "raw", data: [1, 2] }, { format: "raw", data: Uint8Array.from([1, 2]) }],
  [CmdArgType.DevEnum, 3, 3],
  [CmdArgType.DevVarStateArray, [DevState.OFF, DevState.FAULT], [DevState.OFF, DevState.FAULT]],
  [CmdArgType.DevVarEncodedArray, [{ format: "f", data: [9] }], [{ format: "f", data: Uint8Array.from([9]) }]],
];

describe("pipe blobs", () => {
  it("carry every Tango data type, each value made canonical as the builder adds it", () => {
    for (const [type, input, canonical] of EVERY_TYPE) {
      const blob = new PipeBlobBuilder("b").add("e", type, input as never).build();
      const expectedType = type === CmdArgType.ConstDevString ? CmdArgType.DevString : type;
      expect(blob.elements[0], CmdArgType[type]).to.deep.equal({ name: "e", value: { type: expectedType, value: canonical } });
      // a blob that arrives (from a client or device code) is made canonical the same way
      const loose: PipeBlob = { name: "b", elements: [{ name: "e", value: { type, value: input } }] };
      expect(validatePipeBlob(loose, "test").elements[0], CmdArgType[type]).to.deep.equal(blob.elements[0]);
    }
  });

  it("infer the type of plain values in a record, and nest records, blobs and builders", () => {
    const blob = pipeBlob("theBlob", {
      s: "hi", b: true, d: 0.5, l64: 7n, ss: ["a"], bs: [false], ds: [1, 2], l64s: [1n],
      i32: Int32Array.of(4), f64: Float64Array.of(2.5), u8: Uint8Array.of(1),
      rec: { x: 1 }, built: pipeBlob("inner").add("n", CmdArgType.DevShort, 12),
      plain: { name: "plainBlob", elements: [{ name: "q", value: { type: CmdArgType.DevLong, value: 1 } }] },
    }).build();
    expect(blob.name).to.equal("theBlob");
    expect(blob.elements.map((e) => [e.name, e.value?.type ?? e.blob?.name])).to.deep.equal([
      ["s", CmdArgType.DevString], ["b", CmdArgType.DevBoolean], ["d", CmdArgType.DevDouble],
      ["l64", CmdArgType.DevLong64], ["ss", CmdArgType.DevVarStringArray], ["bs", CmdArgType.DevVarBooleanArray],
      ["ds", CmdArgType.DevVarDoubleArray], ["l64s", CmdArgType.DevVarLong64Array], ["i32", CmdArgType.DevVarLongArray],
      ["f64", CmdArgType.DevVarDoubleArray], ["u8", CmdArgType.DevVarCharArray],
      ["rec", "rec"], ["built", "inner"], ["plain", "plainBlob"],
    ]);
    expect(blob.elements[6]?.value?.value).to.deep.equal(Float64Array.of(1, 2));
    expect(blob.elements[12]?.blob?.elements[0]).to.deep.equal({ name: "n", value: { type: CmdArgType.DevShort, value: 12 } });
  });

  it("refuse values whose type cannot be inferred, naming the element", () => {
    for (const [v, what] of [[[], "an empty array"], [[1, "a"], "a mixed array"], [null, "null"], [undefined, "undefined"]] as const) {
      const df = caught(() => pipeBlob("b", { e: v as never }));
      expect(df.reason).to.equal(Reason.PipeWrongArg);
      expect(df.desc).to.equal(`Data element e: the type of ${what} cannot be inferred; add it with its type`);
    }
  });

  it("refuse an empty blob, and an empty nested blob, with API_PipeNoDataElement", () => {
    const empty = caught(() => pipeBlob("b").build());
    expect(empty.errors[0]).to.include({
      reason: Reason.PipeNoDataElement, desc: "The blob data element number (or name) not set", origin: "DevicePipeBlob::operator<<",
    });
    const nested: PipeBlob = { name: "b", elements: [{ name: "in", blob: { name: "x", elements: [] } }] };
    expect(caught(() => validatePipeBlob(nested, "Device_5Impl::write_pipe_5")).errors[0]).to.include({
      reason: Reason.PipeNoDataElement, origin: "Device_5Impl::write_pipe_5",
    });
  });

  it("refuse two data elements of one name, any case, with cppTango's list of them", () => {
    const df = caught(() => pipeBlob("b", { x: 1, X: 2, y: 3 }).build());
    expect(df.errors[0]).to.include({
      reason: Reason.PipeDuplicateDEName,
      desc: "Several times the same data element name in provided vector: x",
      origin: "set_data_elt_names",
    });
    // the same name in two different blobs is fine
    expect(() => pipeBlob("b", { x: 1, inner: { x: 2 } }).build()).not.to.throw();
    const deep: PipeBlob = { name: "b", elements: [{ name: "in", blob: { name: "i", elements: [
      { name: "a", value: { type: CmdArgType.DevLong, value: 1 } }, { name: "A", value: { type: CmdArgType.DevLong, value: 1 } },
    ] } }] };
    expect(caught(() => validatePipeBlob(deep, "test")).reason).to.equal(Reason.PipeDuplicateDEName);
  });

  it("refuse unknown type codes, DevVoid, DevPipeBlob and values that do not fit their type", () => {
    const cases: [number, unknown, string][] = [
      [99, 1, "Data element e: Unknown(99) is not a data element type"],
      [CmdArgType.DevVoid, undefined, "Data element e: DevVoid is not a data element type"],
      [CmdArgType.DevPipeBlob, {}, "Data element e: DevPipeBlob (a nested blob is a data element of its own) is not a data element type"],
      [CmdArgType.DATA_TYPE_UNKNOWN, 1, "Data element e: DATA_TYPE_UNKNOWN is not a data element type"],
      [CmdArgType.DevShort, 40000, "Data element e: 40000 is outside the DevShort range [-32768, 32767]"],
      [CmdArgType.DevLong, "1", "Data element e: \"1\" is not a DevLong"],
    ];
    for (const [type, value, desc] of cases) {
      const blob = { name: "b", elements: [{ name: "e", value: { type, value } }] } as unknown as PipeBlob;
      expect(caught(() => validatePipeBlob(blob, "o")).errors[0]).to.include({ reason: Reason.PipeWrongArg, desc, origin: "o" });
    }
    expect(caught(() => pipeBlob("b").add("e", CmdArgType.DevLong, 1.5)).desc).to.equal("Data element e: 1.5 is not an integer");
    const both = { name: "b", elements: [{ name: "e", value: { type: CmdArgType.DevLong, value: 1 }, blob: { name: "x", elements: [] } }] };
    expect(caught(() => validatePipeBlob(both as unknown as PipeBlob, "o")).desc).to.equal(
      "Data element e: exactly one of a typed value or a nested blob");
  });

  it(`accept blobs nested ${PIPE_BLOB_MAX_DEPTH} deep and refuse one more level with API_PipeWrongArg`, () => {
    const nest = (levels: number): PipeBlob => {
      let blob: PipeBlob = { name: `b${levels}`, elements: [{ name: "leaf", value: { type: CmdArgType.DevLong, value: 1 } }] };
      for (let i = levels - 1; i >= 1; i--) blob = { name: `b${i}`, elements: [{ name: "in", blob }] };
      return blob;
    };
    expect(() => validatePipeBlob(nest(PIPE_BLOB_MAX_DEPTH), "o")).not.to.throw();
    const df = caught(() => validatePipeBlob(nest(PIPE_BLOB_MAX_DEPTH + 1), "o"));
    expect(df.errors[0]).to.include({
      reason: Reason.PipeWrongArg, desc: `Blob b${PIPE_BLOB_MAX_DEPTH + 1} is nested deeper than ${PIPE_BLOB_MAX_DEPTH} levels`,
    });
  });

  it("keep the blob name, \"\" by default as in cppTango", () => {
    expect(pipeBlob(undefined, { a: 1 }).build().name).to.equal("");
  });
});
