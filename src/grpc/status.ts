import { Buffer } from "node:buffer";
import { Metadata, status, type StatusObject } from "@grpc/grpc-js";
import type { Logger } from "pino";
import protobuf from "protobufjs";
import { DevFailed, MultiDevFailed, Reason, isReason, truncateUtf8 } from "../core/index.js";
import { MAX_STATUS_MESSAGE_BYTES } from "../core/defaults.js";
import { boundDevFailed, boundMultiDevFailed } from "./error-bounds.js";
import { decodeDevFailed, decodeMultiDevFailed, encodeDevFailed, encodeMultiDevFailed } from "./error-codec.js";
import type { WireDevError, WireNamedDevError } from "./wire-types.js";
import { DEVICE_SERVICE_NAME, loadTangoProto } from "./proto.js";

/**
 * The only file that knows gRPC status codes (STYLE §3). A DevFailed becomes a status whose code
 * comes from its root cause's reason, whose message is "<reason>: <desc>", and whose
 * `grpc-status-details-bin` trailer is a google.rpc.Status holding the whole Tango error stack.
 *
 * Reason → code (DESIGN §3). A Record, so a new reason in core does not compile until mapped here.
 *
 * | code                | reasons                                                                  |
 * |---------------------|--------------------------------------------------------------------------|
 * | NOT_FOUND           | DeviceNotFound, CommandNotFound, AttrNotFound, ClassNotFound,            |
 * |                     | PollObjNotFound, PipeNotFound                                            |
 * | ALREADY_EXISTS      | AlreadyPolled                                                            |
 * | INVALID_ARGUMENT    | bad argin or value: IncompatibleCmdArgumentType, IncompatibleAttrDataType,|
 * |                     | AttrIncorrectDataNumber, WAttrOutsideLimit, IncoherentValues,            |
 * |                     | WrongNumberOfArgs, BlackBoxArgument, AttrNotWritable, AttrOptProp,       |
 * |                     | AttrConfig, BadConfigurationProperty, MethodArgument, InvalidArgs,       |
 * |                     | WrongFormat, DecodeErr, WrongWildcardUsage, WrongDeviceNameSyntax,       |
 * |                     | UnsupportedProtocol, UnsupportedDBaseModifier, IncompatibleArgumentType, |
 * |                     | PipeWrongArg, PipeDuplicateDEName, PipeNoDataElement, PipeNotWritable    |
 * | FAILED_PRECONDITION | not now / not in this state: CommandNotAllowed, AttrNotAllowed,          |
 * |                     | AttrValueNotSet, AttrNoAlarm, AttrNotPolled, CmdNotPolled, BlackBoxEmpty,|
 * |                     | NotSupported (the object does not support the operation), the cache's   |
 * |                     | DeviceNotPolled, NoDataYet, NotUpdatedAnyMore, and the event refusals   |
 * |                     | EventPropertiesNotSet, AttributePollingNotStarted,                       |
 * |                     | AttributeNotDataReadyEnabled, MemAttFailedDuringInit (a memorized value  |
 * |                     | that could not be written at startup; a good write clears it), the pipe |
 * |                     | refusals PipeNotAllowed and PipeValueNotSet, and the locking refusals    |
 * |                     | DeviceNotLocked, DeviceUnlockable, ClientTooOld, CantGetClientIdent      |
 * | PERMISSION_DENIED   | ReadOnlyMode (the caller's rights do not allow the request), DeviceLocked|
 * |                     | (another client holds the lock), DeviceUnlocked (the caller's lock was   |
 * |                     | forced open or lost)                                                     |
 * | UNAUTHENTICATED     | CannotCheckAccessControl (a bearer token or certificate the server does |
 * |                     | not know, or no credentials where anonymous callers have no rights)     |
 * | UNIMPLEMENTED       | NotSupportedFeature (this server does not implement the feature)         |
 * | ABORTED             | CommandTimedOut (serialization monitor not acquired in time),            |
 * |                     | PollThreadOutOfSync (a poll discarded; only ever in an event)            |
 * | UNAVAILABLE         | ShutdownInProgress, DatabaseAccess (the Tango database could not save a  |
 * |                     | change: retry once it is back)                                            |
 * | INTERNAL            | InternalError, DatabaseFileError (the property store could not be written) |
 * | RESOURCE_EXHAUSTED  | MemoryAllocation (a large request refused by the memory guard)           |
 * | UNKNOWN             | raised by device code: StdException, InitThrowsException, CannotOpenFile,|
 * |                     | and any device-specific reason. Client-side reasons (CommandFailed,       |
 * |                     | AttributeFailed, PipeFailed, DeviceTimedOut, CantConnectToDevice,        |
 * |                     | ServerNotRunning,                                                        |
 * |                     | CommunicationFailed, ConnectionFailed, CorbaException, EventTimeout,     |
 * |                     | MissedEvents, EventNotFound, and the naming reasons DeviceNotExported,   |
 * |                     | DeviceNotDefined, CantConnectToDatabase, TangoHostNotSet, NonDatabaseDevice) can only reach |
 * |                     | this edge from device code calling another device, so they are UNKNOWN  |
 * |                     | too: UNAVAILABLE or DEADLINE_EXCEEDED would tell gRPC clients to retry  |
 * |                     | this server, which is up.                                                |
 *
 * DEADLINE_EXCEEDED and CANCELLED are produced by grpc-js itself.
 */
