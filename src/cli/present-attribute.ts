import type { AttributeConfig, DeviceAttribute } from "../client/index.js";
import { AttrDataFormat, AttrQuality, AttrWriteType, DispLevel, typeName } from "../core/index.js";
import { errorFramesJson } from "./error-output.js";
import { enumName, presentAttributeValue, presentTime } from "./present-value.js";

/*
 * Attributes as the client verbs show them (read, config, watch): values ready for display and
 * the `--json` shapes of a read attribute and of a configuration.
 */

/** An attribute's read value made ready for display (see presentAttributeValue). */
export function readValueOf(attr: DeviceAttribute): unknown {
  return presentAttributeValue(attr.value, attr.dataType, attr.dataFormat, attr.dimX, attr.dimY);
}

/** An attribute's set value made ready for display. */
export function writeValueOf(attr: DeviceAttribute): unknown {
  return presentAttributeValue(attr.wValue, attr.dataType, attr.dataFormat, attr.wDimX, attr.wDimY);
}

/**
 * A read attribute as `--json` writes it: `{name, value, wValue, quality, time, dataFormat,
 * dataType, dimX, dimY, wDimX, wDimY}`, or `{name, error: {errors}}` when its read failed.
 */
export function attributeJson(a: DeviceAttribute): Record<string, unknown> {
  if (a.error !== undefined) return { name: a.name, error: { errors: errorFramesJson(a.error.errors) } };
  return {
    name: a.name,
    value: readValueOf(a) ?? null,
    wValue: writeValueOf(a),
    quality: enumName(AttrQuality, a.quality),
    time: presentTime(a.time),
    dataFormat: enumName(AttrDataFormat, a.dataFormat),
    dataType: typeName(a.dataType),
    dimX: a.dimX,
    dimY: a.dimY,
    ...(a.wValue === undefined ? {} : { wDimX: a.wDimX, wDimY: a.wDimY }),
  };
}

/** An AttributeConfig with its enums and type by name, as both outputs show it. */
export function presentConfig(c: AttributeConfig): Record<string, unknown> {
  return {
    ...c,
    writable: enumName(AttrWriteType, c.writable),
    dataFormat: enumName(AttrDataFormat, c.dataFormat),
    dataType: typeName(c.dataType),
    level: enumName(DispLevel, c.level),
  };
}
