import {
  DevFailed, Reason, ValueCoercionError, attributeInput, type AttributeConfig, type AttributeConfigUpdate, type AttributeWrite,
  type DevErrorInit,
} from "../core/index.js";
import { encodeAttributeWrite, type ArrayEncoding } from "../grpc/wire.js";
import type { WriteOptions } from "./types.js";
import { ClientErrors } from "./client-errors.js";

/**
 * The client's handling of user values around the core conversions (core `commandArgin`,
 * `attributeInput`): write lists, frames, and replies that do not decode.
 */

/** Values to write: `{ name: value }`, or `[name, value]` pairs when the order matters. */
export type AttributeValues = Readonly<Record<string, unknown>> | ReadonlyArray<readonly [string, unknown]>;

/**
 * Runs one call of the proxy, adding cppTango's client frame (API_CommandFailed,
 * API_AttributeFailed) on top of whatever DevFailed it ends with: the server's stack or the
 * client's own failure (server down, timeout, connection lost), as cppTango does (spec §18.2).
 * As in cppTango's client, the frame over a lost lock (root cause API_DeviceUnlocked) says
 * API_DeviceUnlocked too (DeviceUnlockedExcept), and an error the client raised for this very
 * operation (its top frame has the frame's origin: a lock found lost before sending) gets no
 * second frame.
 */
export async function framed<T>(frame: DevErrorInit, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof DevFailed)) throw err;
    if (err.errors.at(-1)?.origin === frame.origin) throw err;
    throw err.withFrame(err.reason === Reason.DeviceUnlocked ? { ...frame, reason: Reason.DeviceUnlocked } : frame);
  }
}

/**
 * The wire writes of `entries`, each value converted by its attribute's configuration in
 * `configs` (by lower-case name); API_MethodArgument for an attribute without one.
 */
export function encodeWrites(
  entries: ReadonlyArray<readonly [string, unknown]>, configs: ReadonlyMap<string, AttributeConfig>, encoding: ArrayEncoding,
  opts?: WriteOptions,
): object[] {
  return entries.map(([name, value]) => {
    const config = configs.get(name.toLowerCase());
    if (config === undefined) throw ClientErrors.methodArgument(`No configuration for attribute ${name}`, "DeviceProxy::write_attribute");
    const input = attributeInput(config, value, opts);
    const write: AttributeWrite = input.dim === undefined ? { name, value: input.value } : { name, value: input.value, dim: input.dim };
    return encodeAttributeWrite(write, encoding);
  });
}

export function entriesOf(values: AttributeValues): ReadonlyArray<readonly [string, unknown]> {
  return isEntryList(values) ? values : Object.entries(values);
}

function isEntryList(values: AttributeValues): values is ReadonlyArray<readonly [string, unknown]> {
  return Array.isArray(values);
}

/** A property value as `putProperty` takes it; every element is sent as text. */
export type PropertyInput = string | number | boolean | bigint | readonly (string | number | boolean | bigint)[];

/** The wire properties of `putProperty`: each value, or each element of an array, as text. */
export function propertiesOf(props: Readonly<Record<string, PropertyInput>>): { name: string; values: string[] }[] {
  return Object.entries(props).map(([name, v]) => ({ name, values: (Array.isArray(v) ? v : [v]).map(String) }));
}

export function isUpdateList(u: AttributeConfigUpdate | readonly AttributeConfigUpdate[]): u is readonly AttributeConfigUpdate[] {
  return Array.isArray(u);
}

/** Runs a decoding of a reply; a value that does not fit its own type is the server's bug, reported as a DevFailed. */
export function decodingReply<T>(device: string, operation: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof ValueCoercionError ? ClientErrors.malformedReply(device, operation, err.message) : err;
  }
}
