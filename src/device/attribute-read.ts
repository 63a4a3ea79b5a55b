import {
  AttrDataFormat, AttrQuality, AttrWriteType, CmdArgType, DevFailed, DevState, Reason, TangoErrors,
  ValueCoercionError, arrayTypeOf, coerce, isNumericType,
} from "../core/index.js";
import type { AttributeDim, AttributeValue, DevError, TimeVal } from "../core/index.js";
import { isAttrReadValue } from "./attr-value.js";
import type { AttributeState } from "./attribute-state.js";
import { runtimeOf, type Device } from "./device.js";
import { computeQuality } from "./quality.js";

const NO_DIM: AttributeDim = { x: 0, y: 0 };

/** A TimeVal from ms since the epoch. */
export function timeVal(ms: number): TimeVal {
  const sec = Math.floor(ms / 1000);
  return { sec, usec: Math.round((ms - sec * 1000) * 1000) };
}

function failed(name: string, dataType: CmdArgType, dataFormat: AttrDataFormat, time: TimeVal, err: unknown, origin: string): AttributeValue {
  const df = DevFailed.from(err, origin);
  return {
    name, quality: AttrQuality.ATTR_INVALID, dataFormat, dataType, time, rDim: NO_DIM, wDim: NO_DIM,
    errors: df.errors as readonly DevError[],
  };
}

function flattenRows(rows: readonly ArrayLike<unknown>[]): { data: unknown[]; x: number; y: number } {
  const x = rows[0]?.length ?? 0;
  const data: unknown[] = [];
  for (const row of rows) {
    if (row.length !== x) throw new ValueCoercionError("type", "image rows differ in length");
    for (let i = 0; i < row.length; i++) data.push(row[i]);
  }
  return { data, x, y: rows.length };
}

/** Canonical read value and its dimensions; throws DevFailed API_AttrOptProp for a device-code mistake. */
function normalise(state: AttributeState, raw: unknown): { value: unknown; dim: AttributeDim } {
  const d = state.decl;
  try {
    if (d.dformat === AttrDataFormat.SCALAR) {
      const value = coerce(d.dtype, raw);
      if (d.dtype === CmdArgType.DevEnum && (value as number) >= state.enumLabels.length) {
        throw new ValueCoercionError("range", `enum value ${String(value)} has no label (${state.enumLabels.length} labels)`);
      }
      return { value, dim: { x: 1, y: 0 } };
    }
    const arrayType = arrayTypeOf(d.dtype);
    if (d.dformat === AttrDataFormat.SPECTRUM) {
      const value = coerce(arrayType, raw) as ArrayLike<unknown>;
      if (value.length > d.maxDimX) throw new ValueCoercionError("range", `${value.length} elements, max_dim_x is ${d.maxDimX}`);
      return { value, dim: { x: value.length, y: 0 } };
    }
    let x: number, y: number, data: unknown;
    if (typeof raw === "object" && raw !== null && "data" in raw && "dimX" in raw) {
      const img = raw as { data: unknown; dimX: number; dimY: number };
      ({ data, dimX: x, dimY: y } = img);
    } else if (Array.isArray(raw)) {
      ({ data, x, y } = flattenRows(raw as ArrayLike<unknown>[]));
    } else throw new ValueCoercionError("type", "an image is image(data, dimX, dimY) or an array of rows");
    const value = coerce(arrayType, data) as ArrayLike<unknown>;
    if (value.length !== x * y) throw new ValueCoercionError("range", `${value.length} elements for ${x} x ${y}`);
    if (x > d.maxDimX || y > d.maxDimY) throw new ValueCoercionError("range", `${x} x ${y} exceeds ${d.maxDimX} x ${d.maxDimY}`);
    return { value, dim: { x, y } };
  } catch (e) {
    if (!(e instanceof ValueCoercionError)) throw e;
    throw DevFailed.of(Reason.AttrOptProp, `Invalid value for attribute ${d.name}: ${e.message}`, `${d.name}::read`);
  }
}

function numericView(value: unknown): ArrayLike<number | bigint> {
  return typeof value === "number" || typeof value === "bigint" ? [value] : value as ArrayLike<number | bigint>;
}

/** The set part that a read reports: own set value, or the linked attribute's (READ_WITH_WRITE). */
function setPart(device: Device, state: AttributeState): { wValue?: unknown; wDim: AttributeDim } {
  const d = state.decl;
  if (d.access === AttrWriteType.READ) return { wDim: NO_DIM };
  const source = d.access === AttrWriteType.READ_WITH_WRITE && d.writableAttrName !== undefined
    ? runtimeOf(device).attribute(d.writableAttrName) : state;
  if (source === undefined) return { wDim: NO_DIM };
  return { wValue: source.setValue, wDim: source.setDim };
}

