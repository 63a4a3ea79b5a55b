import {
  AttrDataFormat, CmdArgType, ValueCoercionError, arrayTypeOf, coerce, elementTypeOf, typeName,
} from "../core/index.js";
import { JsonNumber, JsonTextError, parseJsonText, type JsonNode } from "./json-text.js";
import { ValueTextError, scalarFromText } from "./scalar-text.js";

export { ValueTextError } from "./scalar-text.js";

/** What `write` knows of an attribute before parsing its value (from its AttributeConfig). */
export interface AttributeShape {
  /** Element type: DevDouble for a double spectrum. */
  readonly dataType: CmdArgType;
  readonly dataFormat: AttrDataFormat;
  /** DevEnum labels, so a value may be written as its label. */
  readonly enumLabels?: readonly string[];
}

/** `coerce` with its message turned into a ValueTextError (range and element checks). */
function checked(type: CmdArgType, value: unknown): unknown {
  try {
    return coerce(type, value);
  } catch (err) {
    if (err instanceof ValueCoercionError) throw new ValueTextError(err.message, { cause: err });
    throw err;
  }
}

function readJson(text: string, type: CmdArgType, form: string): JsonNode {
  try {
    return parseJsonText(text);
  } catch (err) {
    if (!(err instanceof JsonTextError)) throw err;
    throw new ValueTextError(`${typeName(type)} wants ${form}; the text is not valid JSON (${err.message})`, { cause: err });
  }
}

function isObjectNode(node: JsonNode): node is { readonly [key: string]: JsonNode } {
  return node !== null && typeof node === "object" && !Array.isArray(node) && !(node instanceof JsonNumber);
}

/**
 * The elements of a sequence: a JSON array (`[1, 2, 3]`, `["a", "b"]`) or plain comma-separated
 * text (`1,2,3`, elements trimmed). Empty text is the empty sequence.
 */
function sequenceItems(text: string, arrayType: CmdArgType): readonly JsonNode[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    const node = readJson(trimmed, arrayType, "a JSON array [a, b, …] or comma-separated a,b,…");
    if (!Array.isArray(node)) throw new ValueTextError(`${typeName(arrayType)} wants an array`);
    return node as readonly JsonNode[];
  }
  if (trimmed === "") return [];
  if (arrayType === CmdArgType.DevVarEncodedArray) {
    throw new ValueTextError('DevVarEncodedArray wants a JSON array of {"format": "…", "data": "<base64>"}');
  }
  return trimmed.split(",").map((part) => part.trim());
}

function elementsFrom(items: readonly JsonNode[], elementType: CmdArgType, enumLabels?: readonly string[]): unknown[] {
  return items.map((item, i) => {
    try {
      return scalarFromText(item, elementType, enumLabels);
    } catch (err) {
      if (err instanceof ValueTextError) throw new ValueTextError(`element ${i}: ${err.message}`, { cause: err });
      throw err;
    }
  });
}

function parseSequence(text: string, arrayType: CmdArgType, elementType: CmdArgType, enumLabels?: readonly string[]): unknown {
  return checked(arrayType, elementsFrom(sequenceItems(text, arrayType), elementType, enumLabels));
}

/** DevVarLongStringArray `{"lvalue": […], "svalue": […]}` and DevVarDoubleStringArray `{"dvalue": …}`. */
function parseStruct(text: string, type: CmdArgType): unknown {
  const numKey = type === CmdArgType.DevVarLongStringArray ? "lvalue" : "dvalue";
  const numType = numKey === "lvalue" ? CmdArgType.DevLong : CmdArgType.DevDouble;
  const form = `a JSON object {"${numKey}": [numbers…], "svalue": [strings…]}`;
  const node = readJson(text.trim(), type, form);
  if (!isObjectNode(node)) throw new ValueTextError(`${typeName(type)} wants ${form}`);
  const unknownKey = Object.keys(node).find((k) => k !== numKey && k !== "svalue");
  if (unknownKey !== undefined) throw new ValueTextError(`${typeName(type)} has no key "${unknownKey}"; it wants ${form}`);
  const part = (key: string, elementType: CmdArgType): unknown[] => {
    const items = node[key] ?? [];
    if (!Array.isArray(items)) throw new ValueTextError(`${typeName(type)}: "${key}" must be an array`);
    return elementsFrom(items as readonly JsonNode[], elementType);
  };
  return checked(type, { [numKey]: part(numKey, numType), svalue: part("svalue", CmdArgType.DevString) });
}

