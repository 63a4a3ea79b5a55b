import {
  AttrDataFormat, AttrWriteType, CmdArgType, DevFailed, Reason, arrayTypeOf, coerce, isNumericType,
} from "../core/index.js";
import type {
  AttributeConfig, AttributeConfigProperty, AttributeConfigUpdate, AttributeDim, AttributeEventConfig,
} from "../core/index.js";
import type { AttributeDecl } from "./declarations.js";

/** An attribute's modifiable configuration as a value, to put back when a change could not be kept. */
export interface AttributeConfigSnapshot {
  readonly props: Readonly<Record<AttributeConfigProperty, string>>;
  readonly enumLabels: readonly string[];
}
import type { Thresholds } from "./quality.js";

const NOT_SPECIFIED = "Not specified";
const NUMERIC_PROPS: ReadonlySet<AttributeConfigProperty> = new Set<AttributeConfigProperty>([
  "minValue", "maxValue", "minAlarm", "maxAlarm", "minWarning", "maxWarning", "deltaT", "deltaVal",
  "relChange", "absChange", "archiveRelChange", "archiveAbsChange", "period", "archivePeriod",
]);
const TEXT_PROPS: ReadonlySet<AttributeConfigProperty> = new Set<AttributeConfigProperty>([
  "description", "label", "unit", "standardUnit", "displayUnit", "format",
]);
const ALL_PROPS: readonly AttributeConfigProperty[] = [...TEXT_PROPS, ...NUMERIC_PROPS];

function defaultFormat(type: CmdArgType): string {
  switch (type) {
    case CmdArgType.DevFloat: case CmdArgType.DevDouble: return "%6.2f";
    case CmdArgType.DevString: case CmdArgType.DevEnum: return "%s";
    case CmdArgType.DevBoolean: case CmdArgType.DevState: case CmdArgType.DevEncoded: return NOT_SPECIFIED;
    default: return "%d";
  }
}

/** Tango's library default of each attribute property (spec §6.2). */
function libraryDefault(decl: AttributeDecl, p: AttributeConfigProperty): string {
  switch (p) {
    case "description": return "No description";
    case "label": return decl.name;
    case "unit": return "";
    case "standardUnit": return "No standard unit";
    case "displayUnit": return "No display unit";
    case "format": return defaultFormat(decl.dtype);
    case "period": return "1000";
    default: return NOT_SPECIFIED;
  }
}

