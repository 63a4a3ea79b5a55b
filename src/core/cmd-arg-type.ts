/**
 * Tango data types: the CmdArgType codes of cppTango `tango_const.h` (spec §4.2). These numbers
 * travel on the wire as `data_type`, `in_type` and `out_type`.
 */
export enum CmdArgType {
  DevVoid = 0,
  DevBoolean = 1,
  DevShort = 2,
  DevLong = 3,
  DevFloat = 4,
  DevDouble = 5,
  DevUShort = 6,
  DevULong = 7,
  DevString = 8,
  DevVarCharArray = 9,
  DevVarShortArray = 10,
  DevVarLongArray = 11,
  DevVarFloatArray = 12,
  DevVarDoubleArray = 13,
  DevVarUShortArray = 14,
  DevVarULongArray = 15,
  DevVarStringArray = 16,
  DevVarLongStringArray = 17,
  DevVarDoubleStringArray = 18,
  DevState = 19,
  ConstDevString = 20,
  DevVarBooleanArray = 21,
  DevUChar = 22,
  DevLong64 = 23,
  DevULong64 = 24,
  DevVarLong64Array = 25,
  DevVarULong64Array = 26,
  DevEncoded = 28,
  DevEnum = 29,
  DevPipeBlob = 30,
  DevVarStateArray = 31,
  DevVarEncodedArray = 32,
  DATA_TYPE_UNKNOWN = 100,
}

// Short aliases so device code reads like PyTango: `@attribute({ dtype: DevDouble })`. One
// declaration each, so that the emitted .d.ts keeps each alias's enum member type (a destructured
// export would type them all as plain CmdArgType for code compiled against dist/).

/** No value: a command without argument or result (`undefined`). */
export const DevVoid = CmdArgType.DevVoid;
/** A boolean. */
export const DevBoolean = CmdArgType.DevBoolean;
/** A 16-bit signed integer, as a `number`. */
export const DevShort = CmdArgType.DevShort;
/** A 32-bit signed integer, as a `number`. */
export const DevLong = CmdArgType.DevLong;
/** A 32-bit float, as a `number`. */
export const DevFloat = CmdArgType.DevFloat;
/** A 64-bit float, as a `number`. */
export const DevDouble = CmdArgType.DevDouble;
/** A 16-bit unsigned integer, as a `number`. */
export const DevUShort = CmdArgType.DevUShort;
/** A 32-bit unsigned integer, as a `number`. */
export const DevULong = CmdArgType.DevULong;
/** A string (UTF-8 on the wire). */
export const DevString = CmdArgType.DevString;
/** An array of bytes: `Uint8Array` (a plain `number[]` is accepted). */
export const DevVarCharArray = CmdArgType.DevVarCharArray;
/** An array of 16-bit signed integers: `Int16Array` (a plain `number[]` is accepted). */
export const DevVarShortArray = CmdArgType.DevVarShortArray;
/** An array of 32-bit signed integers: `Int32Array` (a plain `number[]` is accepted). */
export const DevVarLongArray = CmdArgType.DevVarLongArray;
/** An array of 32-bit floats: `Float32Array` (a plain `number[]` is accepted). */
export const DevVarFloatArray = CmdArgType.DevVarFloatArray;
/** An array of 64-bit floats: `Float64Array` (a plain `number[]` is accepted). */
export const DevVarDoubleArray = CmdArgType.DevVarDoubleArray;
/** An array of 16-bit unsigned integers: `Uint16Array` (a plain `number[]` is accepted). */
export const DevVarUShortArray = CmdArgType.DevVarUShortArray;
/** An array of 32-bit unsigned integers: `Uint32Array` (a plain `number[]` is accepted). */
export const DevVarULongArray = CmdArgType.DevVarULongArray;
/** An array of strings. */
export const DevVarStringArray = CmdArgType.DevVarStringArray;
/** Two independent arrays: `{ lvalue: Int32Array, svalue: string[] }`. */
export const DevVarLongStringArray = CmdArgType.DevVarLongStringArray;
/** Two independent arrays: `{ dvalue: Float64Array, svalue: string[] }`. */
export const DevVarDoubleStringArray = CmdArgType.DevVarDoubleStringArray;
/** A DevState value (CmdArgType.DevState; the enum itself is `DevState`). */
export const DevStateType = CmdArgType.DevState;
/** An array of booleans. */
export const DevVarBooleanArray = CmdArgType.DevVarBooleanArray;
/** An 8-bit unsigned integer, as a `number`. */
export const DevUChar = CmdArgType.DevUChar;
/** A 64-bit signed integer, as a `bigint` (a safe-integer `number` is accepted). */
export const DevLong64 = CmdArgType.DevLong64;
/** A 64-bit unsigned integer, as a `bigint` (a safe-integer `number` is accepted). */
export const DevULong64 = CmdArgType.DevULong64;
/** An array of 64-bit signed integers: `BigInt64Array` (a plain array is accepted). */
export const DevVarLong64Array = CmdArgType.DevVarLong64Array;
/** An array of 64-bit unsigned integers: `BigUint64Array` (a plain array is accepted). */
export const DevVarULong64Array = CmdArgType.DevVarULong64Array;
/** A format name and opaque bytes: `{ format: string, data: Uint8Array }`. */
export const DevEncoded = CmdArgType.DevEncoded;
/** An enumerated value: the index of its label in the attribute's `enumLabels`. */
export const DevEnum = CmdArgType.DevEnum;
/** An array of DevState values. */
export const DevVarStateArray = CmdArgType.DevVarStateArray;
/** An array of DevEncoded values. */
export const DevVarEncodedArray = CmdArgType.DevVarEncodedArray;

