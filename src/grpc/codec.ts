import {
  CmdArgType, ValueCoercionError, coerce, isKnownType, typeName, type DevEncodedValue, type TypedValue,
} from "../core/index.js";
import {
  ArrayEncoding, int64ToBigInt, type WireEncoded, type WireInt64, type WireValue, type WireValueField,
} from "./wire-types.js";

/**
 * tango.v1.Value ⇄ core TypedValue. Pure: no I/O, no proto loading; shared by the server adapter
 * and the client.
 *
 * Byte order: `raw` blocks are little-endian and are mapped onto typed arrays in host order, so
 * this codec assumes a little-endian host (x86-64, arm64; Node on s390x is not supported).
 */

type NumericArray =
  | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array
  | BigInt64Array | BigUint64Array;

interface NumericArrayCtor {
  readonly BYTES_PER_ELEMENT: number;
  new (length: number): NumericArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray;
}

/** Numeric array types: their typed array and the packed oneof member that carries them. */
const NUMERIC: Readonly<Partial<Record<CmdArgType, readonly [NumericArrayCtor, WireValueField]>>> = {
  [CmdArgType.DevVarCharArray]: [Uint8Array, "uint_array"],
  [CmdArgType.DevVarShortArray]: [Int16Array, "int_array"],
  [CmdArgType.DevVarUShortArray]: [Uint16Array, "uint_array"],
  [CmdArgType.DevVarLongArray]: [Int32Array, "int_array"],
  [CmdArgType.DevVarULongArray]: [Uint32Array, "uint_array"],
  [CmdArgType.DevVarFloatArray]: [Float32Array, "float_array"],
  [CmdArgType.DevVarDoubleArray]: [Float64Array, "double_array"],
  [CmdArgType.DevVarLong64Array]: [BigInt64Array, "long64_array"],
  [CmdArgType.DevVarULong64Array]: [BigUint64Array, "ulong64_array"],
};

/** The types each oneof member may carry (proto comments on tango.v1.Value). */
const TYPES_OF_FIELD: Readonly<Record<WireValueField, ReadonlySet<CmdArgType>>> = {
  boolean_value: new Set([CmdArgType.DevBoolean]),
  int_value: new Set([CmdArgType.DevShort, CmdArgType.DevLong, CmdArgType.DevEnum]),
  uint_value: new Set([CmdArgType.DevUChar, CmdArgType.DevUShort, CmdArgType.DevULong]),
  long64_value: new Set([CmdArgType.DevLong64]),
  ulong64_value: new Set([CmdArgType.DevULong64]),
  float_value: new Set([CmdArgType.DevFloat]),
  double_value: new Set([CmdArgType.DevDouble]),
  string_value: new Set([CmdArgType.DevString, CmdArgType.ConstDevString]),
  state_value: new Set([CmdArgType.DevState]),
  encoded_value: new Set([CmdArgType.DevEncoded]),
  boolean_array: new Set([CmdArgType.DevVarBooleanArray]),
  int_array: new Set([CmdArgType.DevVarShortArray, CmdArgType.DevVarLongArray]),
  uint_array: new Set([CmdArgType.DevVarCharArray, CmdArgType.DevVarUShortArray, CmdArgType.DevVarULongArray]),
  long64_array: new Set([CmdArgType.DevVarLong64Array]),
  ulong64_array: new Set([CmdArgType.DevVarULong64Array]),
  float_array: new Set([CmdArgType.DevVarFloatArray]),
  double_array: new Set([CmdArgType.DevVarDoubleArray]),
  string_array: new Set([CmdArgType.DevVarStringArray]),
  state_array: new Set([CmdArgType.DevVarStateArray]),
  encoded_array: new Set([CmdArgType.DevVarEncodedArray]),
  long_string_array: new Set([CmdArgType.DevVarLongStringArray]),
  double_string_array: new Set([CmdArgType.DevVarDoubleStringArray]),
  raw: new Set(Object.keys(NUMERIC).map(Number) as CmdArgType[]),
};

/**
 * Below this size a `raw` block is copied even when aligned: a view would keep grpc-js's shared
 * 8 KiB allocation pool slab alive for as long as the device keeps the array. Senders align
 * blocks from this size on (aligned-raw.ts).
 *
 * @internal
 */
export const RAW_VIEW_MIN_BYTES = 4096;

const VOID: TypedValue = Object.freeze({ type: CmdArgType.DevVoid, value: undefined });

/**
 * Decodes a wire Value. The result is ready for core `coerce`: `coerce(type, value)` gives the
 * canonical form, and is a no-op (no copy) where this already is canonical.
 *
 * - `type` set: the oneof member must be one that carries it, else ValueCoercionError("type").
 *   Exact fits come back canonical (`double_array` → Float64Array, `raw` → a typed array of the
 *   type, `long64_value` → bigint); narrowing ones (`int_array` for DevVarShortArray) come back
 *   as the plain decoded array, so that `coerce` range-checks each element.
 * - `type` DevVoid with a member set: an untyped value, returned as `{type: DevVoid, value}`
 *   with the member's natural JS form (number[] for packed arrays, bigint for 64-bit); the server
 *   coerces it to the declared type. A `raw` block needs a type, so it is refused here.
 * - Nothing set (or no Value at all): `{type: DevVoid, value: undefined}`.
 *
 * Throws ValueCoercionError for an unknown type code, a type/member mismatch, a typed Value with
 * no data, or a `raw` length that is not a multiple of the element size.
 */
