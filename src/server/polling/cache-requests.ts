import { AttrDataFormat, AttrQuality, CmdArgType, DevSource, TangoErrors, type AttributeValue, type TypedValue } from "../../core/index.js";
import { runtimeOf, timeVal, type Device } from "../../device/index.js";
import type { DeviceEntry } from "../device-entry.js";
import { attributeFromCache, commandFromCache, isCacheMiss, isCommandCacheMiss } from "./poll-cache.js";
import type { Polling } from "./polling.js";

/*
 * Requests served with a DevSource other than DEV (spec §11.3): from the polling buffer, and for
 * CACHE_DEV from the device for what the buffer cannot give.
 */

/** A CACHE_DEV read's placeholder for an attribute that is not polled: read from the device. */
const NOT_POLLED = Object.freeze({}) as AttributeValue;

function isStateOrStatus(lower: string): boolean {
  return lower === "state" || lower === "status";
}

/**
 * read_attributes from CACHE or CACHE_DEV: each attribute from its polling buffer (its own error
 * when unknown, not polled, empty or stale); with CACHE_DEV those the cache missed are read from
 * the device in one call (`fromDevice`, which takes the monitor).
 */
export async function readFromCache(
  polling: Polling, entry: DeviceEntry, device: Device, names: readonly string[], source: DevSource,
  fromDevice: (names: readonly string[]) => Promise<AttributeValue[]>,
): Promise<AttributeValue[]> {
  const now = Date.now();
  const factor = polling.oldFactor(entry);
  const rt = runtimeOf(device);
  const out = names.map((name): AttributeValue => {
    const lower = name.toLowerCase();
    const declared = rt.attribute(name)?.decl.name ?? (lower === "state" ? "State" : lower === "status" ? "Status" : undefined);
    if (declared === undefined) {
      return {
        name, quality: AttrQuality.ATTR_INVALID, dataFormat: AttrDataFormat.FMT_UNKNOWN, dataType: CmdArgType.DATA_TYPE_UNKNOWN,
        time: timeVal(now), rDim: { x: 0, y: 0 }, wDim: { x: 0, y: 0 }, errors: TangoErrors.attrNotFound(name).errors,
      };
    }
    const object = polling.find(entry, "attribute", name);
    // CACHE_DEV of an attribute nobody polls, the common case: straight to the device, without
    // building the API_AttrNotPolled error only to drop it.
    if (object === undefined && source === DevSource.CACHE_DEV) return NOT_POLLED;
    return attributeFromCache(object?.kind === "attribute" ? object : undefined, declared, now, factor);
  });
  if (source === DevSource.CACHE) return out;
  const misses: number[] = [];
  out.forEach((v, i) => { if (v === NOT_POLLED || isCacheMiss(v)) misses.push(i); });
  if (misses.length === 0) return out;
  const read = await fromDevice(misses.map((i) => names[i] as string));
  misses.forEach((i, k) => { out[i] = read[k] as AttributeValue; });
  return out;
}

/**
 * command_inout from CACHE or CACHE_DEV: the newest result of the polled command (State and
 * Status are polled as attributes); with CACHE_DEV, a command not polled or whose buffer is
 * empty or stale runs on the device (`execute`).
 */
export async function commandFromCacheOrDevice(
  polling: Polling, entry: DeviceEntry, device: Device, command: string, source: DevSource,
  execute: () => Promise<TypedValue>,
): Promise<TypedValue> {
  const decl = runtimeOf(device).command(command);
  if (decl === undefined) throw TangoErrors.commandNotFound(command);
  const lower = command.toLowerCase();
  const object = polling.find(entry, isStateOrStatus(lower) ? "attribute" : "command", command);
  // CACHE_DEV of a command nobody polls, the common case: run it, without building the
  // API_CmdNotPolled error only to catch it.
  if (object === undefined && source === DevSource.CACHE_DEV) return await execute();
  try {
    return commandFromCache(object, decl.name, Date.now(), polling.oldFactor(entry));
  } catch (err) {
    if (source === DevSource.CACHE_DEV && isCommandCacheMiss(err)) return await execute();
    throw err;
  }
}
