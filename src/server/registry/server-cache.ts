import type { StoredProperty } from "../store/store.js";

/** The attribute (or pipe) properties of one object: attribute → property → values. */
export type AttributePropertyMap = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/** One device of the server, as the database has it. */
export interface CachedDevice {
  readonly name: string;
  readonly className: string;
  readonly properties: readonly StoredProperty[];
  readonly attributeProperties: AttributePropertyMap;
}

/** One class of the server, as the database has it. */
export interface CachedClass {
  readonly name: string;
  readonly properties: readonly StoredProperty[];
  /** The class's attribute properties (applied under each device's own, as cppTango does). */
  readonly attributeProperties: AttributePropertyMap;
}

/** The admin device's import at the head of the reply (cppTango DbServerCache::import_adm_dev). */
export interface AdminImport {
  /** The "IOR" slot: `grpc://host:port` for a tango-grpc server. */
  readonly ior: string;
  readonly host: string;
  /** Whether the database has it exported. */
  readonly isExported: boolean;
  readonly pid: number;
}

/** What DbGetDataForServerCache tells a server about itself at start (spec §9.2 item 2.4). */
export interface ServerCache {
  /** False when the database does not know the server (its admin device is "Not Found"). */
  readonly isDefined: boolean;
  /** Where the database has the admin device exported, when it knows the server. */
  readonly adminImport?: AdminImport;
  /** The admin device's properties (logging_level...). */
  readonly adminProperties: readonly StoredProperty[];
  /** Its classes other than DServer, in the database's order. */
  readonly classes: readonly CachedClass[];
  /** Its devices, admin device excluded, class by class. */
  readonly devices: readonly CachedDevice[];
}

/** An import block's second element when the device is unknown. */
const NOT_FOUND = "Not Found";
/** Elements of a device import that found it: name, IOR, version, server, host, exported, pid, class. */
const DEVICE_IMPORT_FIELDS = 8;
/** Elements of an event channel import that found it (ds_start's import_event): name, IOR, version, host, exported, pid. */
const EVENT_IMPORT_FIELDS = 6;

/** Reads a DevVarStringArray element by element; any overrun or bad count is an Error naming the place. */
class Cursor {
  #at = 0;

  constructor(readonly items: readonly string[]) {}

  get isDone(): boolean {
    return this.#at >= this.items.length;
  }

