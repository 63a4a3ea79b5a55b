import {
  AttrDataFormat, AttrWriteType, CmdArgType, DispLevel, isAttrScalarType, isNumericType, typeName,
} from "../core/index.js";
import type { AttrScalarType, AttributeConfigProperty, DevState, InputOf, ValueOf } from "../core/index.js";
import { MIN_POLL_PERIOD_MS } from "../core/defaults.js";
import type { Image } from "./attr-value.js";
import type { Device } from "./device.js";

/** The array type that carries many elements of scalar type T. */
export type ArrayTypeOf<T extends CmdArgType> =
  T extends CmdArgType.DevBoolean ? CmdArgType.DevVarBooleanArray
  : T extends CmdArgType.DevShort | CmdArgType.DevEnum ? CmdArgType.DevVarShortArray
  : T extends CmdArgType.DevLong ? CmdArgType.DevVarLongArray
  : T extends CmdArgType.DevLong64 ? CmdArgType.DevVarLong64Array
  : T extends CmdArgType.DevFloat ? CmdArgType.DevVarFloatArray
  : T extends CmdArgType.DevDouble ? CmdArgType.DevVarDoubleArray
  : T extends CmdArgType.DevUChar ? CmdArgType.DevVarCharArray
  : T extends CmdArgType.DevUShort ? CmdArgType.DevVarUShortArray
  : T extends CmdArgType.DevULong ? CmdArgType.DevVarULongArray
  : T extends CmdArgType.DevULong64 ? CmdArgType.DevVarULong64Array
  : T extends CmdArgType.DevString ? CmdArgType.DevVarStringArray
  : T extends CmdArgType.DevState ? CmdArgType.DevVarStateArray
  : T extends CmdArgType.DevEncoded ? CmdArgType.DevVarEncodedArray
  : never;

/** What a read of an attribute of type T and format F may return. */
export type AttrData<T extends AttrScalarType, F extends AttrDataFormat> =
  F extends AttrDataFormat.SPECTRUM ? InputOf<ArrayTypeOf<T>>
  : F extends AttrDataFormat.IMAGE ? Image<InputOf<ArrayTypeOf<T>>> | ReadonlyArray<InputOf<ArrayTypeOf<T>>>
  : InputOf<T>;

/** What a write of an attribute of type T and format F receives (canonical forms). */
export type AttrWriteData<T extends AttrScalarType, F extends AttrDataFormat> =
  F extends AttrDataFormat.SPECTRUM ? ValueOf<ArrayTypeOf<T>>
  : F extends AttrDataFormat.IMAGE ? Image<ValueOf<ArrayTypeOf<T>>>
  : ValueOf<T>;

/** A numeric attribute property may be given as a number, a bigint or Tango's string form. */
export type NumericProp = number | bigint | string;

/**
 * Options of `@attribute` (spec §6.1, §6.2). Every property has Tango's library default when
 * omitted; the value given here is the class ("user") default that `""` resets to.
 */