const CODE_BY_REASON: Readonly<Record<Reason, status>> = {
  [Reason.DeviceNotFound]: status.NOT_FOUND,
  [Reason.CommandNotFound]: status.NOT_FOUND,
  [Reason.AttrNotFound]: status.NOT_FOUND,
  [Reason.ClassNotFound]: status.NOT_FOUND,
  [Reason.PollObjNotFound]: status.NOT_FOUND,
  [Reason.PipeNotFound]: status.NOT_FOUND,
  [Reason.AlreadyPolled]: status.ALREADY_EXISTS,

  [Reason.IncompatibleCmdArgumentType]: status.INVALID_ARGUMENT,
  [Reason.IncompatibleAttrDataType]: status.INVALID_ARGUMENT,
  [Reason.AttrIncorrectDataNumber]: status.INVALID_ARGUMENT,
  [Reason.WAttrOutsideLimit]: status.INVALID_ARGUMENT,
  [Reason.IncoherentValues]: status.INVALID_ARGUMENT,
  [Reason.WrongNumberOfArgs]: status.INVALID_ARGUMENT,
  [Reason.PipeWrongArg]: status.INVALID_ARGUMENT,
  [Reason.PipeDuplicateDEName]: status.INVALID_ARGUMENT,
  [Reason.PipeNoDataElement]: status.INVALID_ARGUMENT,
  [Reason.PipeNotWritable]: status.INVALID_ARGUMENT,
  [Reason.BlackBoxArgument]: status.INVALID_ARGUMENT,
  [Reason.AttrNotWritable]: status.INVALID_ARGUMENT,
  [Reason.AttrOptProp]: status.INVALID_ARGUMENT,
  [Reason.AttrConfig]: status.INVALID_ARGUMENT,
  [Reason.BadConfigurationProperty]: status.INVALID_ARGUMENT,
  [Reason.MethodArgument]: status.INVALID_ARGUMENT,
  [Reason.InvalidArgs]: status.INVALID_ARGUMENT,
  [Reason.WrongFormat]: status.INVALID_ARGUMENT,
  [Reason.DecodeErr]: status.INVALID_ARGUMENT,
  [Reason.WrongWildcardUsage]: status.INVALID_ARGUMENT,
  [Reason.WrongDeviceNameSyntax]: status.INVALID_ARGUMENT,
  [Reason.UnsupportedProtocol]: status.INVALID_ARGUMENT,
  [Reason.UnsupportedDBaseModifier]: status.INVALID_ARGUMENT,
  [Reason.IncompatibleArgumentType]: status.INVALID_ARGUMENT,

  [Reason.CommandNotAllowed]: status.FAILED_PRECONDITION,
  [Reason.AttrNotAllowed]: status.FAILED_PRECONDITION,
  [Reason.MemAttFailedDuringInit]: status.FAILED_PRECONDITION,
  [Reason.AttrValueNotSet]: status.FAILED_PRECONDITION,
  [Reason.PipeNotAllowed]: status.FAILED_PRECONDITION,
  [Reason.PipeValueNotSet]: status.FAILED_PRECONDITION,
  [Reason.DeviceNotLocked]: status.FAILED_PRECONDITION,
  [Reason.DeviceUnlockable]: status.FAILED_PRECONDITION,
  [Reason.ClientTooOld]: status.FAILED_PRECONDITION,
  [Reason.CantGetClientIdent]: status.FAILED_PRECONDITION,

  [Reason.AttrNoAlarm]: status.FAILED_PRECONDITION,
  [Reason.AttrNotPolled]: status.FAILED_PRECONDITION,
  [Reason.CmdNotPolled]: status.FAILED_PRECONDITION,
  [Reason.BlackBoxEmpty]: status.FAILED_PRECONDITION,
  [Reason.NotSupported]: status.FAILED_PRECONDITION,
  [Reason.DeviceNotPolled]: status.FAILED_PRECONDITION,
  [Reason.NoDataYet]: status.FAILED_PRECONDITION,
  [Reason.NotUpdatedAnyMore]: status.FAILED_PRECONDITION,
  [Reason.EventPropertiesNotSet]: status.FAILED_PRECONDITION,
  [Reason.AttributePollingNotStarted]: status.FAILED_PRECONDITION,
  [Reason.AttributeNotDataReadyEnabled]: status.FAILED_PRECONDITION,

  [Reason.ReadOnlyMode]: status.PERMISSION_DENIED,
  [Reason.DeviceLocked]: status.PERMISSION_DENIED,
  [Reason.DeviceUnlocked]: status.PERMISSION_DENIED,
  [Reason.CannotCheckAccessControl]: status.UNAUTHENTICATED,

  [Reason.NotSupportedFeature]: status.UNIMPLEMENTED,
  [Reason.CommandTimedOut]: status.ABORTED,
  [Reason.PollThreadOutOfSync]: status.ABORTED,
  [Reason.ShutdownInProgress]: status.UNAVAILABLE,
  [Reason.DatabaseAccess]: status.UNAVAILABLE,
  [Reason.InternalError]: status.INTERNAL,
  [Reason.DatabaseFileError]: status.INTERNAL,
  [Reason.MemoryAllocation]: status.RESOURCE_EXHAUSTED,

  [Reason.StdException]: status.UNKNOWN,
  [Reason.InitThrowsException]: status.UNKNOWN,
  [Reason.CannotOpenFile]: status.UNKNOWN,
  [Reason.CommandFailed]: status.UNKNOWN,
  [Reason.AttributeFailed]: status.UNKNOWN,
  [Reason.PipeFailed]: status.UNKNOWN,
  [Reason.DeviceTimedOut]: status.UNKNOWN,
  [Reason.CantConnectToDevice]: status.UNKNOWN,
  [Reason.ServerNotRunning]: status.UNKNOWN,
  [Reason.CommunicationFailed]: status.UNKNOWN,
  [Reason.ConnectionFailed]: status.UNKNOWN,
  [Reason.CorbaException]: status.UNKNOWN,
  [Reason.EventTimeout]: status.UNKNOWN,
  [Reason.MissedEvents]: status.UNKNOWN,
  [Reason.EventNotFound]: status.UNKNOWN,
  [Reason.DeviceNotExported]: status.UNKNOWN,
  [Reason.DeviceNotDefined]: status.UNKNOWN,
  [Reason.CantConnectToDatabase]: status.UNKNOWN,
  [Reason.TangoHostNotSet]: status.UNKNOWN,
  [Reason.NonDatabaseDevice]: status.UNKNOWN,
};

