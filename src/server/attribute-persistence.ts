import type { Logger } from "pino";
import { DevFailed, Reason, TangoErrors, type AttributeConfigUpdate } from "../core/index.js";
import { runtimeOf, writeAttributesOf, type AttributeState, type Device } from "../device/index.js";
import { applyAttributeProperties, applyStoredAttributeProperties, baseConfigOf, configChangesOf } from "./attribute-properties.js";
import type { DeviceEntry } from "./device-entry.js";
import { isMemorizable, MEMORIZED_VALUE, memorizedText, NOT_USED_YET, parseMemorized } from "./memorized-values.js";
import type { Store, StoredAttributeProperties } from "./store/store.js";

/*
 * What of an attribute outlives the process (spec §6.2, §6.8, DESIGN §10): its configuration set
 * at run time and a memorized attribute's set value, kept as device attribute properties in the
 * server's Store (the file store, or the Tango database).
 */

/** The values of property `name` of `attribute` in `props`, names ignoring case. */
function storedValue(props: StoredAttributeProperties, attribute: string, name: string): readonly string[] | undefined {
  const lower = attribute.toLowerCase();
  const attr = Object.entries(props).find(([a]) => a.toLowerCase() === lower)?.[1];
  return attr === undefined ? undefined : Object.entries(attr).find(([n]) => n.toLowerCase() === name)?.[1];
}

/**
 * A device's attribute configuration at start, before it is exported: its declared defaults,
 * the config file's `attributeProperties`, then what the store keeps, the class's (a database's)
 * under the device's own. Throws as applyAttributeProperties for the config file; a stored value
 * an attribute refuses is logged and left aside.
 *
 * @internal
 */
export function applyAttributeConfiguration(device: Device, entry: DeviceEntry, store: Store, log: Logger): void {
  applyAttributeProperties(device, entry.attributeProperties);
  for (const owner of [`class:${entry.className}`, entry.name]) {
    for (const { attribute, err } of applyStoredAttributeProperties(device, store.attributeProperties(owner))) {
      log.warn({ device: entry.name, attribute, owner, err }, "a stored attribute property was refused; the attribute keeps its configuration without it");
    }
  }
}

/**
 * Restores memorized set values from `__value` (spec §6.8 item 3), before the device is exported:
 * the set value of each memorized attribute, and with hwMemorized the device's write method is
 * called with it (`onlyWriteAtInit`: Init of a running device, which writes those again and keeps
 * the others' set values). A write that fails forces the device to ALARM and makes reads of the
 * attribute fail with API_MemAttFailedDuringInit until a write succeeds (item 4).
 *
 * @internal
 */
export async function restoreMemorized(device: Device, entry: DeviceEntry, store: Store, log: Logger, onlyWriteAtInit = false): Promise<void> {
  const stored = store.attributeProperties(entry.name);
  for (const state of runtimeOf(device).attributes()) {
    const d = state.decl;
    if (!isMemorizable(d) || (onlyWriteAtInit && !d.memInit)) continue;
    const text = storedValue(stored, d.name, MEMORIZED_VALUE)?.[0];
    if (text === undefined || text === NOT_USED_YET) continue;
    let value: unknown;
    try {
      value = parseMemorized(d.dtype, text);
    } catch (err) {
      log.warn({ device: entry.name, attribute: d.name, value: text, err }, "a memorized value does not fit its attribute; it is not restored");
      continue;
    }
    state.setValue = value;
    state.setDim = { x: 1, y: 0 };
    if (!d.memInit) continue;
    try {
      await writeAttributesOf(device, [{ name: d.name, value: { type: d.dtype, value } }], undefined, Date.now(), { isRestoring: true });
      state.memInitFailure = undefined;
    } catch (err) {
      const cause = DevFailed.from(err, `${entry.className}::write_${d.name}`);
      state.memInitFailure = memorizedWriteFailed(d.name, cause);
      log.error({ device: entry.name, attribute: d.name, value: text, err: cause }, "writing a memorized value at startup failed; the device is in ALARM");
    }
  }
}

/** Reads of a memorized attribute whose startup write failed (spec §6.8 item 4). */
function memorizedWriteFailed(attribute: string, cause: DevFailed): DevFailed {
  const why = cause.errors.at(-1)?.desc ?? cause.message;
  return DevFailed.of(Reason.MemAttFailedDuringInit,
    `Memorized attribute ${attribute} failed during device startup sequence (${why}); write it again to clear this`, "Attribute::read");
}

/**
 * Keeps a memorized attribute's written value (DeviceHost.memorize): `__value` in the store,
 * before the write is acknowledged. Other attributes are not kept.
 *
 * @internal
 */
export async function memorize(store: Store, entry: DeviceEntry, device: Device, attribute: string, value: unknown): Promise<void> {
  const state = runtimeOf(device).attribute(attribute);
  if (state === undefined || !isMemorizable(state.decl)) return;
  await store.changeAttributeProperties(entry.name, [{ attribute: state.decl.name, name: MEMORIZED_VALUE, values: [memorizedText(state.decl.dtype, value)] }]);
}

/**
 * set_attribute_config with the change kept (spec §6.2): applies every update (all or none),
 * saves each property it named in the store (deleting it there when it is back to its value
 * without run-time changes, as cppTango's upd_database), and returns the attributes changed. When
 * the store refuses, the configuration is put back as it was and its DevFailed is thrown.
 *
 * @internal
 */
export async function changeAttributeConfig(store: Store, entry: DeviceEntry, device: Device, updates: readonly AttributeConfigUpdate[]): Promise<AttributeState[]> {
  const rt = runtimeOf(device);
  const targets = updates.map((u) => {
    const lower = u.name.toLowerCase();
    if (lower === "state" || lower === "status") throw TangoErrors.stateStatusConfig();
    const a = rt.attribute(u.name);
    if (a === undefined) throw TangoErrors.attrNotFound(u.name);
    return a;
  });
  const saved = targets.map((a) => a.saveConfig());
  try {
    targets.forEach((a, i) => a.applyUpdate(updates[i] ?? { name: a.decl.name, set: {} }));
    const classStored = store.attributeProperties(`class:${entry.className}`);
    const deviceStored = store.attributeProperties(entry.name);
    const changes = targets.flatMap((a, i) => configChangesOf(a.decl.name, updates[i] ?? { name: a.decl.name, set: {} }, a.saveConfig(),
      baseConfigOf(a, entry.attributeProperties, classStored),
      Object.entries(deviceStored).find(([n]) => n.toLowerCase() === a.decl.name.toLowerCase())?.[1]));
    if (changes.length > 0) await store.changeAttributeProperties(entry.name, changes);
  } catch (err) {
    for (let i = targets.length - 1; i >= 0; i--) {
      const saveOf = saved[i];
      if (saveOf !== undefined) targets[i]?.restoreConfig(saveOf);
    }
    throw err;
  }
  return targets;
}