export interface AttributeOptions<T extends AttrScalarType = AttrScalarType, F extends AttrDataFormat = AttrDataFormat> {
  /** Tango type of one element, e.g. `DevDouble`. */
  readonly dtype: T;
  /** SCALAR (default), SPECTRUM or IMAGE. */
  readonly dformat?: F;
  /** Largest x dimension: required for SPECTRUM and IMAGE; 1 for a scalar. */
  readonly maxDimX?: number;
  /** Largest y dimension: required for IMAGE. */
  readonly maxDimY?: number;
  /**
   * Write type. Default: READ for a getter, READ_WRITE for a getter with a setter, WRITE for a
   * decorated setter. READ_WITH_WRITE needs `writableAttrName`.
   */
  readonly access?: AttrWriteType;
  /** For READ_WITH_WRITE: the WRITE or READ_WRITE attribute whose set value this one reports. */
  readonly writableAttrName?: string;
  /** Tango name when it differs from the member name. */
  readonly name?: string;
  /** Default: "No description". */
  readonly description?: string;
  /** Default: the attribute name. */
  readonly label?: string;
  /** Default: "" (no unit). */
  readonly unit?: string;
  /** Default: "No standard unit". */
  readonly standardUnit?: string;
  /** Default: "No display unit". */
  readonly displayUnit?: string;
  /** printf format. Default: %6.2f for floats, %d for integers, %s for strings. */
  readonly format?: string;
  /** Lowest accepted set value (equality accepted, spec §6.7). */
  readonly minValue?: NumericProp;
  /** Highest accepted set value (equality accepted). */
  readonly maxValue?: NumericProp;
  /** A read value <= this is ATTR_ALARM (spec §6.6). */
  readonly minAlarm?: NumericProp;
  /** A read value >= this is ATTR_ALARM. */
  readonly maxAlarm?: NumericProp;
  /** A read value <= this is ATTR_WARNING. */
  readonly minWarning?: NumericProp;
  /** A read value >= this is ATTR_WARNING. */
  readonly maxWarning?: NumericProp;
  /** RDS: ms after a write before read and set are compared (needs `deltaVal`). */
  readonly deltaT?: NumericProp;
  /** RDS: |read − set| >= this is ATTR_ALARM (needs `deltaT`). */
  readonly deltaVal?: NumericProp;
  /** Change-event relative threshold, percent: "v" or "neg,pos". */
  readonly relChange?: NumericProp;
  /** Change-event absolute threshold: "v" or "neg,pos". */
  readonly absChange?: NumericProp;
  /** Periodic-event period, ms. Default 1000. */
  readonly period?: NumericProp;
  /** Archive-event relative threshold, percent: "v" or "neg,pos". */
  readonly archiveRelChange?: NumericProp;
  /** Archive-event absolute threshold: "v" or "neg,pos". */
  readonly archiveAbsChange?: NumericProp;
  /** Archive-event period, ms: an archive event is sent once this long has passed since the last. */
  readonly archivePeriod?: NumericProp;
  /** Labels of a DevEnum attribute: value i means label i. */
  readonly enumLabels?: readonly string[];
  /** OPERATOR (default) or EXPERT. */
  readonly displayLevel?: DispLevel;
  /**
   * Keeps each written value (spec §6.8: the attribute property `__value`, in the Tango database
   * or the server's store) before the write is answered, and restores it as the set value when
   * the device starts, before clients are let in. Scalar writable attributes of any type but
   * DevState and DevEncoded. Default false.
   */
  readonly memorized?: boolean;
  /**
   * With `memorized`: also call the write method with the kept value at start and after every
   * Init; if that fails the device reads ALARM and reads of the attribute fail with
   * API_MemAttFailedDuringInit until a write succeeds. Default false.
   */
  readonly hwMemorized?: boolean;
  /** States in which reads are allowed (default: all). */
  readonly readAllowedIn?: readonly DevState[];
  /** States in which writes are allowed (default: all). */
  readonly writeAllowedIn?: readonly DevState[];
  /**
   * Poll the attribute every this many ms once the device is exported (spec §11.1 item 3: the
   * class's default polling), at least 5. The `polled_attr` device property and the admin
   * polling commands take precedence. Default: not polled.
   */
  readonly pollingPeriod?: number;
}

/** Options of `@command` (spec §5). */
export interface CommandOptions<I extends CmdArgType = CmdArgType, O extends CmdArgType = CmdArgType> {
  /** Argin type. Default DevVoid. */
  readonly dtypeIn?: I;
  /** Argout type. Default DevVoid. */
  readonly dtypeOut?: O;
  /** Argin description. Default "Uninitialised". */
  readonly docIn?: string;
  /** Argout description. Default "Uninitialised". */
  readonly docOut?: string;
  /** OPERATOR (default) or EXPERT. */
  readonly displayLevel?: DispLevel;
  /** Tango name when it differs from the method name. */
  readonly name?: string;
  /** States in which the command may run (default: all); else API_CommandNotAllowed. */
  readonly allowedIn?: readonly DevState[];
  /**
   * Poll the command every this many ms once the device is exported, at least 5; only for a
   * command without input (spec §11.1 item 2). The `polled_cmd` device property and the admin
   * polling commands take precedence. Default: not polled.
   */
  readonly pollingPeriod?: number;
}

