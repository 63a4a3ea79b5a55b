// The device-author surface first (STYLE §1).
export { Device } from "./device.js";
export type { DynamicAttribute, DynamicCommand } from "./device.js";
export { attribute, command, deviceProperty, classProperty } from "./decorators.js";
export type { AttrReadResult, CommandResult } from "./decorators.js";
export { attrValue, image } from "./attr-value.js";
export { pipe } from "./pipe-decorator.js";
export { pipeValue, PipeReqType } from "./pipe-decl.js";
export type { PipeOptions, PipeReadResult, PipeReadValue } from "./pipe-decl.js";
export type { AttrReadValue, Image } from "./attr-value.js";
export type {
  AttributeOptions, CommandOptions, PropertyOptions, PropertyType, AttrData, AttrWriteData, ArrayTypeOf, NumericProp,
} from "./declarations.js";
export {
  CmdArgType, DevState, AttrQuality, AttrWriteType, AttrDataFormat, DispLevel, DevFailed, Reason,
  DevVoid, DevBoolean, DevShort, DevLong, DevFloat, DevDouble, DevUShort, DevULong, DevString,
  DevVarCharArray, DevVarShortArray, DevVarLongArray, DevVarFloatArray, DevVarDoubleArray,
  DevVarUShortArray, DevVarULongArray, DevVarStringArray, DevVarLongStringArray,
  DevVarDoubleStringArray, DevStateType, DevVarBooleanArray, DevUChar, DevLong64, DevULong64,
  DevVarLong64Array, DevVarULong64Array, DevEncoded, DevEnum, DevVarStateArray, DevVarEncodedArray,
} from "../core/index.js";
export type { DevEncodedValue, DevVarLongStringArrayValue, DevVarDoubleStringArrayValue } from "../core/index.js";
export { PipeBlobBuilder, pipeBlob, validatePipeBlob, PipeWriteType } from "../core/index.js";
export type { PipeBlob, PipeDataElement, PipeValue, PipeElementType, PipeRecord, PipeRecordValue } from "../core/index.js";

// For the server (not for device authors).
export type { DeviceHost, DeviceInit, DeviceEventSink } from "./device.js";
export type { PushedEvents } from "./device-runtime.js";
export { runtimeOf, constructDevice } from "./device.js";
export { classDeclarations } from "./decorators.js";
export type { ClassDeclarations } from "./decorators.js";
export type { AttributeDecl, CommandDecl, PropertyDecl } from "./declarations.js";
export { readAttributesOf, readOne, timeVal, pushedAttributeValue } from "./attribute-read.js";
export { writeAttributesOf, checkWrittenValue } from "./attribute-write.js";
export type { WriteOptions } from "./attribute-write.js";
export { AttributeState } from "./attribute-state.js";
export type { AttributeConfigSnapshot } from "./attribute-state.js";
export { executeCommandOf } from "./command-exec.js";
export { pipeOf, readPipeOf, writePipeOf, writeReadPipeOf } from "./pipe-exec.js";
export { PipeState } from "./pipe-state.js";
export type { PipeDecl } from "./pipe-decl.js";
export { PIPE_NO_DESCRIPTION } from "./pipe-decl.js";
export { evaluateState, evaluateStatus } from "./state-eval.js";
export { parsePropertyValue, formatPropertyValue } from "./property-value.js";
export { computeQuality, alarmStatusLine } from "./quality.js";
export type { Thresholds, AlarmKind, QualityResult } from "./quality.js";
