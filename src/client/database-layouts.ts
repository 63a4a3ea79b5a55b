import type { DevVarLongStringArrayValue } from "../core/index.js";
import { ClientErrors } from "./client-errors.js";

/*
 * The DataBase device's property layouts (spec §15; the argin/argout of DbPutDeviceProperty,
 * DbGetDeviceProperty, DbGetDeviceAttributeProperty2, ... in cppTango's DataBaseds), to and from
 * the records the Database client returns. Pure: no I/O.
 */

/** Properties by name, each a list of values: a Tango property is an array of strings. */
export type DbProperties = Record<string, string[]>;

/** Properties to put: a string is a one-element property. */
export type DbPropertiesInput = Readonly<Record<string, string | readonly string[]>>;

/** Attribute properties: attribute name → its properties. */
export type DbAttributeProperties = Record<string, DbProperties>;

/** Attribute properties to put: attribute name → the properties to put on it. */
export type DbAttributePropertiesInput = Readonly<Record<string, DbPropertiesInput>>;

/** The device the replies come from, for messages. */
const DATABASE_DEVICE = "sys/database/2";

function valuesOf(value: string | readonly string[]): readonly string[] {
  return typeof value === "string" ? [value] : value;
}

/** `[owner, n, (name, value count, values...)...]`: DbPutDeviceProperty, DbPutClassProperty, DbPutProperty. */
export function encodeProperties(owner: string, props: DbPropertiesInput): string[] {
  const entries = Object.entries(props);
  return [owner, String(entries.length), ...entries.flatMap(([name, value]) => {
    const values = valuesOf(value);
    return [name, String(values.length), ...values];
  })];
}

/**
 * `[owner, n, (attribute, m, (name, value count, values...)...)...]`: DbPutDeviceAttributeProperty2
 * and DbPutClassAttributeProperty2.
 */
export function encodeAttributeProperties(owner: string, props: DbAttributePropertiesInput): string[] {
  const attributes = Object.entries(props);
  return [owner, String(attributes.length), ...attributes.flatMap(([attribute, attrProps]) => encodeProperties(attribute, attrProps))];
}

/** Reads a count at `i` of a reply; a malformed reply is API_IncompatibleArgumentType, never a crash. */
class Reader {
  #i = 0;
  constructor(readonly out: readonly string[], readonly command: string) {}

  get isDone(): boolean {
    return this.#i >= this.out.length;
  }

  text(): string {
    const v = this.out[this.#i++];
    if (v === undefined) throw this.#malformed(`it ends after ${this.out.length} elements`);
    return v;
  }

  count(): number {
    const text = this.text();
    if (!/^\d+$/.test(text)) throw this.#malformed(`element ${this.#i - 1} is ${JSON.stringify(text)}, not a count`);
    return Number(text);
  }

  texts(n: number): string[] {
    if (this.#i + n > this.out.length) throw this.#malformed(`it ends after ${this.out.length} elements, before ${n} values`);
    const values = this.out.slice(this.#i, this.#i + n);
    this.#i += n;
    return values;
  }

  #malformed(detail: string): Error {
    return ClientErrors.malformedReply(DATABASE_DEVICE, `command ${this.command}`, detail);
  }
}

/**
 * The reply of DbGetDeviceProperty, DbGetClassProperty or DbGetProperty: `[owner, n, (name,
 * value count, values...)...]`. A property without value has count 0, which cppTango follows
 * with one " " for device and free properties (`hasFiller`) and with nothing for class ones.
 */
export function decodeProperties(out: readonly string[], command: string, hasFiller: boolean): DbProperties {
  const r = new Reader(out, command);
  r.text();
  const n = r.count();
  const props: DbProperties = {};
  for (let i = 0; i < n; i++) {
    const name = r.text();
    const count = r.count();
    props[name] = r.texts(count);
    if (count === 0 && hasFiller && !r.isDone) r.text();
  }
  return props;
}

/**
 * The reply of DbGetDeviceAttributeProperty2 or DbGetClassAttributeProperty2: `[owner, n,
 * (attribute, m, (name, value count, values...)...)...]`; an attribute without properties has m = 0.
 */
export function decodeAttributeProperties(out: readonly string[], command: string): DbAttributeProperties {
  const r = new Reader(out, command);
  r.text();
  const n = r.count();
  const attributes: DbAttributeProperties = {};
  for (let i = 0; i < n; i++) {
    const attribute = r.text();
    const m = r.count();
    const props: DbProperties = {};
    for (let j = 0; j < m; j++) {
      const name = r.text();
      props[name] = r.texts(r.count());
    }
    attributes[attribute] = props;
  }
  return attributes;
}

/** Whether a Tango wildcard pattern (`*` for any text, case ignored) matches `name`. */
export function matchesWildcard(pattern: string, name: string): boolean {
  const source = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${source}$`, "is").test(name);
}

/** Whether a name is a wildcard pattern. */
export function isPattern(name: string): boolean {
  return name.includes("*");
}

/** DbImportDevice's reply, lvalue [exported, pid] and svalue [name, ior, version, server, host, class], as named fields. */
export function decodeImport(reply: DevVarLongStringArrayValue, device: string): {
  name: string; className: string; server: string; host: string; ior: string; version: string; isExported: boolean; pid: number;
} {
  const [name = device, ior = "", version = "", server = "", host = "", className = ""] = reply.svalue;
  return { name, className, server, host, ior, version, isExported: reply.lvalue[0] === 1, pid: reply.lvalue[1] ?? 0 };
}
