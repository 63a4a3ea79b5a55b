import { DevFailed, Reason, truncateUtf8, utf8Length } from "../core/index.js";
import { MAX_NAME_BYTES, QUOTED_NAME_BYTES } from "../core/defaults.js";

/*
 * The name limit of tango.v1.Device requests (DESIGN §11): every device, attribute, command and
 * property name a request carries is at most MAX_NAME_BYTES of UTF-8, checked before the request
 * reaches the server, so an absurd name is refused at once with a short quote of it instead of
 * being looked up and echoed whole into the error.
 */

/** The request fields that hold names, as tango.proto spells them. */
interface NamedRequest {
  device?: unknown;
  command?: unknown;
  attribute?: unknown;
  name?: unknown;
  names?: unknown;
  values?: unknown;
  configs?: unknown;
  properties?: unknown;
}

/** Methods whose `names` are property names; elsewhere they are attribute names. */
const PROPERTY_METHODS: ReadonlySet<string> = new Set(["GetProperty", "DeleteProperty"]);
/** Methods whose `name`, `names` and `configs` name pipes. */
const PIPE_METHODS: ReadonlySet<string> = new Set(["GetPipeConfig", "SetPipeConfig", "ReadPipe", "WritePipe", "WriteReadPipe"]);

function isTooLong(name: string): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most names need no counting.
  return name.length * 3 > MAX_NAME_BYTES && utf8Length(name) > MAX_NAME_BYTES;
}

/** The refusal: API_WrongDeviceNameSyntax for a device, API_InvalidArgs for the other names. */
export function nameTooLong(kind: string, name: string, origin: string): DevFailed {
  const reason = kind === "device" ? Reason.WrongDeviceNameSyntax : Reason.InvalidArgs;
  const quoted = truncateUtf8(name, QUOTED_NAME_BYTES);
  return DevFailed.of(reason,
    `The ${kind} name is ${utf8Length(name)} bytes long; names are limited to ${MAX_NAME_BYTES} bytes: "${quoted}"`, origin);
}

function check(kind: string, name: unknown, origin: string): void {
  if (typeof name === "string" && isTooLong(name)) throw nameTooLong(kind, name, origin);
}

function checkEach(kind: string, list: unknown, origin: string): void {
  if (!Array.isArray(list)) return;
  for (const name of list as unknown[]) check(kind, name, origin);
}

function checkNamesOf(kind: string, list: unknown, origin: string): void {
  if (!Array.isArray(list)) return;
  for (const item of list as unknown[]) {
    if (typeof item === "object" && item !== null) check(kind, (item as { name?: unknown }).name, origin);
  }
}

/**
 * Throws a DevFailed naming the first name of `req` (a decoded tango.v1.Device request) longer
 * than MAX_NAME_BYTES. `method` is the RPC's name, for the origin and to tell property names.
 */
export function checkRequestNames(req: object, method: string): void {
  const r = req as NamedRequest;
  const origin = `tango.v1.Device/${method}`;
  check("device", r.device, origin);
  check("command", r.command, origin);
  check("attribute", r.attribute, origin);
  const isPipe = PIPE_METHODS.has(method);
  check(method === "CommandInoutHistory" ? "command" : isPipe ? "pipe" : "attribute", r.name, origin);
  checkEach(PROPERTY_METHODS.has(method) ? "property" : isPipe ? "pipe" : "attribute", r.names, origin);
  checkNamesOf("attribute", r.values, origin);
  checkNamesOf(isPipe ? "pipe" : "attribute", r.configs, origin);
  checkNamesOf("property", r.properties, origin);
}