/** The trailer that carries the google.rpc.Status (gRPC's rich error model). */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";
/** Any type URL of a tango.v1.DevFailed detail. */
export const DEV_FAILED_TYPE_URL = "type.googleapis.com/tango.v1.DevFailed";
/** Any type URL of a tango.v1.MultiDevFailed detail. */
export const MULTI_DEV_FAILED_TYPE_URL = "type.googleapis.com/tango.v1.MultiDevFailed";

/**
 * google.rpc.Status and google.protobuf.Any, built here: tango.proto imports nothing, because
 * @grpc/reflection 1.0 cannot resolve cross-file imports (DESIGN §2).
 */
const RPC_STATUS = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: { nested: { Any: { fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } } } },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: "int32", id: 1 },
                message: { type: "string", id: 2 },
                details: { rule: "repeated", type: "google.protobuf.Any", id: 3 },
              },
            },
          },
        },
      },
    },
  },
}).lookupType("google.rpc.Status");

interface RpcStatus {
  code: number;
  message: string;
  details: Array<{ type_url: string; value: Uint8Array }>;
}

/** The gRPC code for a Tango reason; device-specific reasons are UNKNOWN. */
export function codeOfReason(reason: string): status {
  return isReason(reason) ? CODE_BY_REASON[reason] : status.UNKNOWN;
}

