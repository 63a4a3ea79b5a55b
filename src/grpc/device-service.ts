import type { handleServerStreamingCall, handleUnaryCall } from "@grpc/grpc-js";
import type { Logger } from "pino";
import {
  DevFailed, DevSource, Reason, ValueCoercionError, type AttributeWrite, type PipeBlob, type TypedValue,
} from "../core/index.js";
import type { AccessPolicy, CallContext, ReadOptions, RequestApi } from "../server/index.js";
import { GrpcAuthenticator } from "./grpc-credentials.js";
import { decodeAttributeWrite, encodeAttributeValue } from "./attribute-codec.js";
import { ClientIdentityReader } from "./client-identity.js";
import type { ConnectionTracker } from "./connection-tracker.js";
import { GrpcCallContext } from "./grpc-call-context.js";
import { decodeValue, encodeValue } from "./codec.js";
import { decodeAttributeConfigUpdate, encodeAttributeConfig } from "./config-codec.js";
import { encodeCommandInfo, encodeDeviceInfo } from "./info-codec.js";
import { encodeCommandHistoryRecord } from "./event-codec.js";
import { decodePipeBlob, decodePipeConfigUpdate, encodePipeConfig, encodePipeValue } from "./pipe-codec.js";
import { EventStreamWriter } from "./event-stream.js";
import { WritePacer } from "./write-pacing.js";
import { toGrpcStatus } from "./status.js";
import { withRequestChecks } from "./request-checks.js";
import { ArrayEncoding, type WireAttributeWrite, type WireCommandInfo, type WireDevInfo } from "./wire-types.js";
import type {
  WireAttributeConfigReply, WireBlackBoxReply, WireBlackBoxRequest, WireCommandInoutReply,
  WireCommandInoutRequest, WireCommandListReply, WireCommandQueryRequest, WireDeviceRequest,
  WireEmptyReply, WireNamesRequest, WirePropertyReply, WirePutPropertyRequest, WireReadAttributesReply,
  WireReadAttributesRequest, WireSetAttributeConfigRequest, WireStateReply, WireStatusReply,
  WireWriteAttributesRequest, WireWriteReadAttributesRequest, WireHistoryRequest, WireAttributeHistoryReply,
  WireCommandHistoryReply, WireSubscribeRequest, WireGetPipeConfigRequest, WirePipeConfigReply,
  WireSetPipeConfigRequest, WireReadPipeRequest, WirePipeValue, WireWritePipeRequest, WireWriteReadPipeRequest,
} from "./wire-messages.js";

/** @internal The tango.v1.Device handlers, by the method names of the proto. */
export interface DeviceServiceHandlers {
  Ping: handleUnaryCall<WireDeviceRequest, WireEmptyReply>;
  Info: handleUnaryCall<WireDeviceRequest, WireDevInfo>;
  State: handleUnaryCall<WireDeviceRequest, WireStateReply>;
  Status: handleUnaryCall<WireDeviceRequest, WireStatusReply>;
  BlackBox: handleUnaryCall<WireBlackBoxRequest, WireBlackBoxReply>;
  CommandInout: handleUnaryCall<WireCommandInoutRequest, WireCommandInoutReply>;
  CommandListQuery: handleUnaryCall<WireDeviceRequest, WireCommandListReply>;
  CommandQuery: handleUnaryCall<WireCommandQueryRequest, WireCommandInfo>;
  ReadAttributes: handleUnaryCall<WireReadAttributesRequest, WireReadAttributesReply>;
  WriteAttributes: handleUnaryCall<WireWriteAttributesRequest, WireEmptyReply>;
  WriteReadAttributes: handleUnaryCall<WireWriteReadAttributesRequest, WireReadAttributesReply>;
  GetAttributeConfig: handleUnaryCall<WireNamesRequest, WireAttributeConfigReply>;
  SetAttributeConfig: handleUnaryCall<WireSetAttributeConfigRequest, WireEmptyReply>;
  GetProperty: handleUnaryCall<WireNamesRequest, WirePropertyReply>;
  PutProperty: handleUnaryCall<WirePutPropertyRequest, WireEmptyReply>;
  DeleteProperty: handleUnaryCall<WireNamesRequest, WireEmptyReply>;
  ReadAttributeHistory: handleUnaryCall<WireHistoryRequest, WireAttributeHistoryReply>;
  CommandInoutHistory: handleUnaryCall<WireHistoryRequest, WireCommandHistoryReply>;
  GetPipeConfig: handleUnaryCall<WireGetPipeConfigRequest, WirePipeConfigReply>;
  SetPipeConfig: handleUnaryCall<WireSetPipeConfigRequest, WireEmptyReply>;
  ReadPipe: handleUnaryCall<WireReadPipeRequest, WirePipeValue>;
  WritePipe: handleUnaryCall<WireWritePipeRequest, WireEmptyReply>;
  WriteReadPipe: handleUnaryCall<WireWriteReadPipeRequest, WirePipeValue>;
  /** Writes pre-encoded stream messages (event-frames.ts). */
  Subscribe: handleServerStreamingCall<WireSubscribeRequest, Buffer>;
}

