import type { AttributeConfig, EventData } from "../client/index.js";
import { AttrDataFormat, AttrQuality, AttrWriteType, typeName, type TimeVal } from "../core/index.js";
import { errorFramesJson } from "./error-output.js";
import { formatValue } from "./format.js";
import { attributeJson, presentConfig, readValueOf } from "./present-attribute.js";
import { enumName, formatTime } from "./present-value.js";

/*
 * Events as `tango-grpc watch` prints them: one text line each, or one JSON document each
 * (JSON lines). Both carry the same fields.
 */

/** Separates the fields of a text line, as the columns of the verbs' tables are separated. */
const FIELD_SEPARATOR = "  ";

/**
 * Configuration properties an attr_conf line shows when set, by their Tango database names
 * (what Jive shows and a config file's attributeProperties takes).
 */
const CONFIG_SUMMARY: readonly (readonly [string, (c: AttributeConfig) => string])[] = [
  ["label", (c) => c.label],
  ["unit", (c) => c.unit],
  ["format", (c) => c.format],
  ["min_value", (c) => c.minValue],
  ["max_value", (c) => c.maxValue],
  ["min_alarm", (c) => c.alarms.minAlarm],
  ["max_alarm", (c) => c.alarms.maxAlarm],
  ["abs_change", (c) => c.events.absChange],
  ["rel_change", (c) => c.events.relChange],
  ["event_period", (c) => c.events.period],
];

/** What Tango sends for a property that is not set (cppTango's AlrmValueNotSpec and co). */
const UNSET_TEXTS: ReadonlySet<string> = new Set(["", "Not specified", "No unit", "No standard unit", "No display unit"]);

function timeValOf(date: Date): TimeVal {
  const ms = date.getTime();
  return { sec: Math.floor(ms / 1000), usec: (ms % 1000) * 1000 };
}

/** When the event happened: its value's time (microseconds), else when the server sent it. */
function eventTime(ev: EventData): string {
  return formatTime(ev.value?.time ?? timeValOf(ev.serverTime));
}

/** `device/attribute`, or the device alone for interface-change events. */
function sourceOf(ev: EventData): string {
  return ev.attribute === "" ? ev.device : `${ev.device}/${ev.attribute}`;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

/** `DevDouble SCALAR READ_WRITE  label=… unit=…`: the type, then the properties that are set. */
function formatConfigSummary(c: AttributeConfig, name: string): string {
  const kind = `${typeName(c.dataType)} ${enumName(AttrDataFormat, c.dataFormat)} ${enumName(AttrWriteType, c.writable)}`;
  const set = CONFIG_SUMMARY.flatMap(([key, get]): string[] => {
    const value = get(c);
    // The label defaults to the attribute's name: only one of its own is worth a field.
    if (UNSET_TEXTS.has(value) || (key === "label" && value === name)) return [];
    return [`${key}=${/[\s"=]/.test(value) ? JSON.stringify(value) : value}`];
  });
  return [kind, ...set].join(FIELD_SEPARATOR);
}

/** The fields after the event's name and number: what it carries. */
function payloadFields(ev: EventData): string[] {
  if (ev.error !== undefined) return ["ERROR", `${ev.error.reason}: ${firstLine(ev.error.desc)}`];
  if (ev.value !== undefined) return [formatValue(readValueOf(ev.value)), enumName(AttrQuality, ev.value.quality)];
  if (ev.config !== undefined) return [formatConfigSummary(ev.config, ev.attribute)];
  if (ev.dataReady !== undefined) return [`counter ${ev.dataReady.counter}`];
  if (ev.interfaceChange !== undefined) {
    const { commands, attributes, deviceStarted } = ev.interfaceChange;
    return [`${commands.length} commands, ${attributes.length} attributes`, ...(deviceStarted ? ["device started"] : [])];
  }
  return [];
}

/**
 * One event as a text line: time, `device/attribute`, event type, `#sequence`, then the value
 * and quality (or an attr_conf summary, a data_ready counter, an intr_change count, or
 * `ERROR <reason>: <desc>`), and `missed N` when the server dropped events before it.
 */
export function formatEventLine(ev: EventData): string {
  const fields = [eventTime(ev), sourceOf(ev), ev.event, `#${ev.sequence}`, ...payloadFields(ev)];
  if (ev.missed > 0) fields.push(`missed ${ev.missed}`);
  return `${fields.join(FIELD_SEPARATOR)}\n`;
}

function payloadJson(ev: EventData): Record<string, unknown> {
  if (ev.error !== undefined) return { error: { errors: errorFramesJson(ev.error.errors) } };
  if (ev.value !== undefined) {
    // The read verb's shape, less what the event has already.
    const { name: _name, time: _time, ...read } = attributeJson(ev.value);
    return read;
  }
  if (ev.config !== undefined) return { config: presentConfig(ev.config) };
  if (ev.dataReady !== undefined) return { dataReady: { dataType: typeName(ev.dataReady.dataType), counter: ev.dataReady.counter } };
  if (ev.interfaceChange !== undefined) {
    const { commands, attributes, deviceStarted } = ev.interfaceChange;
    return { interfaceChange: { deviceStarted, commands: commands.map((c) => c.name), attributes: attributes.map((a) => a.name) } };
  }
  return {};
}

/**
 * One event as `--json` writes it: `{device, attribute, event, sequence, time (ISO), …payload,
 * missed, resubscribed}`; the payload is read's `value, wValue, quality, dataFormat, dataType,
 * dimX, dimY`, or `config`, `dataReady`, `interfaceChange`, or `error: {errors}`.
 */
export function eventJson(ev: EventData): Record<string, unknown> {
  return {
    device: ev.device,
    attribute: ev.attribute,
    event: ev.event,
    sequence: ev.sequence,
    time: eventTime(ev),
    ...payloadJson(ev),
    missed: ev.missed,
    resubscribed: ev.resubscribed,
  };
}