/**
 * What a read method (or a push) handed over, checked and shaped as an AttributeValue: the
 * quality and timestamp of an `attrValue(...)`, the canonical value, the set part. With
 * `checkAlarms` a VALID numeric value gets its quality from the alarm rules (spec §6.6) and the
 * State/Status alarm marks are updated, as a read does; a pushed value keeps the quality it was
 * given, as in cppTango. Throws DevFailed (API_AttrValueNotSet, API_AttrOptProp).
 */
function shapeValue(device: Device, state: AttributeState, given: unknown, now: number, checkAlarms: boolean): AttributeValue {
  const d = state.decl;
  let raw = given;
  let quality = AttrQuality.ATTR_VALID;
  let stamp = timeVal(now);
  if (isAttrReadValue(raw)) {
    quality = raw.quality ?? AttrQuality.ATTR_VALID;
    if (raw.timestampMs !== undefined) stamp = timeVal(raw.timestampMs);
    raw = raw.value;
  }
  const { wValue, wDim } = setPart(device, state);
  if (raw === undefined) {
    if (quality !== AttrQuality.ATTR_INVALID) throw TangoErrors.attrValueNotSet(d.name);
    if (checkAlarms) runtimeOf(device).markQuality(state, quality, undefined);
    return { name: d.name, quality, dataFormat: d.dformat, dataType: d.dtype, time: stamp, rDim: NO_DIM, wDim, wValue };
  }
  const { value, dim } = normalise(state, raw);
  if (checkAlarms) {
    let kind;
    if (quality === AttrQuality.ATTR_VALID && isNumericType(d.dtype) && d.dtype !== CmdArgType.DevEnum) {
      const rds = (d.access === AttrWriteType.READ_WRITE || d.access === AttrWriteType.READ_WITH_WRITE) && wValue !== undefined
        ? { set: numericView(wValue), msSinceWrite: now - state.lastWriteMs } : undefined;
      ({ quality, alarm: kind } = computeQuality(numericView(value), state.thresholds, rds));
    }
    runtimeOf(device).markQuality(state, quality, kind);
  }
  return { name: d.name, quality, dataFormat: d.dformat, dataType: d.dtype, time: stamp, rDim: dim, wDim, value, wValue };
}

/** Reads one attribute (spec §6.4 step 5) after the hooks ran; never throws. @internal */
export async function readOne(device: Device, state: AttributeState, now: number): Promise<AttributeValue> {
  const d = state.decl;
  try {
    if (d.readAllowedIn !== undefined && !d.readAllowedIn.includes(device.getState())) throw TangoErrors.attrReadNotAllowed(d.name);
    if (state.memInitFailure !== undefined) throw state.memInitFailure;
    let raw: unknown = d.read !== undefined ? await d.read(device) : d.access === AttrWriteType.WRITE ? state.setValue : undefined;
    if (d.read === undefined && d.access === AttrWriteType.WRITE && d.dformat === AttrDataFormat.IMAGE) {
      raw = { data: state.setValue, dimX: state.setDim.x, dimY: state.setDim.y };
    }
    return shapeValue(device, state, raw, now, true);
  } catch (err) {
    runtimeOf(device).markQuality(state, AttrQuality.ATTR_VALID, undefined);
    return failed(d.name, d.dtype, d.dformat, timeVal(now), err, `${device.className}::read_${d.name}`);
  }
}

/**
 * The AttributeValue of a value device code pushes with an event (spec §12.1 item 2): shaped as
 * a read would shape it (a DevFailed gives a failed value), its quality as given (default VALID;
 * no alarm rules, as cppTango). State and Status take a DevState and a string. Throws DevFailed
 * API_AttrNotFound for an attribute the device does not have, API_AttrOptProp for a value that
 * does not fit it. @internal
 */
