import { isIPv6 } from "node:net";
import { DevFailed, Reason } from "../core/index.js";

/** A parsed Tango resource locator (TRL). */
export interface Trl {
  /** Host as written (IPv6 without brackets), lower-cased. */
  readonly host: string | undefined;
  /** The server's gRPC port, or undefined when the TRL names no host. */
  readonly port: number | undefined;
  /** "host:port" (IPv6 in brackets) as a gRPC target, or undefined. */
  readonly address: string | undefined;
  /** domain/family/member, lower-cased (cppTango lower-cases names; the server matches case-insensitively). */
  readonly device: string;
  /** Attribute name when the TRL names one (4th field), case kept. */
  readonly attribute: string | undefined;
  /** Property after "->", case kept. */
  readonly property: string | undefined;
  /** Written `tango+tls://`: the connection uses TLS (DeviceProxyOptions.tls gives its files). */
  readonly isTls?: boolean;
  /**
   * The `#dbase=` modifier when the TRL has one, lower-cased: `"no"`, `host:port` is the device
   * server itself; `"yes"`, it is the Tango database. Absent: see parseTrl.
   */
  readonly dbase?: "yes" | "no";
  /**
   * The name is one field, an alias (spec §2.1 item 7): `device` holds it as written, and the
   * database tells which device (or, for AttributeProxy, which attribute) it stands for.
   */
  readonly isAlias?: true;
}

/** cppTango's function for the same checks, so logs read alike. */
const ORIGIN = "DeviceProxy::parse_name";
/** spec §2.1 item 2. */
const MAX_DEVICE_NAME_LENGTH = 255;
const MAX_FIELD_LENGTH = 85;
/** spec §2.1 item 1: fields are 1*VCHAR. */
const VCHAR_ONLY = /^[\x21-\x7e]+$/;
/** spec §2.1 item 6. */
const ATTRIBUTE_NAME = /^[0-9A-Za-z_]+$/;
/** spec §2.1 item 8; attribute properties may start with `_` (`__value`). */
const PROPERTY_NAME = /^[A-Za-z_][0-9A-Za-z_]*$/;
const HOST_NAME = /^[0-9A-Za-z._-]+$/;
const PORT = /^[0-9]+$/;
/** URL scheme syntax (RFC 3986), so any scheme is reported as an unsupported protocol. */
const PROTOCOL = /^([A-Za-z][0-9A-Za-z+.-]*):\/\//;
const FIELD_NAMES = ["domain", "family", "member", "attribute"] as const;
/** tango-grpc's protocol for a TLS connection (the TRL grammar allows a scheme's "+"). */
const TLS_PROTOCOL = "tango+tls";

type Fail = (problem: string) => DevFailed;
type Address = { host: string; port: number; address: string };

function wrongSyntax(text: string): Fail {
  return (problem) =>
    DevFailed.of(Reason.WrongDeviceNameSyntax, `Wrong device name syntax in ${JSON.stringify(text)}: ${problem}`, ORIGIN);
}

/**
 * Parses a Tango resource locator:
 * `[ "tango://" | "tango+tls://" | "//" ] [ host ":" port "/" ] ( domain "/" family "/" member
 * [ "/" attribute ] | alias ) [ "->" property ] [ "#dbase=" ( "yes" | "no" ) ]` (spec §2.2;
 * `tango+tls://` is tango-grpc's: the same server over TLS, see `isTls`). The protocol and the
 * modifier are case-insensitive; the host and device name are lower-cased, the attribute,
 * property and alias keep their case.
 *
 * What `host:port` names (DeviceProxy acts on it): with `#dbase=no` the device server itself;
 * with `#dbase=yes` the Tango database, which tells where the device is; with no modifier either
 * one (tango-grpc's servers were reached that way before there was a database: the client asks
 * `host:port` first, and the database it turns out to be when it has no such device). A name
 * without `host:port` is looked up in the database of TANGO_HOST. An alias (one field) always
 * needs a database, so `#dbase=no` refuses it, and `#dbase=no` needs `host:port`. A TRL that
 * starts with `tango://` or `//` must name `host:port` (`tango://host/a/b/c` would otherwise
 * silently read as an attribute of device `host/a/b`).
 *
 * @example parseTrl("tango://127.0.0.1:10000/sys/tg_test/1#dbase=no")
 * // { host: "127.0.0.1", port: 10000, address: "127.0.0.1:10000", device: "sys/tg_test/1", ..., dbase: "no" }
 * @throws DevFailed `API_WrongDeviceNameSyntax`, `API_UnsupportedProtocol` or
 * `API_UnsupportedDBaseModifier`, with origin `DeviceProxy::parse_name`.
 */
