import {
  AttrDataFormat, CmdArgType, ValueCoercionError, arrayTypeOf, coerce, isAttrScalarType, typeName,
  type AttributeDim, type AttributeValue, type AttributeWrite, type TypedValue,
} from "../core/index.js";
import { decodeValue, encodeValue } from "./codec.js";
import { decodeDevErrors, encodeDevErrors } from "./error-codec.js";
import {
  ArrayEncoding, int64ToNumber, type WireAttributeDim, type WireAttributeValue, type WireAttributeWrite,
} from "./wire-types.js";

/** Attribute values and writes ⇄ tango.v1.AttributeValue / AttributeWrite. Pure. */

/**
 * The type a Value carries for an attribute: its data type for a scalar, the array form of it for
 * a spectrum or an image (a DevDouble spectrum travels as DevVarDoubleArray). Throws
 * ValueCoercionError for a type that is not an attribute data type.
 */
export function attributeValueType(dataFormat: AttrDataFormat, dataType: CmdArgType): CmdArgType {
  if (!isAttrScalarType(dataType)) {
    throw new ValueCoercionError("type", `${typeName(dataType)} is not an attribute data type`);
  }
  return dataFormat === AttrDataFormat.SCALAR ? dataType : arrayTypeOf(dataType);
}

function encodeDim(d: AttributeDim): WireAttributeDim {
  return { dim_x: d.x, dim_y: d.y };
}

function decodeDim(d: WireAttributeDim | null): AttributeDim {
  return d === null ? { x: 0, y: 0 } : { x: d.dim_x, y: d.dim_y };
}

/**
 * Encodes one attribute as read. `value`/`wValue` absent leave the field unset; `time` travels as
 * TimeVal with `tv_nsec` 0, as in Tango.
 */
export function encodeAttributeValue(av: AttributeValue, encoding: ArrayEncoding = ArrayEncoding.PACKED): WireAttributeValue {
  const hasValue = av.value !== undefined;
  const hasWValue = av.wValue !== undefined;
  const type = hasValue || hasWValue ? attributeValueType(av.dataFormat, av.dataType) : CmdArgType.DevVoid;
  return {
    name: av.name,
    quality: av.quality,
    data_format: av.dataFormat,
    data_type: av.dataType,
    time: { tv_sec: av.time.sec, tv_usec: av.time.usec, tv_nsec: 0 },
    r_dim: encodeDim(av.rDim),
    w_dim: encodeDim(av.wDim),
    value: hasValue ? encodeValue({ type, value: av.value }, encoding) : null,
    w_value: hasWValue ? encodeValue({ type, value: av.wValue }, encoding) : null,
    errors: av.errors === undefined ? [] : encodeDevErrors(av.errors),
  };
}

/** The canonical value of `expected` from a decoded Value whose type, when set, must match. */
function canonicalOf(expected: CmdArgType, tv: TypedValue): unknown {
  const sent = tv.type === CmdArgType.ConstDevString ? CmdArgType.DevString : tv.type;
  if (sent !== CmdArgType.DevVoid && sent !== expected) {
    throw new ValueCoercionError("type", `a ${typeName(sent)} value where ${typeName(expected)} was expected`);
  }
  return coerce(expected, tv.value);
}

/**
 * Decodes one attribute as read (the client side), with canonical values (core `coerce` applied
 * to the type implied by `data_format` and `data_type`). An attribute with errors and no value
 * has `errors` set; `errors` is absent otherwise. Throws ValueCoercionError for a malformed value.
 */
export function decodeAttributeValue(w: WireAttributeValue): AttributeValue {
  const dataFormat = w.data_format as AttrDataFormat;
  const dataType = w.data_type as CmdArgType;
  const hasValue = w.value !== null;
  const hasWValue = w.w_value !== null;
  const type = hasValue || hasWValue ? attributeValueType(dataFormat, dataType) : CmdArgType.DevVoid;
  const time = w.time === null ? { sec: 0, usec: 0 } : { sec: int64ToNumber(w.time.tv_sec), usec: w.time.tv_usec };
  const av: { -readonly [K in keyof AttributeValue]: AttributeValue[K] } = {
    name: w.name,
    quality: w.quality,
    dataFormat,
    dataType,
    time,
    rDim: decodeDim(w.r_dim),
    wDim: decodeDim(w.w_dim),
  };
  if (hasValue) av.value = canonicalOf(type, decodeValue(w.value));
  if (hasWValue) av.wValue = canonicalOf(type, decodeValue(w.w_value));
  if (w.errors.length > 0) av.errors = decodeDevErrors(w.errors);
  return av;
}

/** Encodes one value to write (the client side). */
export function encodeAttributeWrite(aw: AttributeWrite, encoding: ArrayEncoding = ArrayEncoding.PACKED): WireAttributeWrite {
  return {
    name: aw.name,
    value: encodeValue(aw.value, encoding),
    dim: aw.dim === undefined ? null : encodeDim(aw.dim),
  };
}

/**
 * Decodes one value to write, as `decodeValue` does (the value is coerce-ready, its type may be
 * DevVoid when the client left it to the declaration; a missing Value reads as DevVoid). A
 * missing or all-zero `dim` reads as absent. Throws ValueCoercionError for a malformed value.
 */
export function decodeAttributeWrite(w: WireAttributeWrite): AttributeWrite {
  const value = decodeValue(w.value);
  const d = w.dim;
  if (d === null || (d.dim_x === 0 && d.dim_y === 0)) return { name: w.name, value };
  return { name: w.name, value, dim: { x: d.dim_x, y: d.dim_y } };
}
