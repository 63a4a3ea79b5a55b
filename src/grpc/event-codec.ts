import {
  ValueCoercionError, type CmdArgType, type CommandHistoryRecord, type EventRecord, type EventType, type TimeVal,
} from "../core/index.js";
import { decodeAttributeValue, encodeAttributeValue } from "./attribute-codec.js";
import { decodeValue, encodeValue } from "./codec.js";
import { decodeAttributeConfig, encodeAttributeConfig } from "./config-codec.js";
import { decodeDevErrors, encodeDevErrors } from "./error-codec.js";
import { decodeCommandInfo, encodeCommandInfo } from "./info-codec.js";
import { decodePipeValue, encodePipeValue } from "./pipe-codec.js";
import type { WireCommandHistoryRecord, WireEvent } from "./wire-messages.js";
import { ArrayEncoding, int64ToNumber, type WireTimeVal } from "./wire-types.js";

/** Events and command history records ⇄ tango.v1.Event / CommandHistoryRecord. Pure. */

function encodeTime(t: TimeVal): WireTimeVal {
  return { tv_sec: t.sec, tv_usec: t.usec, tv_nsec: 0 };
}

function decodeTime(t: WireTimeVal | null): TimeVal {
  return t === null ? { sec: 0, usec: 0 } : { sec: int64ToNumber(t.tv_sec), usec: t.tv_usec };
}

/** Encodes one event. A value's numeric arrays travel as `encoding` says. */
export function encodeEvent(e: EventRecord, encoding: ArrayEncoding = ArrayEncoding.PACKED): WireEvent {
  const w: WireEvent = {
    device: e.device, attribute: e.attribute, event_type: e.eventType, sequence: e.sequence, time: encodeTime(e.time),
    errors: e.errors === undefined ? [] : encodeDevErrors(e.errors),
  };
  if (e.value !== undefined) {
    w.data = "value";
    w.value = encodeAttributeValue(e.value, encoding);
  } else if (e.config !== undefined) {
    w.data = "config";
    w.config = encodeAttributeConfig(e.config);
  } else if (e.dataReady !== undefined) {
    w.data = "data_ready";
    w.data_ready = { data_type: e.dataReady.dataType, counter: e.dataReady.counter };
  } else if (e.interfaceChange !== undefined) {
    const c = e.interfaceChange;
    w.data = "interface_change";
    w.interface_change = {
      commands: c.commands.map(encodeCommandInfo), attributes: c.attributes.map(encodeAttributeConfig), device_started: c.deviceStarted,
    };
  } else if (e.pipe !== undefined) {
    w.data = "pipe";
    w.pipe = encodePipeValue(e.pipe, encoding);
  }
  return w;
}

/**
 * Decodes one event (the client side), from proto-loader's shapes or from a message protobufjs
 * decoded itself (event-frames.ts). Throws ValueCoercionError for a malformed value.
 */
export function decodeEvent(w: WireEvent): EventRecord {
  const device = w.device;
  const attribute = w.attribute;
  const eventType = w.event_type as EventType;
  const sequence = int64ToNumber(w.sequence);
  const time = decodeTime(w.time);
  const errors = w.errors.length > 0 ? decodeDevErrors(w.errors) : undefined;
  // One object shape per payload, built in place: this runs for every event a client receives.
  switch (w.data) {
    case "value":
      if (w.value === null || w.value === undefined) break;
      return { device, attribute, eventType, sequence, time, errors, value: decodeAttributeValue(w.value) };
    case "config":
      if (w.config === null || w.config === undefined) break;
      return { device, attribute, eventType, sequence, time, errors, config: decodeAttributeConfig(w.config) };
    case "data_ready":
      if (w.data_ready === null || w.data_ready === undefined) break;
      return { device, attribute, eventType, sequence, time, errors, dataReady: { dataType: w.data_ready.data_type as CmdArgType, counter: w.data_ready.counter } };
    case "interface_change": {
      const c = w.interface_change;
      if (c === null || c === undefined) break;
      const interfaceChange = {
        commands: c.commands.map(decodeCommandInfo), attributes: c.attributes.map(decodeAttributeConfig), deviceStarted: c.device_started,
      };
      return { device, attribute, eventType, sequence, time, errors, interfaceChange };
    }
    case "pipe":
      if (w.pipe === null || w.pipe === undefined) break;
      return { device, attribute, eventType, sequence, time, errors, pipe: decodePipeValue(w.pipe) };
    default:
      break;
  }
  if (errors === undefined && w.data !== undefined && w.data !== null) throw new ValueCoercionError("type", `event ${w.data} without its data`);
  return { device, attribute, eventType, sequence, time, errors };
}

/** Encodes one record of a command's history. */
export function encodeCommandHistoryRecord(r: CommandHistoryRecord, encoding: ArrayEncoding = ArrayEncoding.PACKED): WireCommandHistoryRecord {
  return {
    time: encodeTime(r.time),
    value: r.value === undefined ? null : encodeValue(r.value, encoding),
    errors: r.errors === undefined ? [] : encodeDevErrors(r.errors),
  };
}

/** Decodes one record of a command's history (values in their canonical form once coerced). */
export function decodeCommandHistoryRecord(w: WireCommandHistoryRecord): CommandHistoryRecord {
  const time = decodeTime(w.time);
  if (w.errors.length > 0) return { time, errors: decodeDevErrors(w.errors) };
  return { time, value: decodeValue(w.value) };
}
