import { DevFailed, EVENT_NAMES, ValueCoercionError, type DevError, type EventType, type TimeVal } from "../core/index.js";
import { decodeEvent, type WireEvent } from "../grpc/wire.js";
import { ClientErrors } from "./client-errors.js";
import { toDeviceAttribute } from "./device-attribute.js";
import type { EventData } from "./event-data.js";

/*
 * Events as subscribers get them (EventData), from the wire or made by the client itself.
 */

function dateOf(t: TimeVal): Date {
  return new Date(t.sec * 1000 + Math.floor(t.usec / 1000));
}

/** An event from the server; a malformed one becomes an error event (never a crash in the client). */
export function eventDataOf(device: string, eventType: EventType, wire: WireEvent, receptionTime: Date, missed: number, resubscribed: boolean): EventData {
  let record;
  try {
    record = decodeEvent(wire);
  } catch (err) {
    if (!(err instanceof ValueCoercionError)) throw err;
    const df = ClientErrors.malformedReply(device, `a ${EVENT_NAMES[eventType]} event`, err.message);
    const event = clientErrorEvent(device, wire.attribute, eventType, df);
    return { ...event, missed, resubscribed };
  }
  const errors = record.errors;
  // One shape for every event, every field set (undefined where absent): this runs for each event received.
  return {
    device: record.device, attribute: record.attribute, eventType: record.eventType,
    event: EVENT_NAMES[record.eventType] ?? String(record.eventType), sequence: record.sequence,
    serverTime: dateOf(record.time), receptionTime, missed, resubscribed,
    error: errors !== undefined && errors.length > 0 ? new DevFailed(errors as [DevError, ...DevError[]]) : undefined,
    value: record.value === undefined ? undefined : toDeviceAttribute(record.value, record.device),
    config: record.config, dataReady: record.dataReady, interfaceChange: record.interfaceChange,
    pipe: record.pipe === undefined ? undefined : { ...record.pipe, date: dateOf(record.pipe.time) },
  };
}

/** An error event the client makes (the stream broke, events were missed, a resubscription was refused). */
export function clientErrorEvent(device: string, attribute: string, eventType: EventType, error: DevFailed): EventData {
  const now = new Date();
  return {
    device, attribute, eventType, event: EVENT_NAMES[eventType] ?? String(eventType), sequence: 0, serverTime: now,
    receptionTime: now, missed: 0, resubscribed: false, error,
  };
}
