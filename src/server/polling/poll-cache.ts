import {
  AttrDataFormat, AttrQuality, CmdArgType, DevFailed, Reason, TangoErrors,
  type AttributeValue, type CommandHistoryRecord, type DevError, type TypedValue,
} from "../../core/index.js";
import { timeVal } from "../../device/index.js";
import type { PollRecord } from "./poll-ring.js";
import type { CommandRecord, PolledAttribute, PolledCommand, PolledObject } from "./polled-object.js";

/*
 * Serving a request from the polling buffer (spec §11.3): the CACHE rules and the history. Pure:
 * the caller finds the polled object and says what time it is.
 */

const NO_DIM = { x: 0, y: 0 } as const;

/** The errors on which CACHE_DEV falls back to the device (cppTango's list, spec §11.3 item 3). */
const CACHE_MISSES: ReadonlySet<string> = new Set([Reason.AttrNotPolled, Reason.NoDataYet, Reason.NotUpdatedAnyMore]);

/** Whether a value from `attributeFromCache` is a cache miss (CACHE_DEV then reads the device). */
export function isCacheMiss(value: AttributeValue): boolean {
  const errors = value.errors;
  return errors !== undefined && errors.length > 0 && CACHE_MISSES.has((errors[errors.length - 1] as DevError).reason);
}

function cacheError(name: string, now: number, err: DevFailed): AttributeValue {
  return {
    name, quality: AttrQuality.ATTR_INVALID, dataFormat: AttrDataFormat.FMT_UNKNOWN, dataType: CmdArgType.DATA_TYPE_UNKNOWN,
    time: timeVal(now), rDim: NO_DIM, wDim: NO_DIM, errors: err.errors,
  };
}

/** Whether the newest record is older than period × poll_old_factor (never for external filling). */
function isStale(object: PolledObject, newest: PollRecord<unknown>, nowMs: number, oldFactor: number): boolean {
  return object.periodMs !== 0 && nowMs - newest.timeMs > object.periodMs * oldFactor;
}

/**
 * An attribute read from the cache (CACHE): the newest record, or a value carrying the cache's
 * error (API_AttrNotPolled, API_NoDataYet, API_NotUpdatedAnyMore) for this attribute alone.
 * `name` is the name the client asked for; a stored failed read comes back as it was.
 */
export function attributeFromCache(object: PolledAttribute | undefined, name: string, nowMs: number, oldFactor: number): AttributeValue {
  if (object === undefined) return cacheError(name, nowMs, TangoErrors.attrNotPolled(name));
  const newest = object.ring.newest();
  if (newest === undefined) return cacheError(object.name, nowMs, TangoErrors.noDataYet("attribute", name));
  if (isStale(object, newest, nowMs, oldFactor)) return cacheError(object.name, nowMs, TangoErrors.notUpdatedAnyMore("attribute", name));
  return newest.value;
}

/** A command result from the cache (CACHE); throws the cache's error, or the stored failure. */
export function commandFromCache(object: PolledObject | undefined, name: string, nowMs: number, oldFactor: number): TypedValue {
  if (object === undefined) throw TangoErrors.cmdNotPolled(name);
  const newest = object.ring.newest();
  if (newest === undefined) throw TangoErrors.noDataYet("command", name);
  if (isStale(object, newest, nowMs, oldFactor)) throw TangoErrors.notUpdatedAnyMore("command", name);
  return commandResultOf(object, newest.value);
}

/** Whether `commandFromCache` failed for a reason that makes CACHE_DEV run the command. */
export function isCommandCacheMiss(err: unknown): boolean {
  return err instanceof DevFailed && (err.reason === Reason.CmdNotPolled || CACHE_MISSES.has(err.reason));
}

/** What a command's record gives a client: the command's result, or its failure thrown. */
function commandResultOf(object: PolledObject, record: AttributeValue | CommandRecord): TypedValue {
  const errors = record.errors;
  if (errors !== undefined && errors.length > 0) throw new DevFailed(errors as [DevError, ...DevError[]]);
  // State and Status are polled as attributes: their value is the command's result.
  if (object.kind === "attribute") {
    const av = record as AttributeValue;
    return { type: object.key === "state" ? CmdArgType.DevState : CmdArgType.DevString, value: av.value };
  }
  return (record as CommandRecord).value ?? { type: CmdArgType.DevVoid, value: undefined };
}

/**
 * read_attribute_history (spec §11.3 item 4): up to `n` records, oldest first, failed reads with
 * their errors inside; no staleness check. Throws API_AttrNotPolled or API_NoDataYet.
 */
const HISTORY_5 = "Device_5Impl::read_attribute_history_5";
const COMMAND_HISTORY_4 = "Device_4Impl::command_inout_history_4";

export function attributeHistory(object: PolledAttribute | undefined, name: string, n: number): AttributeValue[] {
  const lower = name.toLowerCase();
  if (object === undefined) throw TangoErrors.attrNotPolled(lower, HISTORY_5);
  if (object.ring.isEmpty) throw TangoErrors.noDataYet("attribute", lower, HISTORY_5);
  return object.ring.latest(n).reverse().map((r) => r.value);
}

/** command_inout_history (spec §11.3 item 4): as attributeHistory, for a command (State and Status too). */
export function commandHistory(object: PolledCommand | PolledAttribute | undefined, name: string, n: number): CommandHistoryRecord[] {
  const lower = name.toLowerCase();
  if (object === undefined) throw TangoErrors.cmdNotPolled(lower, COMMAND_HISTORY_4);
  if (object.ring.isEmpty) throw TangoErrors.noDataYet("command", lower, COMMAND_HISTORY_4);
  const records: PollRecord<AttributeValue | CommandRecord>[] = object.ring.latest(n);
  return records.reverse().map((r) => {
    const time = timeVal(r.timeMs);
    const errors = r.value.errors;
    if (errors !== undefined && errors.length > 0) return { time, errors };
    return { time, value: commandResultOf(object, r.value) };
  });
}
