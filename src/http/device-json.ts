import {
  AttrDataFormat, AttrQuality, AttrWriteType, CmdArgType, DevFailed, DispLevel, arrayTypeOf, typeName,
  type AttributeConfig, type AttributeDim, type AttributeValue, type CommandInfo, type DevError, type DeviceInfo,
  type TimeVal,
} from "../core/index.js";
import type { AttributeInfoFields, AttributeValueBody, CommandInfoBody, DeviceInfoBody } from "./device-schemas.js";
import { valueToJson, type JsonValue } from "./json-value.js";
import { restErrorOf } from "./rest-errors.js";

/*
 * Request API results as the device routes' JSON (Tango REST API v1 shapes, see device-schemas.ts):
 * enumerations by name, times in ms since the epoch, images as {data, width, height}.
 */

/** The name of a numeric enum's member, or the number as text when it has none. */
function nameOf(names: Readonly<Record<number, string>>, value: number): string {
  return names[value] ?? String(value);
}

/** A TimeVal in ms since the Unix epoch (Tango REST's `timestamp`). */
export function timestampMs(time: TimeVal): number {
  return time.sec * 1000 + Math.floor(time.usec / 1000);
}

/** Device information for `GET /devices/{device}`. */
export function deviceInfoJson(name: string, info: DeviceInfo): DeviceInfoBody {
  return {
    name,
    classname: info.devClass,
    server: info.serverId,
    hostname: info.serverHost,
    version: String(info.serverVersion),
    exported: true,
    adm_name: info.admName,
    description: info.description,
    doc_url: info.docUrl,
    dev_type: info.devType,
    version_info: { ...info.versionInfo },
  };
}

/** Tango's AttrMemorizedType name (spec §4.2) of a configuration's two flags. */
function memorizedName(c: AttributeConfig): string {
  if (!c.memorized) return "NONE";
  return c.memInit ? "MEMORIZED_WRITE_INIT" : "MEMORIZED";
}

/** An attribute configuration with Tango REST's AttributeInfo field names and enums by name. */
export function attributeInfoJson(c: AttributeConfig): AttributeInfoFields {
  const { alarms: a, events: e } = c;
  return {
    name: c.name,
    writable: nameOf(AttrWriteType, c.writable),
    data_format: nameOf(AttrDataFormat, c.dataFormat),
    data_type: typeName(c.dataType),
    max_dim_x: c.maxDimX,
    max_dim_y: c.maxDimY,
    description: c.description,
    label: c.label,
    unit: c.unit,
    standard_unit: c.standardUnit,
    display_unit: c.displayUnit,
    format: c.format,
    min_value: c.minValue,
    max_value: c.maxValue,
    min_alarm: a.minAlarm,
    max_alarm: a.maxAlarm,
    writable_attr_name: c.writableAttrName,
    level: nameOf(DispLevel, c.level),
    memorized: memorizedName(c),
    root_attr_name: c.rootAttrName,
    enum_label: [...c.enumLabels],
    extensions: [],
    sys_extensions: [],
    alarms: {
      min_alarm: a.minAlarm, max_alarm: a.maxAlarm, min_warning: a.minWarning, max_warning: a.maxWarning,
      delta_t: a.deltaT, delta_val: a.deltaVal, extensions: [],
    },
    events: {
      ch_event: { rel_change: e.relChange, abs_change: e.absChange, extensions: [] },
      per_event: { period: e.period, extensions: [] },
      arch_event: { rel_change: e.archiveRelChange, abs_change: e.archiveAbsChange, period: e.archivePeriod, extensions: [] },
    },
  };
}

/** A command description with Tango REST's CommandInfo field names and types by name. */
export function commandInfoJson(c: CommandInfo): CommandInfoBody {
  return {
    level: nameOf(DispLevel, c.level),
    in_type: typeName(c.inType),
    out_type: typeName(c.outType),
    in_type_desc: c.inTypeDesc,
    out_type_desc: c.outTypeDesc,
  };
}

/** One read or set part of an attribute value as JSON. */
function partJson(av: AttributeValue, value: unknown, dim: AttributeDim, enumLabels: readonly string[]): JsonValue {
  const label = (n: unknown): JsonValue => (typeof n === "number" ? enumLabels[n] ?? n : valueToJson(n, CmdArgType.DevEnum));
  if (av.dataFormat === AttrDataFormat.SCALAR) {
    return av.dataType === CmdArgType.DevEnum ? label(value) : valueToJson(value, av.dataType);
  }
  const elements = av.dataType === CmdArgType.DevEnum && ArrayBuffer.isView(value)
    ? Array.from(value as unknown as ArrayLike<number>, label)
    : valueToJson(value, arrayTypeOf(av.dataType));
  // Tango REST's image value: row-major data with its width (dim_x) and height (dim_y).
  return av.dataFormat === AttrDataFormat.IMAGE ? { data: elements, width: dim.x, height: dim.y } : elements;
}

/** The errors of a failed attribute read, or undefined when it did not fail. */
export function readErrorOf(av: AttributeValue): DevFailed | undefined {
  const errors: readonly DevError[] = av.errors ?? [];
  return errors.length > 0 ? new DevFailed(errors as [DevError, ...DevError[]]) : undefined;
}

/**
 * An attribute read as Tango REST's AttributeValue `{name, value, quality, timestamp}`, plus
 * `w_value` for a writable attribute. A failed read becomes `{name, errors, quality: "FAILURE",
 * timestamp}` (Tango REST's failure entry). `enumLabels` turns DevEnum values into labels.
 */
export function attributeValueJson(av: AttributeValue, enumLabels: readonly string[] = []): AttributeValueBody {
  const timestamp = timestampMs(av.time);
  const failure = readErrorOf(av);
  if (failure !== undefined) return { name: av.name, quality: "FAILURE", timestamp, errors: restErrorOf(failure).errors };
  const body: AttributeValueBody = {
    name: av.name,
    value: av.value === undefined ? null : partJson(av, av.value, av.rDim, enumLabels),
    quality: nameOf(AttrQuality, av.quality),
    timestamp,
  };
  if (av.wValue !== undefined) body.w_value = partJson(av, av.wValue, av.wDim, enumLabels);
  return body;
}