/** The types a device or class property may have (spec §7 item 4). */
export type PropertyType =
  | CmdArgType.DevBoolean | CmdArgType.DevShort | CmdArgType.DevUShort | CmdArgType.DevLong
  | CmdArgType.DevULong | CmdArgType.DevLong64 | CmdArgType.DevULong64 | CmdArgType.DevFloat
  | CmdArgType.DevDouble | CmdArgType.DevString | CmdArgType.DevVarShortArray
  | CmdArgType.DevVarLongArray | CmdArgType.DevVarLong64Array | CmdArgType.DevVarFloatArray
  | CmdArgType.DevVarDoubleArray | CmdArgType.DevVarStringArray;

/** Options of `@deviceProperty` and `@classProperty` (spec §7). */
export interface PropertyOptions<T extends PropertyType = PropertyType> {
  /** Type of the value. */
  readonly dtype: T;
  /** Shown by QueryWizardDevProperty / QueryWizardClassProperty. */
  readonly description?: string;
  /** Used when nothing is configured. */
  readonly defaultValue?: InputOf<T>;
  /** `initDevice` fails when a mandatory property is missing. Excludes `defaultValue`. */
  readonly mandatory?: boolean;
}

/** A resolved attribute declaration, shared by every device of a class. @internal */
export interface AttributeDecl {
  readonly name: string;
  readonly dtype: AttrScalarType;
  readonly dformat: AttrDataFormat;
  readonly maxDimX: number;
  readonly maxDimY: number;
  readonly access: AttrWriteType;
  readonly writableAttrName?: string;
  readonly level: DispLevel;
  readonly memorized: boolean;
  readonly memInit: boolean;
  /** User defaults as strings (Tango's form), only those given. */
  readonly userDefaults: Readonly<Partial<Record<AttributeConfigProperty, string>>>;
  readonly enumLabels: readonly string[];
  readonly readAllowedIn?: readonly DevState[];
  readonly writeAllowedIn?: readonly DevState[];
  /** The class's default polling period, ms; undefined: not polled by default. */
  readonly pollingPeriodMs?: number;
  readonly read?: (device: Device) => unknown;
  readonly write?: (device: Device, value: unknown) => unknown;
}

/** A resolved command declaration. @internal */
export interface CommandDecl {
  readonly name: string;
  readonly inType: CmdArgType;
  readonly outType: CmdArgType;
  readonly inDesc: string;
  readonly outDesc: string;
  readonly level: DispLevel;
  readonly allowedIn?: readonly DevState[];
  /** The class's default polling period, ms; undefined: not polled by default. */
  readonly pollingPeriodMs?: number;
  readonly execute: (device: Device, argin: unknown) => unknown;
}

/** A resolved property declaration. @internal */
export interface PropertyDecl {
  readonly name: string;
  readonly dtype: PropertyType;
  readonly description: string;
  /** The default as Tango stores it: strings. */
  readonly defaultValue?: readonly string[];
  readonly mandatory: boolean;
  readonly scope: "device" | "class";
}

const NAME_RE = /^[0-9A-Za-z_]+$/;

/** A declared polling period: undefined, or an integer number of ms ≥ MIN_POLL_PERIOD_MS (TypeError otherwise). */
function pollingPeriodOf(where: string, period: number | undefined): number | undefined {
  if (period === undefined) return undefined;
  if (!Number.isInteger(period) || period < MIN_POLL_PERIOD_MS) {
    throw new TypeError(`${where}: pollingPeriod is a whole number of ms, at least ${MIN_POLL_PERIOD_MS} (got ${period})`);
  }
  return period;
}
const NUMERIC_PROPS: readonly (keyof AttributeOptions & AttributeConfigProperty)[] = [
  "minValue", "maxValue", "minAlarm", "maxAlarm", "minWarning", "maxWarning", "deltaT", "deltaVal",
  "relChange", "absChange", "archiveRelChange", "archiveAbsChange",
];
const TEXT_PROPS: readonly (keyof AttributeOptions & AttributeConfigProperty)[] = [
  "description", "label", "unit", "standardUnit", "displayUnit", "format", "period", "archivePeriod",
];

