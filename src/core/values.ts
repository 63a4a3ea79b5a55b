import { CmdArgType } from "./cmd-arg-type.js";
import type { DevState } from "./enums.js";

/** DevEncoded: a format name and opaque bytes (spec §4.1 item 4). */
export interface DevEncoded {
  /** What the bytes hold, e.g. `"jpeg"` or `"json"`. */
  readonly format: string;
  /** The payload. */
  readonly data: Uint8Array;
}

/** DevVarLongStringArray: two independent sequences (lengths need not match). */
export interface DevVarLongStringArray {
  /** The 32-bit integers. */
  readonly lvalue: Int32Array;
  /** The strings. */
  readonly svalue: readonly string[];
}

/** DevVarDoubleStringArray: two independent sequences (lengths need not match). */
export interface DevVarDoubleStringArray {
  /** The doubles. */
  readonly dvalue: Float64Array;
  /** The strings. */
  readonly svalue: readonly string[];
}

/**
 * The canonical in-process value of each Tango type. 64-bit integers are `bigint`, numeric
 * sequences are typed arrays (what the bytes encoding maps onto without copying).
 */
export interface ValueMap {
  [CmdArgType.DevVoid]: undefined;
  [CmdArgType.DevBoolean]: boolean;
  [CmdArgType.DevShort]: number;
  [CmdArgType.DevLong]: number;
  [CmdArgType.DevFloat]: number;
  [CmdArgType.DevDouble]: number;
  [CmdArgType.DevUShort]: number;
  [CmdArgType.DevULong]: number;
  [CmdArgType.DevString]: string;
  [CmdArgType.ConstDevString]: string;
  [CmdArgType.DevVarCharArray]: Uint8Array;
  [CmdArgType.DevVarShortArray]: Int16Array;
  [CmdArgType.DevVarLongArray]: Int32Array;
  [CmdArgType.DevVarFloatArray]: Float32Array;
  [CmdArgType.DevVarDoubleArray]: Float64Array;
  [CmdArgType.DevVarUShortArray]: Uint16Array;
  [CmdArgType.DevVarULongArray]: Uint32Array;
  [CmdArgType.DevVarStringArray]: readonly string[];
  [CmdArgType.DevVarLongStringArray]: DevVarLongStringArray;
  [CmdArgType.DevVarDoubleStringArray]: DevVarDoubleStringArray;
  [CmdArgType.DevState]: DevState;
  [CmdArgType.DevVarBooleanArray]: readonly boolean[];
  [CmdArgType.DevUChar]: number;
  [CmdArgType.DevLong64]: bigint;
  [CmdArgType.DevULong64]: bigint;
  [CmdArgType.DevVarLong64Array]: BigInt64Array;
  [CmdArgType.DevVarULong64Array]: BigUint64Array;
  [CmdArgType.DevEncoded]: DevEncoded;
  [CmdArgType.DevEnum]: number;
  [CmdArgType.DevVarStateArray]: readonly DevState[];
  [CmdArgType.DevVarEncodedArray]: readonly DevEncoded[];
}

/** The canonical value of type `T`. */
export type ValueOf<T extends CmdArgType> = T extends keyof ValueMap ? ValueMap[T] : unknown;

/**
 * What device code may hand over for type `T`: the canonical form, or a looser one that
 * `coerce` converts (plain arrays for typed arrays, numbers for safe 64-bit integers).
 */
export interface InputMap extends Omit<ValueMap,
  | CmdArgType.DevVarCharArray | CmdArgType.DevVarShortArray | CmdArgType.DevVarLongArray
  | CmdArgType.DevVarFloatArray | CmdArgType.DevVarDoubleArray | CmdArgType.DevVarUShortArray
  | CmdArgType.DevVarULongArray | CmdArgType.DevVarLong64Array | CmdArgType.DevVarULong64Array
  | CmdArgType.DevLong64 | CmdArgType.DevULong64 | CmdArgType.DevEncoded
  | CmdArgType.DevVarLongStringArray | CmdArgType.DevVarDoubleStringArray | CmdArgType.DevVarEncodedArray> {
  [CmdArgType.DevVarCharArray]: Uint8Array | readonly number[];
  [CmdArgType.DevVarShortArray]: Int16Array | readonly number[];
  [CmdArgType.DevVarLongArray]: Int32Array | readonly number[];
  [CmdArgType.DevVarFloatArray]: Float32Array | readonly number[];
  [CmdArgType.DevVarDoubleArray]: Float64Array | readonly number[];
  [CmdArgType.DevVarUShortArray]: Uint16Array | readonly number[];
  [CmdArgType.DevVarULongArray]: Uint32Array | readonly number[];
  [CmdArgType.DevVarLong64Array]: BigInt64Array | readonly (bigint | number)[];
  [CmdArgType.DevVarULong64Array]: BigUint64Array | readonly (bigint | number)[];
  [CmdArgType.DevLong64]: bigint | number;
  [CmdArgType.DevULong64]: bigint | number;
  [CmdArgType.DevEncoded]: { readonly format: string; readonly data: Uint8Array | readonly number[] };
  [CmdArgType.DevVarLongStringArray]: { readonly lvalue: Int32Array | readonly number[]; readonly svalue: readonly string[] };
  [CmdArgType.DevVarDoubleStringArray]: { readonly dvalue: Float64Array | readonly number[]; readonly svalue: readonly string[] };
  [CmdArgType.DevVarEncodedArray]: readonly { readonly format: string; readonly data: Uint8Array | readonly number[] }[];
}

/** What device code may hand over for type `T`. */
export type InputOf<T extends CmdArgType> = T extends keyof InputMap ? InputMap[T] : unknown;

/** A value together with its type code: what travels between the adapters and the server. */
export interface TypedValue {
  /** The Tango type code, e.g. CmdArgType.DevVarDoubleArray. */
  readonly type: CmdArgType;
  /** The value in the canonical form of `type` (see ValueOf: a Float64Array for DevVarDoubleArray). */
  readonly value: unknown;
}
