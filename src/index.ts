// tango-grpc: the device author's API (DESIGN §12). Write a device class with these, then run it
// with `serve()` or name its module in a config for `tango-grpc serve`.
export {
  Device, attribute, command, deviceProperty, classProperty, attrValue, image,
  CmdArgType, DevState, AttrQuality, AttrWriteType, AttrDataFormat, DispLevel, DevFailed, Reason,
  DevVoid, DevBoolean, DevShort, DevLong, DevFloat, DevDouble, DevUShort, DevULong, DevString,
  DevVarCharArray, DevVarShortArray, DevVarLongArray, DevVarFloatArray, DevVarDoubleArray,
  DevVarUShortArray, DevVarULongArray, DevVarStringArray, DevVarLongStringArray,
  DevVarDoubleStringArray, DevStateType, DevVarBooleanArray, DevUChar, DevLong64, DevULong64,
  DevVarLong64Array, DevVarULong64Array, DevEncoded, DevEnum, DevVarStateArray, DevVarEncodedArray,
  PipeBlobBuilder, pipeBlob, validatePipeBlob, PipeWriteType, pipe, pipeValue, PipeReqType,
} from "./device/index.js";
export type {
  PipeOptions, PipeReadResult, PipeReadValue, PipeBlob, PipeDataElement, PipeValue, PipeElementType, PipeRecord, PipeRecordValue,
} from "./device/index.js";
export type {
  DynamicAttribute, DynamicCommand, AttrReadResult, CommandResult, AttrReadValue, Image,
  AttributeOptions, CommandOptions, PropertyOptions, PropertyType, AttrData, AttrWriteData, ArrayTypeOf, NumericProp,
  DevEncodedValue, DevVarLongStringArrayValue, DevVarDoubleStringArrayValue,
} from "./device/index.js";

// Running a server from your own code.
export { serve } from "./serve/serve.js";
export type { ServeOptions, RunningServer, ServerConfigInput, ConfigInput, DeviceClass } from "./serve/serve.js";
export { ConfigError } from "./cli/config-error.js";
export { ErrSeverity, LogLevel } from "./core/index.js";
export type { ConfigProblem, KeyPath } from "./cli/config-error.js";

// Types the signatures above name.
export type {
  AttrScalarType, ValueOf, InputOf, ValueMap, InputMap, DevError, DevErrorInit, AttributeValue, AttributeDim, TimeVal,
} from "./core/index.js";
export type { PathProblem } from "./cli/config-error.js";
export type { ServerConfig } from "./server/index.js";
