/** Tango enumerations with their IDL wire numbers (spec §4.2). Names are Tango's, unchanged. */

/** Device state, IDL order: ON = 0 … UNKNOWN = 13. */
export enum DevState {
  ON = 0, OFF = 1, CLOSE = 2, OPEN = 3, INSERT = 4, EXTRACT = 5, MOVING = 6, STANDBY = 7,
  FAULT = 8, INIT = 9, RUNNING = 10, ALARM = 11, DISABLE = 12, UNKNOWN = 13,
}

/** Attribute value quality. */
export enum AttrQuality {
  ATTR_VALID = 0, ATTR_INVALID = 1, ATTR_ALARM = 2, ATTR_CHANGING = 3, ATTR_WARNING = 4,
}

/** Attribute write type, IDL order (not the RFC-4 prose order). */
export enum AttrWriteType {
  READ = 0, READ_WITH_WRITE = 1, WRITE = 2, READ_WRITE = 3, WT_UNKNOWN = 4,
}

/** Attribute data format. */
export enum AttrDataFormat { SCALAR = 0, SPECTRUM = 1, IMAGE = 2, FMT_UNKNOWN = 3 }

/** Display level of a command or an attribute. */
export enum DispLevel { OPERATOR = 0, EXPERT = 1, DL_UNKNOWN = 2 }

/** Where a read or command result comes from (spec §11.3). */
export enum DevSource { DEV = 0, CACHE = 1, CACHE_DEV = 2 }

/** DevError severity. */
export enum ErrSeverity { WARN = 0, ERR = 1, PANIC = 2 }

/** Serialization model of a device server (spec §10.6). */
export enum SerialModel { BY_DEVICE = 0, BY_CLASS = 1, BY_PROCESS = 2, NO_SYNC = 3 }

/** Logging levels as the admin logging commands number them (spec §13). */
export enum LogLevel { LOG_OFF = 0, LOG_FATAL = 1, LOG_ERROR = 2, LOG_WARN = 3, LOG_INFO = 4, LOG_DEBUG = 5 }

/**
 * Tango event types with cppTango's numbers (spec §4.2, `tango_const.h`). 1 was QUALITY_EVENT,
 * which no Tango since 8 sends; subscribing to it is refused.
 */
export enum EventType {
  CHANGE_EVENT = 0, QUALITY_EVENT = 1, PERIODIC_EVENT = 2, ARCHIVE_EVENT = 3, USER_EVENT = 4,
  ATTR_CONF_EVENT = 5, DATA_READY_EVENT = 6, INTERFACE_CHANGE_EVENT = 7, PIPE_EVENT = 8, ALARM_EVENT = 9,
}

/** The wire names of the event types (cppTango `EventName`), as admin commands and topics spell them. */
export const EVENT_NAMES: Readonly<Record<EventType, string>> = {
  [EventType.CHANGE_EVENT]: "change",
  [EventType.QUALITY_EVENT]: "quality",
  [EventType.PERIODIC_EVENT]: "periodic",
  [EventType.ARCHIVE_EVENT]: "archive",
  [EventType.USER_EVENT]: "user_event",
  [EventType.ATTR_CONF_EVENT]: "attr_conf",
  [EventType.DATA_READY_EVENT]: "data_ready",
  [EventType.INTERFACE_CHANGE_EVENT]: "intr_change",
  [EventType.PIPE_EVENT]: "pipe",
  [EventType.ALARM_EVENT]: "alarm",
};