export function decodeValue(v: WireValue | null | undefined): TypedValue {
  if (v === null || v === undefined) return VOID;
  const type = v.type;
  const field = v.data;
  if (type === CmdArgType.DevVoid) {
    return field === undefined ? VOID : { type, value: decodeData(type, v, field) };
  }
  if (!isKnownType(type)) throw new ValueCoercionError("type", `unknown data type code ${type}`);
  if (field === undefined) throw new ValueCoercionError("type", `the ${typeName(type)} value carries no data`);
  if (!TYPES_OF_FIELD[field].has(type)) {
    throw new ValueCoercionError("type", `a ${typeName(type)} cannot travel in ${field}`);
  }
  return { type, value: decodeData(type, v, field) };
}

function decodeData(type: CmdArgType, v: WireValue, field: WireValueField): unknown {
  switch (field) {
    case "long64_value": return int64ToBigInt(v.long64_value ?? 0);
    case "ulong64_value": return int64ToBigInt(v.ulong64_value ?? 0);
    case "encoded_value": return decodeEncoded(v.encoded_value);
    case "int_array": {
      const values = v.int_array?.values ?? [];
      if (type === CmdArgType.DevVarLongArray) return values instanceof Int32Array ? values : Int32Array.from(values);
      return type === CmdArgType.DevVarShortArray ? narrowed(values, Int16Array, -0x8000, 0x7fff) : values;
    }
    case "uint_array": {
      const values = v.uint_array?.values ?? [];
      if (type === CmdArgType.DevVarULongArray) return values instanceof Uint32Array ? values : Uint32Array.from(values);
      if (type === CmdArgType.DevVarCharArray) return narrowed(values, Uint8Array, 0, 0xff);
      return type === CmdArgType.DevVarUShortArray ? narrowed(values, Uint16Array, 0, 0xffff) : values;
    }
    case "float_array": {
      const values = v.float_array?.values ?? [];
      return type === CmdArgType.DevVarFloatArray && !(values instanceof Float32Array) ? Float32Array.from(values) : values;
    }
    case "double_array": {
      const values = v.double_array?.values ?? [];
      return type === CmdArgType.DevVarDoubleArray && !(values instanceof Float64Array) ? Float64Array.from(values) : values;
    }
    case "long64_array": {
      const values = v.long64_array?.values ?? [];
      if (values instanceof BigInt64Array) return values;
      return type === CmdArgType.DevVoid ? values.map(toBigInt) : BigInt64Array.from(values, toBigInt);
    }
    case "ulong64_array": {
      const values = v.ulong64_array?.values ?? [];
      if (values instanceof BigUint64Array) return values;
      return type === CmdArgType.DevVoid ? values.map(toBigInt) : BigUint64Array.from(values, toBigInt);
    }
    case "encoded_array": return (v.encoded_array?.values ?? []).map(decodeEncoded);
    case "long_string_array": {
      const s = v.long_string_array;
      return { lvalue: Int32Array.from(s?.lvalue ?? []), svalue: s?.svalue ?? [] };
    }
    case "double_string_array": {
      const s = v.double_string_array;
      return { dvalue: Float64Array.from(s?.dvalue ?? []), svalue: s?.svalue ?? [] };
    }
    case "raw": return decodeRaw(type, v.raw ?? new Uint8Array(0));
    case "boolean_array": case "string_array": case "state_array":
      return v[field]?.values ?? [];
    default:
      return v[field];
  }
}

/**
 * A packed array of a narrower type (DevVarCharArray in `uint_array`) as its typed array, in one
 * native copy when every element fits; otherwise the values as they came, for `coerce` to say
 * which element does not.
 */
function narrowed(values: ArrayLike<number>, Ctor: new (from: ArrayLike<number>) => NumericArray, min: number, max: number): unknown {
  // Decoded in slices straight into its type already (sliced-values.ts).
  if (values instanceof (Ctor as unknown as abstract new () => object)) return values;
  if (values instanceof Uint32Array) {
    // What the fast path decodes: integers already, only the range to check.
    for (let i = 0; i < values.length; i++) if (values[i]! > max) return values;
    return new Ctor(values);
  }
  if (values instanceof Int32Array) {
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (x < min || x > max) return values;
    }
    return new Ctor(values);
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= min && x <= max && Number.isInteger(x))) return values;
  }
  return new Ctor(values);
}

function toBigInt(s: WireInt64): bigint {
  return int64ToBigInt(s);
}