export function pushedAttributeValue(device: Device, name: string, given: unknown, now: number): AttributeValue {
  const lower = name.toLowerCase();
  if (lower === "state" || lower === "status") {
    const isState = lower === "state";
    const dataType = isState ? CmdArgType.DevState : CmdArgType.DevString;
    const label = isState ? "State" : "Status";
    if (given instanceof DevFailed) return failed(label, dataType, AttrDataFormat.SCALAR, timeVal(now), given, `${device.className}::push_event`);
    let raw = given;
    let quality = AttrQuality.ATTR_VALID;
    let time = timeVal(now);
    if (isAttrReadValue(raw)) {
      quality = raw.quality ?? quality;
      if (raw.timestampMs !== undefined) time = timeVal(raw.timestampMs);
      raw = raw.value;
    }
    let value: unknown;
    try {
      value = coerce(dataType, raw);
    } catch (e) {
      if (!(e instanceof ValueCoercionError)) throw e;
      throw DevFailed.of(Reason.AttrOptProp, `Invalid value for attribute ${label}: ${e.message}`, `${device.className}::push_event`);
    }
    return { name: label, quality, dataFormat: AttrDataFormat.SCALAR, dataType, time, rDim: { x: 1, y: 0 }, wDim: NO_DIM, value };
  }
  const state = runtimeOf(device).attribute(name);
  if (state === undefined) throw TangoErrors.attrNotFound(name);
  const d = state.decl;
  if (given instanceof DevFailed) return failed(d.name, d.dtype, d.dformat, timeVal(now), given, `${device.className}::push_event`);
  return shapeValue(device, state, given, now, false);
}

/** Receives each attribute read's duration (the server's metrics); @internal. */
export interface AttributeReadTimer {
  /** `attribute` is the declared name (`State`, `Status` for those); `seconds` covers that attribute alone. */
  observeRead(attribute: string, seconds: number): void;
}

/**
 * read_attributes for one device (spec §6.4): unknown names fail alone; the always-executed and
 * read-hardware hooks run once; State and Status are computed last. Throws only when a hook fails
 * as a whole. `timer` gets each attribute actually read (not unknown names, not those a failed
 * read_attr_hardware failed); the hooks that run once per call are in no attribute's time.
 */
export async function readAttributesOf(device: Device, names: readonly string[], timer?: AttributeReadTimer, now = Date.now()): Promise<AttributeValue[]> {
  const rt = runtimeOf(device);
  const states = names.map((n) => rt.attribute(n));
  await device.alwaysExecutedHook();
  const real = states.filter((s): s is AttributeState => s !== undefined).map((s) => s.decl.name);
  let hardwareError: unknown;
  if (real.length > 0) {
    try {
      await device.readAttrHardware(real);
    } catch (err) {
      hardwareError = err;
    }
  }
  const out: AttributeValue[] = new Array(names.length);
  const special: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const s = states[i];
    const name = names[i] ?? "";
    if (s === undefined) {
      const lower = name.toLowerCase();
      if (lower === "state" || lower === "status") special.push(i);
      else out[i] = failed(name, CmdArgType.DATA_TYPE_UNKNOWN, AttrDataFormat.FMT_UNKNOWN, timeVal(now), TangoErrors.attrNotFound(name), "MultiAttribute::get_attr_ind_by_name");
    } else if (hardwareError !== undefined) {
      out[i] = failed(s.decl.name, s.decl.dtype, s.decl.dformat, timeVal(now), hardwareError, `${device.className}::read_attr_hardware`);
    } else {
      const startMs = timer === undefined ? 0 : performance.now();
      out[i] = await readOne(device, s, now);
      timer?.observeRead(s.decl.name, (performance.now() - startMs) / 1000);
    }
  }
  for (const i of special) {
    const isState = (names[i] ?? "").toLowerCase() === "state";
    const startMs = timer === undefined ? 0 : performance.now();
    out[i] = await readStateOrStatus(device, isState, now);
    timer?.observeRead(isState ? "State" : "Status", (performance.now() - startMs) / 1000);
  }
  return out;
}

async function readStateOrStatus(device: Device, isState: boolean, now: number): Promise<AttributeValue> {
  const name = isState ? "State" : "Status";
  const dataType = isState ? CmdArgType.DevState : CmdArgType.DevString;
  try {
    const value: DevState | string = isState ? await device.devState() : await device.devStatus();
    const quality = isState && value === DevState.ALARM ? AttrQuality.ATTR_ALARM : AttrQuality.ATTR_VALID;
    return {
      name, quality, dataFormat: AttrDataFormat.SCALAR, dataType, time: timeVal(now), rDim: { x: 1, y: 0 }, wDim: NO_DIM, value,
    };
  } catch (err) {
    return failed(name, dataType, AttrDataFormat.SCALAR, timeVal(now), err, `${device.className}::dev_${name.toLowerCase()}`);
  }
}