/** The string a JSON string literal stands for; text that is not one (`"a"b"`) is kept as is. */
function unquoted(text: string): string {
  try {
    const node = parseJsonText(text);
    return typeof node === "string" ? node : text;
  } catch (err) {
    if (err instanceof JsonTextError) return text;
    throw err;
  }
}

/** A scalar from the whole argument: a JSON string literal in quotes is unquoted, other text is as is. */
function parseScalar(text: string, type: CmdArgType, enumLabels?: readonly string[]): unknown {
  let item: JsonNode = text;
  if (type === CmdArgType.DevEncoded) item = readJson(text.trim(), type, 'a JSON object {"format": "…", "data": "<base64>"}');
  else if (/^\s*".*"\s*$/s.test(text)) item = unquoted(text);
  return checked(type, scalarFromText(item, type, enumLabels));
}

/**
 * Parses a command's argin, written on the command line, by the command's declared input type,
 * into the canonical value `commandInout` sends. Throws ValueTextError when it does not fit.
 *
 * @example parseArgin("9007199254740993", CmdArgType.DevLong64) // 9007199254740993n, exact
 * @example parseArgin("1,2,3", CmdArgType.DevVarDoubleArray)   // Float64Array [1, 2, 3]
 */
export function parseArgin(text: string, type: CmdArgType): unknown {
  switch (type) {
    case CmdArgType.DevVoid:
      throw new ValueTextError("DevVoid takes no argin");
    case CmdArgType.DevVarLongStringArray:
    case CmdArgType.DevVarDoubleStringArray:
      return parseStruct(text, type);
    default: {
      const elementType = elementTypeOf(type);
      if (elementType !== undefined) return parseSequence(text, type, elementType);
      return parseScalar(text, type);
    }
  }
}

/**
 * Parses a value to write to an attribute: a scalar as `parseArgin` does, a spectrum as a JSON
 * array or comma-separated list, an image as a JSON array of rows (`[[1, 2], [3, 4]]`, all rows
 * the same length) returned as nested arrays, whose shape gives the image's dimensions.
 */
export function parseAttributeValue(text: string, shape: AttributeShape): unknown {
  const { dataType, dataFormat, enumLabels } = shape;
  if (dataFormat === AttrDataFormat.SCALAR) return parseScalar(text, dataType, enumLabels);
  const arrayType = arrayTypeOf(dataType);
  if (dataFormat === AttrDataFormat.SPECTRUM) return parseSequence(text, arrayType, dataType, enumLabels);
  const form = "a JSON array of rows such as [[1, 2], [3, 4]]";
  const node = readJson(text.trim(), arrayType, form);
  if (!Array.isArray(node) || !node.every((row) => Array.isArray(row))) {
    throw new ValueTextError(`an image of ${typeName(dataType)} wants ${form}`);
  }
  const rows = node as readonly (readonly JsonNode[])[];
  const width = rows[0]?.length ?? 0;
  const ragged = rows.findIndex((row) => row.length !== width);
  if (ragged >= 0) throw new ValueTextError(`image row ${ragged} has ${rows[ragged]?.length} elements, row 0 has ${width}`);
  return rows.map((row, y) => {
    try {
      // Checked as a row of the sequence type, handed over as a plain array: nested arrays carry the shape.
      return Array.from(checked(arrayType, elementsFrom(row, dataType, enumLabels)) as ArrayLike<unknown>);
    } catch (err) {
      if (err instanceof ValueTextError) throw new ValueTextError(`image row ${y}: ${err.message}`, { cause: err });
      throw err;
    }
  });
}
