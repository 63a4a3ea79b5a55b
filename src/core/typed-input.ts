import { arrayTypeOf } from "./cmd-arg-type.js";
import { AttrDataFormat } from "./enums.js";
import { coerce, ValueCoercionError } from "./coerce.js";
import { DevFailed } from "./dev-failed.js";
import { TangoErrors } from "./errors.js";
import type { AttributeConfig, AttributeDim, CommandInfo } from "./idl.js";
import type { TypedValue } from "./values.js";

/*
 * User values checked and converted to their declared type: by the client before sending, so a
 * mistake is reported with the reason the server would give without a round trip, and by the
 * HTTP sidecar for JSON input. Pure.
 */

/** Image dimensions of a flat value; nested rows carry their own. */
export interface ImageDims {
  readonly dimX?: number;
  readonly dimY?: number;
}

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
  config: AttributeConfig, value: unknown, opts?: ImageDims,
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
function imageOf(value: unknown, opts?: ImageDims): { flat: unknown; dim: AttributeDim } {
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