/** Checks attribute options and resolves them into a declaration (TypeError on mistakes). @internal */
export function resolveAttribute(
  name: string, opts: AttributeOptions, access: AttrWriteType,
  read?: (device: Device) => unknown, write?: (device: Device, value: unknown) => unknown,
): AttributeDecl {
  const where = `attribute ${name}`;
  if (!NAME_RE.test(name)) throw new TypeError(`${where}: a name holds only letters, digits and _`);
  if (!isAttrScalarType(opts.dtype)) throw new TypeError(`${where}: ${typeName(opts.dtype)} is not an attribute type`);
  const dformat = opts.dformat ?? AttrDataFormat.SCALAR;
  const maxDimX = dformat === AttrDataFormat.SCALAR ? 1 : opts.maxDimX ?? 0;
  const maxDimY = dformat === AttrDataFormat.IMAGE ? opts.maxDimY ?? 0 : 0;
  if (dformat !== AttrDataFormat.SCALAR && !(maxDimX > 0)) throw new TypeError(`${where}: maxDimX must be > 0`);
  if (dformat === AttrDataFormat.IMAGE && !(maxDimY > 0)) throw new TypeError(`${where}: maxDimY must be > 0`);
  if (access === AttrWriteType.READ_WITH_WRITE && !opts.writableAttrName) {
    throw new TypeError(`${where}: READ_WITH_WRITE needs writableAttrName`);
  }
  if (opts.hwMemorized && !opts.memorized) throw new TypeError(`${where}: hwMemorized needs memorized`);
  const userDefaults: Partial<Record<AttributeConfigProperty, string>> = {};
  for (const p of NUMERIC_PROPS) {
    const v = opts[p];
    if (v === undefined) continue;
    if (!isNumericType(opts.dtype) && opts.dtype !== CmdArgType.DevEncoded) {
      throw new TypeError(`${where}: ${p} applies to numeric attributes only`);
    }
    userDefaults[p] = String(v);
  }
  for (const p of TEXT_PROPS) {
    const v = opts[p];
    if (v !== undefined) userDefaults[p] = String(v);
  }
  return {
    name, dtype: opts.dtype, dformat, maxDimX, maxDimY, access,
    writableAttrName: opts.writableAttrName,
    level: opts.displayLevel ?? DispLevel.OPERATOR,
    memorized: opts.memorized ?? false, memInit: opts.hwMemorized ?? false,
    userDefaults, enumLabels: opts.enumLabels ?? [],
    readAllowedIn: opts.readAllowedIn, writeAllowedIn: opts.writeAllowedIn,
    pollingPeriodMs: pollingPeriodOf(where, opts.pollingPeriod),
    read, write,
  };
}

/** Checks command options and resolves them into a declaration. @internal */
export function resolveCommand(
  name: string, opts: CommandOptions, execute: (device: Device, argin: unknown) => unknown,
): CommandDecl {
  if (name.length === 0 || /\s/.test(name)) throw new TypeError(`command "${name}": a name has no spaces`);
  const inType = opts.dtypeIn ?? CmdArgType.DevVoid;
  if (opts.pollingPeriod !== undefined && inType !== CmdArgType.DevVoid) {
    throw new TypeError(`command ${name}: only a command without input can be polled (spec §11.1 item 2)`);
  }
  return {
    name,
    inType,
    outType: opts.dtypeOut ?? CmdArgType.DevVoid,
    inDesc: opts.docIn ?? "",
    outDesc: opts.docOut ?? "",
    level: opts.displayLevel ?? DispLevel.OPERATOR,
    allowedIn: opts.allowedIn,
    pollingPeriodMs: pollingPeriodOf(`command ${name}`, opts.pollingPeriod),
    execute,
  };
}
