import {
  AttrDataFormat, CmdArgType, TangoErrors, ValueCoercionError, arrayTypeOf, attributeInput, commandArgin, elementTypeOf,
  type AttributeConfig, type AttributeWrite, type CommandInfo, type DevFailed, type TypedValue,
} from "../core/index.js";
import { jsonToValueInput, parseJsonBody } from "./json-value.js";
import { HttpProblem, HttpReason } from "./rest-errors.js";

/*
 * What a client sends to the device routes, turned into a value of the declared type: a write's
 * AttributeWrite, a command's argin. A value of the wrong type fails with Tango's reason
 * (API_IncompatibleAttrDataType, API_IncompatibleCmdArgumentType), like a client would see it.
 */

/** A value as sent: a JSON body, or text (the `v` query parameter, a text/plain body). */
export type ValueSource =
  | { readonly kind: "json"; readonly json: unknown }
  | { readonly kind: "text"; readonly text: string };

const ORIGIN = "HTTP sidecar (device routes)";
/** A JSON number, true, false or null: what text parses into; anything else stays a string. */
const JSON_SCALAR = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)$/;

function parseJsonText(text: string): unknown {
  try {
    return parseJsonBody(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new HttpProblem(400, HttpReason.BadRequest, `The value ${JSON.stringify(text)} is not valid JSON: ${message}`, ORIGIN);
  }
}

function textScalar(text: string, type: CmdArgType): unknown {
  if (type === CmdArgType.DevString || type === CmdArgType.ConstDevString) return text;
  const t = text.trim();
  return JSON_SCALAR.test(t) ? parseJsonBody(t) : t;
}

/**
 * Text as the Tango REST API takes it in `?v=`: a scalar as itself (numbers and true/false
 * parsed, "NaN" or a DevState or DevEnum name left for the type to read), a sequence as
 * comma-separated elements or a JSON array, a structure or an image as JSON. `type` is the
 * element type of a sequence. Empty text is no value, except for a string.
 */
function textToJson(text: string, type: CmdArgType, isSequence: boolean): unknown {
  if (!isSequence && (type === CmdArgType.DevString || type === CmdArgType.ConstDevString)) return text;
  const t = text.trim();
  if (t.startsWith("[") || t.startsWith("{")) return parseJsonText(t);
  if (t === "") return isSequence ? [] : undefined;
  return isSequence ? text.split(",").map((part) => textScalar(part, type)) : textScalar(t, type);
}

/** Runs `make`, turning a ValueCoercionError of the JSON's shape into the DevFailed of `fail`. */
function shaped<T>(make: () => T, fail: (detail: string) => DevFailed): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof ValueCoercionError) throw fail(err.message);
    throw err;
  }
}

/** Tango REST's image value `{data, width, height}`. */
function isImageObject(v: unknown): v is { data: unknown; width?: unknown; height?: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "data" in v;
}

/** DevEnum labels to their values, in scalars, sequences, rows and `{data}`; numbers pass. */
function enumValues(json: unknown, config: AttributeConfig): unknown {
  if (typeof json === "string") {
    const index = config.enumLabels.indexOf(json);
    if (index < 0) {
      throw TangoErrors.incompatibleAttrDataType(CmdArgType.DevEnum,
        `${JSON.stringify(json)} is not a label of attribute ${config.name} (labels: ${config.enumLabels.join(", ")})`);
    }
    return index;
  }
  if (Array.isArray(json)) return json.map((x: unknown) => enumValues(x, config));
  if (isImageObject(json)) return { ...json, data: enumValues(json.data, config) };
  return json;
}

const IMAGE_KEYS: readonly string[] = ["data", "width", "height"];

/** An image object's `width` and `height`: absent, or whole numbers; no other key than these and `data`. */
function imageDimsOf(image: { data: unknown; width?: unknown; height?: unknown }): { dimX?: number; dimY?: number } {
  const unknown = Object.keys(image).filter((k) => !IMAGE_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new ValueCoercionError("type", `an image is {"data", "width", "height"}: ${unknown.map((k) => `"${k}" is not one of its keys`).join(", ")}`);
  }
  const dim = (key: "width" | "height"): number | undefined => {
    const v = image[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new ValueCoercionError("type", `the image's "${key}" must be a whole number, not ${JSON.stringify(v)}`);
    }
    return v;
  };
  return { dimX: dim("width"), dimY: dim("height") };
}

/**
 * The write of `source` to the attribute `config` describes, in its declared type and shape. An
 * image is `{data, width, height}` (as reads show it), an array of rows, or one flat row.
 * Throws DevFailed API_IncompatibleAttrDataType, or HttpProblem 400 for text that is not JSON.
 */
export function attributeWriteOf(config: AttributeConfig, source: ValueSource): AttributeWrite {
  return shaped(() => attributeWriteOfJson(config, source), (detail) => TangoErrors.incompatibleAttrDataType(config.dataType, detail));
}

function attributeWriteOfJson(config: AttributeConfig, source: ValueSource): AttributeWrite {
  const { name, dataType: type, dataFormat: format } = config;
  let json = source.kind === "json" ? source.json : textToJson(source.text, type, format !== AttrDataFormat.SCALAR);
  if (type === CmdArgType.DevEnum) json = enumValues(json, config);
  if (format === AttrDataFormat.SCALAR) return { name, ...attributeInput(config, jsonToValueInput(json, type)) };
  const arrayType = arrayTypeOf(type);
  if (format === AttrDataFormat.IMAGE && isImageObject(json)) {
    const dims = imageDimsOf(json);
    return { name, ...attributeInput(config, jsonToValueInput(json.data, arrayType), dims) };
  }
  if (format === AttrDataFormat.IMAGE && Array.isArray(json) && json.length > 0 && json.every((row) => Array.isArray(row))) {
    return { name, ...attributeInput(config, json.map((row: unknown) => jsonToValueInput(row, arrayType))) };
  }
  return { name, ...attributeInput(config, jsonToValueInput(json, arrayType)) };
}

/**
 * The argin of the command `info` describes, from `source` (undefined: no body, right for
 * DevVoid). Throws DevFailed API_IncompatibleCmdArgumentType, or HttpProblem 400.
 */
export function commandArginOf(info: CommandInfo, source: ValueSource | undefined): TypedValue {
  const element = elementTypeOf(info.inType);
  let json: unknown;
  if (source?.kind === "json") json = source.json;
  else if (source?.kind === "text") json = textToJson(source.text, element ?? info.inType, element !== undefined);
  const input = shaped(() => jsonToValueInput(json, info.inType), (detail) => TangoErrors.incompatibleCmdArgumentType(info.inType, detail));
  return commandArgin(info, input);
}