function statusWithDetail(code: status, message: string, typeUrl: string, detail: Buffer): StatusObject {
  const details = truncateUtf8(message, MAX_STATUS_MESSAGE_BYTES);
  const body: RpcStatus = { code, message: details, details: [{ type_url: typeUrl, value: detail }] };
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(RPC_STATUS.encode(RPC_STATUS.create(body)).finish()));
  return { code, details, metadata };
}

/**
 * Turns anything a handler threw into the status to send. A DevFailed or MultiDevFailed keeps its
 * stack (in the trailer) and gets the code of its root cause's reason (for a MultiDevFailed, of
 * the first failed element). Anything else is a bug or a foreign failure: it is logged at error
 * level with its stack and sent as UNKNOWN with one API_StdException frame carrying only its
 * message.
 */
export function toGrpcStatus(err: unknown, log: Logger): StatusObject {
  const proto = loadTangoProto();
  if (err instanceof MultiDevFailed) {
    const mdf = boundMultiDevFailed(err);
    const detail = proto.message("MultiDevFailed").serialize(encodeMultiDevFailed(mdf));
    return statusWithDetail(codeOfReason(mdf.errors[0].errors[0].reason), mdf.message, MULTI_DEV_FAILED_TYPE_URL, detail);
  }
  if (!(err instanceof DevFailed)) log.error({ err }, "non-DevFailed error reached the gRPC edge");
  // Bounded whatever raised it: descriptions echo client input and device text (error-bounds.ts).
  const df = boundDevFailed(DevFailed.from(err, DEVICE_SERVICE_NAME));
  const detail = proto.message("DevFailed").serialize(encodeDevFailed(df));
  return statusWithDetail(codeOfReason(df.reason), df.message, DEV_FAILED_TYPE_URL, detail);
}

/**
 * The Tango error carried by a failed call's trailer (the client side), or undefined when the
 * trailer is missing, holds no Tango detail, or cannot be parsed; the caller then falls back to
 * the status code and message.
 */
export function fromGrpcError(err: Pick<StatusObject, "metadata">): DevFailed | MultiDevFailed | undefined {
  const [bin] = err.metadata.get(STATUS_DETAILS_KEY);
  if (!(bin instanceof Uint8Array)) return undefined;
  const proto = loadTangoProto();
  try {
    const body = RPC_STATUS.toObject(RPC_STATUS.decode(bin), { defaults: true }) as RpcStatus;
    for (const { type_url: url, value } of body.details) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (url === DEV_FAILED_TYPE_URL) {
        return decodeDevFailed(proto.message("DevFailed").deserialize(bytes) as { errors: WireDevError[] });
      }
      if (url === MULTI_DEV_FAILED_TYPE_URL) {
        return decodeMultiDevFailed(proto.message("MultiDevFailed").deserialize(bytes) as { errors: WireNamedDevError[] });
      }
    }
    return undefined;
  } catch (e) {
    // A malformed trailer from the peer is not our failure: report "no Tango detail".
    if (e instanceof Error) return undefined;
    throw e;
  }
}