export function parseTrl(text: string): Trl {
  const fail = wrongSyntax(text);
  if (text.trim() === "") throw fail("the name is empty");

  let body = text;
  let dbase: "yes" | "no" | undefined;
  const hash = body.indexOf("#");
  if (hash >= 0) {
    const modifier = /^#dbase=(yes|no)$/i.exec(body.slice(hash));
    if (modifier === null) {
      throw DevFailed.of(Reason.UnsupportedDBaseModifier,
        `Modifier ${JSON.stringify(body.slice(hash))} in ${JSON.stringify(text)} is not supported; use #dbase=no ` +
        "(host:port is the device server) or #dbase=yes (host:port is the Tango database)", ORIGIN);
    }
    dbase = modifier[1]?.toLowerCase() === "yes" ? "yes" : "no";
    body = body.slice(0, hash);
  }

  const protocol = PROTOCOL.exec(body);
  const hasPrefix = protocol !== null || body.startsWith("//");
  const isTls = protocol?.[1]?.toLowerCase() === TLS_PROTOCOL;
  if (protocol !== null) {
    const name = protocol[1] ?? "";
    if (name.toLowerCase() !== "tango" && !isTls) {
      throw DevFailed.of(Reason.UnsupportedProtocol,
        `Protocol ${JSON.stringify(name)} in ${JSON.stringify(text)} is not supported; the protocols are tango:// and tango+tls://`,
        ORIGIN);
    }
    body = body.slice(protocol[0].length);
  } else if (hasPrefix) {
    body = body.slice(2);
  }

  const slash = body.indexOf("/");
  const first = slash >= 0 ? body.slice(0, slash) : body;
  // Without a prefix, a first field that holds ":" (or an IPv6 "[") is host:port, as in cppTango.
  let address: Address | undefined;
  if (hasPrefix || first.includes(":") || first.startsWith("[")) {
    if (hasPrefix && !first.includes(":")) {
      throw fail(`the host ${JSON.stringify(first)} has no port (after tango:// or // a TRL names host:port)`);
    }
    address = readAddress(first, fail);
    body = slash >= 0 ? body.slice(slash + 1) : "";
  }

  let property: string | undefined;
  const arrow = body.indexOf("->");
  if (arrow >= 0) {
    property = body.slice(arrow + 2);
    body = body.slice(0, arrow);
    if (!PROPERTY_NAME.test(property)) {
      throw fail(`the property name ${JSON.stringify(property)} is invalid (letters, digits and _, not starting with a digit)`);
    }
  }

  if (body === "") throw fail("the device name is missing");
  if (dbase === "no" && address === undefined) {
    throw fail("#dbase=no names the device server itself, so the TRL must give its host:port " +
      "(tango://host:port/domain/family/member#dbase=no)");
  }
  const fields = body.split("/");
  if (fields.length === 1) return aliasTrl(body, address, { property, dbase, isTls }, fail);
  if (fields.length < 3) throw fail("a device name has three fields domain/family/member (a name of one field is an alias)");
  if (fields.length > 4) {
    throw fail(`a name has at most four fields domain/family/member/attribute, not ${fields.length}`);
  }
  fields.forEach((field, i) => {
    const what = FIELD_NAMES[i] ?? "field";
    if (field === "") throw fail(`the ${what} field is empty`);
    if (i === 3) {
      if (!ATTRIBUTE_NAME.test(field)) {
        throw fail(`the attribute name ${JSON.stringify(field)} is invalid (only letters, digits and _)`);
      }
      return;
    }
    if (!VCHAR_ONLY.test(field)) {
      throw fail(`the ${what} field ${JSON.stringify(field)} contains whitespace, a control or a non-ASCII character`);
    }
    // Reserved (spec §2.1 item 9); cppTango would read it as host:port.
    if (field.includes(":")) throw fail(`the ${what} field ${JSON.stringify(field)} contains ":"`);
    if (field.length > MAX_FIELD_LENGTH) {
      throw fail(`the ${what} field is ${field.length} characters long, more than ${MAX_FIELD_LENGTH}`);
    }
  });
  const device = fields.slice(0, 3).join("/");
  if (device.length > MAX_DEVICE_NAME_LENGTH) {
    throw fail(`the device name is ${device.length} characters long, more than ${MAX_DEVICE_NAME_LENGTH}`);
  }

  return Object.freeze({
    host: address?.host,
    port: address?.port,
    address: address?.address,
    device: device.toLowerCase(),
    attribute: fields[3],
    property,
    ...(isTls ? { isTls } : {}),
    ...(dbase === undefined ? {} : { dbase }),
  });
}

