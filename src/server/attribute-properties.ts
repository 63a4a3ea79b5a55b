import { DevFailed, TangoErrors, type AttributeConfigProperty, type AttributeConfigUpdate } from "../core/index.js";
import { AttributeState, runtimeOf, type AttributeConfigSnapshot, type Device } from "../device/index.js";
import type { DeviceConfig } from "./config.js";
import type { AttributePropertyChange, StoredAttributeProperties } from "./store/store.js";

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
/** The configuration's names → the Tango database's (what the store keeps). */
const DB_NAME_OF = Object.fromEntries(Object.entries(BY_DB_NAME).map(([db, p]) => [p, db])) as Record<AttributeConfigProperty, string>;
/** The database name of a DevEnum's labels. */
const ENUM_LABELS = "enum_labels";

/**
 * The set_attribute_config update that properties under their Tango database names make; names
 * it does not know (`__value`, `__root_att`...) are left out. A property of several values (a
 * database's `rel_change` of two) is joined with commas, as the configuration writes it.
 */
function updateOf(name: string, props: Readonly<Record<string, string | number | readonly string[] | undefined>>): AttributeConfigUpdate {
  const set: Partial<Record<AttributeConfigProperty, string>> = {};
  let enumLabels: readonly string[] | undefined;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const lower = key.toLowerCase();
    if (lower === ENUM_LABELS) enumLabels = Array.isArray(value) ? value : [String(value)];
    const property = BY_DB_NAME[lower];
    if (property !== undefined) set[property] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return { name, set, ...(enumLabels === undefined ? {} : { enumLabels }) };
}

/** The properties of `attribute` in `props`, found ignoring case. */
function propsOf<T>(props: Readonly<Record<string, T>> | undefined, attribute: string): T | undefined {
  if (props === undefined) return undefined;
  const key = Object.keys(props).find((a) => a.toLowerCase() === attribute.toLowerCase());
  return key === undefined ? undefined : props[key];
}

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
    state.applyUpdate(updateOf(state.decl.name, props));
  }
}

/**
 * Applies attribute properties a store holds (a database's for the class, then the device's run-time
 * ones) over the configuration. Properties of attributes the device does not have are left aside,
 * as cppTango does; a value an attribute refuses leaves that attribute as it was and is returned,
 * with its attribute, for the log.
 */
export function applyStoredAttributeProperties(device: Device, stored: StoredAttributeProperties): Array<{ attribute: string; err: unknown }> {
  const refused: Array<{ attribute: string; err: unknown }> = [];
  const rt = runtimeOf(device);
  for (const [name, props] of Object.entries(stored)) {
    const state = rt.attribute(name);
    if (state === undefined) continue;
    try {
      state.applyUpdate(updateOf(state.decl.name, props));
    } catch (err) {
      if (!(err instanceof DevFailed)) throw err;
      refused.push({ attribute: state.decl.name, err });
    }
  }
  return refused;
}

/**
 * The configuration an attribute has without run-time changes: its declared defaults, the config
 * file's values, then the class's stored ones. A run-time value equal to it is not kept.
 */
export function baseConfigOf(state: AttributeState, config: AttributePropertiesConfig | undefined, classStored: StoredAttributeProperties): AttributeConfigSnapshot {
  const base = new AttributeState(state.decl);
  const fromConfig = propsOf(config, state.decl.name);
  if (fromConfig !== undefined) base.applyUpdate(updateOf(state.decl.name, fromConfig));
  const fromClass = propsOf(classStored, state.decl.name);
  if (fromClass !== undefined) {
    const saved = base.saveConfig();
    try {
      base.applyUpdate(updateOf(state.decl.name, fromClass));
    } catch (err) {
      // A class value the attribute refuses was left aside at start too (applyStoredAttributeProperties).
      if (!(err instanceof DevFailed)) throw err;
      base.restoreConfig(saved);
    }
  }
  return base.saveConfig();
}

/** The changes to keep after `update` left `now`: each property it named, put when it differs from `base`, deleted (if stored) when not (cppTango upd_database). */
export function configChangesOf(attribute: string, update: AttributeConfigUpdate, now: AttributeConfigSnapshot, base: AttributeConfigSnapshot,
  stored: Readonly<Record<string, readonly string[]>> | undefined): AttributePropertyChange[] {
  const isStored = (name: string): boolean => propsOf(stored, name) !== undefined;
  const out: AttributePropertyChange[] = [];
  for (const [key, raw] of Object.entries(update.set) as Array<[AttributeConfigProperty, string | undefined]>) {
    const name = DB_NAME_OF[key];
    if (raw === undefined || name === undefined) continue;
    if (now.props[key] !== base.props[key]) out.push({ attribute, name, values: [now.props[key]] });
    else if (isStored(name)) out.push({ attribute, name, values: null });
  }
  if (update.enumLabels !== undefined) {
    const isBase = now.enumLabels.length === base.enumLabels.length && now.enumLabels.every((l, i) => l === base.enumLabels[i]);
    if (!isBase) out.push({ attribute, name: ENUM_LABELS, values: [...now.enumLabels] });
    else if (isStored(ENUM_LABELS)) out.push({ attribute, name: ENUM_LABELS, values: null });
  }
  return out;
}
