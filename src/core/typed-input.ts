import { CmdArgType, arrayTypeOf } from "./cmd-arg-type.js";
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

/**
 * The argin of a command, in its declared type. A DevVoid command ignores any argin, as cppTango
 * runs it without extracting one. Throws DevFailed API_IncompatibleCmdArgumentType.
 */
export function commandArgin(info: CommandInfo, argin: unknown): TypedValue {
  if (info.inType === CmdArgType.DevVoid) return { type: CmdArgType.DevVoid, value: undefined };
  try {
    return { type: info.inType, value: coerce(info.inType, argin) };
  } catch (err) {
    throw rethrow(err, () => TangoErrors.incompatibleCmdArgumentType(info.inType));
  }
}

/**
 * The error of a written value that does not fit attribute `name` of type `dataType`, as the
 * server's check_written_value gives it (spec §6.7): outside the type's range is outside its
 * limits (API_WAttrOutsideLimit, cppTango's texts), any other misfit an incompatible type. The
 * client and the REST sidecar give the same error as the server, without a round trip.
 */
export function writtenValueError(name: string, dataType: CmdArgType, err: ValueCoercionError): DevFailed {
  if (err.side === "below") return TangoErrors.wattrBelowMin(name, err.index);
  if (err.side === "above") return TangoErrors.wattrAboveMax(name, err.index);
  if (err.side === "notFinite") return TangoErrors.wattrNaN(name, err.index);
  return TangoErrors.incompatibleAttrDataType(dataType);
}

/** A value to write, in the attribute's declared type and shape. Throws DevFailed. */
export function attributeInput(
  config: AttributeConfig, value: unknown, opts?: ImageDims,
): { value: TypedValue; dim?: AttributeDim } {
  const fail = (err: ValueCoercionError): DevFailed => writtenValueError(config.name, config.dataType, err);
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
    for (const row of rows) {
      if (row.length !== x) throw TangoErrors.attrIncorrectDataNumber(); // rows of unequal lengths
      for (let j = 0; j < row.length; j++) flat.push(row[j]);
    }
    return { flat, dim: { x, y: rows.length } };
  }
  const length = lengthOf(value);
  const x = opts?.dimX ?? length;
  const y = opts?.dimY ?? (x === 0 ? 0 : Math.ceil(length / x));
  if (x * y !== length) {
    throw TangoErrors.attrIncorrectDataNumber();
  }
  return { flat: value, dim: { x, y } };
}

function isRow(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function lengthOf(v: unknown): number {
  return isRow(v) ? v.length : 0;
}

function rethrow(err: unknown, fail: (err: ValueCoercionError) => DevFailed): unknown {
  return err instanceof ValueCoercionError ? fail(err) : err;
}

