import type {
  AttrDataFormat, AttrWriteType, AttributeConfig, AttributeConfigProperty, AttributeConfigUpdate,
  CmdArgType, DispLevel,
} from "../core/index.js";
import type {
  WireAttributeConfig, WireAttributeConfigUpdate, WireConfigUpdateField,
} from "./wire-types.js";

/** Attribute configurations ⇄ tango.v1.AttributeConfig / AttributeConfigUpdate. Pure. */

/** Wire field → core property of an update; a Record, so a new wire field does not compile unmapped. */
const PROPERTY_OF_FIELD: Readonly<Record<WireConfigUpdateField, AttributeConfigProperty>> = {
  description: "description",
  label: "label",
  unit: "unit",
  standard_unit: "standardUnit",
  display_unit: "displayUnit",
  format: "format",
  min_value: "minValue",
  max_value: "maxValue",
  min_alarm: "minAlarm",
  max_alarm: "maxAlarm",
  min_warning: "minWarning",
  max_warning: "maxWarning",
  delta_t: "deltaT",
  delta_val: "deltaVal",
  rel_change: "relChange",
  abs_change: "absChange",
  period: "period",
  archive_rel_change: "archiveRelChange",
  archive_abs_change: "archiveAbsChange",
  archive_period: "archivePeriod",
};
const UPDATE_FIELDS = Object.entries(PROPERTY_OF_FIELD) as ReadonlyArray<[WireConfigUpdateField, AttributeConfigProperty]>;

/**
 * Encodes an attribute configuration in the full IDL-5 shape. The strings (including "Not
 * specified") go out as the server gives them; extension lists are empty.
 */
export function encodeAttributeConfig(c: AttributeConfig): WireAttributeConfig {
  const { alarms: a, events: e } = c;
  return {
    name: c.name,
    writable: c.writable,
    data_format: c.dataFormat,
    data_type: c.dataType,
    memorized: c.memorized,
    mem_init: c.memInit,
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
    writable_attr_name: c.writableAttrName,
    level: c.level,
    root_attr_name: c.rootAttrName,
    enum_labels: c.enumLabels as string[],
    att_alarm: {
      min_alarm: a.minAlarm, max_alarm: a.maxAlarm, min_warning: a.minWarning, max_warning: a.maxWarning,
      delta_t: a.deltaT, delta_val: a.deltaVal, extensions: [],
    },
    event_prop: {
      ch_event: { rel_change: e.relChange, abs_change: e.absChange, extensions: [] },
      per_event: { period: e.period, extensions: [] },
      arch_event: { rel_change: e.archiveRelChange, abs_change: e.archiveAbsChange, period: e.archivePeriod, extensions: [] },
    },
    extensions: [],
    sys_extensions: [],
  };
}

/** Decodes an attribute configuration; a missing alarm or event part reads as empty strings. */
export function decodeAttributeConfig(w: WireAttributeConfig): AttributeConfig {
  const a = w.att_alarm;
  const ch = w.event_prop?.ch_event;
  const per = w.event_prop?.per_event;
  const arch = w.event_prop?.arch_event;
  return {
    name: w.name,
    writable: w.writable as AttrWriteType,
    dataFormat: w.data_format as AttrDataFormat,
    dataType: w.data_type as CmdArgType,
    memorized: w.memorized,
    memInit: w.mem_init,
    maxDimX: w.max_dim_x,
    maxDimY: w.max_dim_y,
    description: w.description,
    label: w.label,
    unit: w.unit,
    standardUnit: w.standard_unit,
    displayUnit: w.display_unit,
    format: w.format,
    minValue: w.min_value,
    maxValue: w.max_value,
    writableAttrName: w.writable_attr_name,
    level: w.level as DispLevel,
    rootAttrName: w.root_attr_name,
    enumLabels: w.enum_labels,
    alarms: {
      minAlarm: a?.min_alarm ?? "", maxAlarm: a?.max_alarm ?? "", minWarning: a?.min_warning ?? "",
      maxWarning: a?.max_warning ?? "", deltaT: a?.delta_t ?? "", deltaVal: a?.delta_val ?? "",
    },
    events: {
      relChange: ch?.rel_change ?? "", absChange: ch?.abs_change ?? "", period: per?.period ?? "",
      archiveRelChange: arch?.rel_change ?? "", archiveAbsChange: arch?.abs_change ?? "",
      archivePeriod: arch?.period ?? "",
    },
  };
}

/** Encodes a configuration change (the client side): only the properties in `set` are sent. */
export function encodeAttributeConfigUpdate(u: AttributeConfigUpdate): WireAttributeConfigUpdate {
  const w: WireAttributeConfigUpdate = { name: u.name, enum_labels: u.enumLabels === undefined ? [] : [...u.enumLabels] };
  for (const [field, prop] of UPDATE_FIELDS) {
    const v = u.set[prop];
    if (v !== undefined) w[field] = v;
  }
  return w;
}

/**
 * Decodes a configuration change: only the proto3 `optional` fields the client sent go into
 * `set` ("" included: it is Tango's reset word); empty `enum_labels` means unchanged.
 */
export function decodeAttributeConfigUpdate(w: WireAttributeConfigUpdate): AttributeConfigUpdate {
  const set: Partial<Record<AttributeConfigProperty, string>> = {};
  for (const [field, prop] of UPDATE_FIELDS) {
    const v = w[field];
    if (v !== undefined) set[prop] = v;
  }
  if (w.enum_labels.length === 0) return { name: w.name, set };
  return { name: w.name, set, enumLabels: w.enum_labels };
}
