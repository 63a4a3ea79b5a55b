import {
  AttrDataFormat, AttrWriteType, CmdArgType, DevFailed, MultiDevFailed, TangoErrors, ValueCoercionError,
  arrayTypeOf, coerce, writtenValueError,
} from "../core/index.js";
import type { AttributeDim, AttributeWrite, DevError, NamedDevError } from "../core/index.js";
import type { AttributeState } from "./attribute-state.js";
import { runtimeOf, type Device } from "./device.js";

function sameType(sent: CmdArgType, expected: CmdArgType): boolean {
  const norm = (t: CmdArgType): CmdArgType => (t === CmdArgType.ConstDevString ? CmdArgType.DevString : t === CmdArgType.DevEnum ? CmdArgType.DevShort : t);
  return norm(sent) === norm(expected);
}

/** check_written_value (spec §6.7 item 4): type, element count, NaN/Inf, min/max, enum range. */
export function checkWrittenValue(state: AttributeState, w: AttributeWrite): { value: unknown; dim: AttributeDim } {
  const d = state.decl;
  const scalar = d.dformat === AttrDataFormat.SCALAR;
  const expected = scalar ? d.dtype : arrayTypeOf(d.dtype);
  const sent = w.value.type;
  // A scalar may come as its sequence type, as cppTango always sends it (then one element).
  if (sent !== CmdArgType.DevVoid && !sameType(sent, expected) && !sameType(sent, d.dtype) && !sameType(sent, arrayTypeOf(d.dtype))) {
    throw TangoErrors.incompatibleAttrDataType(d.dtype);
  }
  let raw = w.value.value;
  if (scalar && (Array.isArray(raw) || (ArrayBuffer.isView(raw) && d.dtype !== CmdArgType.DevEncoded))) {
    const arr = raw as ArrayLike<unknown>;
    if (arr.length !== 1) throw TangoErrors.attrIncorrectDataNumber();
    raw = arr[0];
  }
  let value: unknown;
  try {
    value = coerce(expected, raw);
  } catch (e) {
    if (!(e instanceof ValueCoercionError)) throw e;
    throw writtenValueError(d.name, d.dtype, e);
  }
  let dim: AttributeDim = { x: 1, y: 0 };
  if (!scalar) {
    const n = (value as ArrayLike<unknown>).length;
    const x = d.dformat === AttrDataFormat.IMAGE ? w.dim?.x ?? n : w.dim?.x || n;
    const y = d.dformat === AttrDataFormat.IMAGE ? w.dim?.y ?? (n === 0 ? 0 : 1) : 0;
    if (x * (d.dformat === AttrDataFormat.IMAGE ? y : 1) !== n) throw TangoErrors.attrIncorrectDataNumber();
    if (x > d.maxDimX) throw TangoErrors.wattrDimTooLarge(d.name, "X");
    if (d.dformat === AttrDataFormat.IMAGE && y > d.maxDimY) throw TangoErrors.wattrDimTooLarge(d.name, "Y");
    dim = { x, y };
  }
  const elements: ArrayLike<unknown> = scalar ? [value] : value as ArrayLike<unknown>;
  const isFloat = d.dtype === CmdArgType.DevFloat || d.dtype === CmdArgType.DevDouble;
  const { minValue: min, maxValue: max } = state;
  for (let i = 0; i < elements.length; i++) {
    const v = elements[i];
    if (typeof v !== "number" && typeof v !== "bigint") continue;
    const n = Number(v);
    if (isFloat && !Number.isFinite(n)) throw TangoErrors.wattrNaN(d.name, i);
    // spec §6.7: the bounds are exclusive in code, equality is accepted.
    if (min !== undefined && n < min) throw TangoErrors.wattrBelowMin(d.name, i);
    if (max !== undefined && n > max) throw TangoErrors.wattrAboveMax(d.name, i);
    if (d.dtype === CmdArgType.DevEnum && (n < 0 || n >= state.enumLabels.length)) throw TangoErrors.wattrAboveMax(d.name, i);
  }
  return { value, dim };
}

function named(name: string, index: number, err: unknown, origin: string): NamedDevError {
  const df = DevFailed.from(err, origin);
  return { name, indexInCall: index, errors: df.errors as readonly [DevError, ...DevError[]] };
}

/** Receives each attribute write's duration (the server's metrics); @internal. */
export interface AttributeWriteTimer {
  /** `attribute` is the declared name; `seconds` covers its state check and write method. */
  observeWrite(attribute: string, seconds: number): void;
}

/** How writeAttributesOf treats memorized attributes. @internal */
export interface WriteOptions {
  /** The write restores kept values at startup or Init: they are not kept again. */
  readonly isRestoring?: boolean;
}

/**
 * write_attributes for one device (spec §6.7): resolve and check every value, run the
 * always-executed hook (unless all failed), write each, then write_attr_hardware once. Failures
 * are collected and thrown together as MultiDevFailed; the successful writes are kept. `timer`
 * gets each attribute whose value passed the checks, written or not. A memorized attribute's
 * value is kept (DeviceHost.memorize) after its write method and before the set value changes:
 * when it cannot be kept, that attribute's write fails and its set value stays as it was.
 */
export async function writeAttributesOf(device: Device, writes: readonly AttributeWrite[], timer?: AttributeWriteTimer, now = Date.now(),
  opts: WriteOptions = {}): Promise<void> {
  const rt = runtimeOf(device);
  const errors: NamedDevError[] = [];
  const ready: { index: number; state: AttributeState; value: unknown; dim: AttributeDim }[] = [];
  writes.forEach((w, index) => {
    const state = rt.attribute(w.name);
    try {
      if (state === undefined) throw TangoErrors.attrNotFound(w.name);
      if (state.decl.access === AttrWriteType.READ || state.decl.access === AttrWriteType.READ_WITH_WRITE) {
        throw TangoErrors.attrNotWritable(state.decl.name);
      }
      ready.push({ index, state, ...checkWrittenValue(state, w) });
    } catch (err) {
      errors.push(named(w.name, index, err, "Device_3Impl::write_attributes"));
    }
  });
  if (ready.length > 0) {
    await device.alwaysExecutedHook();
    const written: string[] = [];
    for (const { index, state, value, dim } of ready) {
      const d = state.decl;
      const startMs = timer === undefined ? 0 : performance.now();
      try {
        if (d.writeAllowedIn !== undefined && !d.writeAllowedIn.includes(device.getState())) {
          throw TangoErrors.attrWriteNotAllowed(d.name, device.getState());
        }
        const arg = d.dformat === AttrDataFormat.IMAGE ? { data: value, dimX: dim.x, dimY: dim.y } : value;
        if (d.write !== undefined) await d.write(device, arg);
        if (d.memorized && !opts.isRestoring && rt.memorize !== undefined) await rt.memorize(d.name, value);
        state.memInitFailure = undefined;
        state.setValue = value;
        state.setDim = dim;
        state.lastWriteMs = now;
        written.push(d.name);
      } catch (err) {
        errors.push(named(writes[index]?.name ?? d.name, index, err, `${device.className}::write_${d.name}`));
      }
      timer?.observeWrite(d.name, (performance.now() - startMs) / 1000);
    }
    if (written.length > 0) await device.writeAttrHardware(written);
  }
  if (errors.length > 0) {
    errors.sort((a, b) => a.indexInCall - b.indexInCall);
    throw new MultiDevFailed(errors as [NamedDevError, ...NamedDevError[]]);
  }
}
