// The TypeScript client of tango-grpc (DESIGN §1): DeviceProxy and AttributeProxy with Tango's
// semantics, over tango.v1.Device.

export { DeviceProxy } from "./device-proxy.js";
export type { PropertyInput } from "./value-input.js";
export type { AttributeValues } from "./value-input.js";
export { AttributeProxy } from "./attribute-proxy.js";
export { Database } from "./database.js";
export type {
  DatabaseOptions, DatabaseProperties, DbDeviceDeclaration, DbDeviceInfo, DbDeviceImportInfo, DbPropertyNames, DbProperties, DbPropertiesInput,
  DbAttributeProperties, DbAttributePropertiesInput,
} from "./database.js";
export type {
  TangoValue, CallOptions, ReadOptions, WriteOptions, DeviceProxyOptions, ClientIdentityOptions, DeviceAttribute,
  CommandHistoryEntry, LockerInfo,
} from "./types.js";
export type { TlsClientOptions } from "./tls-options.js";
export type { EventData, EventCallback, SubscribeOptions, EventsOptions } from "./event-data.js";
export type { DevicePipe, PipeInput } from "./pipe-calls.js";
export { pipeBlob, PipeBlobBuilder, PipeWriteType } from "../core/index.js";
export type {
  PipeBlob, PipeDataElement, PipeValue, PipeConfig, PipeConfigUpdate, PipeElementType, PipeRecord, PipeRecordValue,
  TypedValue,
} from "../core/index.js";
export { parseTrl, formatTrl, parseAddress } from "./trl.js";
export type { Trl } from "./trl.js";
export { parseTangoHost } from "./tango-host.js";
export type { DatabaseAddress } from "./tango-host.js";
export {
  DevFailed, MultiDevFailed, Reason, DevState, AttrQuality, AttrDataFormat, AttrWriteType, DevSource, DispLevel,
  ErrSeverity, CmdArgType, typeName, EventType, EVENT_NAMES,
} from "../core/index.js";
export type {
  DevError, NamedDevError, AttributeConfig, AttributeConfigUpdate, AttributeConfigProperty, CommandInfo, DeviceInfo,
  TimeVal, DevEncodedValue, DataReady, InterfaceChange,
} from "../core/index.js";
export type { ProxyCore } from "./proxy-core.js";
export type { AttributeAlarmConfig, AttributeEventConfig, DevErrorInit } from "../core/index.js";