const EMPTY: WireEmptyReply = Object.freeze({});

/** Read options per DevSource, shared by every call. */
const READ_OPTIONS: Readonly<Record<DevSource, ReadOptions>> = {
  [DevSource.DEV]: Object.freeze({ source: DevSource.DEV }),
  [DevSource.CACHE]: Object.freeze({ source: DevSource.CACHE }),
  [DevSource.CACHE_DEV]: Object.freeze({ source: DevSource.CACHE_DEV }),
};

const origin = (method: string): string => `tango.v1.Device/${method}`;

/**
 * Every request must name its device. An empty name is a malformed request, not an unknown
 * device: API_WrongDeviceNameSyntax (INVALID_ARGUMENT) says so more clearly than
 * "Device  not found". Everything else about the name is the server's to check.
 */
function deviceOf(req: WireDeviceRequest, method: string): string {
  if (req.device.length === 0) {
    throw DevFailed.of(Reason.WrongDeviceNameSyntax, "The request names no device (field `device` is empty)", origin(method));
  }
  return req.device;
}

function readOptionsOf(source: number, method: string): ReadOptions {
  const opts = READ_OPTIONS[source as DevSource] as ReadOptions | undefined;
  if (opts === undefined) throw DevFailed.of(Reason.InvalidArgs, `Unknown DevSource ${source}`, origin(method));
  return opts;
}

function encodingOf(n: number): ArrayEncoding {
  return n === ArrayEncoding.BYTES ? ArrayEncoding.BYTES : ArrayEncoding.PACKED;
}

/** A malformed argin is the client's argument error (API_IncompatibleCmdArgumentType). */
function decodeArgin(req: WireCommandInoutRequest): TypedValue | undefined {
  if (req.argin === null) return undefined;
  try {
    return decodeValue(req.argin);
  } catch (e) {
    if (!(e instanceof ValueCoercionError)) throw e;
    throw DevFailed.of(Reason.IncompatibleCmdArgumentType,
      `Cannot decode the argument of command ${req.command}: ${e.message}`, origin("CommandInout"));
  }
}

/**
 * A malformed value fails the whole call with API_IncompatibleAttrDataType, before anything is
 * written (a MultiDevFailed would claim the other elements were written).
 */
function decodeWrites(values: readonly WireAttributeWrite[], method: string): AttributeWrite[] {
  return values.map((w) => {
    try {
      return decodeAttributeWrite(w);
    } catch (e) {
      if (!(e instanceof ValueCoercionError)) throw e;
      throw DevFailed.of(Reason.IncompatibleAttrDataType,
        `Cannot decode the value for attribute ${w.name}: ${e.message}`, origin(method));
    }
  });
}

/**
 * A malformed blob (past the nesting or size bounds, an untyped or ill-typed value) is the
 * client's argument error, API_PipeWrongArg, before the pipe is looked at.
 */
