import {
  AttrDataFormat, TangoErrors, ValueCoercionError, arrayTypeOf, coerce,
  type AttributeConfig, type AttributeConfigUpdate, type AttributeDim, type CommandInfo, type DevErrorInit, type TypedValue,
  DevFailed,
} from "../core/index.js";
import { ClientErrors } from "./client-errors.js";
import type { WriteOptions } from "./types.js";

/**
 * User values checked and converted to their declared type before sending, so a mistake is
 * reported with the reason the server would give (API_IncompatibleCmdArgumentType,
 * API_IncompatibleAttrDataType) without a round trip, and numeric arrays can travel as bytes.
 */

/** Values to write: `{ name: value }`, or `[name, value]` pairs when the order matters. */
export type AttributeValues = Readonly<Record<string, unknown>> | ReadonlyArray<readonly [string, unknown]>;

/** The argin of a command, in its declared type. Throws DevFailed. */
export function commandArgin(info: CommandInfo, argin: unknown): TypedValue {
  try {
    return { type: info.inType, value: coerce(info.inType, argin) };
  } catch (err) {
    throw rethrow(err, (detail) => TangoErrors.incompatibleCmdArgumentType(info.inType, detail));
  }
}

/** A value to write, in the attribute's declared type and shape. Throws DevFailed. */
export function attributeInput(
  config: AttributeConfig, value: unknown, opts?: Pick<WriteOptions, "dimX" | "dimY">,
): { value: TypedValue; dim?: AttributeDim } {
  const fail = (detail: string): DevFailed => TangoErrors.incompatibleAttrDataType(config.dataType, detail);
  try {
    if (config.dataFormat === AttrDataFormat.SCALAR) {
      return { value: { type: config.dataType, value: coerce(config.dataType, value) } };
    }
    const type = arrayTypeOf(config.dataType);
    if (config.dataFormat === AttrDataFormat.SPECTRUM) return { value: { type, value: coerce(type, value) } };
    const { flat, dim } = imageOf(value, opts);
    return { value: { type, value: coerce(type, flat) }, dim };
  } catch (err) {
    throw rethrow(err, fail);
  }
}

/** An image as a flat row-major array and its dimensions. */
function imageOf(value: unknown, opts?: Pick<WriteOptions, "dimX" | "dimY">): { flat: unknown; dim: AttributeDim } {
  if (Array.isArray(value) && value.length > 0 && value.every(isRow)) {
    const rows = value as ArrayLike<unknown>[];
    const x = rows[0]?.length ?? 0;
    const flat: unknown[] = [];
    for (const [i, row] of rows.entries()) {
      if (row.length !== x) throw new ValueCoercionError("type", `image row ${i} has ${row.length} elements, row 0 has ${x}`);
      for (let j = 0; j < row.length; j++) flat.push(row[j]);
    }
    return { flat, dim: { x, y: rows.length } };
  }
  const length = lengthOf(value);
  const x = opts?.dimX ?? length;
  const y = opts?.dimY ?? (x === 0 ? 0 : Math.ceil(length / x));
  if (x * y !== length) {
    throw new ValueCoercionError("range", `${length} elements do not make an image of ${x} × ${y}`);
  }
  return { flat: value, dim: { x, y } };
}

function isRow(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function lengthOf(v: unknown): number {
  return isRow(v) ? v.length : 0;
}

function rethrow(err: unknown, fail: (detail: string) => DevFailed): unknown {
  return err instanceof ValueCoercionError ? fail(err.message) : err;
}

/** Runs a conversion, adding the client's frame to the DevFailed it throws. */
export function withFrame<T>(fn: () => T, frame: DevErrorInit): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof DevFailed ? err.withFrame(frame) : err;
  }
}

export function entriesOf(values: AttributeValues): ReadonlyArray<readonly [string, unknown]> {
  return isEntryList(values) ? values : Object.entries(values);
}

function isEntryList(values: AttributeValues): values is ReadonlyArray<readonly [string, unknown]> {
  return Array.isArray(values);
}

export function isUpdateList(u: AttributeConfigUpdate | readonly AttributeConfigUpdate[]): u is readonly AttributeConfigUpdate[] {
  return Array.isArray(u);
}

/** Runs a decoding of a reply; a value that does not fit its own type is the server's bug, reported as a DevFailed. */
export function decodingReply<T>(device: string, operation: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof ValueCoercionError ? ClientErrors.malformedReply(device, operation, err.message) : err;
  }
}
