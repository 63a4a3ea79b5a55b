import { Type, type Static } from "typebox";
import { DevFailed, ErrSeverity, MultiDevFailed, Reason, isReason, type DevError } from "../core/index.js";

/*
 * The only file of the sidecar that knows HTTP status codes for Tango errors (STYLE §3), and the
 * error body of every REST route: `{"errors":[{reason, description, severity, origin}]}`, the
 * Tango REST API's shape, root cause first like a DevFailed.
 */

/** One error of a REST error body. */
export const RestErrorItem = Type.Object({
  reason: Type.String({ description: "Tango reason, e.g. API_CommandNotFound; HTTP_* for errors of the HTTP layer itself" }),
  description: Type.String(),
  severity: Type.Union([Type.Literal("WARN"), Type.Literal("ERR"), Type.Literal("PANIC")]),
  origin: Type.String({ description: "where the error was raised" }),
}, { additionalProperties: false });
export type RestErrorItem = Static<typeof RestErrorItem>;

/** The body of every REST error response. */
export const RestErrorBody = Type.Object({
  errors: Type.Array(RestErrorItem, { minItems: 1, description: "the error stack, root cause first" }),
}, { additionalProperties: false, description: "a failed request: the Tango error stack" });
export type RestErrorBody = Static<typeof RestErrorBody>;

/** Route schema `response` entries for error statuses, e.g. `errorResponses(400, 404)`. */
export function errorResponses<const C extends number>(...codes: readonly C[]): Record<C, typeof RestErrorBody> {
  const out = {} as Record<C, typeof RestErrorBody>;
  for (const c of codes) out[c] = RestErrorBody;
  return out;
}

/**
 * Reasons of the HTTP layer itself (not Tango's: spec §18 has none for HTTP, and `API_` reasons
 * are never invented). Clients branch on them like on Tango's.
 */
export const HttpReason = {
  /** No route for this method and path. */
  NotFound: "HTTP_NotFound",
  /** The request does not match the route's schema (path, query or body). */
  BadRequest: "HTTP_BadRequest",
  /** No bearer token, or not the configured one. */
  Unauthorized: "HTTP_Unauthorized",
  /** The route is disabled: no admin token is configured. */
  Forbidden: "HTTP_Forbidden",
  /** The path has routes, but not for this method (the `Allow` header lists them). */
  MethodNotAllowed: "HTTP_MethodNotAllowed",
  /** The client took too long to send its request line, headers or body. */
  RequestTimeout: "HTTP_RequestTimeout",
  /** The body is longer than the sidecar accepts. */
  PayloadTooLarge: "HTTP_PayloadTooLarge",
  /** The URL (path and query), or one of its path segments, is longer than the sidecar accepts. */
  UriTooLong: "HTTP_UriTooLong",
  /** The body's Content-Type is not one the route reads (or the body has none). */
  UnsupportedMediaType: "HTTP_UnsupportedMediaType",
  /** The request's headers are larger than Node's HTTP parser accepts. */
  HeadersTooLarge: "HTTP_HeadersTooLarge",
} as const;
export type HttpReason = (typeof HttpReason)[keyof typeof HttpReason];

/** An HTTP-layer failure with its status; the error handler turns it into a RestErrorBody. */
export class HttpProblem extends Error {
  override readonly name = "HttpProblem";
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    description: string,
    readonly origin = "HTTP sidecar",
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
  }
}

const NOT_FOUND = 404;
const CONFLICT = 409;
const BAD_REQUEST = 400;
const UNAVAILABLE = 503;

/**
 * Status by the root cause's reason, as gRPC's status code is (src/grpc/status.ts); a Record, so a
 * new reason does not compile until it is mapped here. 400 is "bad input or a DevFailed".
 */
