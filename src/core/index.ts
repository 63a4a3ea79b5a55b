export {
  CmdArgType, arrayTypeOf, elementTypeOf, typeName, isKnownType, isAttrScalarType, isNumericType,
  NUMERIC_ARRAY_ELEMENT_BYTES,
  DevVoid, DevBoolean, DevShort, DevLong, DevFloat, DevDouble, DevUShort, DevULong, DevString,
  DevVarCharArray, DevVarShortArray, DevVarLongArray, DevVarFloatArray, DevVarDoubleArray,
  DevVarUShortArray, DevVarULongArray, DevVarStringArray, DevVarLongStringArray,
  DevVarDoubleStringArray, DevStateType, DevVarBooleanArray, DevUChar, DevLong64, DevULong64,
  DevVarLong64Array, DevVarULong64Array, DevEncoded, DevEnum, DevVarStateArray, DevVarEncodedArray,
} from "./cmd-arg-type.js";
export type { AttrScalarType } from "./cmd-arg-type.js";
export {
  DevState, AttrQuality, AttrWriteType, AttrDataFormat, DispLevel, DevSource, ErrSeverity,
  SerialModel, LogLevel, EventType, EVENT_NAMES,
} from "./enums.js";
export { Reason, isReason } from "./reasons.js";
export { truncateUtf8, utf8Length } from "./truncate-utf8.js";
export { DevFailed, MultiDevFailed } from "./dev-failed.js";
export type { DevError, DevErrorInit, NamedDevError } from "./dev-failed.js";
export { TangoErrors } from "./errors.js";
export { coerce, ValueCoercionError } from "./coerce.js";
export { attributeInput, commandArgin, writtenValueError } from "./typed-input.js";
export type { ImageDims } from "./typed-input.js";
export type {
  DevEncoded as DevEncodedValue, DevVarLongStringArray as DevVarLongStringArrayValue,
  DevVarDoubleStringArray as DevVarDoubleStringArrayValue, ValueMap, ValueOf, InputMap, InputOf, TypedValue,
} from "./values.js";
export * as Defaults from "./defaults.js";
export type { DataReady, InterfaceChange, EventRecord } from "./events.js";
export type {
  TimeVal, AttributeDim, AttributeValue, AttributeWrite, CommandInfo, DeviceInfo, AttributeAlarmConfig,
  AttributeEventConfig, AttributeConfig, AttributeConfigProperty, AttributeConfigUpdate, CommandHistoryRecord,
} from "./idl.js";
export { PipeWriteType } from "./pipes.js";
export type { PipeBlob, PipeDataElement, PipeValue, PipeConfig, PipeConfigUpdate } from "./pipes.js";
export { PipeBlobBuilder, pipeBlob, validatePipeBlob, isPipeBlob, isPipeElementType } from "./pipe-blob.js";
export type { PipeElementType, PipeRecord, PipeRecordValue } from "./pipe-blob.js";
export { PipeErrors } from "./pipe-errors.js";
