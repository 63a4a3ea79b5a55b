import {
  DevFailed, ErrSeverity, MultiDevFailed, type DevError, type NamedDevError,
} from "../core/index.js";
import type { WireDevError, WireNamedDevError } from "./wire-types.js";

/** Tango error stacks ⇄ tango.v1.DevError / DevFailed / MultiDevFailed messages. Pure. */

/** Encodes an error stack (root cause first) as tango.v1.DevError messages. */
export function encodeDevErrors(errors: readonly DevError[]): WireDevError[] {
  return errors.map((e) => ({ reason: e.reason, severity: e.severity, desc: e.desc, origin: e.origin }));
}

/** Decodes tango.v1.DevError messages; an unknown severity number reads as ERR. */
export function decodeDevErrors(errors: readonly WireDevError[]): DevError[] {
  return errors.map((e) => ({
    reason: e.reason,
    desc: e.desc,
    origin: e.origin,
    severity: ErrSeverity[e.severity] === undefined ? ErrSeverity.ERR : (e.severity as ErrSeverity),
  }));
}

/** Encodes a DevFailed as a tango.v1.DevFailed message. */
export function encodeDevFailed(df: DevFailed): { errors: WireDevError[] } {
  return { errors: encodeDevErrors(df.errors) };
}

/** Decodes a tango.v1.DevFailed message; undefined when its stack is empty. */
export function decodeDevFailed(msg: { errors: readonly WireDevError[] }): DevFailed | undefined {
  const errors = decodeDevErrors(msg.errors);
  return isNonEmpty(errors) ? new DevFailed(errors) : undefined;
}

/** Encodes a MultiDevFailed as a tango.v1.MultiDevFailed message. */
export function encodeMultiDevFailed(mdf: MultiDevFailed): { errors: WireNamedDevError[] } {
  return {
    errors: mdf.errors.map((n) => ({ name: n.name, index_in_call: n.indexInCall, errors: encodeDevErrors(n.errors) })),
  };
}

/** Decodes a tango.v1.MultiDevFailed message; elements with empty stacks are dropped, undefined if none is left. */
export function decodeMultiDevFailed(msg: { errors: readonly WireNamedDevError[] }): MultiDevFailed | undefined {
  const named: NamedDevError[] = [];
  for (const n of msg.errors) {
    const errors = decodeDevErrors(n.errors);
    if (isNonEmpty(errors)) named.push({ name: n.name, indexInCall: n.index_in_call, errors });
  }
  return isNonEmpty(named) ? new MultiDevFailed(named) : undefined;
}

function isNonEmpty<T>(list: T[]): list is [T, ...T[]] {
  return list.length > 0;
}
