import type {
  WireAttributeConfig, WireAttributeConfigUpdate, WireAttributeValue, WireAttributeWrite, WireCommandInfo,
  WireDevError, WireInt64, WireTimeVal, WireValue,
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

// ---- polling history and events ----------------------------------------------------------------

/** tango.v1.HistoryRequest. */
export interface WireHistoryRequest extends WireDeviceRequest {
  name: string;
  n: number;
  array_encoding: number;
}

/** tango.v1.AttributeHistoryReply. */
export interface WireAttributeHistoryReply {
  values: WireAttributeValue[];
}

/** tango.v1.CommandHistoryRecord. */
export interface WireCommandHistoryRecord {
  time: WireTimeVal | null;
  value: WireValue | null;
  errors: WireDevError[];
}

/** tango.v1.CommandHistoryReply. */
export interface WireCommandHistoryReply {
  records: WireCommandHistoryRecord[];
}

/** tango.v1.SubscribeRequest. */
export interface WireSubscribeRequest extends WireDeviceRequest {
  attribute: string;
  event_type: number;
  array_encoding: number;
}

/** tango.v1.DataReady. */
export interface WireDataReady {
  data_type: number;
  counter: number;
}

/** tango.v1.InterfaceChange. */
export interface WireInterfaceChange {
  commands: WireCommandInfo[];
  attributes: WireAttributeConfig[];
  device_started: boolean;
}

/** The members of tango.v1.Event's `data` oneof. */
export type WireEventDataField = "value" | "config" | "data_ready" | "interface_change" | "pipe";

/** tango.v1.Event. */
export interface WireEvent {
  device: string;
  attribute: string;
  event_type: number;
  sequence: WireInt64;
  time: WireTimeVal | null;
  data?: WireEventDataField;
  value?: WireAttributeValue | null;
  config?: WireAttributeConfig | null;
  data_ready?: WireDataReady | null;
  interface_change?: WireInterfaceChange | null;
  pipe?: WirePipeValue | null;
  errors: WireDevError[];
}

/** tango.v1.EventStreamMessage. */
export interface WireEventStreamMessage {
  events: WireEvent[];
  missed: number;
  heartbeat: { time: WireTimeVal | null } | null;
  subscribed: { heartbeat_ms: number; queue_depth: number } | null;
}

// ---- pipes ---------------------------------------------------------------------------------------

/** The members of tango.v1.PipeDataElement's `data` oneof. */
export type WirePipeDataField = "value" | "blob";

/** tango.v1.PipeDataElement: a named Value, or a named nested blob. */
export interface WirePipeDataElement {
  name: string;
  data?: WirePipeDataField;
  value?: WireValue | null;
  blob?: WirePipeBlob | null;
}

/** tango.v1.PipeBlob. */
export interface WirePipeBlob {
  name: string;
  elements: WirePipeDataElement[];
}

/** tango.v1.PipeValue (the reply of ReadPipe and WriteReadPipe). */
export interface WirePipeValue {
  name: string;
  time: WireTimeVal | null;
  blob: WirePipeBlob | null;
}

/** tango.v1.PipeConfig. */
export interface WirePipeConfig {
  name: string;
  description: string;
  label: string;
  level: number;
  writable: number;
}

/** tango.v1.PipeConfigUpdate; proto3 `optional` fields are absent when not sent. */
export interface WirePipeConfigUpdate {
  name: string;
  label?: string;
  description?: string;
}

/** tango.v1.GetPipeConfigRequest. */
export interface WireGetPipeConfigRequest extends WireDeviceRequest {
  names: string[];
}

/** tango.v1.PipeConfigReply. */
export interface WirePipeConfigReply {
  configs: WirePipeConfig[];
}

/** tango.v1.SetPipeConfigRequest. */
export interface WireSetPipeConfigRequest extends WireDeviceRequest {
  configs: WirePipeConfigUpdate[];
}

/** tango.v1.ReadPipeRequest. */
export interface WireReadPipeRequest extends WireDeviceRequest {
  name: string;
  array_encoding: number;
}

/** tango.v1.WritePipeRequest. */
export interface WireWritePipeRequest extends WireDeviceRequest {
  name: string;
  blob: WirePipeBlob | null;
}

/** tango.v1.WriteReadPipeRequest. */
export interface WireWriteReadPipeRequest extends WireWritePipeRequest {
  array_encoding: number;
}
