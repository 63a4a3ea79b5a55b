// The pure side of the gRPC adapter: the proto, the codec (proto ⇄ core values) and the error
// trailer. The client imports this surface only, never index.ts, which also brings the server.

export { loadTangoProto, DEVICE_SERVICE_NAME, PROTO_LOADER_OPTIONS } from "./proto.js";
export type { TangoProto } from "./proto.js";
export { fromGrpcError, STATUS_DETAILS_KEY } from "./status.js";
export { CLIENT_METADATA } from "./client-metadata.js";
export { ArrayEncoding } from "./wire-types.js";
export { decodeValue, encodeValue } from "./codec.js";
export { attributeValueType, decodeAttributeValue, encodeAttributeWrite } from "./attribute-codec.js";
export { decodeCommandInfo, decodeDeviceInfo } from "./info-codec.js";
export { decodeAttributeConfig, encodeAttributeConfigUpdate } from "./config-codec.js";
export { decodeEvent, decodeCommandHistoryRecord } from "./event-codec.js";
export { decodeEventStreamMessage } from "./event-frames.js";
export {
  decodePipeBlob, decodePipeConfig, decodePipeValue, encodePipeBlob, encodePipeConfigUpdate,
} from "./pipe-codec.js";
export type {
  WireValue, WireAttributeValue, WireAttributeWrite, WireCommandInfo, WireDevInfo, WireAttributeConfig,
  WireAttributeConfigUpdate,
} from "./wire-types.js";
export type {
  WireDeviceRequest, WireBlackBoxRequest, WireCommandInoutRequest, WireCommandQueryRequest,
  WireReadAttributesRequest, WireWriteAttributesRequest, WireWriteReadAttributesRequest, WireNamesRequest,
  WireSetAttributeConfigRequest, WireProperty, WirePutPropertyRequest, WireEmptyReply, WireStateReply,
  WireStatusReply, WireBlackBoxReply, WireCommandInoutReply, WireCommandListReply, WireReadAttributesReply,
  WireAttributeConfigReply, WirePropertyReply, WireEvent, WireEventStreamMessage, WireHistoryRequest,
  WireAttributeHistoryReply, WireCommandHistoryReply, WirePipeBlob, WirePipeValue, WirePipeConfigReply,
} from "./wire-messages.js";
