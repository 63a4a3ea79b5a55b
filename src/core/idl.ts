import type { AttrDataFormat, AttrQuality, AttrWriteType, DispLevel } from "./enums.js";
import type { CmdArgType } from "./cmd-arg-type.js";
import type { DevError } from "./dev-failed.js";
import type { TypedValue } from "./values.js";

/** Tango IDL structures as the in-process request API carries them (spec §4.3). */

/** A time of a value (IDL TimeVal). */
export interface TimeVal {
  /** Seconds since the Unix epoch. */
  readonly sec: number;
  /** Microseconds within the second (0 to 999999). */
  readonly usec: number;
}

/** Dimensions of a value. */
export interface AttributeDim {
  /** Elements of a spectrum, columns of an image; 1 for a scalar. */
  readonly x: number;
  /** Rows of an image; 0 for a scalar or a spectrum. */
  readonly y: number;
}

/** One attribute as read (IDL AttributeValue_5, read and set parts split). */
export interface AttributeValue {
  /** Declared name. */
  readonly name: string;
  /** ATTR_VALID, ATTR_INVALID (no value), ATTR_ALARM, ATTR_WARNING or ATTR_CHANGING. */
  readonly quality: AttrQuality;
  /** SCALAR, SPECTRUM or IMAGE. */
  readonly dataFormat: AttrDataFormat;
  /** Element type (DevDouble for a double spectrum). */
  readonly dataType: CmdArgType;
  /** When the value was read (or the time device code gave it). */
  readonly time: TimeVal;
  /** Dimensions of the read part. */
  readonly rDim: AttributeDim;
  /** Dimensions of the set part; zero for READ attributes. */
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
  /** The command name in its declared case. */
  readonly name: string;
  /** Display level: OPERATOR or EXPERT. */
  readonly level: DispLevel;
  /** Type of the argument (DevVoid: none). */
  readonly inType: CmdArgType;
  /** Type of the result (DevVoid: none). */
  readonly outType: CmdArgType;
  /** Description of the argument (`doc_in`); "Uninitialised" when not given. */
  readonly inTypeDesc: string;
  /** Description of the result (`doc_out`); "Uninitialised" when not given. */
  readonly outTypeDesc: string;
}

/** Device information (IDL DevInfo_3 plus extras). */
export interface DeviceInfo {
  /** The device's Tango class name. */
  readonly devClass: string;
  /** The device server, `<server>/<instance>`. */
  readonly serverId: string;
  /** The host name of the server's machine. */
  readonly serverHost: string;
  /** The Tango IDL version the server implements (5). */
  readonly serverVersion: number;
  /** "Doc URL = " and the class's `doc_url` property (default http://www.tango-controls.org), as cppTango words it. */
  readonly docUrl: string;
  /** Device type; "Uninitialised", as cppTango reports it. */
  readonly devType: string;
  /** The libraries the server runs on, name to version (IDL DevInfo_6 `version_info`): tango-grpc, node, grpc-js, idl. */
  readonly versionInfo: Readonly<Record<string, string>>;
  /** The device's `description` property, or "A TANGO device". */
  readonly description: string;
  /** The admin device of the server, `dserver/<server>/<instance>`. */
  readonly admName: string;
}

/** Alarm part of an attribute configuration; every value is a string, as on the wire. */
export interface AttributeAlarmConfig {
  /** A read value <= this is ATTR_ALARM; "Not specified" when unset. */
  readonly minAlarm: string;
  /** A read value >= this is ATTR_ALARM; "Not specified" when unset. */
  readonly maxAlarm: string;
  /** A read value <= this is ATTR_WARNING; "Not specified" when unset. */
  readonly minWarning: string;
  /** A read value >= this is ATTR_WARNING; "Not specified" when unset. */
  readonly maxWarning: string;
  /** RDS: ms after a write before read and set values are compared; "Not specified" when unset. */
  readonly deltaT: string;
  /** RDS: a difference |read − set| >= this is ATTR_ALARM; "Not specified" when unset. */
  readonly deltaVal: string;
}

