import type { AttrDataFormat, AttrQuality, AttrWriteType, DispLevel } from "./enums.js";
import type { CmdArgType } from "./cmd-arg-type.js";
import type { DevError } from "./dev-failed.js";
import type { TypedValue } from "./values.js";

/** Tango IDL structures as the in-process request API carries them (spec §4.3). */

/** A time of a value (IDL TimeVal). */
export interface TimeVal {
  readonly sec: number;
  readonly usec: number;
}

/** Dimensions of a value. */
export interface AttributeDim {
  readonly x: number;
  readonly y: number;
}

/** One attribute as read (IDL AttributeValue_5, read and set parts split). */
export interface AttributeValue {
  /** Declared name. */
  readonly name: string;
  readonly quality: AttrQuality;
  readonly dataFormat: AttrDataFormat;
  /** Element type (DevDouble for a double spectrum). */
  readonly dataType: CmdArgType;
  readonly time: TimeVal;
  readonly rDim: AttributeDim;
  readonly wDim: AttributeDim;
  /**
   * Read part: for a scalar the canonical scalar (`ValueOf<dataType>`), for a spectrum or an
   * image the canonical array of `arrayTypeOf(dataType)` (row-major). Absent when INVALID or failed.
   */
  readonly value?: unknown;
  /** Set part, same shapes as `value`; absent for READ attributes. */
  readonly wValue?: unknown;
  /** Set when this attribute failed: its error stack, root cause first. */
  readonly errors?: readonly DevError[];
}

/** One value to write. */
export interface AttributeWrite {
  /** Name as the client sent it. */
  readonly name: string;
  /** The value: its `type` may be DevVoid when the client left it to the declaration. */
  readonly value: TypedValue;
  /** Image dimensions (x columns, y rows); optional for scalars and spectra. */
  readonly dim?: AttributeDim;
}

/** A command description (IDL DevCmdInfo_2). */
export interface CommandInfo {
  readonly name: string;
  readonly level: DispLevel;
  readonly inType: CmdArgType;
  readonly outType: CmdArgType;
  readonly inTypeDesc: string;
  readonly outTypeDesc: string;
}

/** Device information (IDL DevInfo_3 plus extras). */
export interface DeviceInfo {
  readonly devClass: string;
  readonly serverId: string;
  readonly serverHost: string;
  readonly serverVersion: number;
  readonly docUrl: string;
  readonly devType: string;
  readonly versionInfo: Readonly<Record<string, string>>;
  readonly description: string;
  readonly admName: string;
}

/** Alarm part of an attribute configuration; every value is a string, as on the wire. */
export interface AttributeAlarmConfig {
  readonly minAlarm: string;
  readonly maxAlarm: string;
  readonly minWarning: string;
  readonly maxWarning: string;
  readonly deltaT: string;
  readonly deltaVal: string;
}

/** Event part of an attribute configuration. */
export interface AttributeEventConfig {
  readonly relChange: string;
  readonly absChange: string;
  readonly period: string;
  readonly archiveRelChange: string;
  readonly archiveAbsChange: string;
  readonly archivePeriod: string;
}

/** An attribute configuration (IDL AttributeConfig_5). */
export interface AttributeConfig {
  readonly name: string;
  readonly writable: AttrWriteType;
  readonly dataFormat: AttrDataFormat;
  readonly dataType: CmdArgType;
  readonly memorized: boolean;
  readonly memInit: boolean;
  readonly maxDimX: number;
  readonly maxDimY: number;
  readonly description: string;
  readonly label: string;
  readonly unit: string;
  readonly standardUnit: string;
  readonly displayUnit: string;
  readonly format: string;
  readonly minValue: string;
  readonly maxValue: string;
  readonly writableAttrName: string;
  readonly level: DispLevel;
  readonly rootAttrName: string;
  readonly enumLabels: readonly string[];
  readonly alarms: AttributeAlarmConfig;
  readonly events: AttributeEventConfig;
}

/** The modifiable properties of an attribute configuration (spec §6.2). */
export type AttributeConfigProperty =
  | "description" | "label" | "unit" | "standardUnit" | "displayUnit" | "format" | "minValue"
  | "maxValue" | "minAlarm" | "maxAlarm" | "minWarning" | "maxWarning" | "deltaT" | "deltaVal"
  | "relChange" | "absChange" | "period" | "archiveRelChange" | "archiveAbsChange" | "archivePeriod";

/** A change of attribute properties: only the listed properties change. */
export interface AttributeConfigUpdate {
  readonly name: string;
  readonly set: Readonly<Partial<Record<AttributeConfigProperty, string>>>;
  /** New DevEnum labels, when given. */
  readonly enumLabels?: readonly string[];
}


/** One record of a polled command's history (IDL DevCmdHistory_4 element): when, and its result or errors. */
export interface CommandHistoryRecord {
  readonly time: TimeVal;
  /** The command's result; absent when it failed. */
  readonly value?: TypedValue;
  /** The error stack, root cause first, when the command failed. */
  readonly errors?: readonly DevError[];
}
