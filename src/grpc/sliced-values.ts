import type protobuf from "protobufjs";
import { CmdArgType } from "../core/index.js";
import { PACKED_IN_SLICES_MIN_BYTES, PIPE_BLOB_MAX_DEPTH, PIPE_MAX_DATA_ELEMENTS } from "../core/defaults.js";
import { DeferredEncoding, DeferredVarints, type Narrowing } from "./deferred-varints.js";
import type { IntegerArray } from "./varint-loops.js";

/*
 * Where large packed integer arrays sit in tango.v1.Device messages, and the slow part of their
 * decoding and encoding done in slices (deferred-varints.ts). Requests carry Values in `argin`
 * and `values[].value`; replies in `argout`, `values[].value`, `values[].w_value` and
 * `records[].value`; pipe requests and replies in the data elements of `blob`, at any depth.
 */

/** The packed integer members of a Value, and whether they are zigzag-encoded. */
const INTEGER_FIELDS: ReadonlyArray<readonly [string, boolean]> = [
  ["int_array", true], ["uint_array", false], ["long64_array", true], ["ulong64_array", false],
];

/** The narrower array a Value of this type is decoded into. */
const NARROWING: Readonly<Partial<Record<number, Narrowing>>> = {
  [CmdArgType.DevVarCharArray]: { Ctor: Uint8Array, min: 0, max: 0xff },
  [CmdArgType.DevVarUShortArray]: { Ctor: Uint16Array, min: 0, max: 0xffff },
  [CmdArgType.DevVarShortArray]: { Ctor: Int16Array, min: -0x8000, max: 0x7fff },
};

type ValueObject = Record<string, unknown> & { type?: unknown };
type Holder = { values: unknown };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/**
 * Appends the Values of a pipe blob's tree to `out`, level by level (no recursion), within the
 * pipe bounds: what lies past them is refused by the pipe codec before it is used.
 */
function pushBlobValues(blob: unknown, out: ValueObject[]): void {
  let level: unknown[] = [blob];
  let seen = 0;
  for (let depth = 1; depth <= PIPE_BLOB_MAX_DEPTH && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const b of level) {
      const elements = isObject(b) ? b["elements"] : undefined;
      if (!Array.isArray(elements)) continue;
      seen += elements.length;
      if (seen > PIPE_MAX_DATA_ELEMENTS) return;
      for (const e of elements as unknown[]) {
        if (!isObject(e)) continue;
        if (isObject(e["value"])) out.push(e["value"] as ValueObject);
        if (isObject(e["blob"])) next.push(e["blob"]);
      }
    }
    level = next;
  }
}

/** The Values of a request or reply object. */
function valuesOf(message: object): ValueObject[] {
  const m = message as Record<string, unknown>;
  const out: ValueObject[] = [];
  for (const key of ["argin", "argout"]) if (isObject(m[key])) out.push(m[key] as ValueObject);
  if (isObject(m["blob"])) pushBlobValues(m["blob"], out);
  for (const key of ["values", "records"]) {
    const list = m[key];
    if (!Array.isArray(list)) continue;
    for (const item of list as unknown[]) {
      if (!isObject(item)) continue;
      if (isObject(item["value"])) out.push(item["value"] as ValueObject);
      if (isObject(item["w_value"])) out.push(item["w_value"] as ValueObject);
    }
  }
  return out;
}

/** The array holders of `message`'s Values that satisfy `pick`. */
function holdersOf(message: object, pick: (values: unknown) => boolean): Array<[Holder, boolean, ValueObject]> {
  const out: Array<[Holder, boolean, ValueObject]> = [];
  for (const v of valuesOf(message)) {
    for (const [field, zigzag] of INTEGER_FIELDS) {
      const holder = v[field];
      if (isObject(holder) && pick(holder["values"])) out.push([holder as Holder, zigzag, v]);
    }
  }
  return out;
}

const isDeferred = (x: unknown): boolean => x instanceof DeferredVarints;

/** Whether Value `v` has an integer array holder whose values satisfy `pick`. */
function hasPickedHolder(v: unknown, pick: (values: unknown) => boolean): boolean {
  if (!isObject(v)) return false;
  for (let i = 0; i < INTEGER_FIELDS.length; i++) {
    const holder = v[INTEGER_FIELDS[i]![0]];
    if (isObject(holder) && pick(holder["values"])) return true;
  }
  return false;
}

/** Whether an item of `list` (values[], records[]) has such a holder in `value` or `w_value`. */
function hasPickedItem(list: unknown, pick: (values: unknown) => boolean): boolean {
  if (!Array.isArray(list)) return false;
  for (const item of list as unknown[]) {
    if (isObject(item) && (hasPickedHolder(item["value"], pick) || hasPickedHolder(item["w_value"], pick))) return true;
  }
  return false;
}

/**
 * Whether `message` has a holder holdersOf would return, asked of every request and reply:
 * without holdersOf's arrays, the common messages (a Value or a list of them) allocate nothing.
 */
function hasHolder(message: object, pick: (values: unknown) => boolean): boolean {
  const m = message as Record<string, unknown>;
  if (hasPickedHolder(m["argin"], pick) || hasPickedHolder(m["argout"], pick)) return true;
  if (hasPickedItem(m["values"], pick) || hasPickedItem(m["records"], pick)) return true;
  // A pipe blob's tree: the full walk, bounded as pushBlobValues bounds it.
  return isObject(m["blob"]) && holdersOf(message, pick).length > 0;
}

/** Whether a decoded request holds packed arrays left for later. */
export function hasDeferredArrays(request: object): boolean {
  return hasHolder(request, isDeferred);
}

/** Decodes a request's deferred arrays in slices, in place (into the Value's narrower type when it fits). */
export async function decodeDeferredArrays(request: object): Promise<void> {
  for (const [holder, , value] of holdersOf(request, isDeferred)) {
    holder.values = await (holder.values as DeferredVarints).decode(NARROWING[Number(value.type)]);
  }
}

function isLargeIntegerArray(x: unknown): x is IntegerArray {
  return ArrayBuffer.isView(x) && !(x instanceof Float32Array) && !(x instanceof Float64Array) && !(x instanceof DataView)
    && x.byteLength >= PACKED_IN_SLICES_MIN_BYTES / 4;
}

/** Whether a reply holds packed integer arrays large enough to be written in slices. */
export function hasLargeIntegerArrays(reply: object): boolean {
  return hasHolder(reply, isLargeIntegerArray);
}

/**
 * The reply's bytes, its large packed arrays counted and written in slices; `type` is the reply's
 * message type of the fast-path root. The reply object's arrays are replaced on the way.
 */
export async function encodeInSlices(type: protobuf.Type, reply: object): Promise<Buffer> {
  const deferred: DeferredEncoding[] = [];
  for (const [holder, zigzag] of holdersOf(reply, isLargeIntegerArray)) {
    const d = await DeferredEncoding.of(holder.values as IntegerArray, zigzag);
    holder.values = d;
    deferred.push(d);
  }
  const bytes = type.encode(type.fromObject(reply)).finish() as Buffer;
  for (const d of deferred) await d.fill();
  return bytes;
}
