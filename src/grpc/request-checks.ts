import type { ServerWritableStream, handleServerStreamingCall, handleUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import type { Logger } from "pino";
import type protobuf from "protobufjs";
import { DevFailed, Reason } from "../core/index.js";
import { fastRoot } from "./fast-codec.js";
import { loadTangoProto, tangoProtoFile } from "./proto.js";
import { decodeDeferredArrays, encodeInSlices, hasDeferredArrays, hasLargeIntegerArrays } from "./sliced-values.js";
import type { DeviceServiceHandlers } from "./device-service.js";
import { RefusedRequest } from "./request-decoding.js";
import { checkRequestNames } from "./request-names.js";
import { toGrpcStatus } from "./status.js";

/*
 * The checks every tango.v1.Device call passes before its handler runs (DESIGN §11): a request
 * refused while decoding (request-decoding.ts) is answered with its DevFailed, and a name over
 * the limit (request-names.ts) is refused at once. Nothing reaches the server's request API.
 * Large packed integer arrays are decoded before the handler runs, and encoded after it, in
 * slices between which other calls are served (sliced-values.ts).
 */

/** The refusal of `request`, or undefined when the handler may run. */
function refusalOf(request: unknown, method: string): DevFailed | undefined {
  if (request instanceof RefusedRequest) return request.error;
  try {
    checkRequestNames(request as object, method);
    return undefined;
  } catch (e) {
    if (e instanceof DevFailed) return e;
    throw e;
  }
}

/** A failure while decoding in slices is the request's fault, as in the deserializer. */
function decodeFailure(err: unknown, method: string): unknown {
  if (!(err instanceof RangeError)) return err;
  return DevFailed.of(Reason.DecodeErr, `The request is not valid protobuf: ${err.message}`, `tango.v1.Device/${method}`);
}

function checkedUnary<Req, Res>(method: string, handler: handleUnaryCall<Req, Res>, log: Logger): handleUnaryCall<Req, Res> {
  let replyType: protobuf.Type | undefined;
  const typeOfReply = (): protobuf.Type => {
    const name = (loadTangoProto().deviceService[method]?.responseType.type as { name?: string } | undefined)?.name;
    replyType ??= fastRoot(tangoProtoFile()).lookupType(`tango.v1.${name ?? ""}`);
    return replyType;
  };
  return (call, callback) => {
    const refusal = refusalOf(call.request, method);
    if (refusal !== undefined) {
      callback(toGrpcStatus(refusal, log));
      return;
    }
    const reply: sendUnaryData<Res> = (err, value, ...rest) => {
      if (err !== null || value === undefined || value === null || !hasLargeIntegerArrays(value as object)) {
        callback(err, value, ...rest);
        return;
      }
      // The serializer passes the bytes through (fast-codec.ts).
      encodeInSlices(typeOfReply(), value as object).then(
        (bytes) => callback(null, bytes as unknown as Res, ...rest),
        (e: unknown) => callback(toGrpcStatus(e, log)),
      );
    };
    if (!hasDeferredArrays(call.request as object)) {
      handler(call, reply);
      return;
    }
    decodeDeferredArrays(call.request as object).then(
      () => handler(call, reply),
      (e: unknown) => callback(toGrpcStatus(decodeFailure(e, method), log)),
    );
  };
}

function checkedStream<Req, Res>(method: string, handler: handleServerStreamingCall<Req, Res>, log: Logger): handleServerStreamingCall<Req, Res> {
  return (call: ServerWritableStream<Req, Res>) => {
    const refusal = refusalOf(call.request, method);
    if (refusal === undefined) handler(call);
    else call.emit("error", toGrpcStatus(refusal, log));
  };
}

/** @internal The handlers with the request checks in front. */
export function withRequestChecks(handlers: DeviceServiceHandlers, log: Logger): DeviceServiceHandlers {
  const out = { ...handlers } as Record<string, unknown>;
  for (const [method, handler] of Object.entries(handlers) as [string, unknown][]) {
    out[method] = method === "Subscribe"
      ? checkedStream(method, handler as handleServerStreamingCall<unknown, unknown>, log)
      : checkedUnary(method, handler as handleUnaryCall<unknown, unknown>, log);
  }
  return out as unknown as DeviceServiceHandlers;
}
