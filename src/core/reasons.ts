/**
 * The only file that spells an `API_` reason (spec §18; none invented). Clients branch on these
 * strings, so they are API. Every reason here is mapped in `src/grpc/status.ts`.
 */
export const Reason = {
  // server side (spec §18.1)
  CommandNotFound: "API_CommandNotFound",
  CommandNotAllowed: "API_CommandNotAllowed",
  IncompatibleCmdArgumentType: "API_IncompatibleCmdArgumentType",
  AttrNotFound: "API_AttrNotFound",
  AttrNotWritable: "API_AttrNotWritable",
  AttrNotAllowed: "API_AttrNotAllowed",
  AttrValueNotSet: "API_AttrValueNotSet",
  AttrOptProp: "API_AttrOptProp",
  IncompatibleAttrDataType: "API_IncompatibleAttrDataType",
  AttrIncorrectDataNumber: "API_AttrIncorrectDataNumber",
  WAttrOutsideLimit: "API_WAttrOutsideLimit",
  IncoherentValues: "API_IncoherentValues",
  AttrNoAlarm: "API_AttrNoAlarm",
  WrongNumberOfArgs: "API_WrongNumberOfArgs",
  AttrNotPolled: "API_AttrNotPolled",
  CmdNotPolled: "API_CmdNotPolled",
  DeviceNotFound: "API_DeviceNotFound",
  ClassNotFound: "API_ClassNotFound",
  CommandTimedOut: "API_CommandTimedOut",
  InitThrowsException: "API_InitThrowsException",
  BlackBoxArgument: "API_BlackBoxArgument",
  BlackBoxEmpty: "API_BlackBoxEmpty",
  NotSupported: "API_NotSupported",
  NotSupportedFeature: "API_NotSupportedFeature",
  AttrConfig: "API_AttrConfig",
  BadConfigurationProperty: "API_BadConfigurationProperty",
  MethodArgument: "API_MethodArgument",
  InvalidArgs: "API_InvalidArgs",
  WrongFormat: "API_WrongFormat",
  DecodeErr: "API_DecodeErr",
  ShutdownInProgress: "API_ShutdownInProgress",
  InternalError: "API_InternalError",
  StdException: "API_StdException",
  CannotOpenFile: "API_CannotOpenFile",
  DatabaseFileError: "API_DatabaseFileError",
  // memorized attributes (spec §6.8 item 4): the write of the kept value failed at startup
  MemAttFailedDuringInit: "API_MemAttFailedDuringInit",
  // the Tango database (spec §15, §18.3): a server's call to it failed (unreachable, or refused)
  DatabaseAccess: "API_DatabaseAccess",
  WrongWildcardUsage: "API_WrongWildcardUsage",
  // limits (spec §18.3): a request refused because serving it would pass the memory configured
  MemoryAllocation: "API_MemoryAllocation",
  // polling and the cache (spec §11, §18.1)
  AlreadyPolled: "API_AlreadyPolled",
  DeviceNotPolled: "API_DeviceNotPolled",
  PollObjNotFound: "API_PollObjNotFound",
  NoDataYet: "API_NoDataYet",
  NotUpdatedAnyMore: "API_NotUpdatedAnyMore",
  PollThreadOutOfSync: "API_PollThreadOutOfSync",
  // events (spec §12, §18.1)
  EventPropertiesNotSet: "API_EventPropertiesNotSet",
  AttributePollingNotStarted: "API_AttributePollingNotStarted",
  AttributeNotDataReadyEnabled: "API_AttributeNotDataReadyEnabled",
  // device locking (spec §10.8, §18.1)
  DeviceLocked: "API_DeviceLocked",
  DeviceUnlocked: "API_DeviceUnlocked",
  DeviceNotLocked: "API_DeviceNotLocked",
  DeviceUnlockable: "API_DeviceUnlockable",
  ClientTooOld: "API_ClientTooOld",
  CantGetClientIdent: "API_CantGetClientIdent",
  NonDatabaseDevice: "API_NonDatabaseDevice",
  // pipes (spec §8, §18.1, §18.3)
  PipeNotFound: "API_PipeNotFound",
  PipeNotAllowed: "API_PipeNotAllowed",
  PipeNotWritable: "API_PipeNotWritable",
  PipeWrongArg: "API_PipeWrongArg",
  PipeValueNotSet: "API_PipeValueNotSet",
  PipeDuplicateDEName: "API_PipeDuplicateDEName",
  PipeNoDataElement: "API_PipeNoDataElement",
  // access control (spec §10.9, §18.1, §18.3): refused rights; credentials the server cannot accept
  ReadOnlyMode: "API_ReadOnlyMode",
  CannotCheckAccessControl: "API_CannotCheckAccessControl",
  // client side and transport (spec §18.2)
  CommandFailed: "API_CommandFailed",
  AttributeFailed: "API_AttributeFailed",
  PipeFailed: "API_PipeFailed",
  DeviceTimedOut: "API_DeviceTimedOut",
  CantConnectToDevice: "API_CantConnectToDevice",
  ServerNotRunning: "API_ServerNotRunning",
  CommunicationFailed: "API_CommunicationFailed",
  ConnectionFailed: "API_ConnectionFailed",
  CorbaException: "API_CorbaException",
  WrongDeviceNameSyntax: "API_WrongDeviceNameSyntax",
  UnsupportedProtocol: "API_UnsupportedProtocol",
  UnsupportedDBaseModifier: "API_UnsupportedDBaseModifier",
  IncompatibleArgumentType: "API_IncompatibleArgumentType",
  EventTimeout: "API_EventTimeout",
  MissedEvents: "API_MissedEvents",
  EventNotFound: "API_EventNotFound",
  // client side, names resolved through the Tango database (spec §15, §18.2, §18.3)
  DeviceNotExported: "API_DeviceNotExported",
  DeviceNotDefined: "API_DeviceNotDefined",
  CantConnectToDatabase: "API_CantConnectToDatabase",
  TangoHostNotSet: "API_TangoHostNotSet",
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

const REASONS: ReadonlySet<string> = new Set(Object.values(Reason));

/** True when `reason` is one of the Tango API reasons above (device-specific reasons are not). */
export function isReason(reason: string): reason is Reason {
  return REASONS.has(reason);
}
