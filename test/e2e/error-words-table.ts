import { Reason } from "../../src/core/index.js";

/*
 * The error-stack table of test/e2e/error-words.test.ts: one row per misuse, on one surface, with
 * the stack expected (root cause first, then each frame a layer added: reason, description,
 * origin). The texts are cppTango 9.3.4's, read off a real TangoTest server through PyTango
 * (spec §18); where cppTango's is CORBA-specific the gRPC one is said instead (a RegExp).
 *
 * To add rows: pick a surface, write
 * the call with the helpers of `Surfaces`, and the stack a cppTango client would see; `[]` means
 * the call must succeed.
 */

/** One frame: [reason, description (exact, or a pattern for transport details), origin]. */
export type Frame = readonly [string, string | RegExp, string];

/** What a row's call can use: each surface answers with the stack it ends with ([] on success). */
export interface Surfaces {
  /** A raw tango.v1.Device call (grpc-js, no client library), with the metadata given (none by default). */
  grpc(method: string, request: Record<string, unknown>, metadata?: Readonly<Record<string, string>>): Promise<Frame[]>;
  /**
   * A DeviceProxy call on `sys/tg_test/1` (`tg`, and `tg2`, another proxy of it: another lock
   * owner), `test/ps/1` (`ps`), the admin device (`admin`), a slow device (`slow`) or a dead port (`dead`).
   */
  client(fn: (p: Proxies) => Promise<unknown>): Promise<Frame[]>;
  /** A REST call to the sidecar (with the admin token). */
  rest(method: string, path: string, body?: unknown): Promise<Frame[]>;
  /** `tango-grpc <args> --json` as a process; `{grpc}` in an argument is the server's host:port. */
  cli(args: readonly string[]): Promise<Frame[]>;
}

/** The proxies a client row uses. */
export interface Proxies {
  readonly tg: ProxyLike;
  readonly tg2: ProxyLike;
  readonly ps: ProxyLike;
  readonly admin: ProxyLike;
  readonly slow: ProxyLike;
  readonly dead: ProxyLike;
}

/** The part of DeviceProxy the rows call. */
export interface ProxyLike {
  commandInout(command: string, argin?: unknown): Promise<unknown>;
  readAttribute(name: string): Promise<unknown>;
  readAttributes(names: readonly string[]): Promise<unknown>;
  writeAttribute(name: string, value: unknown): Promise<void>;
  writeReadAttribute(name: string, value: unknown): Promise<unknown>;
  lock(validityS?: number): Promise<void>;
  unlock(force?: boolean): Promise<number>;
  readPipe(name: string): Promise<unknown>;
  writePipe(name: string, blob: Readonly<Record<string, number>>): Promise<void>;
}

/** One row: what is misused, on which surface, and the stack expected. */
export interface Row {
  readonly surface: "grpc" | "client" | "rest" | "cli";
  readonly what: string;
  readonly call: (s: Surfaces) => Promise<Frame[]>;
  readonly stack: readonly Frame[];
}

const TG = "sys/tg_test/1";
const ADMIN = "dserver/TangoTest/test";
const R = Reason;

// Frames the client adds (spec §18.2), in cppTango's words.
const cmdFailed = (device: string, command: string): Frame =>
  [R.CommandFailed, `Failed to execute command_inout on device ${device}, command ${command}`, "Connection::command_inout()"];
const readFailed = (attribute: string, device = TG): Frame =>
  [R.AttributeFailed, `Failed to read_attribute on device ${device}, attribute ${attribute}`, "DeviceProxy::read_attribute()"];
const writeFailed = (attribute: string, device = TG): Frame =>
  [R.AttributeFailed, `Failed to write_attribute on device ${device}, attribute ${attribute}`, "DeviceProxy::write_attribute()"];

// Server frames (spec §18.1), as TangoTest 9.3.4 gives them.
const cmdNotFound = (name: string): Frame => [R.CommandNotFound, `Command ${name} not found`, "DeviceClass::command_handler"];
const argType = (type: string): Frame =>
  [R.IncompatibleCmdArgumentType, `Incompatible command argument type, expected type is : Tango::${type}`, "Command::extract()"];
const attrType = (seq: string): Frame =>
  [R.IncompatibleAttrDataType, `Incompatible attribute type, expected type is : Tango::${seq} (even for single value)`, "WAttribute::check_written_value()"];
