import { CmdArgType, isKnownType, typeName } from "./cmd-arg-type.js";
import { coerce, ValueCoercionError } from "./coerce.js";
import { PIPE_BLOB_MAX_DEPTH } from "./defaults.js";
import { PipeErrors } from "./pipe-errors.js";
import type { PipeBlob, PipeDataElement } from "./pipes.js";
import type { InputOf } from "./values.js";

/*
 * Pipe blobs (spec §8 item 2) built by device code and clients, and checked wherever one comes in
 * (a device's read, a client's write, an event). Pure.
 */

/**
 * The types a data element may have: every Tango data type but DevVoid (a nested blob is added
 * with `addBlob`, not as a DevPipeBlob value).
 */
export type PipeElementType = Exclude<CmdArgType, CmdArgType.DevVoid | CmdArgType.DevPipeBlob | CmdArgType.DATA_TYPE_UNKNOWN>;

/**
 * A value of a {@link PipeRecord}, its Tango type inferred: string → DevString, boolean →
 * DevBoolean, number → DevDouble, bigint → DevLong64; arrays of those → DevVarStringArray,
 * DevVarBooleanArray, DevVarDoubleArray, DevVarLong64Array; each typed array → its array type
 * (Int16Array → DevVarShortArray, Int32Array → DevVarLongArray, Uint8Array → DevVarCharArray, …);
 * a PipeBlob or a builder → a nested blob; a plain record → a nested blob named after its key.
 * Other types (DevShort, DevState, DevEncoded, …) need {@link PipeBlobBuilder.add}.
 */
export type PipeRecordValue =
  | string | boolean | number | bigint
  | readonly string[] | readonly boolean[] | readonly number[] | readonly bigint[]
  | Int16Array | Int32Array | Float32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array
  | BigInt64Array | BigUint64Array
  | PipeBlob | PipeBlobBuilder | PipeRecord;

/** Data elements by name, in insertion order, as PyTango's `("blob", {"name": value})`. */
export interface PipeRecord {
  readonly [name: string]: PipeRecordValue;
}

const BUILDER_ORIGIN = "DevicePipeBlob::operator<<";

/**
 * Builds a pipe blob element by element; each value is checked and made canonical as it is added
 * (as attribute values are), and `build` checks the whole blob.
 *
 * ```ts
 * pipeBlob("theBlob").add("str", DevString, "hi").add("arr", DevVarDoubleArray, [1, 2])
 *   .addBlob("inner", pipeBlob("x", { a: 1 })).build();
 * ```
 */
export class PipeBlobBuilder {
  readonly #name: string;
  readonly #elements: PipeDataElement[] = [];

  /** A builder of a blob named `name` ("" is a valid name, cppTango's default). */
  constructor(name: string) {
    this.#name = name;
  }

  /** The blob's name. */
  get name(): string {
    return this.#name;
  }

  /** Adds a data element of type `type`. Throws DevFailed API_PipeWrongArg when the value does not fit it. */
  add<T extends PipeElementType>(name: string, type: T, value: InputOf<T>): this {
    this.#elements.push({ name, value: canonicalValue(name, type, value, BUILDER_ORIGIN) });
    return this;
  }

  /** Adds a nested blob (built now when a builder is given). */
  addBlob(name: string, blob: PipeBlob | PipeBlobBuilder): this {
    this.#elements.push({ name, blob: blob instanceof PipeBlobBuilder ? blob.build() : blob });
    return this;
  }

  /** Adds every entry of `record`, in its order, with inferred types (see {@link PipeRecordValue}). */
  addAll(record: PipeRecord): this {
    for (const [name, v] of Object.entries(record)) this.#elements.push(inferElement(name, v));
    return this;
  }

