import { arrayTypeOf, typeName, type CmdArgType } from "./cmd-arg-type.js";
import { DevFailed } from "./dev-failed.js";
import { DevState } from "./enums.js";
import { Reason } from "./reasons.js";

const CHECK_WRITTEN = "WAttribute::check_written_value()";

/** Where cppTango looks an attribute up, the origin of its API_AttrNotFound. */
export type AttrLookup = "MultiAttribute::get_attr_ind_by_name" | "MultiAttribute::get_attr_by_name";

/**
 * One builder per Tango-defined error, so each cppTango description is written once (spec §18.1).
 * Origins name cppTango's function for the same check, so logs read alike.
 */
export const TangoErrors = {
  /** `origin`: cppTango's raise site; command_inout's by default, `Device_2Impl::command_query_2` for command_query. */
  commandNotFound: (name: string, origin = "DeviceClass::command_handler"): DevFailed =>
    DevFailed.of(Reason.CommandNotFound, `Command ${name} not found`, origin),

  commandNotAllowed: (name: string, state: DevState): DevFailed =>
    DevFailed.of(Reason.CommandNotAllowed, `Command ${name} not allowed when the device is in ${DevState[state]} state`,
      "DeviceClass::command_handler"),

  /**
   * A missing argin, or one of another type or outside its type's range (cppTango's exact text).
   * `hint`: a second line of our own for input only REST has (a JSON shape), never a JavaScript message.
   */
  incompatibleCmdArgumentType: (expected: CmdArgType, hint?: string): DevFailed =>
    DevFailed.of(Reason.IncompatibleCmdArgumentType,
      `Incompatible command argument type, expected type is : Tango::${typeName(expected)}${hint === undefined ? "" : `\n${hint}`}`,
      "Command::extract()"),

  /**
   * `origin`: cppTango's raise site; reads and writes look attributes up by index
   * (`get_attr_ind_by_name`), configuration, write-read and polling by name (`get_attr_by_name`).
   */
  attrNotFound: (name: string, origin: AttrLookup = "MultiAttribute::get_attr_ind_by_name"): DevFailed =>
    DevFailed.of(Reason.AttrNotFound, `${name} attribute not found`, origin),

  noAttributes: (): DevFailed =>
    DevFailed.of(Reason.AttrNotFound, "The device does not have any attribute", "Device_3Impl::read_attributes_no_except"),

  attrNotWritable: (name: string): DevFailed =>
    DevFailed.of(Reason.AttrNotWritable, `Attribute ${name} is not writable`, "DeviceImpl::write_attributes"),

  attrReadNotAllowed: (name: string): DevFailed =>
    DevFailed.of(Reason.AttrNotAllowed, `It is currently not allowed to read attribute ${name}`,
      "Device_3Impl::read_attributes_no_except"),

  attrWriteNotAllowed: (name: string, state: DevState): DevFailed =>
    DevFailed.of(Reason.AttrNotAllowed,
      `It is currently not allowed to write attribute ${name}. The device state is ${DevState[state]}`,
      "Device_3Impl::write_attributes"),

  attrPropertyNotChangeable: (prop: string): DevFailed =>
    DevFailed.of(Reason.AttrNotAllowed, `Attribute property ${prop} is not changeable at run time`,
      "Attribute::set_upd_properties"),

  stateStatusConfig: (): DevFailed =>
    DevFailed.of(Reason.AttrNotFound, "Cannot set config for attribute state or status", "DeviceImpl::set_attribute_config"),

  attrValueNotSet: (name: string): DevFailed =>
    DevFailed.of(Reason.AttrValueNotSet, `Read value for attribute ${name} has not been updated`,
      "Device_3Impl::read_attributes_no_except"),

  /**
   * `dataType`: the attribute's; cppTango names the sequence type, whatever the format. `hint`: as
   * for incompatibleCmdArgumentType.
   */
  incompatibleAttrDataType: (dataType: CmdArgType, hint?: string): DevFailed =>
    DevFailed.of(Reason.IncompatibleAttrDataType,
      `Incompatible attribute type, expected type is : Tango::${typeName(arrayTypeOf(dataType))} (even for single value)` +
      (hint === undefined ? "" : `\n${hint}`), CHECK_WRITTEN),

  /** The written element count does not fit the dimensions (cppTango's text names neither). */
  attrIncorrectDataNumber: (): DevFailed =>
    DevFailed.of(Reason.AttrIncorrectDataNumber, "Incorrect data number", CHECK_WRITTEN),

  wattrBelowMin: (name: string, index: number): DevFailed =>
    DevFailed.of(Reason.WAttrOutsideLimit,
      `Set value for attribute ${name} is below the minimum authorized (at least element ${index})`,
      CHECK_WRITTEN),

  wattrAboveMax: (name: string, index: number): DevFailed =>
    DevFailed.of(Reason.WAttrOutsideLimit,
      `Set value for attribute ${name} is above the maximum authorized (at least element ${index})`,
      CHECK_WRITTEN),

  wattrNaN: (name: string, index: number): DevFailed =>
    DevFailed.of(Reason.WAttrOutsideLimit,
      `Set value for attribute ${name} is a NaN or INF value (at least element ${index})`,
      CHECK_WRITTEN),

  wattrDimTooLarge: (name: string, axis: "X" | "Y"): DevFailed =>
    DevFailed.of(Reason.WAttrOutsideLimit,
      `${axis} dimesion is greater than the max defined for attribute ${name}`, "DeviceImpl::write_attributes"),

  /**
   * `origin`: cppTango's raise site: the lookup (`Util::get_device_by_name()`) by default,
   * `Dserver::restart()` (sic) for DevRestart. Callers that cppTango rethrows add their own frame
   * (deviceNotFoundFrame).
   */
  deviceNotFound: (name: string, origin = "Util::get_device_by_name()"): DevFailed =>
    DevFailed.of(Reason.DeviceNotFound, `Device ${name} not found`, origin),

  /** The frame cppTango's admin commands put on top of a failed lookup (AddObjPolling, GetLoggingTarget…). */
  deviceNotFoundFrame: (err: DevFailed, name: string, origin: string): DevFailed =>
    err.withFrame({ reason: Reason.DeviceNotFound, desc: `Device ${name} not found`, origin }),

  /** Logging commands: a device-name pattern that matches no device (two spaces, as cppTango). */
  noDeviceMatching: (pattern: string, origin: string): DevFailed =>
    DevFailed.of(Reason.DeviceNotFound, `No device name matching pattern  <${pattern}>`, origin),

  /** QueryWizard*Property; cppTango prints the class name lower-cased. */
  classNotFound: (name: string): DevFailed =>
    DevFailed.of(Reason.ClassNotFound, `Class ${name.toLowerCase()} not found in device server`, "DServer::query_class_prop"),

  commandTimedOut: (monitor: string, waiter: number, holder: number): DevFailed =>
    DevFailed.of(Reason.CommandTimedOut,
      `Thread ${waiter} is not able to acquire serialization monitor "${monitor}", it is currently held by thread ${holder}.`,
      "TangoMonitor::get_monitor"),

  blackBoxArgument: (): DevFailed =>
    DevFailed.of(Reason.BlackBoxArgument, "Argument to read black box out of range", "BlackBox::read"),

  blackBoxEmpty: (): DevFailed =>
    DevFailed.of(Reason.BlackBoxEmpty, "Nothing stored yet in black-box", "BlackBox::read"),

  initThrowsException: (adminName: string): DevFailed =>
    DevFailed.of(Reason.InitThrowsException,
      `Init command failed!!\nHINT: RESTART device with the Restart command of the device server adm. device\nDevice server adm. device name = ${adminName}`,
      "DeviceImpl::init_cmd"),

  shutdownInProgress: (): DevFailed =>
    DevFailed.of(Reason.ShutdownInProgress, "The device server is shutting down", "DeviceServer::request"),

  // polling (spec §11, §17, §18.1): cppTango's texts; object names as cppTango prints them

  wrongNumberOfArgs: (origin: string): DevFailed =>
    DevFailed.of(Reason.WrongNumberOfArgs, "Incorrect number of inout arguments", origin),

  pollObjectTypeNotSupported: (type: string, origin: string): DevFailed =>
    DevFailed.of(Reason.NotSupported, `Object type ${type} not supported`, origin),

  initNotPollable: (): DevFailed =>
    DevFailed.of(Reason.NotSupported, "It's not possible to poll the Init command!", "DServer::add_obj_polling"),

  commandNeedsInput: (command: string): DevFailed =>
    DevFailed.of(Reason.IncompatibleCmdArgumentType, `Command ${command} cannot be polled because it needs input value`,
      "DeviceImpl::check_command_exists"),

  alreadyPolled: (kind: "attribute" | "command", name: string): DevFailed =>
    DevFailed.of(Reason.AlreadyPolled, `${kind === "command" ? "Command" : "Attribute"} ${name} already polled`,
      "DServer::add_obj_polling"),

  belowMinPollPeriod: (periodMs: number, minMs: number, origin: string): DevFailed =>
    DevFailed.of(Reason.NotSupported, `${periodMs} is below the min authorized period (${minMs} mS)`, origin),

  belowConfiguredMinPeriod: (kind: "attribute" | "command", name: string, minMs: number): DevFailed =>
    DevFailed.of(Reason.MethodArgument, `Polling period for ${kind} ${name} is below the min authorized (${minMs})`,
      "DServer::check_upd_authorized"),

  deviceNotPolled: (device: string, origin: string): DevFailed =>
    DevFailed.of(Reason.DeviceNotPolled, `Device ${device} is not polled`, origin),

  pollObjNotFound: (name: string): DevFailed =>
    DevFailed.of(Reason.PollObjNotFound, `${name} not found in list of polled object`, "DeviceImpl::get_polled_obj_by_type_name"),

  /** `origin`: a CACHE read's by default; `Device_5Impl::read_attribute_history_5` for the history. */
  attrNotPolled: (name: string, origin = "Device_3Impl::read_attributes_from_cache"): DevFailed =>
    DevFailed.of(Reason.AttrNotPolled, `Attribute ${name} not polled`, origin),

  /** `origin`: a CACHE command_inout's by default; `Device_4Impl::command_inout_history_4` for the history. */
  cmdNotPolled: (name: string, origin = "Device_2Impl::command_inout"): DevFailed =>
    DevFailed.of(Reason.CmdNotPolled, `Command ${name} not polled`, origin),

  /** `origin`: as attrNotPolled and cmdNotPolled. */
  noDataYet: (kind: "attribute" | "command", name: string, origin?: string): DevFailed =>
    DevFailed.of(Reason.NoDataYet, `No data available in cache for ${kind} ${name}`,
      origin ?? (kind === "command" ? "Device_2Impl::command_inout" : "Device_3Impl::read_attributes_from_cache")),

  notUpdatedAnyMore: (kind: "attribute" | "command", name: string): DevFailed =>
    DevFailed.of(Reason.NotUpdatedAnyMore, `Data in cache for ${kind} ${name} not updated any more`,
      kind === "command" ? "Device_2Impl::command_inout" : "Device_3Impl::read_attributes_from_cache"),

  pollThreadOutOfSync: (): DevFailed =>
    DevFailed.of(Reason.PollThreadOutOfSync,
      "The polling thread is late and discard this object polling.\nAdvice: Tune device server polling",
      "PollThread::err_out_of_sync"),

  // events (spec §12.2, §18.1)

  eventPropertiesNotSet: (attribute: string): DevFailed =>
    DevFailed.of(Reason.EventPropertiesNotSet, `Event properties (abs_change or rel_change) for attribute ${attribute} are not set`,
      "DServer::event_subscription"),

  archiveEventPropertiesNotSet: (attribute: string): DevFailed =>
    DevFailed.of(Reason.EventPropertiesNotSet,
      `Archive event properties (archive_abs_change or archive_rel_change or archive_period) for attribute ${attribute} are not set`,
      "DServer::event_subscription"),

  attributePollingNotStarted: (attribute: string): DevFailed =>
    DevFailed.of(Reason.AttributePollingNotStarted,
      `The polling (necessary to send events) for the attribute ${attribute} is not started`, "DServer::event_subscription"),

  attributeNotDataReadyEnabled: (attribute: string): DevFailed =>
    DevFailed.of(Reason.AttributeNotDataReadyEnabled, `The attribute ${attribute} is not data ready event enabled`,
      "DServer::event_subscription"),
} as const;