/** spec §2.1 items 2, 7 and 9: what an alias may hold. */
function aliasTrl(
  alias: string, address: Address | undefined,
  rest: { property: string | undefined; dbase: "yes" | "no" | undefined; isTls: boolean }, fail: Fail,
): Trl {
  if (rest.dbase === "no") {
    throw fail(`${JSON.stringify(alias)} is an alias (one field), and aliases need a Tango database: with #dbase=no ` +
      "a device name has three fields domain/family/member");
  }
  if (rest.property !== undefined) throw fail(`an alias cannot be followed by "->" (${JSON.stringify(alias)})`);
  if (!VCHAR_ONLY.test(alias)) throw fail(`the alias ${JSON.stringify(alias)} contains whitespace, a control or a non-ASCII character`);
  if (alias.includes(":")) throw fail(`the alias ${JSON.stringify(alias)} contains ":"`);
  if (alias.length > MAX_DEVICE_NAME_LENGTH) {
    throw fail(`the alias is ${alias.length} characters long, more than ${MAX_DEVICE_NAME_LENGTH}`);
  }
  return Object.freeze({
    host: address?.host,
    port: address?.port,
    address: address?.address,
    device: alias,
    attribute: undefined,
    property: undefined,
    ...(rest.isTls ? { isTls: rest.isTls } : {}),
    ...(rest.dbase === undefined ? {} : { dbase: rest.dbase }),
    isAlias: true as const,
  });
}

/**
 * The canonical TRL of a device or attribute: `tango://host:port/domain/family/member[/attribute]#dbase=no`
 * (`tango+tls://` when `isTls`; `#dbase=yes` when `dbase` is `"yes"`: the address is the database's).
 * Without an address it is the bare `domain/family/member[/attribute]`. Names are written as given;
 * `parseTrl(formatTrl(t))` gives `t` back for a TRL with a modifier or without an address (a
 * property is not part of the output).
 */
export function formatTrl(
  t: Pick<Trl, "address" | "device" | "isTls"> & { attribute?: string | undefined; dbase?: "yes" | "no" | undefined },
): string {
  const name = t.attribute === undefined ? t.device : `${t.device}/${t.attribute}`;
  if (t.address === undefined) return name;
  return `${t.isTls === true ? TLS_PROTOCOL : "tango"}://${t.address}/${name}#dbase=${t.dbase === "yes" ? "yes" : "no"}`;
}

/**
 * Parses a gRPC address `host:port`, or `[v6-address]:port` for IPv6. The host is lower-cased and
 * returned without brackets; `address` is the canonical `host:port` target.
 *
 * @example parseAddress("[::1]:50051") // { host: "::1", port: 50051, address: "[::1]:50051" }
 * @throws DevFailed `API_WrongDeviceNameSyntax` when the host or port is missing or invalid.
 */
export function parseAddress(text: string): { host: string; port: number; address: string } {
  return readAddress(text, (problem) =>
    DevFailed.of(Reason.WrongDeviceNameSyntax, `Wrong address syntax in ${JSON.stringify(text)}: ${problem}`, ORIGIN));
}

function readAddress(text: string, fail: Fail): Address {
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw fail("the IPv6 address has no closing ]");
    host = text.slice(1, close).toLowerCase();
    if (!isIPv6(host)) throw fail(`${JSON.stringify(host)} is not an IPv6 address`);
    if (text[close + 1] !== ":") throw fail(`the host ${JSON.stringify(host)} has no port`);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw fail(`the host ${JSON.stringify(text)} has no port`);
    host = text.slice(0, colon).toLowerCase();
    portText = text.slice(colon + 1);
    if (host === "") throw fail("the host is empty");
    if (host.includes(":")) throw fail("an IPv6 address must be written in brackets, as in [::1]:50051");
    if (!HOST_NAME.test(host)) throw fail(`the host ${JSON.stringify(host)} is not a valid host name`);
  }
  const port = PORT.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw fail(`the port ${JSON.stringify(portText)} is not an integer from 1 to 65535`);
  }
  const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, address };
}