/** The scalar types an attribute may have (spec §6.1 item 2). */
export type AttrScalarType =
  | CmdArgType.DevBoolean | CmdArgType.DevShort | CmdArgType.DevLong | CmdArgType.DevLong64
  | CmdArgType.DevFloat | CmdArgType.DevDouble | CmdArgType.DevUChar | CmdArgType.DevUShort
  | CmdArgType.DevULong | CmdArgType.DevULong64 | CmdArgType.DevString | CmdArgType.DevState
  | CmdArgType.DevEncoded | CmdArgType.DevEnum;

/** Numeric array types, with their typed-array element width in bytes (little-endian on the wire). */
export const NUMERIC_ARRAY_ELEMENT_BYTES: Readonly<Partial<Record<CmdArgType, number>>> = {
  [CmdArgType.DevVarCharArray]: 1,
  [CmdArgType.DevVarShortArray]: 2,
  [CmdArgType.DevVarUShortArray]: 2,
  [CmdArgType.DevVarLongArray]: 4,
  [CmdArgType.DevVarULongArray]: 4,
  [CmdArgType.DevVarFloatArray]: 4,
  [CmdArgType.DevVarDoubleArray]: 8,
  [CmdArgType.DevVarLong64Array]: 8,
  [CmdArgType.DevVarULong64Array]: 8,
};

/** The sequence type that carries many elements of a scalar type (attribute spectra and images). */
const ARRAY_OF: Readonly<Partial<Record<CmdArgType, CmdArgType>>> = {
  [CmdArgType.DevBoolean]: CmdArgType.DevVarBooleanArray,
  [CmdArgType.DevShort]: CmdArgType.DevVarShortArray,
  [CmdArgType.DevEnum]: CmdArgType.DevVarShortArray,
  [CmdArgType.DevLong]: CmdArgType.DevVarLongArray,
  [CmdArgType.DevLong64]: CmdArgType.DevVarLong64Array,
  [CmdArgType.DevFloat]: CmdArgType.DevVarFloatArray,
  [CmdArgType.DevDouble]: CmdArgType.DevVarDoubleArray,
  [CmdArgType.DevUChar]: CmdArgType.DevVarCharArray,
  [CmdArgType.DevUShort]: CmdArgType.DevVarUShortArray,
  [CmdArgType.DevULong]: CmdArgType.DevVarULongArray,
  [CmdArgType.DevULong64]: CmdArgType.DevVarULong64Array,
  [CmdArgType.DevString]: CmdArgType.DevVarStringArray,
  [CmdArgType.DevState]: CmdArgType.DevVarStateArray,
  [CmdArgType.DevEncoded]: CmdArgType.DevVarEncodedArray,
};

/** The array type for a scalar type; throws TypeError for a type that has none. */
export function arrayTypeOf(scalar: CmdArgType): CmdArgType {
  const t = ARRAY_OF[scalar];
  if (t === undefined) throw new TypeError(`${typeName(scalar)} has no array form`);
  return t;
}

/** The scalar element type of an array type (DevVarShortArray → DevShort), or undefined. */
export function elementTypeOf(array: CmdArgType): CmdArgType | undefined {
  for (const [scalar, arr] of Object.entries(ARRAY_OF)) {
    if (arr === array && Number(scalar) !== CmdArgType.DevEnum) return Number(scalar) as CmdArgType;
  }
  return undefined;
}

/** Tango's name of a type code (`DevDouble`), `ConstDevString` shown as DevString. */
export function typeName(type: CmdArgType): string {
  if (type === CmdArgType.ConstDevString) return "DevString";
  return CmdArgType[type] ?? `Unknown(${type})`;
}

/** True for the codes this server knows as data types (27 and 30 excluded: unused and pipes). */
export function isKnownType(code: number): code is CmdArgType {
  return code in CmdArgType && code !== CmdArgType.DevPipeBlob && code !== CmdArgType.DATA_TYPE_UNKNOWN;
}

/** Attribute scalar types (spec §6.1 item 2). */
export function isAttrScalarType(type: CmdArgType): type is AttrScalarType {
  return type in ARRAY_OF;
}

/** Numeric scalar types: the ones alarm, warning, min/max and RDS properties apply to. */
export function isNumericType(type: CmdArgType): boolean {
  switch (type) {
    case CmdArgType.DevShort: case CmdArgType.DevLong: case CmdArgType.DevLong64:
    case CmdArgType.DevFloat: case CmdArgType.DevDouble: case CmdArgType.DevUChar:
    case CmdArgType.DevUShort: case CmdArgType.DevULong: case CmdArgType.DevULong64:
    case CmdArgType.DevEnum:
      return true;
    default:
      return false;
  }
}