const aboveMax = (attribute: string): Frame =>
  [R.WAttrOutsideLimit, `Set value for attribute ${attribute} is above the maximum authorized (at least element 0)`, "WAttribute::check_written_value()"];
const belowMin = (attribute: string): Frame =>
  [R.WAttrOutsideLimit, `Set value for attribute ${attribute} is below the minimum authorized (at least element 0)`, "WAttribute::check_written_value()"];
const notANumber = (attribute: string): Frame =>
  [R.WAttrOutsideLimit, `Set value for attribute ${attribute} is a NaN or INF value (at least element 0)`, "WAttribute::check_written_value()"];
const notWritable = (attribute: string): Frame => [R.AttrNotWritable, `Attribute ${attribute} is not writable`, "DeviceImpl::write_attributes"];
const attrNotFound = (attribute: string, byName = false): Frame =>
  [R.AttrNotFound, `${attribute} attribute not found`, byName ? "MultiAttribute::get_attr_by_name" : "MultiAttribute::get_attr_ind_by_name"];
const notAllowed = (command: string, state: string): Frame =>
  [R.CommandNotAllowed, `Command ${command} not allowed when the device is in ${state} state`, "DeviceClass::command_handler"];
const lookup = (device: string): Frame => [R.DeviceNotFound, `Device ${device} not found`, "Util::get_device_by_name()"];

// Locking (spec §10.8), in cppTango 9.3.4's words.
const lockedBy = (method: string): Frame => [R.DeviceLocked, `Device ${TG} is locked by another client`, `Device_Impl::${method}`];
const IDENTITY = { "tango-client-pid": "4242", "tango-client-host": "words-test", "tango-client-proxy": "words-a" };
const lockArgin = (device: string, validityS = 10): Record<string, unknown> => ({ type: 17, long_string_array: { lvalue: [validityS], svalue: [device] } });
/** Runs `fn` while `tg` holds the lock of sys/tg_test/1, then unlocks it (forced: `fn` may have taken it away). */
const whileLocked = async (s: Surfaces, fn: () => Promise<Frame[]>): Promise<Frame[]> => {
  await s.client((p) => p.tg.lock());
  try {
    return await fn();
  } finally {
    await s.client((p) => p.tg2.unlock(true));
  }
};
// Pipes (spec §8).
const pipeFailed = (operation: string, pipe: string): Frame =>
  [R.PipeFailed, `Failed to ${operation} on device ${TG}, pipe ${pipe}`, `DeviceProxy::${operation}()`];
const pipeNotFound = (pipe: string): Frame => [R.PipeNotFound, `${pipe} pipe not found`, "DeviceClass::get_pipe_by_name"];
const pipeNotWritable = (pipe: string): Frame => [R.PipeNotWritable, `Pipe ${pipe} is not writable`, "Device_5Impl::write_pipe_5"];
const blob = (...elements: Array<Record<string, unknown>>): Record<string, unknown> => ({ name: "b", elements });
const doubleElement = (name: string): Record<string, unknown> => ({ name, value: { type: DOUBLE_TYPE, double_value: 1 } });

const DOUBLE = 5;
const DOUBLE_TYPE = DOUBLE;
const SHORT = 2;
const STRING = 8;
const cmd = (device: string, command: string, argin: Record<string, unknown> | null = null): Record<string, unknown> => ({ device, command, argin });
const write = (device: string, name: string, value: Record<string, unknown>): Record<string, unknown> => ({ device, values: [{ name, value }] });
const polling = (lv: number[], sv: string[]): Record<string, unknown> => cmd(ADMIN, "AddObjPolling", { type: 17, long_string_array: { lvalue: lv, svalue: sv } });
const adminString = (command: string, s: string): Record<string, unknown> => cmd(ADMIN, command, { type: STRING, string_value: s });

