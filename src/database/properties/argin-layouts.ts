import { incorrectArguments } from "./db-errors.js";

/*
 * The argin layouts of the put commands, read into the properties they write. The whole argin
 * is read before anything is written, so a malformed one writes nothing. cppTango reads past the
 * end of a short argin (the client gets a CORBA BAD_PARAM); here that is DB_IncorrectArguments.
 */

/** One property to write: its attribute or pipe (for those tables), name and values. */
export interface PropertyWrite {
  /** The attribute or pipe, for attribute and pipe properties. */
  readonly sub?: string;
  /** The property name, as written. */
  readonly name: string;
  /** The value, one element per row; none deletes the property without a history entry. */
  readonly values: readonly string[];
}

/** A put command's argin, read. */
export interface PropertyPuts {
  /** The device, class or object (argin[0]). */
  readonly owner: string;
  /** The properties, in argin order (a name given twice: the last one wins, both are history). */
  readonly writes: readonly PropertyWrite[];
}

/** Reads argin elements in order, failing with DB_IncorrectArguments past the end. */
class ArginReader {
  readonly #argin: readonly string[];
  readonly #command: string;
  #next = 0;

  constructor(argin: readonly string[], command: string) {
    this.#argin = argin;
    this.#command = command;
  }

  /** The next element. */
  take(what: string): string {
    const value = this.#argin[this.#next];
    if (value === undefined) {
      throw incorrectArguments(
        `incorrect no. of input arguments: ${what} expected at element ${this.#next}, the argin has ${this.#argin.length}`,
        this.#command);
    }
    this.#next += 1;
    return value;
  }

  /** The next element as a count: a whole number of decimal digits. */
  count(what: string): number {
    const text = this.take(what);
    if (!/^\s*\d{1,9}\s*$/.test(text)) {
      throw incorrectArguments(`incorrect ${what} "${text}" at element ${this.#next - 1}: not a whole number`, this.#command);
    }
    return Number(text);
  }

  /**
   * The top-level count (argin[1]) as cppTango reads it, with sscanf("%6d"): leading digits, and
   * 0 when there are none, so a put with a count that is no number writes nothing (the reference
   * records `DbPutDeviceProperty ["test/dbref/1", "x", "p", "1", "v"]` as accepted).
   */
  leadingCount(what: string): number {
    const match = /^\s*([+-]?\d{1,6})/.exec(this.take(what));
    return match?.[1] === undefined ? 0 : Math.max(0, Number(match[1]));
  }
}

/** `[owner, n, (name, nValues, value...)...]`: DbPutDeviceProperty, DbPutClassProperty, DbPutProperty. */
export function readPropertyPuts(argin: readonly string[], command: string): PropertyPuts {
  const r = new ArginReader(argin, command);
  const owner = r.take("the name");
  const n = r.leadingCount("the property count");
  const writes: PropertyWrite[] = [];
  for (let i = 0; i < n; i++) {
    const name = r.take("a property name");
    writes.push({ name, values: takeValues(r, r.count(`value count of ${name}`)) });
  }
  return { owner, writes };
}

/**
 * `[owner, nAttributes, (attribute, nProperties, (name, value)...)...]`: the v1 attribute puts,
 * one value per property (DbPutDeviceAttributeProperty, DbPutClassAttributeProperty).
 */
export function readSubPropertyPutsV1(argin: readonly string[], command: string): PropertyPuts {
  return readSubPuts(argin, command, (r) => [r.take("a property value")]);
}

/**
 * `[owner, nSubs, (sub, nProperties, (name, nValues, value...)...)...]`: the v2 attribute puts and
 * the pipe puts (DbPut*AttributeProperty2, DbPut*PipeProperty).
 */
export function readSubPropertyPuts(argin: readonly string[], command: string): PropertyPuts {
  return readSubPuts(argin, command, (r, name) => takeValues(r, r.count(`value count of ${name}`)));
}

function readSubPuts(argin: readonly string[], command: string,
  values: (r: ArginReader, name: string) => string[]): PropertyPuts {
  const r = new ArginReader(argin, command);
  const owner = r.take("the name");
  const nSubs = r.leadingCount("the attribute count");
  const writes: PropertyWrite[] = [];
  for (let i = 0; i < nSubs; i++) {
    const sub = r.take("an attribute or pipe name");
    const nProps = r.count(`property count of ${sub}`);
    for (let j = 0; j < nProps; j++) {
      const name = r.take("a property name");
      writes.push({ sub, name, values: values(r, name) });
    }
  }
  return { owner, writes };
}

function takeValues(r: ArginReader, n: number): string[] {
  const values: string[] = [];
  for (let k = 0; k < n; k++) values.push(r.take("a property value"));
  return values;
}

/**
 * The device name cppTango's check_device_name accepts, without its `tango:` (or `taco:`) and
 * `//instance/` prefix; undefined when it has a `*` or no `domain/family/...` shape.
 */
export function checkedDeviceName(name: string): string | undefined {
  if (name.includes("*")) return undefined;
  let rest = name;
  if (rest.startsWith("tango:")) rest = rest.slice(6);
  else if (rest.startsWith("taco:")) rest = rest.slice(5);
  if (rest.startsWith("//")) {
    const end = rest.indexOf("/", 2);
    if (end < 0) return undefined;
    rest = rest.slice(end + 1);
  }
  const first = rest.indexOf("/");
  if (first <= 0 || rest.indexOf("/", first + 1) < 0) return undefined;
  return rest;
}
