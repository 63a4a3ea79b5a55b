import { expect } from "chai";
import { CmdArgType, DevState, ValueCoercionError, coerce, type TypedValue } from "../../src/core/index.js";
import {
  ArrayEncoding, decodeValue, encodeValue, loadTangoProto, type WireCommandInoutReply, type WireCommandInoutRequest,
  type WireValue,
} from "../../src/grpc/index.js";

const T = CmdArgType;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const UNICODE = "héllo ☃ 日本語 🎉 \u0000 end";
const enc = (format: string, ...bytes: number[]) => ({ format, data: Uint8Array.from(bytes) });

/** Canonical values of every type this protocol carries, edges included. */
const CASES: ReadonlyArray<readonly [string, TypedValue]> = [
  ["DevVoid", { type: T.DevVoid, value: undefined }],
  ["DevBoolean true", { type: T.DevBoolean, value: true }],
  ["DevBoolean false", { type: T.DevBoolean, value: false }],
  ["DevShort min", { type: T.DevShort, value: -32768 }],
  ["DevShort max", { type: T.DevShort, value: 32767 }],
  ["DevLong min", { type: T.DevLong, value: -2147483648 }],
  ["DevLong max", { type: T.DevLong, value: 2147483647 }],
  ["DevFloat", { type: T.DevFloat, value: Math.fround(3.14159) }],
  ["DevFloat NaN", { type: T.DevFloat, value: Number.NaN }],
  ["DevFloat -Inf", { type: T.DevFloat, value: Number.NEGATIVE_INFINITY }],
  ["DevDouble max", { type: T.DevDouble, value: Number.MAX_VALUE }],
  ["DevDouble min subnormal", { type: T.DevDouble, value: -Number.MIN_VALUE }],
  ["DevDouble -0", { type: T.DevDouble, value: -0 }],
  ["DevDouble NaN", { type: T.DevDouble, value: Number.NaN }],
  ["DevDouble +Inf", { type: T.DevDouble, value: Number.POSITIVE_INFINITY }],
  ["DevUShort max", { type: T.DevUShort, value: 65535 }],
  ["DevULong max", { type: T.DevULong, value: 4294967295 }],
  ["DevUChar max", { type: T.DevUChar, value: 255 }],
  ["DevString empty", { type: T.DevString, value: "" }],
  ["DevString non-ASCII", { type: T.DevString, value: UNICODE }],
  ["ConstDevString", { type: T.ConstDevString, value: "const" }],
  ["DevState", { type: T.DevState, value: DevState.ALARM }],
  ["DevLong64 min", { type: T.DevLong64, value: INT64_MIN }],
  ["DevLong64 max", { type: T.DevLong64, value: INT64_MAX }],
  ["DevULong64 max", { type: T.DevULong64, value: UINT64_MAX }],
  ["DevEncoded", { type: T.DevEncoded, value: enc("jpeg", 0, 255, 1, 128) }],
  ["DevEncoded empty", { type: T.DevEncoded, value: enc("") }],
  ["DevEnum", { type: T.DevEnum, value: 3 }],
  ["DevVarCharArray", { type: T.DevVarCharArray, value: Uint8Array.from([0, 1, 255]) }],
  ["DevVarShortArray", { type: T.DevVarShortArray, value: Int16Array.from([-32768, 0, 32767]) }],
  ["DevVarLongArray", { type: T.DevVarLongArray, value: Int32Array.from([-2147483648, 7, 2147483647]) }],
  ["DevVarFloatArray", {
    type: T.DevVarFloatArray,
    value: Float32Array.from([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.1, -0]),
  }],
  ["DevVarDoubleArray", {
    type: T.DevVarDoubleArray,
    value: Float64Array.from([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e308, 5e-324]),
  }],
  ["DevVarDoubleArray empty", { type: T.DevVarDoubleArray, value: new Float64Array(0) }],
  ["DevVarUShortArray", { type: T.DevVarUShortArray, value: Uint16Array.from([0, 65535]) }],
  ["DevVarULongArray", { type: T.DevVarULongArray, value: Uint32Array.from([0, 4294967295]) }],
  ["DevVarLong64Array", { type: T.DevVarLong64Array, value: BigInt64Array.from([INT64_MIN, -1n, 0n, INT64_MAX]) }],
  ["DevVarULong64Array", { type: T.DevVarULong64Array, value: BigUint64Array.from([0n, UINT64_MAX]) }],
  ["DevVarULong64Array empty", { type: T.DevVarULong64Array, value: new BigUint64Array(0) }],
  ["DevVarStringArray", { type: T.DevVarStringArray, value: ["", UNICODE, "x"] }],
  ["DevVarStringArray empty", { type: T.DevVarStringArray, value: [] }],
  ["DevVarBooleanArray", { type: T.DevVarBooleanArray, value: [true, false, true] }],
  ["DevVarStateArray", { type: T.DevVarStateArray, value: [DevState.ON, DevState.UNKNOWN] }],
  ["DevVarEncodedArray", { type: T.DevVarEncodedArray, value: [enc("a", 1), enc("b")] }],
  ["DevVarLongStringArray", {
    type: T.DevVarLongStringArray, value: { lvalue: Int32Array.from([-1, 2]), svalue: ["a", "b", "c"] },
  }],
  ["DevVarDoubleStringArray", {
    type: T.DevVarDoubleStringArray, value: { dvalue: Float64Array.from([Number.NaN]), svalue: [] },
  }],
];

