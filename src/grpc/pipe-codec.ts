import {
  CmdArgType, ValueCoercionError, coerce, type DispLevel, type PipeBlob, type PipeConfig, type PipeConfigUpdate,
  type PipeDataElement, type PipeValue, type PipeWriteType, type TimeVal, type TypedValue,
} from "../core/index.js";
import { MAX_NAME_BYTES, PIPE_BLOB_MAX_DEPTH, PIPE_MAX_DATA_ELEMENTS } from "../core/defaults.js";
import { utf8Length } from "../core/index.js";
import { decodeValue, encodeValue } from "./codec.js";
import type {
  WirePipeBlob, WirePipeConfig, WirePipeConfigUpdate, WirePipeDataElement, WirePipeValue,
} from "./wire-messages.js";
import { ArrayEncoding, int64ToNumber, type WireTimeVal } from "./wire-types.js";

/*
 * Pipes ⇄ tango.v1.PipeBlob, PipeValue, PipeConfig and PipeConfigUpdate. Pure; shared by the
 * server adapter and the client. Each data element's value goes through the Value codec
 * (codec.ts) and comes back canonical (`coerce`d to the type it carries), since a pipe has no
 * declared type to convert it to later.
 *
 * Decoding is bounded (spec §8 item 2; defaults.ts): a tree nested deeper than
 * PIPE_BLOB_MAX_DEPTH, or holding more than PIPE_MAX_DATA_ELEMENTS elements, or an element name
 * over MAX_NAME_BYTES, is refused as soon as it is seen. Every refusal is a ValueCoercionError
 * naming the element by its path (`outer/inner/x`); the server turns it into API_PipeWrongArg,
 * the client into a malformed reply.
 */

/** The running count of a tree's data elements, shared by the levels of one walk. */
interface Budget {
  elements: number;
}

function pathOf(parent: string, name: string): string {
  return parent === "" ? name : `${parent}/${name}`;
}

function checkDepth(depth: number, path: string): void {
  if (depth > PIPE_BLOB_MAX_DEPTH) {
    throw new ValueCoercionError("range",
      `blob ${path === "" ? "(root)" : path} nests deeper than ${PIPE_BLOB_MAX_DEPTH} blobs`);
  }
}

function charge(budget: Budget, count: number): void {
  budget.elements += count;
  if (budget.elements > PIPE_MAX_DATA_ELEMENTS) {
    throw new ValueCoercionError("range", `the blob holds more than ${PIPE_MAX_DATA_ELEMENTS} data elements`);
  }
}

/** A data element's value as the Value codec gives it, made canonical; a pipe value must be typed. */
function decodeElementValue(w: WirePipeDataElement, path: string): TypedValue {
  let tv: TypedValue;
  try {
    tv = decodeValue(w.value);
  } catch (e) {
    if (!(e instanceof ValueCoercionError)) throw e;
    throw new ValueCoercionError(e.kind, `data element ${path}: ${e.message}`);
  }
  if (tv.type === CmdArgType.DevVoid) {
    throw new ValueCoercionError("type", w.value?.data === undefined
      ? `data element ${path} carries neither a value nor a blob`
      : `data element ${path} carries a value without its type`);
  }
  try {
    return { type: tv.type, value: coerce(tv.type, tv.value) };
  } catch (e) {
    if (!(e instanceof ValueCoercionError)) throw e;
    throw new ValueCoercionError(e.kind, `data element ${path}: ${e.message}`);
  }
}

function decodeBlobAt(w: WirePipeBlob | null | undefined, path: string, depth: number, budget: Budget): PipeBlob {
  checkDepth(depth, path);
  if (w === null || w === undefined) return { name: "", elements: [] };
  const list = w.elements;
  charge(budget, list.length);
  const elements: PipeDataElement[] = [];
  for (const e of list) {
    const name = e.name;
    if (name.length * 3 > MAX_NAME_BYTES && utf8Length(name) > MAX_NAME_BYTES) {
      throw new ValueCoercionError("range", `a data element name of ${path === "" ? "the root blob" : `blob ${path}`} is longer than ${MAX_NAME_BYTES} bytes`);
    }
    const at = pathOf(path, name);
    if (e.data === "blob" || (e.data === undefined && e.blob !== null && e.blob !== undefined)) {
      elements.push({ name, blob: decodeBlobAt(e.blob, at, depth + 1, budget) });
    } else {
      elements.push({ name, value: decodeElementValue(e, at) });
    }
  }
  return { name: w.name, elements };
}