/** The rows (at least 40; each can fail). */
export const ERROR_WORDS: readonly Row[] = [
  // ---- gRPC, raw: commands
  { surface: "grpc", what: "an unknown command", call: (s) => s.grpc("CommandInout", cmd(TG, "NoSuchCmd")), stack: [cmdNotFound("NoSuchCmd")] },
  { surface: "grpc", what: "an empty command name", call: (s) => s.grpc("CommandInout", cmd(TG, "")), stack: [cmdNotFound("")] },
  { surface: "grpc", what: "a DevString argin to a DevDouble command",
    call: (s) => s.grpc("CommandInout", cmd(TG, "DevDouble", { type: STRING, string_value: "x" })), stack: [argType("DevDouble")] },
  { surface: "grpc", what: "no argin to a DevDouble command", call: (s) => s.grpc("CommandInout", cmd(TG, "DevDouble")), stack: [argType("DevDouble")] },
  { surface: "grpc", what: "a DevDouble argin to a DevVarDoubleArray command",
    call: (s) => s.grpc("CommandInout", cmd(TG, "DevVarDoubleArray", { type: DOUBLE, double_value: 1 })), stack: [argType("DevVarDoubleArray")] },
  { surface: "grpc", what: "an argin to a DevVoid command (ignored, as cppTango)",
    call: (s) => s.grpc("CommandInout", cmd(TG, "DevVoid", { type: DOUBLE, double_value: 1 })), stack: [] },
  { surface: "grpc", what: "a command not allowed in the state", call: (s) => s.grpc("CommandInout", cmd("test/ps/1", "Off")), stack: [notAllowed("Off", "OFF")] },
  { surface: "grpc", what: "command_query of an unknown command",
    call: (s) => s.grpc("CommandQuery", { device: TG, command: "NoSuch" }), stack: [[R.CommandNotFound, "Command NoSuch not found", "Device_2Impl::command_query_2"]] },
  // ---- gRPC, raw: attributes
  { surface: "grpc", what: "a read of an unknown attribute (the element's stack)",
    call: (s) => s.grpc("ReadAttributes", { device: TG, names: ["no_such_attr"] }), stack: [attrNotFound("no_such_attr")] },
  { surface: "grpc", what: "a write of an unknown attribute",
    call: (s) => s.grpc("WriteAttributes", write(TG, "no_such_attr", { type: DOUBLE, double_value: 1 })), stack: [attrNotFound("no_such_attr")] },
  { surface: "grpc", what: "a write of a read-only attribute",
    call: (s) => s.grpc("WriteAttributes", write(TG, "short_scalar_ro", { type: SHORT, int_value: 1 })), stack: [notWritable("short_scalar_ro")] },
  { surface: "grpc", what: "a DevString written to a DevDouble attribute",
    call: (s) => s.grpc("WriteAttributes", write(TG, "double_scalar", { type: STRING, string_value: "abc" })), stack: [attrType("DevVarDoubleArray")] },
  { surface: "grpc", what: "40000 written to a DevShort attribute",
    call: (s) => s.grpc("WriteAttributes", write(TG, "short_scalar", { type: SHORT, int_value: 40000 })), stack: [aboveMax("short_scalar")] },
  { surface: "grpc", what: "-40000 written to a DevShort attribute",
    call: (s) => s.grpc("WriteAttributes", write(TG, "short_scalar", { type: SHORT, int_value: -40000 })), stack: [belowMin("short_scalar")] },
  { surface: "grpc", what: "a NaN written to a DevDouble attribute",
    call: (s) => s.grpc("WriteAttributes", write(TG, "double_scalar", { type: DOUBLE, double_value: NaN })), stack: [notANumber("double_scalar")] },
  { surface: "grpc", what: "a value above max_value",
    call: (s) => s.grpc("WriteAttributes", write("test/ps/1", "current", { type: DOUBLE, double_value: 20 })), stack: [aboveMax("current")] },
  { surface: "grpc", what: "a spectrum longer than max_dim_x",
    call: (s) => s.grpc("WriteAttributes", write(TG, "double_spectrum", { type: 13, double_array: { values: new Array<number>(5000).fill(1) } })),
    stack: [[R.WAttrOutsideLimit, "X dimesion is greater than the max defined for attribute double_spectrum", "DeviceImpl::write_attributes"]] },
  { surface: "grpc", what: "two values written to a scalar",
    call: (s) => s.grpc("WriteAttributes", write(TG, "double_scalar", { type: 13, double_array: { values: [1, 2] } })),
    stack: [[R.AttrIncorrectDataNumber, "Incorrect data number", "WAttribute::check_written_value()"]] },
  { surface: "grpc", what: "the configuration of an unknown attribute",
    call: (s) => s.grpc("GetAttributeConfig", { device: TG, names: ["no_such_attr"] }), stack: [attrNotFound("no_such_attr", true)] },
  { surface: "grpc", what: "black_box(0)", call: (s) => s.grpc("BlackBox", { device: TG, n: 0 }),
    stack: [[R.BlackBoxArgument, "Argument to read black box out of range", "BlackBox::read"]] },
  // ---- gRPC, raw: admin commands
  { surface: "grpc", what: "DevRestart of an unknown device",
    call: (s) => s.grpc("CommandInout", adminString("DevRestart", "no/such/dev")), stack: [[R.DeviceNotFound, "Device no/such/dev not found", "Dserver::restart()"]] },
  { surface: "grpc", what: "DevPollStatus of an unknown device", call: (s) => s.grpc("CommandInout", adminString("DevPollStatus", "no/such/dev")), stack: [lookup("no/such/dev")] },
  { surface: "grpc", what: "AddObjPolling of an unknown device",
    call: (s) => s.grpc("CommandInout", polling([3000], ["no/such/dev", "attribute", "double_scalar"])),
    stack: [lookup("no/such/dev"), [R.DeviceNotFound, "Device no/such/dev not found", "DServer::add_obj_polling"]] },
  { surface: "grpc", what: "AddObjPolling with two strings",
    call: (s) => s.grpc("CommandInout", polling([3000], [TG, "attribute"])), stack: [[R.WrongNumberOfArgs, "Incorrect number of inout arguments", "DServer::add_obj_polling"]] },
  { surface: "grpc", what: "AddObjPolling of a pipe",
    call: (s) => s.grpc("CommandInout", polling([3000], [TG, "pipe", "x"])), stack: [[R.NotSupported, "Object type pipe not supported", "DServer::add_obj_polling"]] },
  { surface: "grpc", what: "AddObjPolling of an unknown attribute",
    call: (s) => s.grpc("CommandInout", polling([3000], [TG, "attribute", "no_such"])), stack: [attrNotFound("no_such", true)] },
  { surface: "grpc", what: "AddObjPolling of an unknown command",
    call: (s) => s.grpc("CommandInout", polling([3000], [TG, "command", "NoSuch"])), stack: [[R.CommandNotFound, "Command nosuch not found", "DeviceImpl::check_command_exists"]] },
  { surface: "grpc", what: "AddObjPolling of Init",
    call: (s) => s.grpc("CommandInout", polling([3000], [TG, "command", "Init"])), stack: [[R.NotSupported, "It's not possible to poll the Init command!", "DServer::add_obj_polling"]] },
  { surface: "grpc", what: "AddObjPolling of a command with an argin",
    call: (s) => s.grpc("CommandInout", polling([3000], [TG, "command", "DevDouble"])),
    stack: [[R.IncompatibleCmdArgumentType, "Command devdouble cannot be polled because it needs input value", "DeviceImpl::check_command_exists"]] },
  { surface: "grpc", what: "AddObjPolling every 3 ms",
    call: (s) => s.grpc("CommandInout", polling([3], [TG, "attribute", "double_scalar"])), stack: [[R.NotSupported, "3 is below the min authorized period (5 mS)", "DServer::add_obj_polling"]] },
  { surface: "grpc", what: "RemObjPolling on a device with nothing polled",
    call: (s) => s.grpc("CommandInout", cmd(ADMIN, "RemObjPolling", { type: 16, string_array: { values: [TG, "attribute", "double_scalar"] } })),
    stack: [[R.DeviceNotPolled, "Device sys/tg_test/1 is not polled", "DServer::rem_obj_polling"]] },
  { surface: "grpc", what: "GetLoggingTarget of an unknown device",
    call: (s) => s.grpc("CommandInout", adminString("GetLoggingTarget", "no/such/dev")),
    stack: [lookup("no/such/dev"), [R.DeviceNotFound, "Device no/such/dev not found", "Logging::get_logging_target"]] },
  { surface: "grpc", what: "AddLoggingTarget for a pattern matching no device",
    call: (s) => s.grpc("CommandInout", cmd(ADMIN, "AddLoggingTarget", { type: 16, string_array: { values: ["no/such/dev", "file::/tmp/x"] } })),
    stack: [[R.DeviceNotFound, "No device name matching pattern  <no/such/dev>", "Logging::add_logging_target"]] },
  { surface: "grpc", what: "QueryWizardClassProperty of an unknown class",
    call: (s) => s.grpc("CommandInout", adminString("QueryWizardClassProperty", "NoClass")),
    stack: [[R.ClassNotFound, "Class noclass not found in device server", "DServer::query_class_prop"]] },
  // ---- the client (DeviceProxy): the server's stack and the client's frame on top
  { surface: "client", what: "an unknown command", call: (s) => s.client((p) => p.tg.commandInout("NoSuchCmd")), stack: [cmdNotFound("NoSuchCmd"), cmdFailed(TG, "NoSuchCmd")] },
  { surface: "client", what: "a string argin to a DevDouble command",
    call: (s) => s.client((p) => p.tg.commandInout("DevDouble", "x")), stack: [argType("DevDouble"), cmdFailed(TG, "DevDouble")] },
  { surface: "client", what: "no argin to a DevDouble command", call: (s) => s.client((p) => p.tg.commandInout("DevDouble")), stack: [argType("DevDouble"), cmdFailed(TG, "DevDouble")] },
  { surface: "client", what: "an argin to a DevVoid command (ignored)", call: (s) => s.client((p) => p.tg.commandInout("DevVoid", 1)), stack: [] },
  { surface: "client", what: "a command not allowed in the state",
    call: (s) => s.client((p) => p.ps.commandInout("Off")), stack: [notAllowed("Off", "OFF"), cmdFailed("test/ps/1", "Off")] },
  { surface: "client", what: "a read of an unknown attribute",
    call: (s) => s.client((p) => p.tg.readAttribute("no_such_attr")), stack: [attrNotFound("no_such_attr"), readFailed("no_such_attr")] },
  { surface: "client", what: "a write of a read-only attribute",
    call: (s) => s.client((p) => p.tg.writeAttribute("short_scalar_ro", 1)), stack: [notWritable("short_scalar_ro"), writeFailed("short_scalar_ro")] },
  { surface: "client", what: "40000 written to a DevShort attribute",
    call: (s) => s.client((p) => p.tg.writeAttribute("short_scalar", 40000)), stack: [aboveMax("short_scalar"), writeFailed("short_scalar")] },
  { surface: "client", what: "1e10 written to a DevLong attribute",
    call: (s) => s.client((p) => p.tg.writeAttribute("long_scalar", 1e10)), stack: [aboveMax("long_scalar"), writeFailed("long_scalar")] },
  { surface: "client", what: "a NaN written to a DevDouble attribute",
    call: (s) => s.client((p) => p.tg.writeAttribute("double_scalar", NaN)), stack: [notANumber("double_scalar"), writeFailed("double_scalar")] },
  { surface: "client", what: "a string written to a DevDouble attribute",
    call: (s) => s.client((p) => p.tg.writeAttribute("double_scalar", "abc")), stack: [attrType("DevVarDoubleArray"), writeFailed("double_scalar")] },
  { surface: "client", what: "nothing written to a DevDouble attribute",
    call: (s) => s.client((p) => p.tg.writeAttribute("double_scalar", undefined)), stack: [attrType("DevVarDoubleArray"), writeFailed("double_scalar")] },
  { surface: "client", what: "a value below min_value",
    call: (s) => s.client((p) => p.ps.writeAttribute("current", -1)), stack: [belowMin("current"), writeFailed("current", "test/ps/1")] },
  { surface: "client", what: "write_read of an unknown attribute",
    call: (s) => s.client((p) => p.tg.writeReadAttribute("no_such_attr", 1)),
    stack: [attrNotFound("no_such_attr", true), [R.AttributeFailed, "Failed to write_read_attribute on device sys/tg_test/1, attribute no_such_attr", "DeviceProxy::write_read_attribute()"]] },
  { surface: "client", what: "DevRestart of an unknown device",
    call: (s) => s.client((p) => p.admin.commandInout("DevRestart", "no/such/dev")),
    stack: [[R.DeviceNotFound, "Device no/such/dev not found", "Dserver::restart()"], cmdFailed("dserver/tangotest/test", "DevRestart")] },
  { surface: "client", what: "a command on a server that is not running",
    call: (s) => s.client((p) => p.dead.commandInout("DevDouble", 1)),
    stack: [[R.ServerNotRunning, /^Failed to connect to device sys\/tg_test\/1\nThe device server at 127\.0\.0\.1:\d+ is not running/, "Connection::connect"], cmdFailed(TG, "DevDouble")] },
  { surface: "client", what: "a read on a server that is not running",
    call: (s) => s.client((p) => p.dead.readAttribute("double_scalar")),
    stack: [[R.ServerNotRunning, /^Failed to connect to device sys\/tg_test\/1\n/, "Connection::connect"], readFailed("double_scalar")] },
  { surface: "client", what: "a write on a server that is not running",
    call: (s) => s.client((p) => p.dead.writeAttribute("double_scalar", 1)),
    stack: [[R.ServerNotRunning, /^Failed to connect to device sys\/tg_test\/1\n/, "Connection::connect"], writeFailed("double_scalar")] },
  { surface: "client", what: "a command that outlasts the timeout",
    call: (s) => s.client((p) => p.slow.commandInout("Sleep")),
    stack: [[R.DeviceTimedOut, "Timeout (300 mS) exceeded on device test/slow/1, command Sleep", "Connection::timeout"], cmdFailed("test/slow/1", "Sleep")] },
  // ---- REST (the sidecar): the server's stack, as gRPC
  { surface: "rest", what: "an unknown command", call: (s) => s.rest("PUT", `/api/v1/devices/${TG}/commands/NoSuchCmd`), stack: [cmdNotFound("NoSuchCmd")] },
  { surface: "rest", what: "no argin to a DevDouble command", call: (s) => s.rest("PUT", `/api/v1/devices/${TG}/commands/DevDouble`), stack: [argType("DevDouble")] },
  { surface: "rest", what: "a string argin to a DevDouble command",
    call: (s) => s.rest("PUT", `/api/v1/devices/${TG}/commands/DevDouble`, '"abc"'), stack: [argType("DevDouble")] },
  { surface: "rest", what: "an argin to a DevVoid command (ignored)", call: (s) => s.rest("PUT", `/api/v1/devices/${TG}/commands/DevVoid`, 1), stack: [] },
  { surface: "rest", what: "a command not allowed in the state", call: (s) => s.rest("PUT", "/api/v1/devices/test/ps/1/commands/Off"), stack: [notAllowed("Off", "OFF")] },
  { surface: "rest", what: "40000 written to a DevShort attribute",
    call: (s) => s.rest("PUT", `/api/v1/devices/${TG}/attributes/short_scalar/value`, 40000), stack: [aboveMax("short_scalar")] },
  { surface: "rest", what: "a string written to a DevDouble attribute",
    call: (s) => s.rest("PUT", `/api/v1/devices/${TG}/attributes/double_scalar/value`, '"abc"'), stack: [attrType("DevVarDoubleArray")] },
  { surface: "rest", what: "a write of a read-only attribute",
    call: (s) => s.rest("PUT", `/api/v1/devices/${TG}/attributes/short_scalar_ro/value`, 1), stack: [notWritable("short_scalar_ro")] },
  { surface: "rest", what: "a value above max_value", call: (s) => s.rest("PUT", "/api/v1/devices/test/ps/1/attributes/current/value", 20), stack: [aboveMax("current")] },
  { surface: "rest", what: "a read of an unknown attribute",
    call: (s) => s.rest("GET", `/api/v1/devices/${TG}/attributes/no_such_attr/value`), stack: [attrNotFound("no_such_attr")] },
  { surface: "rest", what: "DevRestart of an unknown device",
    call: (s) => s.rest("POST", "/api/v1/admin/devices/no/such/dev/restart"), stack: [[R.DeviceNotFound, "Device no/such/dev not found", "Dserver::restart()"]] },
  { surface: "rest", what: "DevPollStatus of an unknown device",
    call: (s) => s.rest("POST", "/api/v1/admin/commands/DevPollStatus", { argin: "no/such/dev" }), stack: [lookup("no/such/dev")] },
  { surface: "rest", what: "AddObjPolling with two strings",
    call: (s) => s.rest("POST", "/api/v1/admin/commands/AddObjPolling", { argin: { lvalue: [3000], svalue: [TG, "attribute"] } }),
    stack: [[R.WrongNumberOfArgs, "Incorrect number of inout arguments", "DServer::add_obj_polling"]] },
  // ---- the CLI (`--json`): the client's stack
  { surface: "cli", what: "an unknown command",
    call: (s) => s.cli(["cmd", `tango://{grpc}/${TG}#dbase=no`, "NoSuchCmd"]), stack: [cmdNotFound("NoSuchCmd"), cmdFailed(TG, "NoSuchCmd")] },
  { surface: "cli", what: "no argin to a DevDouble command",
    call: (s) => s.cli(["cmd", `tango://{grpc}/${TG}#dbase=no`, "DevDouble"]), stack: [argType("DevDouble"), cmdFailed(TG, "DevDouble")] },
  { surface: "cli", what: "an argin to a DevVoid command (ignored)", call: (s) => s.cli(["cmd", `tango://{grpc}/${TG}#dbase=no`, "DevVoid", "1"]), stack: [] },
  { surface: "cli", what: "a read of an unknown attribute",
    call: (s) => s.cli(["read", `tango://{grpc}/${TG}#dbase=no`, "no_such_attr"]), stack: [attrNotFound("no_such_attr"), readFailed("no_such_attr")] },
  { surface: "cli", what: "DevRestart of an unknown device",
    call: (s) => s.cli(["admin", "{grpc}", "DevRestart", "no/such/dev"]),
    stack: [[R.DeviceNotFound, "Device no/such/dev not found", "Dserver::restart()"], cmdFailed("dserver/tangotest/test", "DevRestart")] },
  // ---- locking
  { surface: "grpc", what: "LockDevice of the admin device",
    call: (s) => s.grpc("CommandInout", cmd(ADMIN, "LockDevice", lockArgin(ADMIN)), IDENTITY),
    stack: [[R.DeviceUnlockable, "Impossible to lock device server administration device", "DServer::lock_device"]] },
  { surface: "grpc", what: "LockDevice with no client identity (grpcurl without metadata)",
    call: (s) => s.grpc("CommandInout", cmd(ADMIN, "LockDevice", lockArgin(TG))),
    stack: [[R.ClientTooOld, /^Your client cannot lock devices\. You are using a too old Tango release\. Please, update to tango V7 or more\. .*tango-client-pid/, "DServer::lock_device"]] },
  { surface: "grpc", what: "ReLockDevices of a device nobody locked",
    call: (s) => s.grpc("CommandInout", cmd(ADMIN, "ReLockDevices", { type: 16, string_array: { values: [TG] } }), IDENTITY),
    stack: [[R.DeviceNotLocked, `${TG}: Device ${TG} is not locked. Can't re-lock it`, "Device_Impl::relock"]] },
  { surface: "grpc", what: "a command while another client holds the lock",
    call: (s) => whileLocked(s, () => s.grpc("CommandInout", cmd(TG, "DevDouble", { type: DOUBLE, double_value: 1 }), IDENTITY)),
    stack: [lockedBy("command_inout4")] },
  { surface: "grpc", what: "LockDevice while another client holds the lock",
    call: (s) => whileLocked(s, () => s.grpc("CommandInout", cmd(ADMIN, "LockDevice", lockArgin(TG)), IDENTITY)),
    stack: [[R.DeviceLocked, `Device ${TG} is already locked by another client`, "Device_Impl::lock"]] },
  { surface: "grpc", what: "State while another client holds the lock (allowed)",
    call: (s) => whileLocked(s, () => s.grpc("CommandInout", cmd(TG, "State"), IDENTITY)), stack: [] },
  { surface: "client", what: "a write while another proxy holds the lock",
    call: (s) => whileLocked(s, () => s.client((p) => p.tg2.writeAttribute("double_scalar", 1))), stack: [lockedBy("write_attributes_4"), writeFailed("double_scalar")] },
  { surface: "client", what: "a command while another proxy holds the lock",
    call: (s) => whileLocked(s, () => s.client((p) => p.tg2.commandInout("DevDouble", 1))), stack: [lockedBy("command_inout4"), cmdFailed(TG, "DevDouble")] },
  { surface: "client", what: "a read while another proxy holds the lock (allowed)",
    call: (s) => whileLocked(s, () => s.client((p) => p.tg2.readAttribute("double_scalar"))), stack: [] },
  { surface: "client", what: "the old owner's write after a forced unlock",
    call: async (s) => {
      await s.client((p) => p.tg.lock());
      await s.client((p) => p.tg2.unlock(true));
      return await s.client((p) => p.tg.writeAttribute("double_scalar", 1));
    },
    stack: [[R.DeviceUnlocked, `Device ${TG} has been unlocked by an administrative client!!!`, "Device_Impl::write_attributes_4"],
      [R.DeviceUnlocked, `Failed to write_attribute on device ${TG}, attribute double_scalar`, "DeviceProxy::write_attribute()"]] },
  { surface: "client", what: "a lock validity under 2 s", call: (s) => s.client((p) => p.tg.lock(1)),
    stack: [[R.MethodArgument, "Lock validity can not be lower than 2 seconds", "DeviceProxy::lock"]] },
  { surface: "rest", what: "a write while a client holds the lock (the route writes and reads back)",
    call: (s) => whileLocked(s, () => s.rest("PUT", `/api/v1/devices/${TG}/attributes/double_scalar/value`, 1)), stack: [lockedBy("write_read_attributes_5")] },
  { surface: "rest", what: "LockDevice through the generic admin route (a REST caller has no client identity)",
    call: (s) => s.rest("POST", "/api/v1/admin/commands/LockDevice", { argin: { lvalue: [10], svalue: [TG] } }),
    stack: [[R.ClientTooOld, /^Your client cannot lock devices\. .*A REST request carries no client identity/, "DServer::lock_device"]] },
  { surface: "cli", what: "a write while another client holds the lock",
    call: (s) => whileLocked(s, () => s.cli(["write", `tango://{grpc}/${TG}#dbase=no`, "double_scalar", "1"])), stack: [lockedBy("write_attributes_4"), writeFailed("double_scalar")] },
  // ---- pipes
  { surface: "grpc", what: "a read of an unknown pipe", call: (s) => s.grpc("ReadPipe", { device: TG, name: "no_such_pipe" }), stack: [pipeNotFound("no_such_pipe")] },
  { surface: "grpc", what: "a write of a read-only pipe",
    call: (s) => s.grpc("WritePipe", { device: TG, name: "string_long_short_ro", blob: blob(doubleElement("x")) }), stack: [pipeNotWritable("string_long_short_ro")] },
  { surface: "grpc", what: "a blob with two elements of one name",
    call: (s) => s.grpc("WritePipe", { device: TG, name: "rw_pipe", blob: blob(doubleElement("x"), doubleElement("X")) }),
    stack: [[R.PipeDuplicateDEName, "Several times the same data element name in provided vector: x", "set_data_elt_names"]] },
  { surface: "grpc", what: "an empty blob", call: (s) => s.grpc("WritePipe", { device: TG, name: "rw_pipe", blob: blob() }),
    stack: [[R.PipeNoDataElement, "The blob data element number (or name) not set", "Device_5Impl::write_pipe_5"]] },
  { surface: "grpc", what: "the configuration of an unknown pipe",
    call: (s) => s.grpc("GetPipeConfig", { device: TG, names: ["no_such_pipe"] }), stack: [pipeNotFound("no_such_pipe")] },
  { surface: "client", what: "a read of an unknown pipe", call: (s) => s.client((p) => p.tg.readPipe("no_such_pipe")),
    stack: [pipeNotFound("no_such_pipe"), pipeFailed("read_pipe", "no_such_pipe")] },
  { surface: "client", what: "a write of a read-only pipe", call: (s) => s.client((p) => p.tg.writePipe("string_long_short_ro", { x: 1 })),
    stack: [pipeNotWritable("string_long_short_ro"), pipeFailed("write_pipe", "string_long_short_ro")] },
  { surface: "rest", what: "a read of an unknown pipe", call: (s) => s.rest("GET", `/api/v1/devices/${TG}/pipes/no_such_pipe/value`), stack: [pipeNotFound("no_such_pipe")] },
  { surface: "rest", what: "a write of a read-only pipe",
    call: (s) => s.rest("PUT", `/api/v1/devices/${TG}/pipes/string_long_short_ro/value`, { x: 1 }), stack: [pipeNotWritable("string_long_short_ro")] },
  { surface: "cli", what: "a read of an unknown pipe", call: (s) => s.cli(["read-pipe", `tango://{grpc}/${TG}#dbase=no`, "no_such_pipe"]),
    stack: [pipeNotFound("no_such_pipe"), pipeFailed("read_pipe", "no_such_pipe")] },
  { surface: "cli", what: "a write of a read-only pipe", call: (s) => s.cli(["write-pipe", `tango://{grpc}/${TG}#dbase=no`, "string_long_short_ro", '{"x": 1}']),
    stack: [pipeNotWritable("string_long_short_ro"), pipeFailed("write_pipe", "string_long_short_ro")] },
];