function decodeBlob(req: WireWritePipeRequest, method: string): PipeBlob {
  try {
    return decodePipeBlob(req.blob);
  } catch (e) {
    if (!(e instanceof ValueCoercionError)) throw e;
    throw DevFailed.of(Reason.PipeWrongArg, `Cannot decode the blob for pipe ${req.name}: ${e.message}`, origin(method));
  }
}

/**
 * Creates the tango.v1.Device handlers over a request API. Each call builds one CallContext
 * (client identity from metadata and peer; a signal aborted when the call is cancelled, and the
 * call's connection among `connections`, see GrpcCallContext), runs the API, and answers with the encoded reply or `toGrpcStatus(error)`.
 * Nothing is logged on the request path except errors that are not DevFailed (bugs). `isTls`
 * says whether the port is TLS (false: no call can carry a client certificate).
 *
 * @internal Used by `startGrpcServer`.
 */
export function createDeviceService(api: RequestApi, log: Logger, access?: AccessPolicy, connections?: ConnectionTracker,
  isTls = true): DeviceServiceHandlers {
  const identities = new ClientIdentityReader();
  const pacer = new WritePacer();
  const authenticator = access === undefined ? undefined : new GrpcAuthenticator(access, log, { isTls });

  function unary<Req, Res>(run: (ctx: CallContext, req: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      let principal;
      try {
        principal = authenticator?.principal(call);
      } catch (err) {
        callback(toGrpcStatus(err, log));
        return;
      }
      const ctx = new GrpcCallContext(call, identities.read(call.metadata, call.getPeer()), principal, connections);
      // Both outcomes are handled; a throw from the callback itself is a grpc-js bug and may crash.
      run(ctx, call.request).then(
        (reply) => {
          ctx.end();
          callback(null, reply);
        },
        (err: unknown) => {
          ctx.end();
          callback(toGrpcStatus(err, log));
        },
      );
    };
  }

  // Refused requests and over-long names are answered before any handler runs (request-checks.ts).
  return withRequestChecks({
    Ping: unary(async (ctx, req) => {
      await api.ping(ctx, deviceOf(req, "Ping"));
      return EMPTY;
    }),
    Info: unary(async (ctx, req) => encodeDeviceInfo(await api.info(ctx, deviceOf(req, "Info")))),
    State: unary(async (ctx, req) => ({ state: await api.state(ctx, deviceOf(req, "State")) })),
    Status: unary(async (ctx, req) => ({ status: await api.status(ctx, deviceOf(req, "Status")) })),
    BlackBox: unary(async (ctx, req) => ({ records: await api.blackBox(ctx, deviceOf(req, "BlackBox"), req.n) })),
    CommandInout: unary(async (ctx, req) => {
      const device = deviceOf(req, "CommandInout");
      const opts = readOptionsOf(req.source, "CommandInout");
      const argout = await api.commandInout(ctx, device, req.command, decodeArgin(req), opts);
      return { argout: encodeValue(argout, encodingOf(req.array_encoding)) };
    }),
    CommandListQuery: unary(async (ctx, req) => ({
      commands: (await api.commandListQuery(ctx, deviceOf(req, "CommandListQuery"))).map(encodeCommandInfo),
    })),
    CommandQuery: unary(async (ctx, req) =>
      encodeCommandInfo(await api.commandQuery(ctx, deviceOf(req, "CommandQuery"), req.command))),
    ReadAttributes: unary(async (ctx, req) => {
      const device = deviceOf(req, "ReadAttributes");
      const values = await api.readAttributes(ctx, device, req.names, readOptionsOf(req.source, "ReadAttributes"));
      const encoding = encodingOf(req.array_encoding);
      return { values: values.map((v) => encodeAttributeValue(v, encoding)) };
    }),
    WriteAttributes: unary(async (ctx, req) => {
      const device = deviceOf(req, "WriteAttributes");
      await api.writeAttributes(ctx, device, decodeWrites(req.values, "WriteAttributes"));
      return EMPTY;
    }),
    WriteReadAttributes: unary(async (ctx, req) => {
      const device = deviceOf(req, "WriteReadAttributes");
      const writes = decodeWrites(req.values, "WriteReadAttributes");
      const values = await api.writeReadAttributes(ctx, device, writes, req.names);
      const encoding = encodingOf(req.array_encoding);
      return { values: values.map((v) => encodeAttributeValue(v, encoding)) };
    }),
    GetAttributeConfig: unary(async (ctx, req) => ({
      configs: (await api.getAttributeConfig(ctx, deviceOf(req, "GetAttributeConfig"), req.names)).map(encodeAttributeConfig),
    })),
    SetAttributeConfig: unary(async (ctx, req) => {
      const device = deviceOf(req, "SetAttributeConfig");
      await api.setAttributeConfig(ctx, device, req.configs.map(decodeAttributeConfigUpdate));
      return EMPTY;
    }),
    GetProperty: unary(async (ctx, req) => ({
      properties: await api.getProperty(ctx, deviceOf(req, "GetProperty"), req.names),
    })),
    PutProperty: unary(async (ctx, req) => {
      await api.putProperty(ctx, deviceOf(req, "PutProperty"), req.properties);
      return EMPTY;
    }),
    DeleteProperty: unary(async (ctx, req) => {
      await api.deleteProperty(ctx, deviceOf(req, "DeleteProperty"), req.names);
      return EMPTY;
    }),
    ReadAttributeHistory: unary(async (ctx, req) => {
      const values = await api.readAttributeHistory(ctx, deviceOf(req, "ReadAttributeHistory"), req.name, req.n);
      const encoding = encodingOf(req.array_encoding);
      return { values: values.map((v) => encodeAttributeValue(v, encoding)) };
    }),
    CommandInoutHistory: unary(async (ctx, req) => {
      const records = await api.commandInoutHistory(ctx, deviceOf(req, "CommandInoutHistory"), req.name, req.n);
      const encoding = encodingOf(req.array_encoding);
      return { records: records.map((r) => encodeCommandHistoryRecord(r, encoding)) };
    }),
    GetPipeConfig: unary(async (ctx, req) => ({
      configs: (await api.getPipeConfig(ctx, deviceOf(req, "GetPipeConfig"), req.names)).map(encodePipeConfig),
    })),
    SetPipeConfig: unary(async (ctx, req) => {
      const device = deviceOf(req, "SetPipeConfig");
      await api.setPipeConfig(ctx, device, req.configs.map(decodePipeConfigUpdate));
      return EMPTY;
    }),
    ReadPipe: unary(async (ctx, req) => {
      const value = await api.readPipe(ctx, deviceOf(req, "ReadPipe"), req.name);
      return encodePipeValue(value, encodingOf(req.array_encoding));
    }),
    WritePipe: unary(async (ctx, req) => {
      const device = deviceOf(req, "WritePipe");
      await api.writePipe(ctx, device, req.name, decodeBlob(req, "WritePipe"));
      return EMPTY;
    }),
    WriteReadPipe: unary(async (ctx, req) => {
      const device = deviceOf(req, "WriteReadPipe");
      const value = await api.writeReadPipe(ctx, device, req.name, decodeBlob(req, "WriteReadPipe"));
      return encodePipeValue(value, encodingOf(req.array_encoding));
    }),
    Subscribe: (call) => {
      let principal;
      try {
        principal = authenticator?.principal(call);
      } catch (err) {
        call.emit("error", toGrpcStatus(err, log)); // as EventStreamWriter ends a stream with a status
        return;
      }
      const ctx = new GrpcCallContext(call, identities.read(call.metadata, call.getPeer()), principal, connections);
      // The writer owns the call from here: every outcome ends in a status it sends.
      new EventStreamWriter(call, { api, ctx, log, pacer, onEnd: () => ctx.end() }).start();
    },
  }, log);
}