/**
 * Decodes a wire blob (null: an empty blob without a name). Throws ValueCoercionError for a
 * tree past the bounds, an element with neither value nor blob, an untyped value, or a value
 * that does not fit its type.
 */
export function decodePipeBlob(w: WirePipeBlob | null | undefined): PipeBlob {
  return decodeBlobAt(w, "", 1, { elements: 0 });
}

function encodeBlobAt(blob: PipeBlob, encoding: ArrayEncoding, path: string, depth: number): WirePipeBlob {
  checkDepth(depth, path);
  return {
    name: blob.name,
    elements: blob.elements.map((e): WirePipeDataElement => {
      const at = pathOf(path, e.name);
      if (e.blob !== undefined) return { name: e.name, data: "blob", blob: encodeBlobAt(e.blob, encoding, at, depth + 1) };
      try {
        return { name: e.name, data: "value", value: encodeValue(e.value, encoding) };
      } catch (err) {
        if (!(err instanceof ValueCoercionError)) throw err;
        throw new ValueCoercionError(err.kind, `data element ${at}: ${err.message}`);
      }
    }),
  };
}

/**
 * Encodes a blob; numeric arrays travel as `encoding` says. Throws ValueCoercionError for a blob
 * nested deeper than PIPE_BLOB_MAX_DEPTH or a value that cannot travel.
 */
export function encodePipeBlob(blob: PipeBlob, encoding: ArrayEncoding = ArrayEncoding.PACKED): WirePipeBlob {
  return encodeBlobAt(blob, encoding, "", 1);
}

function encodeTime(t: TimeVal): WireTimeVal {
  return { tv_sec: t.sec, tv_usec: t.usec, tv_nsec: 0 };
}

/** Encodes a pipe as read (ReadPipe's and WriteReadPipe's reply, a pipe event's data). */
export function encodePipeValue(p: PipeValue, encoding: ArrayEncoding = ArrayEncoding.PACKED): WirePipeValue {
  return { name: p.name, time: encodeTime(p.time), blob: encodePipeBlob(p.blob, encoding) };
}

/** Decodes a pipe as read; throws ValueCoercionError as decodePipeBlob does. */
export function decodePipeValue(w: WirePipeValue): PipeValue {
  const time = w.time === null ? { sec: 0, usec: 0 } : { sec: int64ToNumber(w.time.tv_sec), usec: w.time.tv_usec };
  return { name: w.name, time, blob: decodePipeBlob(w.blob) };
}

/** Encodes a pipe's configuration. */
export function encodePipeConfig(c: PipeConfig): WirePipeConfig {
  return { name: c.name, description: c.description, label: c.label, level: c.level, writable: c.writable };
}

/** Decodes a pipe's configuration. */
export function decodePipeConfig(w: WirePipeConfig): PipeConfig {
  return {
    name: w.name, description: w.description, label: w.label, level: w.level as DispLevel, writable: w.writable as PipeWriteType,
  };
}

/** Encodes a change of a pipe's configuration: only the fields given are sent. */
export function encodePipeConfigUpdate(u: PipeConfigUpdate): WirePipeConfigUpdate {
  const w: WirePipeConfigUpdate = { name: u.name };
  if (u.label !== undefined) w.label = u.label;
  if (u.description !== undefined) w.description = u.description;
  return w;
}

/** Decodes a change of a pipe's configuration: the fields not sent stay absent (kept). */
export function decodePipeConfigUpdate(w: WirePipeConfigUpdate): PipeConfigUpdate {
  return {
    name: w.name,
    ...(w.label === undefined ? {} : { label: w.label }),
    ...(w.description === undefined ? {} : { description: w.description }),
  };
}