const { deviceService } = loadTangoProto();
const CommandInout = deviceService.CommandInout!;

/** Through real protobuf bytes: as a reply argout, and as a request argin. */
function throughReply(v: WireValue): WireValue | null {
  const bytes = CommandInout.responseSerialize({ argout: v });
  return (CommandInout.responseDeserialize(bytes) as WireCommandInoutReply).argout;
}
function throughRequest(v: WireValue): WireValue | null {
  const bytes = CommandInout.requestSerialize({ device: "a/b/c", command: "X", argin: v });
  return (CommandInout.requestDeserialize(bytes) as WireCommandInoutRequest).argin;
}

function canonical(tv: TypedValue): unknown {
  return coerce(tv.type, tv.value);
}

function expectCoercionError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ValueCoercionError);
    expect((e as Error).message).to.match(pattern);
    return;
  }
  expect.fail("no ValueCoercionError was thrown");
}

describe("grpc codec: Value", () => {
  for (const encoding of [ArrayEncoding.PACKED, ArrayEncoding.BYTES]) {
    describe(`with ${ArrayEncoding[encoding]} arrays`, () => {
      for (const [name, tv] of CASES) {
        it(`round-trips ${name} in memory and through protobuf bytes both ways`, () => {
          const wire = encodeValue(tv, encoding);
          for (const back of [wire, throughReply(wire), throughRequest(wire)]) {
            const decoded = decodeValue(back);
            expect(decoded.type).to.equal(tv.type);
            expect(canonical(decoded)).to.deep.equal(tv.value);
          }
        });
      }
    });
  }

  it("sends numeric arrays as one raw block with BYTES and as packed values with PACKED", () => {
    const tv = { type: T.DevVarShortArray, value: Int16Array.from([1, -2]) };
    expect(encodeValue(tv, ArrayEncoding.BYTES).raw).to.deep.equal(Uint8Array.from([1, 0, 0xfe, 0xff]));
    // Packed arrays stay typed arrays up to the serializer, which writes their varints in one go.
    expect(encodeValue(tv, ArrayEncoding.PACKED).int_array).to.deep.equal({ values: Int16Array.from([1, -2]) });
    expect(encodeValue({ type: T.DevVarLong64Array, value: BigInt64Array.from([INT64_MIN]) }).long64_array)
      .to.deep.equal({ values: BigInt64Array.from([INT64_MIN]) });
  });

  it("encodes a numeric array given as a plain array by coercing it first", () => {
    const wire = encodeValue({ type: T.DevVarFloatArray, value: [1.5, 2] }, ArrayEncoding.BYTES);
    expect(decodeValue(throughReply(wire)).value).to.deep.equal(Float32Array.from([1.5, 2]));
  });

  it("round-trips 1,000,000 doubles through BYTES", () => {
    const value = new Float64Array(1_000_000).map((_, i) => i / 3);
    const back = decodeValue(throughReply(encodeValue({ type: T.DevVarDoubleArray, value }, ArrayEncoding.BYTES)));
    expect(back.value).to.be.instanceOf(Float64Array);
    expect(back.value).to.deep.equal(value);
  });

  it("decodes a misaligned raw block into an aligned copy", () => {
    const block = new Uint8Array(8 * 1024 + 3);
    const raw = block.subarray(3);
    new Uint8Array(Float64Array.from({ length: 1024 }, (_, i) => i - 0.5).buffer).forEach((b, i) => { raw[i] = b; });
    const out = decodeValue({ type: T.DevVarDoubleArray, data: "raw", raw }).value as Float64Array;
    expect(out.byteOffset % 8).to.equal(0);
    expect(out[0]).to.equal(-0.5);
    expect(out[1023]).to.equal(1022.5);
  });

  it("maps a large aligned raw block without copying and copies a small one", () => {
    const large = new Uint8Array(8 * 1024);
    expect((decodeValue({ type: T.DevVarDoubleArray, data: "raw", raw: large }).value as Float64Array).buffer)
      .to.equal(large.buffer);
    const small = new Uint8Array(16);
    expect((decodeValue({ type: T.DevVarDoubleArray, data: "raw", raw: small }).value as Float64Array).buffer)
      .not.to.equal(small.buffer);
  });

  it("refuses a raw block whose length is not a multiple of the element size", () => {
    expectCoercionError(() => decodeValue({ type: T.DevVarDoubleArray, data: "raw", raw: new Uint8Array(12) }),
      /raw length 12 is not a multiple of 8 bytes/);
    expectCoercionError(() => decodeValue({ type: T.DevVarShortArray, data: "raw", raw: new Uint8Array(3) }),
      /not a multiple of 2/);
  });

  it("refuses a raw block without an array type", () => {
    expectCoercionError(() => decodeValue({ type: T.DevVoid, data: "raw", raw: new Uint8Array(8) }), /need the array type/);
    expectCoercionError(() => decodeValue({ type: T.DevDouble, data: "raw", raw: new Uint8Array(8) }), /cannot travel in raw/);
  });

  it("refuses a type carried in the wrong oneof member", () => {
    expectCoercionError(() => decodeValue({ type: T.DevDouble, data: "string_value", string_value: "1.5" }),
      /a DevDouble cannot travel in string_value/);
    expectCoercionError(() => decodeValue({ type: T.DevVarDoubleArray, data: "int_array", int_array: { values: [1] } }),
      /DevVarDoubleArray cannot travel in int_array/);
  });

  it("refuses unknown type codes and a typed Value without data", () => {
    expectCoercionError(() => decodeValue({ type: 27, data: "int_value", int_value: 1 }), /unknown data type code 27/);
    expectCoercionError(() => decodeValue({ type: T.DevPipeBlob, data: "int_value", int_value: 1 }), /unknown data type code 30/);
    expectCoercionError(() => decodeValue({ type: 100, data: "int_value", int_value: 1 }), /unknown data type code 100/);
    expectCoercionError(() => decodeValue({ type: T.DevDouble }), /carries no data/);
    expect(() => encodeValue({ type: T.DevPipeBlob, value: 1 })).to.throw(ValueCoercionError);
  });

  it("reads an absent Value, and DevVoid without data, as DevVoid with no value", () => {
    expect(decodeValue(null)).to.deep.equal({ type: T.DevVoid, value: undefined });
    expect(decodeValue({ type: 0 })).to.deep.equal({ type: T.DevVoid, value: undefined });
  });

  it("leaves an untyped value (type DevVoid) in its member's natural form for the server to coerce", () => {
    const ints = decodeValue(throughRequest({ type: 0, data: "int_array", int_array: { values: [1, 40000] } }));
    expect(ints).to.deep.equal({ type: T.DevVoid, value: [1, 40000] });
    expect(coerce(T.DevVarLongArray, ints.value)).to.deep.equal(Int32Array.from([1, 40000]));
    expect(() => coerce(T.DevVarShortArray, ints.value)).to.throw(ValueCoercionError, /element 1/);

    const big = decodeValue(throughRequest({ type: 0, data: "long64_value", long64_value: "-9223372036854775808" }));
    expect(big).to.deep.equal({ type: T.DevVoid, value: INT64_MIN });
    const longs = decodeValue(throughRequest({ type: 0, data: "ulong64_array", ulong64_array: { values: ["18446744073709551615"] } }));
    expect(coerce(T.DevVarULong64Array, longs.value)).to.deep.equal(BigUint64Array.from([UINT64_MAX]));
    const d = decodeValue(throughRequest({ type: 0, data: "double_value", double_value: 1.1 }));
    expect(coerce(T.DevFloat, d.value)).to.equal(Math.fround(1.1));
  });

  it("leaves narrowing arrays for coerce to range-check", () => {
    const v = decodeValue({ type: T.DevVarShortArray, data: "int_array", int_array: { values: [40000] } });
    expect(() => coerce(v.type, v.value)).to.throw(ValueCoercionError, /outside the DevShort range/);
    const c = decodeValue({ type: T.DevVarCharArray, data: "uint_array", uint_array: { values: [256] } });
    expect(() => coerce(c.type, c.value)).to.throw(ValueCoercionError, /outside the DevUChar range/);
  });
});
