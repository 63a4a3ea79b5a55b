import type { ServerWritableStream, handleServerStreamingCall, handleUnaryCall } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { DevFailed } from "../core/index.js";
import type { DeviceServiceHandlers } from "./device-service.js";
import { RefusedRequest } from "./request-decoding.js";
import { checkRequestNames } from "./request-names.js";
import { toGrpcStatus } from "./status.js";

/*
 * The checks every tango.v1.Device call passes before its handler runs (DESIGN §11): a request
 * refused while decoding (request-decoding.ts) is answered with its DevFailed, and a name over
 * the limit (request-names.ts) is refused at once. Nothing reaches the server's request API.
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

function checkedUnary<Req, Res>(method: string, handler: handleUnaryCall<Req, Res>, log: Logger): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const refusal = refusalOf(call.request, method);
    if (refusal === undefined) handler(call, callback);
    else callback(toGrpcStatus(refusal, log));
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