const STATUS_BY_REASON: Readonly<Record<Reason, number>> = {
  [Reason.DeviceNotFound]: NOT_FOUND,
  [Reason.CommandNotFound]: NOT_FOUND,
  [Reason.AttrNotFound]: NOT_FOUND,
  [Reason.ClassNotFound]: NOT_FOUND,
  [Reason.PollObjNotFound]: NOT_FOUND,
  [Reason.PipeNotFound]: NOT_FOUND,

  // access control: the same decision as gRPC's PERMISSION_DENIED and UNAUTHENTICATED
  [Reason.ReadOnlyMode]: 403,
  [Reason.DeviceLocked]: 403,
  [Reason.DeviceUnlocked]: 403,
  [Reason.CannotCheckAccessControl]: 401,

  // not allowed in this state (lock reasons join these when locking lands)
  [Reason.CommandNotAllowed]: CONFLICT,
  [Reason.AttrNotAllowed]: CONFLICT,
  [Reason.PipeNotAllowed]: CONFLICT,
  [Reason.DeviceNotLocked]: CONFLICT,
  [Reason.DeviceUnlockable]: CONFLICT,
  [Reason.AlreadyPolled]: CONFLICT,

  // timeouts and an unavailable server: retry later
  [Reason.CommandTimedOut]: UNAVAILABLE,
  [Reason.ShutdownInProgress]: UNAVAILABLE,
  [Reason.DatabaseAccess]: UNAVAILABLE,
  [Reason.DeviceTimedOut]: UNAVAILABLE,
  [Reason.CantConnectToDevice]: UNAVAILABLE,
  [Reason.ServerNotRunning]: UNAVAILABLE,
  [Reason.CommunicationFailed]: UNAVAILABLE,
  [Reason.ConnectionFailed]: UNAVAILABLE,
  [Reason.EventTimeout]: UNAVAILABLE,
  [Reason.DeviceNotExported]: UNAVAILABLE,
  [Reason.CantConnectToDatabase]: UNAVAILABLE,

  [Reason.NotSupportedFeature]: 501,
  [Reason.InternalError]: 500,
  [Reason.DatabaseFileError]: 500,
  [Reason.MemoryAllocation]: UNAVAILABLE,

  [Reason.IncompatibleCmdArgumentType]: BAD_REQUEST,
  [Reason.IncompatibleAttrDataType]: BAD_REQUEST,
  [Reason.AttrIncorrectDataNumber]: BAD_REQUEST,
  [Reason.WAttrOutsideLimit]: BAD_REQUEST,
  [Reason.IncoherentValues]: BAD_REQUEST,
  [Reason.WrongNumberOfArgs]: BAD_REQUEST,
  [Reason.BlackBoxArgument]: BAD_REQUEST,
  [Reason.AttrNotWritable]: BAD_REQUEST,
  [Reason.AttrOptProp]: BAD_REQUEST,
  [Reason.AttrConfig]: BAD_REQUEST,
  [Reason.BadConfigurationProperty]: BAD_REQUEST,
  [Reason.MethodArgument]: BAD_REQUEST,
  [Reason.InvalidArgs]: BAD_REQUEST,
  [Reason.WrongFormat]: BAD_REQUEST,
  [Reason.DecodeErr]: BAD_REQUEST,
  [Reason.WrongWildcardUsage]: BAD_REQUEST,
  [Reason.WrongDeviceNameSyntax]: BAD_REQUEST,
  [Reason.UnsupportedProtocol]: BAD_REQUEST,
  [Reason.UnsupportedDBaseModifier]: BAD_REQUEST,
  [Reason.IncompatibleArgumentType]: BAD_REQUEST,
  [Reason.AttrValueNotSet]: BAD_REQUEST,
  [Reason.MemAttFailedDuringInit]: BAD_REQUEST,
  [Reason.AttrNoAlarm]: BAD_REQUEST,
  [Reason.AttrNotPolled]: BAD_REQUEST,
  [Reason.CmdNotPolled]: BAD_REQUEST,
  [Reason.BlackBoxEmpty]: BAD_REQUEST,
  [Reason.NotSupported]: BAD_REQUEST,
  [Reason.DeviceNotPolled]: BAD_REQUEST,
  [Reason.NoDataYet]: BAD_REQUEST,
  [Reason.NotUpdatedAnyMore]: BAD_REQUEST,
  [Reason.PollThreadOutOfSync]: BAD_REQUEST,
  [Reason.EventPropertiesNotSet]: BAD_REQUEST,
  [Reason.AttributePollingNotStarted]: BAD_REQUEST,
  [Reason.AttributeNotDataReadyEnabled]: BAD_REQUEST,
  [Reason.MissedEvents]: BAD_REQUEST,
  [Reason.EventNotFound]: BAD_REQUEST,
  // raised by device code, or by a device calling another one
  [Reason.StdException]: BAD_REQUEST,
  [Reason.InitThrowsException]: BAD_REQUEST,
  [Reason.CannotOpenFile]: BAD_REQUEST,
  [Reason.CommandFailed]: BAD_REQUEST,
  [Reason.AttributeFailed]: BAD_REQUEST,
  [Reason.PipeFailed]: BAD_REQUEST,
  [Reason.CorbaException]: BAD_REQUEST,
  [Reason.DeviceNotDefined]: BAD_REQUEST,
  [Reason.TangoHostNotSet]: BAD_REQUEST,
  [Reason.PipeWrongArg]: BAD_REQUEST,
  [Reason.PipeDuplicateDEName]: BAD_REQUEST,
  [Reason.PipeNoDataElement]: BAD_REQUEST,
  [Reason.PipeNotWritable]: BAD_REQUEST,
  [Reason.PipeValueNotSet]: BAD_REQUEST,
  [Reason.ClientTooOld]: BAD_REQUEST,
  [Reason.CantGetClientIdent]: BAD_REQUEST,
  [Reason.NonDatabaseDevice]: BAD_REQUEST,
};

