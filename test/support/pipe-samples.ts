import { CmdArgType as T, DevState, type TypedValue } from "../../src/core/index.js";

/**
 * A canonical value of every type a pipe data element carries (IDL AttrValUnion's), for the pipe
 * tests of the codec and of the client: [element name, value].
 */
export const PIPE_ELEMENT_SAMPLES: ReadonlyArray<readonly [string, TypedValue]> = [
  ["boolean", { type: T.DevBoolean, value: true }],
  ["short", { type: T.DevShort, value: -32768 }],
  ["long", { type: T.DevLong, value: 2147483647 }],
  ["long64", { type: T.DevLong64, value: -(2n ** 63n) }],
  ["float", { type: T.DevFloat, value: Math.fround(1.25) }],
  ["double", { type: T.DevDouble, value: -0.5 }],
  ["uchar", { type: T.DevUChar, value: 255 }],
  ["ushort", { type: T.DevUShort, value: 65535 }],
  ["ulong", { type: T.DevULong, value: 4294967295 }],
  ["ulong64", { type: T.DevULong64, value: 2n ** 64n - 1n }],
  ["string", { type: T.DevString, value: "héllo ☃" }],
  ["state", { type: T.DevState, value: DevState.ALARM }],
  ["encoded", { type: T.DevEncoded, value: { format: "raw", data: Uint8Array.from([0, 1, 255]) } }],
  ["enum", { type: T.DevEnum, value: 3 }],
  ["booleans", { type: T.DevVarBooleanArray, value: [true, false] }],
  ["chars", { type: T.DevVarCharArray, value: Uint8Array.from([0, 255]) }],
  ["shorts", { type: T.DevVarShortArray, value: Int16Array.from([-32768, 32767]) }],
  ["longs", { type: T.DevVarLongArray, value: Int32Array.from([-1, 2147483647]) }],
  ["long64s", { type: T.DevVarLong64Array, value: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) }],
  ["floats", { type: T.DevVarFloatArray, value: Float32Array.from([1.5, -2]) }],
  ["doubles", { type: T.DevVarDoubleArray, value: Float64Array.from([Math.PI, -0]) }],
  ["ushorts", { type: T.DevVarUShortArray, value: Uint16Array.from([0, 65535]) }],
  ["ulongs", { type: T.DevVarULongArray, value: Uint32Array.from([0, 4294967295]) }],
  ["ulong64s", { type: T.DevVarULong64Array, value: BigUint64Array.from([0n, 2n ** 64n - 1n]) }],
  ["strings", { type: T.DevVarStringArray, value: ["a", "", "日本"] }],
  ["states", { type: T.DevVarStateArray, value: [DevState.ON, DevState.FAULT] }],
  ["empty doubles", { type: T.DevVarDoubleArray, value: new Float64Array(0) }],
];