  /**
   * The blob, checked: at least one data element, names unique within each blob (any case),
   * nesting at most PIPE_BLOB_MAX_DEPTH. Throws DevFailed (API_PipeNoDataElement,
   * API_PipeDuplicateDEName, API_PipeWrongArg).
   */
  build(): PipeBlob {
    return validatePipeBlob({ name: this.#name, elements: [...this.#elements] }, BUILDER_ORIGIN);
  }
}

/**
 * Starts a blob: `pipeBlob("theBlob", { x: 0.3, label: "a" })` for inferred types, then `.add` for
 * explicit ones; `.build()` gives the PipeBlob (device read methods may return the builder itself).
 */
export function pipeBlob(name = "", record?: PipeRecord): PipeBlobBuilder {
  const b = new PipeBlobBuilder(name);
  return record === undefined ? b : b.addAll(record);
}

/** True for something shaped as a PipeBlob: a string `name` and an array of `elements`. */
export function isPipeBlob(v: unknown): v is PipeBlob {
  if (typeof v !== "object" || v === null || v instanceof PipeBlobBuilder || ArrayBuffer.isView(v)) return false;
  const o = v as { name?: unknown; elements?: unknown };
  return typeof o.name === "string" && Array.isArray(o.elements) && Object.keys(o).length === 2;
}

const INFERRED_ARRAYS: readonly [abstract new (...args: never[]) => object, CmdArgType][] = [
  [Int16Array, CmdArgType.DevVarShortArray], [Int32Array, CmdArgType.DevVarLongArray],
  [Float32Array, CmdArgType.DevVarFloatArray], [Float64Array, CmdArgType.DevVarDoubleArray],
  [Uint8Array, CmdArgType.DevVarCharArray], [Uint16Array, CmdArgType.DevVarUShortArray],
  [Uint32Array, CmdArgType.DevVarULongArray], [BigInt64Array, CmdArgType.DevVarLong64Array],
  [BigUint64Array, CmdArgType.DevVarULong64Array],
];

const INFERRED_SCALARS: Readonly<Record<string, [CmdArgType, CmdArgType]>> = {
  string: [CmdArgType.DevString, CmdArgType.DevVarStringArray],
  boolean: [CmdArgType.DevBoolean, CmdArgType.DevVarBooleanArray],
  number: [CmdArgType.DevDouble, CmdArgType.DevVarDoubleArray],
  bigint: [CmdArgType.DevLong64, CmdArgType.DevVarLong64Array],
};

function inferElement(name: string, v: unknown): PipeDataElement {
  if (v instanceof PipeBlobBuilder) return { name, blob: v.build() };
  if (isPipeBlob(v)) return { name, blob: v };
  const scalar = INFERRED_SCALARS[typeof v];
  if (scalar !== undefined) return { name, value: { type: scalar[0], value: v } };
  for (const [Ctor, type] of INFERRED_ARRAYS) if (v instanceof Ctor) return { name, value: { type, value: v } };
  if (Array.isArray(v)) {
    const kinds = new Set(v.map((x) => typeof x));
    const [kind] = kinds;
    const array = kind === undefined ? undefined : INFERRED_SCALARS[kind]?.[1];
    if (kinds.size !== 1 || array === undefined) {
      throw PipeErrors.wrongArg(`Data element ${name}: the type of ${v.length === 0 ? "an empty array" : "a mixed array"} cannot be inferred; add it with its type`, BUILDER_ORIGIN);
    }
    return { name, value: { type: array, value: coerce(array, v) } };
  }
  if (typeof v === "object" && v !== null && !ArrayBuffer.isView(v)) {
    return { name, blob: pipeBlob(name, v as PipeRecord).build() };
  }
  throw PipeErrors.wrongArg(`Data element ${name}: the type of ${v === null ? "null" : typeof v} cannot be inferred; add it with its type`, BUILDER_ORIGIN);
}

/** True for the type codes a data element may carry. */
export function isPipeElementType(code: number): code is PipeElementType {
  return isKnownType(code) && code !== CmdArgType.DevVoid;
}

function canonicalValue(name: string, type: number, value: unknown, origin: string): { type: CmdArgType; value: unknown } {
  if (!isPipeElementType(type)) {
    const what = type === CmdArgType.DevPipeBlob ? "DevPipeBlob (a nested blob is a data element of its own)" : typeName(type as CmdArgType);
    throw PipeErrors.wrongArg(`Data element ${name}: ${what} is not a data element type`, origin);
  }
  try {
    const canonicalType = type === CmdArgType.ConstDevString ? CmdArgType.DevString : type;
    return { type: canonicalType, value: coerce(canonicalType, value) };
  } catch (err) {
    if (err instanceof ValueCoercionError) throw PipeErrors.wrongArg(`Data element ${name}: ${err.message}`, origin);
    throw err;
  }
}

/** cppTango's list of duplicated names: sorted lower-case names, one entry per neighbouring pair. */
function duplicatesOf(names: readonly string[]): string[] {
  const lower = names.map((n) => n.toLowerCase()).sort();
  const dups: string[] = [];
  for (let i = 0; i + 1 < lower.length; i++) if (lower[i] === lower[i + 1]) dups.push(lower[i] as string);
  return dups;
}

function validateAt(blob: unknown, origin: string, depth: number): PipeBlob {
  if (!isPipeBlob(blob)) throw PipeErrors.wrongArg("A pipe blob has a name and a list of data elements", origin);
  if (depth > PIPE_BLOB_MAX_DEPTH) {
    throw PipeErrors.wrongArg(`Blob ${blob.name} is nested deeper than ${PIPE_BLOB_MAX_DEPTH} levels`, origin);
  }
  // An empty nested blob is refused too: cppTango's wire cannot tell it from an element without data.
  if (blob.elements.length === 0) throw PipeErrors.noDataElement(origin);
  const elements = blob.elements.map((e: unknown, i): PipeDataElement => {
    if (typeof e !== "object" || e === null || typeof (e as { name?: unknown }).name !== "string") {
      throw PipeErrors.wrongArg(`Data element ${i} of blob ${blob.name} has no name`, origin);
    }
    const el = e as { name: string; value?: unknown; blob?: unknown };
    if (el.blob !== undefined && el.value === undefined) return { name: el.name, blob: validateAt(el.blob, origin, depth + 1) };
    if (el.blob === undefined && typeof el.value === "object" && el.value !== null) {
      const { type, value } = el.value as { type?: unknown; value?: unknown };
      return { name: el.name, value: canonicalValue(el.name, typeof type === "number" ? type : -1, value, origin) };
    }
    throw PipeErrors.wrongArg(`Data element ${el.name}: exactly one of a typed value or a nested blob`, origin);
  });
  const dups = duplicatesOf(elements.map((e) => e.name));
  if (dups.length > 0) throw PipeErrors.duplicateDEName(dups);
  return { name: blob.name, elements };
}

/**
 * Checks a blob and returns it with every value in its canonical form (spec §8 item 2): at least
 * one data element in it and in every nested blob (API_PipeNoDataElement), names unique within
 * each blob, any case (API_PipeDuplicateDEName), each value of a data element type that fits it,
 * and nesting at most PIPE_BLOB_MAX_DEPTH deep (API_PipeWrongArg). `origin` names the operation
 * in the errors.
 */
export function validatePipeBlob(blob: PipeBlob, origin: string): PipeBlob {
  return validateAt(blob, origin, 1);
}
