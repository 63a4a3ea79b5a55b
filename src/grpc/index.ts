// The gRPC adapter: serve tango.v1.Device over a RequestApi, plus the pure wire codec the client
// shares (proto ⇄ core values; it imports only core).

export { startGrpcServer } from "./grpc-server.js";
export type { GrpcServerOptions, GrpcServerHandle, GrpcServerTransport, HealthServiceName } from "./grpc-server.js";
export { createGrpcServerMetrics } from "./grpc-metrics.js";
export type { GrpcServerMetrics } from "./grpc-metrics.js";
export { loadTangoProto, DEVICE_SERVICE_NAME, PROTO_LOADER_OPTIONS } from "./proto.js";
export type { TangoProto } from "./proto.js";
export {
  toGrpcStatus, fromGrpcError, codeOfReason, STATUS_DETAILS_KEY, DEV_FAILED_TYPE_URL, MULTI_DEV_FAILED_TYPE_URL,
} from "./status.js";
export { CLIENT_METADATA } from "./client-metadata.js";

// pure codec
export { ArrayEncoding } from "./wire-types.js";
export { decodeValue, encodeValue } from "./codec.js";
export {
  attributeValueType, encodeAttributeValue, decodeAttributeValue, encodeAttributeWrite, decodeAttributeWrite,
} from "./attribute-codec.js";
export { encodeCommandInfo, decodeCommandInfo, encodeDeviceInfo, decodeDeviceInfo } from "./info-codec.js";
export {
  encodeAttributeConfig, decodeAttributeConfig, encodeAttributeConfigUpdate, decodeAttributeConfigUpdate,
} from "./config-codec.js";
export {
  encodePipeBlob, decodePipeBlob, encodePipeValue, decodePipeValue, encodePipeConfig, decodePipeConfig,
  encodePipeConfigUpdate, decodePipeConfigUpdate,
} from "./pipe-codec.js";
export {
  encodeDevErrors, decodeDevErrors, encodeDevFailed, decodeDevFailed, encodeMultiDevFailed, decodeMultiDevFailed,
} from "./error-codec.js";
export type {
  WireInt64, WireValueField, WireArray, WireEncoded, WireValue, WireTimeVal, WireAttributeDim, WireDevError,
  WireNamedDevError, WireAttributeValue, WireAttributeWrite, WireCommandInfo, WireDevInfo, WireAttributeAlarm,
  WireEventProperties, WireAttributeConfig, WireConfigUpdateField, WireAttributeConfigUpdate,
} from "./wire-types.js";
export type {
  WireDeviceRequest, WireBlackBoxRequest, WireCommandInoutRequest, WireCommandQueryRequest,
  WireReadAttributesRequest, WireWriteAttributesRequest, WireWriteReadAttributesRequest, WireNamesRequest,
  WireSetAttributeConfigRequest, WireProperty, WirePutPropertyRequest, WireEmptyReply, WireStateReply,
  WireStatusReply, WireBlackBoxReply, WireCommandInoutReply, WireCommandListReply, WireReadAttributesReply,
  WireAttributeConfigReply, WirePropertyReply, WirePipeDataField, WirePipeDataElement, WirePipeBlob, WirePipeValue,
  WirePipeConfig, WirePipeConfigUpdate, WireGetPipeConfigRequest, WirePipeConfigReply, WireSetPipeConfigRequest,
  WireReadPipeRequest, WireWritePipeRequest, WireWriteReadPipeRequest,
} from "./wire-messages.js";