function parseNumber(text: string): number | undefined {
  if (text === NOT_SPECIFIED || text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

/** The initial set value of a writable attribute (spec §6.3 item 4, [obs] reference reads). */
function initialSetValue(decl: AttributeDecl): { value: unknown; dim: AttributeDim } {
  const scalar = decl.dtype === CmdArgType.DevString ? "Not initialised"
    : decl.dtype === CmdArgType.DevBoolean ? true
    : decl.dtype === CmdArgType.DevLong64 || decl.dtype === CmdArgType.DevULong64 ? 0n
    : decl.dtype === CmdArgType.DevEncoded ? { format: "", data: new Uint8Array(0) }
    : 0;
  if (decl.dformat === AttrDataFormat.SCALAR) return { value: scalar, dim: { x: 1, y: 0 } };
  const arrayType = arrayTypeOf(decl.dtype);
  if (decl.dformat === AttrDataFormat.SPECTRUM) return { value: coerce(arrayType, [scalar]), dim: { x: 1, y: 0 } };
  return { value: coerce(arrayType, []), dim: { x: 1, y: 0 } };
}

/**
 * One attribute of one device: its modifiable configuration and its set value. Declarations are
 * shared per class; this holds only what differs per device (DESIGN §8).
 */
export class AttributeState {
  readonly decl: AttributeDecl;
  #props: Record<AttributeConfigProperty, string>;
  #enumLabels: readonly string[];
  #thresholds: Thresholds = {};
  #minValue: number | undefined;
  #maxValue: number | undefined;
  #events!: AttributeEventConfig;
  /** Canonical set value (scalar, or flat array for spectrum and image). */
  setValue: unknown;
  /** Dimensions of the set value. */
  setDim: AttributeDim;
  /** When the set value was last written, ms since the epoch. */
  lastWriteMs = 0;
  /**
   * Why writing the memorized value failed at startup (spec §6.8 item 4): reads fail with it and
   * the device reads ALARM until a write succeeds.
   */
  memInitFailure: DevFailed | undefined;

  constructor(decl: AttributeDecl) {
    this.decl = decl;
    const props = {} as Record<AttributeConfigProperty, string>;
    for (const p of ALL_PROPS) props[p] = decl.userDefaults[p] ?? libraryDefault(decl, p);
    this.#props = props;
    this.#enumLabels = decl.enumLabels;
    this.#parse();
    const init = initialSetValue(decl);
    this.setValue = init.value;
    this.setDim = init.dim;
  }

  get isWritable(): boolean {
    return this.decl.access === AttrWriteType.WRITE || this.decl.access === AttrWriteType.READ_WRITE;
  }

  get label(): string {
    return this.#props.label;
  }

  get thresholds(): Thresholds {
    return this.#thresholds;
  }

  get enumLabels(): readonly string[] {
    return this.#enumLabels;
  }

  /** Bounds of the set value (spec §6.7: equality accepted). */
  get minValue(): number | undefined {
    return this.#minValue;
  }

  get maxValue(): number | undefined {
    return this.#maxValue;
  }

  #parse(): void {
    const p = this.#props;
    this.#thresholds = {
      minAlarm: parseNumber(p.minAlarm), maxAlarm: parseNumber(p.maxAlarm),
      minWarning: parseNumber(p.minWarning), maxWarning: parseNumber(p.maxWarning),
      deltaT: parseNumber(p.deltaT), deltaVal: parseNumber(p.deltaVal),
    };
    this.#minValue = parseNumber(p.minValue);
    this.#maxValue = parseNumber(p.maxValue);
    // A new object at each change: the event hub caches what it parses from it by identity.
    this.#events = Object.freeze({
      relChange: p.relChange, absChange: p.absChange, period: p.period,
      archiveRelChange: p.archiveRelChange, archiveAbsChange: p.archiveAbsChange, archivePeriod: p.archivePeriod,
    });
  }

  /** The event properties (spec §12.2), as strings; the same object until the configuration changes. */
  get events(): AttributeEventConfig {
    return this.#events;
  }

  /** The modifiable configuration as it is now (see restoreConfig). */
  saveConfig(): AttributeConfigSnapshot {
    return { props: { ...this.#props }, enumLabels: this.#enumLabels };
  }

  /** Puts back a configuration saved by saveConfig, unchecked. */
  restoreConfig(saved: AttributeConfigSnapshot): void {
    this.#props = { ...saved.props };
    this.#enumLabels = saved.enumLabels;
    this.#parse();
  }

  /** The configuration as get_attribute_config returns it (IDL AttributeConfig_5). */
  config(): AttributeConfig {
    const d = this.decl;
    const p = this.#props;
    const writableAttrName = d.access === AttrWriteType.READ_WITH_WRITE ? d.writableAttrName ?? "None"
      : d.access === AttrWriteType.READ_WRITE ? d.name : "None";
    return {
      name: d.name, writable: d.access, dataFormat: d.dformat, dataType: d.dtype,
      memorized: d.memorized, memInit: d.memInit, maxDimX: d.maxDimX, maxDimY: d.maxDimY,
      description: p.description, label: p.label, unit: p.unit, standardUnit: p.standardUnit,
      displayUnit: p.displayUnit, format: p.format, minValue: p.minValue, maxValue: p.maxValue,
      writableAttrName, level: d.level, rootAttrName: NOT_SPECIFIED, enumLabels: this.#enumLabels,
      alarms: {
        minAlarm: p.minAlarm, maxAlarm: p.maxAlarm, minWarning: p.minWarning, maxWarning: p.maxWarning,
        deltaT: p.deltaT, deltaVal: p.deltaVal,
      },
      events: this.#events,
    };
  }

  /**
   * Applies a set_attribute_config change (spec §6.2 rules 1–5): checks everything first, then
   * changes all or nothing.
   */
  applyUpdate(update: AttributeConfigUpdate): void {
    const next = { ...this.#props };
    const origin = "AttributeState::applyUpdate";
    const numeric = isNumericType(this.decl.dtype);
    for (const [key, raw] of Object.entries(update.set) as [AttributeConfigProperty, string | undefined][]) {
      if (raw === undefined) continue;
      if (!ALL_PROPS.includes(key)) throw DevFailed.of(Reason.AttrOptProp, `Unknown attribute property ${key}`, origin);
      const user = this.decl.userDefaults[key];
      if (raw === NOT_SPECIFIED) next[key] = libraryDefault(this.decl, key);
      else if (raw === "" || raw === "NaN") next[key] = user ?? libraryDefault(this.decl, key);
      else if (TEXT_PROPS.has(key)) next[key] = raw;
      else {
        if (!numeric && key !== "period" && key !== "archivePeriod") {
          throw DevFailed.of(Reason.AttrOptProp,
            `Attribute property ${key} is not supported for attribute ${this.decl.name} (not a numeric type)`, origin);
        }
        const parts = key === "relChange" || key === "absChange" || key === "archiveRelChange" || key === "archiveAbsChange"
          ? raw.split(",") : [raw];
        if (parts.length > 2 || parts.some((s) => s.trim() === "" || Number.isNaN(Number(s)))) {
          throw DevFailed.of(Reason.AttrOptProp, `Attribute property ${key} of ${this.decl.name}: "${raw}" is not a number`, origin);
        }
        next[key] = raw;
      }
    }
    for (const [lo, hi] of [["minValue", "maxValue"], ["minAlarm", "maxAlarm"], ["minWarning", "maxWarning"]] as const) {
      const a = parseNumber(next[lo]);
      const b = parseNumber(next[hi]);
      if (a !== undefined && b !== undefined && a >= b) {
        throw DevFailed.of(Reason.IncoherentValues,
          `Attribute ${this.decl.name}: ${lo} (${next[lo]}) must be below ${hi} (${next[hi]})`, origin);
      }
    }
    if (update.enumLabels !== undefined) {
      if (this.decl.dtype !== CmdArgType.DevEnum) {
        throw DevFailed.of(Reason.AttrOptProp, `Attribute ${this.decl.name} is not a DevEnum: it has no enum_labels`, origin);
      }
      if (new Set(update.enumLabels).size !== update.enumLabels.length) {
        throw DevFailed.of(Reason.AttrOptProp, `Attribute ${this.decl.name}: enum labels must be unique`, origin);
      }
      this.#enumLabels = [...update.enumLabels];
    }
    this.#props = next;
    this.#parse();
  }
}