/** Event part of an attribute configuration. */
export interface AttributeEventConfig {
  /** Change-event relative threshold in percent, "v" or "neg,pos"; "Not specified" when unset. */
  readonly relChange: string;
  /** Change-event absolute threshold, "v" or "neg,pos"; "Not specified" when unset. */
  readonly absChange: string;
  /** Periodic-event period in ms; "1000" by default. */
  readonly period: string;
  /** Archive-event relative threshold in percent, "v" or "neg,pos"; "Not specified" when unset. */
  readonly archiveRelChange: string;
  /** Archive-event absolute threshold, "v" or "neg,pos"; "Not specified" when unset. */
  readonly archiveAbsChange: string;
  /** Archive-event period in ms; "Not specified" when unset. */
  readonly archivePeriod: string;
}

/** An attribute configuration (IDL AttributeConfig_5). */
export interface AttributeConfig {
  /** The attribute name in its declared case. */
  readonly name: string;
  /** READ, WRITE, READ_WRITE or READ_WITH_WRITE. */
  readonly writable: AttrWriteType;
  /** SCALAR, SPECTRUM or IMAGE. */
  readonly dataFormat: AttrDataFormat;
  /** Element type (DevDouble for a double spectrum). */
  readonly dataType: CmdArgType;
  /** The set value is kept across restarts (spec §6.8). */
  readonly memorized: boolean;
  /** The memorized value is also written to the hardware at startup (`hwMemorized`). */
  readonly memInit: boolean;
  /** Largest spectrum length or image width; 1 for a scalar. */
  readonly maxDimX: number;
  /** Largest image height; 0 for a scalar or a spectrum. */
  readonly maxDimY: number;
  /** Free text; "No description" by default. */
  readonly description: string;
  /** Label shown by GUIs; the attribute name by default. */
  readonly label: string;
  /** Unit shown next to the value; "" by default. */
  readonly unit: string;
  /** Factor to SI units; "No standard unit" by default. */
  readonly standardUnit: string;
  /** Factor for display; "No display unit" by default. */
  readonly displayUnit: string;
  /** printf-style format for display, e.g. "%6.2f" (the default for floats). */
  readonly format: string;
  /** A write below this is refused (API_WAttrOutsideLimit); "Not specified" when unset. */
  readonly minValue: string;
  /** A write above this is refused (API_WAttrOutsideLimit); "Not specified" when unset. */
  readonly maxValue: string;
  /** The attribute written for a READ_WITH_WRITE attribute; "None" otherwise. */
  readonly writableAttrName: string;
  /** Display level: OPERATOR or EXPERT. */
  readonly level: DispLevel;
  /** The root attribute of a forwarded attribute; "Not specified" (tango-grpc forwards none). */
  readonly rootAttrName: string;
  /** Labels of a DevEnum attribute: value i means label i; empty for other types. */
  readonly enumLabels: readonly string[];
  /** Alarm thresholds, as strings. */
  readonly alarms: AttributeAlarmConfig;
  /** Event criteria, as strings. */
  readonly events: AttributeEventConfig;
}

/** The modifiable properties of an attribute configuration (spec §6.2). */
export type AttributeConfigProperty =
  | "description" | "label" | "unit" | "standardUnit" | "displayUnit" | "format" | "minValue"
  | "maxValue" | "minAlarm" | "maxAlarm" | "minWarning" | "maxWarning" | "deltaT" | "deltaVal"
  | "relChange" | "absChange" | "period" | "archiveRelChange" | "archiveAbsChange" | "archivePeriod";

/** A change of attribute properties: only the listed properties change. */
export interface AttributeConfigUpdate {
  /** The attribute to change. */
  readonly name: string;
  /** The properties to change, as strings: "" or "NaN" returns one to the class default, "Not specified" to Tango's (spec §6.2). */
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
