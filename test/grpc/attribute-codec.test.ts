import { expect } from "chai";
import {
  AttrDataFormat, AttrQuality, CmdArgType, DevState, ErrSeverity, TangoErrors, ValueCoercionError,
  type AttributeValue, type AttributeWrite,
} from "../../src/core/index.js";
import {
  ArrayEncoding, decodeAttributeValue, decodeAttributeWrite, encodeAttributeValue, encodeAttributeWrite,
  loadTangoProto, type WireReadAttributesReply, type WireWriteAttributesRequest,
} from "../../src/grpc/index.js";

const { deviceService } = loadTangoProto();

function throughReadReply(values: AttributeValue[], encoding: ArrayEncoding): AttributeValue[] {
  const ReadAttributes = deviceService.ReadAttributes!;
  const bytes = ReadAttributes.responseSerialize({ values: values.map((v) => encodeAttributeValue(v, encoding)) });
  return (ReadAttributes.responseDeserialize(bytes) as WireReadAttributesReply).values.map(decodeAttributeValue);
}

function throughWriteRequest(writes: AttributeWrite[], encoding: ArrayEncoding): AttributeWrite[] {
  const WriteAttributes = deviceService.WriteAttributes!;
  const bytes = WriteAttributes.requestSerialize({ device: "a/b/c", values: writes.map((w) => encodeAttributeWrite(w, encoding)) });
  return (WriteAttributes.requestDeserialize(bytes) as WireWriteAttributesRequest).values.map(decodeAttributeWrite);
}

const base = {
  quality: AttrQuality.ATTR_VALID, time: { sec: 1_700_000_123, usec: 456_789 }, wDim: { x: 0, y: 0 },
} as const;

const VALUES: AttributeValue[] = [
  { ...base, name: "double_scalar", dataFormat: AttrDataFormat.SCALAR, dataType: CmdArgType.DevDouble,
    rDim: { x: 1, y: 0 }, wDim: { x: 1, y: 0 }, value: 1.25, wValue: -3 },
  { ...base, name: "long64_scalar", dataFormat: AttrDataFormat.SCALAR, dataType: CmdArgType.DevLong64,
    rDim: { x: 1, y: 0 }, value: -(2n ** 63n) },
  { ...base, name: "State", dataFormat: AttrDataFormat.SCALAR, dataType: CmdArgType.DevState,
    rDim: { x: 1, y: 0 }, value: DevState.FAULT },
  { ...base, name: "enum_spectrum", dataFormat: AttrDataFormat.SPECTRUM, dataType: CmdArgType.DevEnum,
    rDim: { x: 2, y: 0 }, value: Int16Array.from([0, 2]) },
  { ...base, name: "short_image", dataFormat: AttrDataFormat.IMAGE, dataType: CmdArgType.DevShort,
    rDim: { x: 2, y: 2 }, wDim: { x: 2, y: 2 }, value: Int16Array.from([1, 2, 3, -4]), wValue: new Int16Array(4) },
  { ...base, name: "string_spectrum", dataFormat: AttrDataFormat.SPECTRUM, dataType: CmdArgType.DevString,
    rDim: { x: 2, y: 0 }, value: ["a", "ü"] },
  { ...base, name: "ulong64_spectrum", dataFormat: AttrDataFormat.SPECTRUM, dataType: CmdArgType.DevULong64,
    rDim: { x: 1, y: 0 }, value: BigUint64Array.from([2n ** 64n - 1n]) },
  { ...base, name: "invalid", quality: AttrQuality.ATTR_INVALID, dataFormat: AttrDataFormat.SCALAR,
    dataType: CmdArgType.DevDouble, rDim: { x: 0, y: 0 } },
  { ...base, name: "missing", dataFormat: AttrDataFormat.FMT_UNKNOWN, dataType: CmdArgType.DATA_TYPE_UNKNOWN,
    rDim: { x: 0, y: 0 }, errors: TangoErrors.attrNotFound("missing").errors },
];

describe("grpc codec: attribute values and writes", () => {
  for (const encoding of [ArrayEncoding.PACKED, ArrayEncoding.BYTES]) {
    it(`round-trips read values, set values, absent values and errors (${ArrayEncoding[encoding]})`, () => {
      expect(throughReadReply(VALUES, encoding)).to.deep.equal(VALUES);
    });
  }

  it("sends a spectrum as its array type and a scalar as its own type, with tv_nsec 0", () => {
    const [scalar, , , spectrum] = VALUES.map((v) => encodeAttributeValue(v, ArrayEncoding.BYTES));
    expect(scalar?.value).to.deep.include({ type: CmdArgType.DevDouble, double_value: 1.25 });
    expect(scalar?.time).to.deep.equal({ tv_sec: 1_700_000_123, tv_usec: 456_789, tv_nsec: 0 });
    expect(spectrum?.data_type).to.equal(CmdArgType.DevEnum);
    expect(spectrum?.value?.type).to.equal(CmdArgType.DevVarShortArray);
    expect(spectrum?.value?.raw).to.deep.equal(Uint8Array.from([0, 0, 2, 0]));
  });

  it("leaves value and w_value unset when absent", () => {
    const wire = encodeAttributeValue(VALUES[8]!);
    expect(wire.value).to.equal(null);
    expect(wire.w_value).to.equal(null);
    expect(wire.errors[0]).to.deep.equal({
      reason: "API_AttrNotFound", severity: ErrSeverity.ERR, desc: "missing attribute not found",
      origin: "MultiAttribute::get_attr_ind_by_name",
    });
  });

  it("refuses, on the client side, a value whose type does not match the attribute's", () => {
    const wire = encodeAttributeValue(VALUES[0]!);
    wire.value = { type: CmdArgType.DevFloat, data: "float_value", float_value: 1 };
    expect(() => decodeAttributeValue(wire)).to.throw(ValueCoercionError, /DevFloat value where DevDouble/);
  });

  for (const encoding of [ArrayEncoding.PACKED, ArrayEncoding.BYTES]) {
    it(`round-trips writes with and without dimensions (${ArrayEncoding[encoding]})`, () => {
      const writes: AttributeWrite[] = [
        { name: "double_scalar", value: { type: CmdArgType.DevDouble, value: 2.5 } },
        { name: "image", value: { type: CmdArgType.DevVarDoubleArray, value: Float64Array.from([1, 2, 3, 4, 5, 6]) }, dim: { x: 3, y: 2 } },
      ];
      expect(throughWriteRequest(writes, encoding)).to.deep.equal(writes);
    });
  }

  it("reads a write without a value as DevVoid and an all-zero dim as absent", () => {
    expect(decodeAttributeWrite({ name: "x", value: null, dim: { dim_x: 0, dim_y: 0 } }))
      .to.deep.equal({ name: "x", value: { type: CmdArgType.DevVoid, value: undefined } });
  });
});