function decodeEncoded(e: WireEncoded | undefined): DevEncodedValue {
  const data = e?.encoded_data ?? new Uint8Array(0);
  // A plain Uint8Array view (not the Buffer subclass): the canonical DevEncoded shape, no copy.
  return { format: e?.encoded_format ?? "", data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function decodeRaw(type: CmdArgType, raw: Uint8Array): NumericArray {
  const spec = NUMERIC[type];
  if (spec === undefined) throw new ValueCoercionError("type", "raw bytes need the array type in `type`");
  const [Ctor] = spec;
  const size = Ctor.BYTES_PER_ELEMENT;
  if (raw.byteLength % size !== 0) {
    throw new ValueCoercionError("type",
      `raw length ${raw.byteLength} is not a multiple of ${size} bytes (${typeName(type)})`);
  }
  const n = raw.byteLength / size;
  // grpc-js hands us a view into the message buffer, usually at an odd offset (DESIGN §8).
  if (raw.byteOffset % size === 0 && raw.byteLength >= RAW_VIEW_MIN_BYTES) return new Ctor(raw.buffer, raw.byteOffset, n);
  const out = new Ctor(n);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(raw);
  return out;
}

/**
 * Encodes a canonical value (core `ValueOf<type>`) as a wire Value. Numeric arrays go packed or,
 * with BYTES, as one `raw` view over the typed array's memory (no copy here; the serializer copies
 * once into the message). 64-bit integers become decimal strings. `data` names the member set,
 * as proto-loader does on decode, so the result also feeds `decodeValue` directly. A numeric
 * array that is not yet a typed array of its type is coerced first. Throws ValueCoercionError
 * for a type that cannot travel (DevPipeBlob, unknown codes).
 */
export function encodeValue(tv: TypedValue, encoding: ArrayEncoding = ArrayEncoding.PACKED): WireValue {
  const { type, value } = tv;
  switch (type) {
    case CmdArgType.DevVoid: return { type };
    case CmdArgType.DevBoolean: return { type, data: "boolean_value", boolean_value: value as boolean };
    case CmdArgType.DevShort: case CmdArgType.DevLong: case CmdArgType.DevEnum:
      return { type, data: "int_value", int_value: value as number };
    case CmdArgType.DevUChar: case CmdArgType.DevUShort: case CmdArgType.DevULong:
      return { type, data: "uint_value", uint_value: value as number };
    case CmdArgType.DevLong64: return { type, data: "long64_value", long64_value: String(value) };
    case CmdArgType.DevULong64: return { type, data: "ulong64_value", ulong64_value: String(value) };
    case CmdArgType.DevFloat: return { type, data: "float_value", float_value: value as number };
    case CmdArgType.DevDouble: return { type, data: "double_value", double_value: value as number };
    case CmdArgType.DevString: case CmdArgType.ConstDevString: return { type, data: "string_value", string_value: value as string };
    case CmdArgType.DevState: return { type, data: "state_value", state_value: value as number };
    case CmdArgType.DevEncoded: return { type, data: "encoded_value", encoded_value: encodeEncoded(value as DevEncodedValue) };
    case CmdArgType.DevVarBooleanArray: return { type, data: "boolean_array", boolean_array: { values: value as boolean[] } };
    case CmdArgType.DevVarStringArray: return { type, data: "string_array", string_array: { values: value as string[] } };
    case CmdArgType.DevVarStateArray: return { type, data: "state_array", state_array: { values: value as number[] } };
    case CmdArgType.DevVarEncodedArray:
      return { type, data: "encoded_array", encoded_array: { values: (value as readonly DevEncodedValue[]).map(encodeEncoded) } };
    case CmdArgType.DevVarLongStringArray: {
      const s = coerce(type, value);
      return { type, data: "long_string_array", long_string_array: { lvalue: Array.from(s.lvalue), svalue: s.svalue as string[] } };
    }
    case CmdArgType.DevVarDoubleStringArray: {
      const s = coerce(type, value);
      return { type, data: "double_string_array", double_string_array: { dvalue: Array.from(s.dvalue), svalue: s.svalue as string[] } };
    }
    default:
      return encodeNumericArray(type, value, encoding);
  }
}

function encodeEncoded(e: DevEncodedValue): WireEncoded {
  return { encoded_format: e.format, encoded_data: e.data };
}

function encodeNumericArray(type: CmdArgType, value: unknown, encoding: ArrayEncoding): WireValue {
  const spec = NUMERIC[type];
  if (spec === undefined) throw new ValueCoercionError("type", `${typeName(type)} cannot travel in a Value`);
  const [Ctor, field] = spec;
  const ta = value instanceof Ctor ? value : (coerce(type, value) as NumericArray);
  if (encoding === ArrayEncoding.BYTES) {
    return { type, data: "raw", raw: new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength) };
  }
  // Every packed array goes as its typed array, written in one go (fast-codec.ts: doubles and
  // floats as blocks, integers as varints straight into the message buffer).
  return { type, data: field, [field]: { values: ta } };
}
