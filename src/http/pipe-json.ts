import {
  CmdArgType, PipeErrors, ValueCoercionError, isPipeElementType, typeName, validatePipeBlob, type PipeBlob,
  type PipeDataElement,
} from "../core/index.js";
import { PIPE_BLOB_MAX_DEPTH, PIPE_MAX_DATA_ELEMENTS } from "../core/defaults.js";
import { jsonToValue, typedToJson, type JsonValue } from "./json-value.js";

/*
 * Pipe blobs as JSON, one form for the REST routes and the CLI's read-pipe/write-pipe (--json):
 *   {"name": "b", "elements": [{"name": "x", "type": "DevDouble", "value": 1.5},
 *                              {"name": "in", "blob": {"name": "", "elements": [...]}}]}
 * Types go by their Tango name; values as json-value.ts writes them (64-bit integers as strings
 * when a double cannot hold them, NaN as "NaN", states by name, DevEncoded data in base64).
 * On input the shorter record form is taken too, for values whose type is unambiguous:
 *   {"x": 1.5, "label": "a", "flags": [true, false], "in": {"y": 2}}
 * number → DevDouble, string → DevString, boolean → DevBoolean, an integer too large for a double
 * → DevLong64, a list of one of those → its array type, an object → a nested blob named after
 * its key; the blob itself is then named "". An object is the full form when its keys are
 * `elements` (a list) and at most `name`.
 */

/** One data element as JSON: a typed value, or a nested blob. */
export interface PipeElementJson {
  readonly name: string;
  readonly type?: string;
  readonly value?: JsonValue;
  readonly blob?: PipeBlobJson;
}

/** A pipe blob as JSON. */
export interface PipeBlobJson {
  readonly name: string;
  readonly elements: readonly PipeElementJson[];
}

/** A blob as JSON (its values canonical, as the client and the server hand them over). */
export function pipeBlobToJson(blob: PipeBlob): PipeBlobJson {
  return {
    name: blob.name,
    elements: blob.elements.map((e): PipeElementJson => (e.blob !== undefined
      ? { name: e.name, blob: pipeBlobToJson(e.blob) }
      : { name: e.name, type: typeName(e.value.type), value: typedToJson(e.value) })),
  };
}

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isFullForm(o: JsonObject): boolean {
  const keys = Object.keys(o);
  return Array.isArray(o["elements"]) && keys.every((k) => k === "elements" || k === "name");
}

const INFERRED: Readonly<Record<string, readonly [CmdArgType, CmdArgType]>> = {
  number: [CmdArgType.DevDouble, CmdArgType.DevVarDoubleArray],
  string: [CmdArgType.DevString, CmdArgType.DevVarStringArray],
  boolean: [CmdArgType.DevBoolean, CmdArgType.DevVarBooleanArray],
  bigint: [CmdArgType.DevLong64, CmdArgType.DevVarLong64Array],
};

/** A walk of one JSON tree: where it is, how deep, and the elements seen so far. */
interface Walk {
  readonly origin: string;
  elements: number;
}

function typeOfName(name: unknown, element: string, walk: Walk): CmdArgType {
  const code = typeof name === "string" ? (CmdArgType as unknown as Record<string, unknown>)[name] : name;
  if (typeof code !== "number" || !isPipeElementType(code)) {
    throw PipeErrors.wrongArg(`Data element ${element}: ${JSON.stringify(name) ?? "undefined"} is not a data element type (DevDouble, DevVarLongArray, ...)`, walk.origin);
  }
  return code;
}

function valueOf(element: string, type: CmdArgType, json: unknown, walk: Walk): PipeDataElement {
  try {
    return { name: element, value: { type, value: jsonToValue(json, type) } };
  } catch (err) {
    if (err instanceof ValueCoercionError) throw PipeErrors.wrongArg(`Data element ${element}: ${err.message}`, walk.origin);
    throw err;
  }
}

function inferred(name: string, v: unknown, depth: number, walk: Walk): PipeDataElement {
  if (isObject(v)) return { name, blob: blobAt(v, name, depth + 1, walk) };
  const scalar = INFERRED[typeof v];
  if (scalar !== undefined) return valueOf(name, scalar[0], v, walk);
  if (Array.isArray(v)) {
    const kinds = new Set(v.map((x) => typeof x));
    const [kind] = kinds;
    const array = kinds.size === 1 && kind !== undefined ? INFERRED[kind]?.[1] : undefined;
    if (array !== undefined) return valueOf(name, array, v, walk);
  }
  throw PipeErrors.wrongArg(
    `Data element ${name}: the type of ${v === null ? "null" : Array.isArray(v) ? "this list" : typeof v} cannot be inferred; ` +
    'give it as {"name", "type", "value"}', walk.origin);
}

function elementOf(e: unknown, i: number, depth: number, walk: Walk): PipeDataElement {
  if (!isObject(e) || typeof e["name"] !== "string") {
    throw PipeErrors.wrongArg(`Data element ${i} is not {"name", "type", "value"} or {"name", "blob"}`, walk.origin);
  }
  const name = e["name"];
  if ("blob" in e) {
    if ("type" in e || "value" in e) throw PipeErrors.wrongArg(`Data element ${name}: exactly one of a typed value or a nested blob`, walk.origin);
    return { name, blob: blobAt(e["blob"], "", depth + 1, walk) };
  }
  return valueOf(name, typeOfName(e["type"], name, walk), e["value"], walk);
}

function blobAt(json: unknown, recordName: string, depth: number, walk: Walk): PipeBlob {
  if (depth > PIPE_BLOB_MAX_DEPTH) throw PipeErrors.wrongArg(`Blobs are nested deeper than ${PIPE_BLOB_MAX_DEPTH} levels`, walk.origin);
  if (!isObject(json)) throw PipeErrors.wrongArg('A pipe blob is {"name", "elements": [...]} or an object of data elements', walk.origin);
  const count = isFullForm(json) ? (json["elements"] as unknown[]).length : Object.keys(json).length;
  walk.elements += count;
  if (walk.elements > PIPE_MAX_DATA_ELEMENTS) throw PipeErrors.wrongArg(`The blob holds more than ${PIPE_MAX_DATA_ELEMENTS} data elements`, walk.origin);
  if (!isFullForm(json)) {
    return { name: recordName, elements: Object.entries(json).map(([k, v]) => inferred(k, v, depth, walk)) };
  }
  const name = json["name"] ?? "";
  if (typeof name !== "string") throw PipeErrors.wrongArg("A blob's name is a string", walk.origin);
  return { name, elements: (json["elements"] as unknown[]).map((e, i) => elementOf(e, i, depth, walk)) };
}

/**
 * A blob from JSON (a parsed request body or CLI argument), in either form, checked as every
 * written blob is (validatePipeBlob): API_PipeWrongArg for what is not a blob or a value that
 * does not fit its type, API_PipeNoDataElement, API_PipeDuplicateDEName; `origin` names the caller.
 */
export function pipeBlobFromJson(json: unknown, origin: string): PipeBlob {
  return validatePipeBlob(blobAt(json, "", 1, { origin, elements: 0 }), origin);
}