  peek(offset = 0): string | undefined {
    return this.items[this.#at + offset];
  }

  next(what: string): string {
    const item = this.items[this.#at];
    if (item === undefined) throw new Error(`the reply ends where ${what} should be (element ${this.#at})`);
    this.#at++;
    return item;
  }

  count(what: string): number {
    const text = this.next(what);
    const n = Number(text);
    if (!/^[0-9]+$/.test(text) || n > this.items.length) throw new Error(`${what} is ${JSON.stringify(text)}, not a count (element ${this.#at - 1})`);
    return n;
  }

  skip(n: number, what: string): void {
    for (let i = 0; i < n; i++) this.next(what);
  }
}

/** `object, n, (name, nvalues, values...) × n`: an object's properties. */
function readProperties(c: Cursor, what: string): StoredProperty[] {
  c.next(`the object of ${what}`);
  const n = c.count(`the number of ${what}`);
  const out: StoredProperty[] = [];
  for (let i = 0; i < n; i++) {
    const name = c.next(`a name of ${what}`);
    const count = c.count(`the number of values of ${what} ${name}`);
    const values: string[] = [];
    for (let j = 0; j < count; j++) values.push(c.next(`a value of ${what} ${name}`));
    out.push({ name, values });
  }
  return out;
}

/** `object, n, (attribute, nprops, (name, nvalues, values...) × nprops) × n`: an object's attribute or pipe properties. */
function readAttributeProperties(c: Cursor, what: string): Record<string, Record<string, string[]>> {
  c.next(`the object of ${what}`);
  const n = c.count(`the number of attributes of ${what}`);
  const out: Record<string, Record<string, string[]>> = Object.create(null) as Record<string, Record<string, string[]>>;
  for (let i = 0; i < n; i++) {
    const attribute = c.next(`an attribute of ${what}`);
    const props: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    const nProps = c.count(`the number of properties of ${attribute}`);
    for (let j = 0; j < nProps; j++) {
      const name = c.next(`a property of ${attribute}`);
      const count = c.count(`the number of values of ${attribute}.${name}`);
      const values: string[] = [];
      for (let k = 0; k < count; k++) values.push(c.next(`a value of ${attribute}.${name}`));
      props[name] = values;
    }
    out[attribute] = props;
  }
  return out;
}

/** An import block: `[name, "Not Found"]`, or the `fields` elements of what it found. True when it found it. */
function readImport(c: Cursor, fields: number, what: string): boolean {
  c.next(what);
  if (c.peek() === NOT_FOUND) {
    c.next(what);
    return false;
  }
  c.skip(fields - 1, what);
  return true;
}

/**
 * Parses the reply of DbGetDataForServerCache `[<server>/<instance>, <host>]`, laid out as
 * cppTango's stored procedure writes it (the reference's `argout_decoded`): the admin device's
 * import, the notifd and event-channel imports, the DServer and Default class properties, the
 * admin device's properties, then for each class its properties, its attribute properties, its
 * device list, and each device's properties and attribute properties; then CtrlSystem. A reply
 * starting `release ...` (asked with `<host>%%<release>`) also has pipe properties, skipped.
 *
 * @throws Error naming the element where the reply does not fit that layout.
 * @internal
 */
export function parseServerCache(reply: readonly string[]): ServerCache {
  const c = new Cursor(reply);
  const hasPipes = c.peek()?.startsWith("release ") === true;
  if (hasPipes) c.next("the stored procedure release");
  // name, IOR, version, server, host, exported, pid, class
  const head = c.peek(1) === NOT_FOUND ? undefined : Array.from({ length: DEVICE_IMPORT_FIELDS }, (_, i) => c.peek(i) ?? "");
  if (!readImport(c, DEVICE_IMPORT_FIELDS, "the admin device's import")) {
    return { isDefined: false, adminProperties: [], classes: [], devices: [] };
  }
  const adminImport: AdminImport | undefined = head === undefined ? undefined
    : { ior: head[1] ?? "", host: head[4] ?? "", isExported: head[5] === "1", pid: Number(head[6]) || 0 };
  readImport(c, EVENT_IMPORT_FIELDS, "the notifd event factory's import");
  readImport(c, EVENT_IMPORT_FIELDS, "the server's event channel's import");
  readProperties(c, "DServer class properties");
  readProperties(c, "Default class properties");
  const adminProperties = readProperties(c, "admin device properties");
  c.next("the server name");
  const classCount = c.count("the number of classes");
  const classes: CachedClass[] = [];
  const devices: CachedDevice[] = [];
  for (let i = 0; i < classCount; i++) {
    const name = c.peek() ?? "";
    const properties = readProperties(c, `class ${name} properties`);
    const attributeProperties = readAttributeProperties(c, `class ${name} attribute properties`);
    if (hasPipes) readAttributeProperties(c, `class ${name} pipe properties`);
    c.next(`the class of the device list of ${name}`);
    const names: string[] = [];
    const deviceCount = c.count(`the number of devices of ${name}`);
    for (let j = 0; j < deviceCount; j++) names.push(c.next(`a device of ${name}`));
    classes.push({ name, properties, attributeProperties });
    for (const device of names) {
      const deviceProperties = readProperties(c, `device ${device} properties`);
      const attributeProperties = readAttributeProperties(c, `device ${device} attribute properties`);
      if (hasPipes) readAttributeProperties(c, `device ${device} pipe properties`);
      devices.push({ name: device, className: name, properties: deviceProperties, attributeProperties });
    }
  }
  return { isDefined: true, ...(adminImport === undefined ? {} : { adminImport }), adminProperties, classes, devices };
}
