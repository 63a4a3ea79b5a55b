import { DevFailed } from "./dev-failed.js";
import { Reason } from "./reasons.js";

/**
 * One builder per pipe error (spec §8, §18.1), with cppTango's descriptions and origins
 * (`Device_5Impl::read_pipe_5` & co, `DeviceClass::get_pipe_by_name`, `DevicePipeBlob`).
 */
export const PipeErrors = {
  pipeNotFound: (name: string): DevFailed =>
    DevFailed.of(Reason.PipeNotFound, `${name} pipe not found`, "DeviceClass::get_pipe_by_name"),

  noPipes: (origin: string): DevFailed =>
    DevFailed.of(Reason.PipeNotFound, "The device does not have any pipe", origin),

  readNotAllowed: (name: string): DevFailed =>
    DevFailed.of(Reason.PipeNotAllowed, `It is currently not allowed to read pipe ${name}`, "Device_5Impl::read_pipe_5"),

  writeNotAllowed: (name: string): DevFailed =>
    DevFailed.of(Reason.PipeNotAllowed, `It is currently not allowed to write pipe ${name}`, "Device_5Impl::write_pipe_5"),

  notWritable: (name: string): DevFailed =>
    DevFailed.of(Reason.PipeNotWritable, `Pipe ${name} is not writable`, "Device_5Impl::write_pipe_5"),

  valueNotSet: (name: string): DevFailed =>
    DevFailed.of(Reason.PipeValueNotSet, `Value for pipe ${name} has not been updated`, "Device_5Impl::read_pipe_5"),

  /** A blob without data elements (cppTango DevicePipeBlob::throw_name_not_set). */
  noDataElement: (origin: string): DevFailed =>
    DevFailed.of(Reason.PipeNoDataElement, "The blob data element number (or name) not set", origin),

  /** Two data elements of one blob with the same name, any case; `names` in lower case, as cppTango lists them. */
  duplicateDEName: (names: readonly string[]): DevFailed =>
    DevFailed.of(Reason.PipeDuplicateDEName,
      `Several times the same data element name in provided vector: ${names.join(", ")}`, "set_data_elt_names"),

  wrongArg: (desc: string, origin: string): DevFailed =>
    DevFailed.of(Reason.PipeWrongArg, desc, origin),
} as const;
