import { TangoErrors, type AttributeConfigProperty } from "../core/index.js";
import { runtimeOf, type Device } from "../device/index.js";
import type { DeviceConfig } from "./config.js";

/** A device's configured attribute properties (the config file's `attributeProperties`). */
export type AttributePropertiesConfig = NonNullable<DeviceConfig["attributeProperties"]>;

/** Tango database names of attribute properties → the configuration's. */
const BY_DB_NAME: Readonly<Record<string, AttributeConfigProperty>> = {
  description: "description", label: "label", unit: "unit", standard_unit: "standardUnit", display_unit: "displayUnit",
  format: "format", min_value: "minValue", max_value: "maxValue", min_alarm: "minAlarm", max_alarm: "maxAlarm",
  min_warning: "minWarning", max_warning: "maxWarning", delta_t: "deltaT", delta_val: "deltaVal", rel_change: "relChange",
  abs_change: "absChange", event_period: "period", archive_rel_change: "archiveRelChange",
  archive_abs_change: "archiveAbsChange", archive_period: "archivePeriod",
};

/**
 * Applies a device's configured attribute properties to its attributes, as a Tango database's
 * are when a device starts. Throws DevFailed: API_AttrNotFound for an attribute the device does
 * not have, the attribute's own error for a value it refuses.
 */
export function applyAttributeProperties(device: Device, config: AttributePropertiesConfig | undefined): void {
  if (config === undefined) return;
  const rt = runtimeOf(device);
  for (const [name, props] of Object.entries(config)) {
    const state = rt.attribute(name);
    if (state === undefined) throw TangoErrors.attrNotFound(name);
    const set: Partial<Record<AttributeConfigProperty, string>> = {};
    for (const [key, value] of Object.entries(props)) {
      const property = BY_DB_NAME[key];
      if (property !== undefined && value !== undefined) set[property] = String(value);
    }
    state.applyUpdate({ name: state.decl.name, set });
  }
}
