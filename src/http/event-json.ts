import { DevFailed, EVENT_NAMES, typeName, type DevError, type EventRecord } from "../core/index.js";
import { attributeInfoJson, attributeValueJson, commandInfoJson, timestampMs } from "./device-json.js";
import type { AttributeInfoFields, AttributeValueBody, CommandInfoBody } from "./device-schemas.js";
import { restErrorOf, type RestErrorItem } from "./rest-errors.js";

/*
 * An event (src/core/events.ts) as the JSON of one Server-Sent Events message: the shapes of the
 * device routes for what it carries, so a value in an event reads like `GET …/value`.
 */

/** The `data` of one SSE event message: exactly one of value, errors, config, dataReady, interfaceChange. */
export interface EventMessageBody {
  readonly device: string;
  /** The attribute's declared name; "" for an interface change. */
  readonly attribute: string;
  /** The event type's Tango wire name (`change`, `intr_change`, …), also the SSE `event` field. */
  readonly event: string;
  /** Counts the events of this (device, attribute, type) since the server started; the SSE `id`. */
  readonly sequence: number;
  /** When the server produced the event, ms since the Unix epoch. */
  readonly time: number;
  /** What `GET …/attributes/{attr}/value` would answer. */
  readonly value?: AttributeValueBody;
  /** The attribute's read failed: its error stack, root cause first. */
  readonly errors?: readonly RestErrorItem[];
  /** The new configuration (attr_conf), as `GET …/attributes/{attr}/info` shows it. */
  readonly config?: AttributeInfoFields;
  readonly dataReady?: { readonly dataType: string; readonly counter: number };
  readonly interfaceChange?: {
    readonly commands: ReadonlyArray<{ readonly name: string; readonly info: CommandInfoBody }>;
    readonly attributes: readonly AttributeInfoFields[];
    readonly deviceStarted: boolean;
  };
}

/** An event record as the JSON of its SSE message; `enumLabels` turns DevEnum values into labels. */
export function eventJson(record: EventRecord, enumLabels: readonly string[] = []): EventMessageBody {
  const head = {
    device: record.device,
    attribute: record.attribute,
    event: EVENT_NAMES[record.eventType],
    sequence: record.sequence,
    time: timestampMs(record.time),
  };
  const errors: readonly DevError[] = record.errors ?? [];
  if (errors.length > 0) return { ...head, errors: restErrorOf(new DevFailed(errors as [DevError, ...DevError[]])).errors };
  if (record.value !== undefined) return { ...head, value: attributeValueJson(record.value, enumLabels) };
  if (record.config !== undefined) return { ...head, config: attributeInfoJson(record.config) };
  if (record.dataReady !== undefined) {
    return { ...head, dataReady: { dataType: typeName(record.dataReady.dataType), counter: record.dataReady.counter } };
  }
  if (record.interfaceChange !== undefined) {
    const change = record.interfaceChange;
    return {
      ...head,
      interfaceChange: {
        commands: change.commands.map((c) => ({ name: c.name, info: commandInfoJson(c) })),
        attributes: change.attributes.map(attributeInfoJson),
        deviceStarted: change.deviceStarted,
      },
    };
  }
  return head;
}