/** The HTTP status of a DevFailed: by its root cause's reason; a device's own reason is 400. */
export function httpStatusOf(err: DevFailed): number {
  const reason = err.reason;
  return isReason(reason) ? STATUS_BY_REASON[reason] : BAD_REQUEST;
}

function itemOf(e: DevError): RestErrorItem {
  return { reason: e.reason, description: e.desc, severity: ErrSeverity[e.severity] as RestErrorItem["severity"], origin: e.origin };
}

/** A DevFailed's stack as a REST error body. */
export function restErrorOf(err: DevFailed): RestErrorBody {
  return { errors: err.errors.map(itemOf) };
}

/**
 * A multi-attribute write's failures as one body: each failed attribute's stack in request
 * order, every description prefixed with the attribute it is about. Status: the first's.
 */
export function restMultiErrorOf(err: MultiDevFailed): { status: number; body: RestErrorBody } {
  const first = err.errors[0];
  const errors = err.errors.flatMap((named) => named.errors.map((e) => ({ ...itemOf(e), description: `${named.name}: ${e.desc}` })));
  return { status: httpStatusOf(new DevFailed(first.errors)), body: { errors } };
}

/** An HTTP-layer failure as a REST error body. */
export function restProblemOf(reason: string, description: string, origin: string): RestErrorBody {
  return { errors: [{ reason, description, severity: "ERR", origin }] };
}

/** The HTTP-layer reason of each error status the sidecar itself answers (not Tango's errors). */
const REASON_BY_STATUS: Readonly<Record<number, HttpReason>> = {
  400: HttpReason.BadRequest,
  401: HttpReason.Unauthorized,
  403: HttpReason.Forbidden,
  404: HttpReason.NotFound,
  405: HttpReason.MethodNotAllowed,
  408: HttpReason.RequestTimeout,
  413: HttpReason.PayloadTooLarge,
  414: HttpReason.UriTooLong,
  415: HttpReason.UnsupportedMediaType,
  431: HttpReason.HeadersTooLarge,
};

/** The reason of an HTTP-layer error with status `status`; any other client error is HTTP_BadRequest. */
export function httpReasonOf(status: number): HttpReason {
  return REASON_BY_STATUS[status] ?? HttpReason.BadRequest;
}
