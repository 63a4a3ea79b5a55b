// The TypeScript client of tango-grpc (DESIGN §1): DeviceProxy and AttributeProxy with Tango's
// semantics, over tango.v1.Device.

export { DeviceProxy } from "./device-proxy.js";
export type { PropertyInput } from "./device-proxy.js";
export type { AttributeValues } from "./value-input.js";
export { AttributeProxy } from "./attribute-proxy.js";
export type {
  TangoValue, CallOptions, ReadOptions, WriteOptions, DeviceProxyOptions, ClientIdentityOptions, DeviceAttribute,
} from "./types.js";
export { parseTrl, formatTrl, parseAddress } from "./trl.js";
export type { Trl } from "./trl.js";
export {
  DevFailed, MultiDevFailed, Reason, DevState, AttrQuality, AttrDataFormat, AttrWriteType, DevSource, DispLevel,
  ErrSeverity, CmdArgType, typeName,
} from "../core/index.js";
export type {
  DevError, NamedDevError, AttributeConfig, AttributeConfigUpdate, AttributeConfigProperty, CommandInfo, DeviceInfo,
  TimeVal, DevEncodedValue,
} from "../core/index.js";
