import type {
  WireAttributeConfig, WireAttributeConfigUpdate, WireAttributeValue, WireAttributeWrite, WireCommandInfo,
  WireValue,
} from "./wire-types.js";

/** tango.v1 request and reply messages as proto-loader hands them over (see `wire-types.ts`). */

// ---- requests (decoded by the server, built by the client) ------------------------------------

/** tango.v1.DeviceRequest. */
export interface WireDeviceRequest {
  device: string;
}

/** tango.v1.BlackBoxRequest. */
export interface WireBlackBoxRequest extends WireDeviceRequest {
  n: number;
}

/** tango.v1.CommandInoutRequest. */
export interface WireCommandInoutRequest extends WireDeviceRequest {
  command: string;
  argin: WireValue | null;
  source: number;
  array_encoding: number;
}

/** tango.v1.CommandQueryRequest. */
export interface WireCommandQueryRequest extends WireDeviceRequest {
  command: string;
}

/** tango.v1.ReadAttributesRequest. */
export interface WireReadAttributesRequest extends WireDeviceRequest {
  names: string[];
  source: number;
  array_encoding: number;
}

/** tango.v1.WriteAttributesRequest. */
export interface WireWriteAttributesRequest extends WireDeviceRequest {
  values: WireAttributeWrite[];
}

/** tango.v1.WriteReadAttributesRequest. */
export interface WireWriteReadAttributesRequest extends WireDeviceRequest {
  values: WireAttributeWrite[];
  names: string[];
  array_encoding: number;
}

/** tango.v1.GetAttributeConfigRequest, GetPropertyRequest and DeletePropertyRequest. */
export interface WireNamesRequest extends WireDeviceRequest {
  names: string[];
}

/** tango.v1.SetAttributeConfigRequest. */
export interface WireSetAttributeConfigRequest extends WireDeviceRequest {
  configs: WireAttributeConfigUpdate[];
}

/** tango.v1.Property. */
export interface WireProperty {
  name: string;
  values: string[];
}

/** tango.v1.PutPropertyRequest. */
export interface WirePutPropertyRequest extends WireDeviceRequest {
  properties: WireProperty[];
}

// ---- replies -------------------------------------------------------------------------------------

/** Replies without fields: PingReply, WriteAttributesReply, SetAttributeConfigReply, PropertyChangeReply. */
export type WireEmptyReply = Record<string, never>;

/** tango.v1.StateReply. */
export interface WireStateReply {
  state: number;
}

/** tango.v1.StatusReply. */
export interface WireStatusReply {
  status: string;
}

/** tango.v1.BlackBoxReply. */
export interface WireBlackBoxReply {
  records: string[];
}

/** tango.v1.CommandInoutReply. */
export interface WireCommandInoutReply {
  argout: WireValue | null;
}

/** tango.v1.CommandListReply. */
export interface WireCommandListReply {
  commands: WireCommandInfo[];
}

/** tango.v1.ReadAttributesReply. */
export interface WireReadAttributesReply {
  values: WireAttributeValue[];
}

/** tango.v1.AttributeConfigReply. */
export interface WireAttributeConfigReply {
  configs: WireAttributeConfig[];
}

/** tango.v1.PropertyReply. */
export interface WirePropertyReply {
  properties: WireProperty[];
}
