import { DevFailed, Reason, type DevErrorInit } from "../core/index.js";

/**
 * The errors the client adds or raises itself (spec §10.3 item 5, §18.2), one builder per
 * reason so each description is written once. cppTango's wording where it has one.
 *
 * A transport failure has no server stack: the client's reason is the root of the stack (so
 * `df.reason` names it), and the gRPC status is quoted in its description. cppTango puts an
 * API_CorbaException frame below it; we keep that reason for gRPC failures nothing else explains.
 */
export const ClientErrors = {
  /** On top of a server stack from command_inout. */
  commandFailedFrame: (device: string, command: string): DevErrorInit => ({
    reason: Reason.CommandFailed,
    desc: `Failed to execute command_inout on device ${device}, command ${command}`,
    origin: "Connection::command_inout()",
  }),

  /** On top of the stack of a failed read of several attributes as a whole (cppTango's read_attributes). */
  readAttributesFailedFrame: (device: string, attributes: readonly string[]): DevErrorInit => ({
    reason: Reason.AttributeFailed,
    desc: `Failed to read_attributes on device ${device}, attributes ${attributes.join(", ")}`,
    origin: "DeviceProxy::read_attributes()",
  }),

  /** On top of the stack of a failed write_read_attribute. */
  writeReadFailedFrame: (device: string, attribute: string): DevErrorInit => ({
    reason: Reason.AttributeFailed,
    desc: `Failed to write_read_attribute on device ${device}, attribute ${attribute}`,
    origin: "DeviceProxy::write_read_attribute()",
  }),

  /** On top of a server stack from reading one attribute. */
  readFailedFrame: (device: string, attribute: string): DevErrorInit => ({
    reason: Reason.AttributeFailed,
    desc: `Failed to read_attribute on device ${device}, attribute ${attribute}`,
    origin: "DeviceProxy::read_attribute()",
  }),

  /** On top of a server stack from writing attributes. */
  writeFailedFrame: (device: string, attributes: readonly string[]): DevErrorInit => ({
    reason: Reason.AttributeFailed,
    desc: `Failed to write_attribute on device ${device}, attribute ${attributes.join(", ")}`,
    origin: "DeviceProxy::write_attribute()",
  }),

  /** The call's deadline passed (the device may still be working on it). */
  deviceTimedOut: (timeoutMs: number, device: string, operation: string, isAlive: boolean): DevFailed =>
    DevFailed.of(Reason.DeviceTimedOut,
      `Timeout (${timeoutMs} mS) exceeded on device ${device}, ${operation}` +
      (isAlive ? "" : "\nThe device did not answer a ping either: the connection will be re-established"),
      "Connection::timeout"),

  /** Nothing accepts connections at the address (no-database Tango's API_ServerNotRunning). */
  serverNotRunning: (device: string, address: string, detail: string): DevFailed =>
    DevFailed.of(Reason.ServerNotRunning,
      `Failed to connect to device ${device}\nThe device server at ${address} is not running (${detail})`,
      "Connection::connect"),

  /** A connection could not be made in time. */
  cantConnect: (device: string, address: string, timeoutMs: number): DevFailed =>
    DevFailed.of(Reason.CantConnectToDevice,
      `Failed to connect to device ${device}\nNo connection to ${address} within ${timeoutMs} mS`,
      "Connection::connect"),

  /**
   * The TLS handshake failed: a server certificate this client does not trust or issued for
   * another name, or (mutual TLS) a client certificate the server refused or none at all.
   */
  tlsFailed: (device: string, address: string, detail: string): DevFailed =>
    DevFailed.of(Reason.CantConnectToDevice,
      `Failed to connect to device ${device}\nThe TLS handshake with ${address} failed: ${detail}`,
      "Connection::connect"),

  /** A plaintext client dialled a port that speaks TLS. */
  tlsExpected: (device: string, address: string): DevFailed =>
    DevFailed.of(Reason.CantConnectToDevice,
      `Failed to connect to device ${device}\nThe device server at ${address} speaks TLS: connect with tango+tls:// ` +
      "(DeviceProxyOptions.tls, or --tls in the CLI)",
      "Connection::connect"),

  /** The connection broke while the call was in flight: the request may have been executed. */
  communicationFailed: (device: string, operation: string, detail: string): DevFailed =>
    DevFailed.of(Reason.CommunicationFailed,
      `Failed to execute ${operation} on device ${device}\nThe connection was lost during the call, ` +
      `which may have been executed (${detail})`,
      "Connection::request"),

  /** A connection lost before this call, reported once when transparent reconnection is off. */
  connectionLost: (device: string, operation: string): DevFailed =>
    DevFailed.of(Reason.CommunicationFailed,
      `Failed to execute ${operation} on device ${device}\nThe connection to the device server was lost ` +
      "(transparent reconnection is off; the next call reconnects)",
      "Connection::request"),

  /** A gRPC failure with no Tango error attached and no better reason. */
  transport: (device: string, operation: string, code: string, detail: string): DevFailed =>
    DevFailed.of(Reason.CorbaException,
      `gRPC status ${code} from device ${device}, ${operation}: ${detail}`,
      "Connection::request"),

  /** A name without host:port, and no database to look it up in (no TANGO_HOST). */
  noDatabase: (name: string): DevFailed =>
    DevFailed.of(Reason.WrongDeviceNameSyntax,
      `The name "${name}" has no host:port and no Tango database is set to look it up in: set ` +
      "TANGO_HOST=<host>:<port> (or the tangoHost option), or name the device server: " +
      "tango://host:port/domain/family/member#dbase=no",
      "DeviceProxy::DeviceProxy"),

  /** The database knows the device, but its server is not running (cppTango's text). */
  deviceNotExported: (device: string): DevFailed =>
    DevFailed.of(Reason.DeviceNotExported,
      `Device ${device} is not exported (hint: try starting the device server)`, "DeviceProxy::get_corba_name()"),

  /** On top of the database's DB_DeviceNotDefined when a device is imported (cppTango's frame). */
  deviceNotDefinedFrame: (device: string): DevErrorInit => ({
    reason: Reason.DeviceNotDefined,
    desc: `Can't connect to device ${device}`,
    origin: "DeviceProxy::DeviceProxy",
  }),

  /** On top of the last transport failure when no database of the list answered. */
  cantConnectToDatabaseFrame: (addresses: readonly string[]): DevErrorInit => ({
    reason: Reason.CantConnectToDatabase,
    desc: addresses.length === 1
      ? `Failed to connect to database on ${addresses[0] ?? ""}`
      : `Failed to connect to any database of ${addresses.join(",")} (each was tried in turn)`,
    origin: "Connection::connect",
  }),

  /** The database exported the device with an address this client cannot dial. */
  notGrpcAddress: (device: string, exported: string): DevFailed => {
    const shown = exported.length > 40 ? `${exported.slice(0, 40)}...` : exported;
    return DevFailed.of(Reason.CantConnectToDevice, `Failed to connect to device ${device}
` + (/^IOR:/i.test(exported)
      ? `The database gives it the CORBA reference ${shown}: its server is a cppTango (CORBA) device server, which ` +
        "this gRPC client cannot talk to; tango-grpc servers export grpc://host:port"
      : `The database gives it the address ${JSON.stringify(shown)}, which is not grpc://host:port or grpcs://host:port`),
    "DeviceProxy::get_corba_name()");
  },

  /** A proxy closed while its device's address was being looked up. */
  closedWhileResolving: (device: string): DevFailed =>
    DevFailed.of(Reason.CantConnectToDevice,
      `Failed to connect to device ${device}\nThe proxy was closed while the device's address was being looked up`,
      "Connection::connect"),

  /** A reply whose value does not fit its own type (a server bug): never a crash in the client. */
  malformedReply: (device: string, operation: string, detail: string): DevFailed =>
    DevFailed.of(Reason.IncompatibleArgumentType,
      `The reply of ${operation} from device ${device} cannot be decoded: ${detail}`, "DeviceProxy::extract"),

  /** Bad arguments to a proxy method. */
  methodArgument: (desc: string, origin: string): DevFailed => DevFailed.of(Reason.MethodArgument, desc, origin),
} as const;
