import type { Database, DbAttributeProperties, DbProperties } from "../../client/index.js";
import { UsageError, stringOption, type ClientVerbContext } from "../client-verb.js";
import type { Verb } from "../verb.js";
import { defineDbVerb } from "./db-verb.js";

/*
 * `tango-grpc db put-property | get-property | delete-property`: device properties by default,
 * class properties with --class, free (object) properties with --free, and the properties of an
 * attribute (of a device or, with --class, of a class) with --attribute.
 */

/** Whose properties: the JSON key names the kind. */
interface Target {
  readonly kind: "device" | "class" | "object";
  readonly owner: string;
  readonly attribute: string | undefined;
  /** The positional arguments after the owner. */
  readonly rest: readonly string[];
}

const TARGET_OPTIONS = { class: { type: "string" }, free: { type: "string" }, attribute: { type: "string" } } as const;

const TARGET_HELP: readonly (readonly [string, string])[] = [
  ["--class <class>", "properties of a Tango class instead of a device (no <device> then)"],
  ["--free <object>", "free properties of an object, not attached to any device or class (no <device> then)"],
  ["--attribute <attr>", "properties of this attribute of the device (or, with --class, of the class)"],
];

const TARGET_ARGUMENT: readonly [string, string] = ["<device>", "the device whose properties these are; left out with --class or --free"];

function targetOf(values: ClientVerbContext["values"], positionals: readonly string[]): Target {
  const className = stringOption(values, "class");
  const object = stringOption(values, "free");
  const attribute = stringOption(values, "attribute");
  if (className !== undefined && object !== undefined) throw new UsageError("give --class or --free, not both");
  if (object !== undefined && attribute !== undefined) {
    throw new UsageError("free properties belong to no attribute: --free and --attribute do not go together");
  }
  if (className !== undefined) return { kind: "class", owner: className, attribute, rest: positionals };
  if (object !== undefined) return { kind: "object", owner: object, attribute, rest: positionals };
  const [device, ...rest] = positionals;
  if (device === undefined) throw new UsageError("missing <device> (or give --class <class> or --free <object>)");
  return { kind: "device", owner: device, attribute, rest };
}

/** `{ attribute }` for the JSON output of an attribute's properties, else nothing. */
function attributeField(t: Target): { attribute?: string } {
  return t.attribute === undefined ? {} : { attribute: t.attribute };
}

/** `name: value` lines; further values (and lines of a multi-line value) under the first, aligned. */
function formatProperties(entries: readonly (readonly [string, readonly string[]])[]): string {
  return entries.map(([label, values]) => {
    const indent = " ".repeat(label.length + 2);
    const text = values.length === 0 ? "(not set)" : values.join("\n");
    return `${label}: ${text.replace(/\n/g, `\n${indent}`)}\n`;
  }).join("");
}

/** Whether `name` is one of `wanted` (names or `*` patterns, case ignored); all when none is wanted. */
function isWanted(wanted: readonly string[], name: string): boolean {
  if (wanted.length === 0) return true;
  return wanted.some((w) => {
    const source = w.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
    return new RegExp(`^${source}$`, "is").test(name);
  });
}

function getProperties(db: Database, t: Target, names: readonly string[] | undefined): Promise<DbProperties> {
  if (t.kind === "class") return db.getClassProperty(t.owner, names);
  if (t.kind === "object") return db.getProperty(t.owner, names);
  return db.getDeviceProperty(t.owner, names);
}

function getAttributeProperties(db: Database, t: Target, attribute: string): Promise<DbAttributeProperties> {
  return t.kind === "class" ? db.getClassAttributeProperty(t.owner, attribute) : db.getDeviceAttributeProperty(t.owner, attribute);
}

/** `db put-property [<device>] <name> <value>...`. */
export const putPropertyVerb: Verb = defineDbVerb({
  name: "put-property",
  summary: "set a device, class, attribute or free property",
  usage: "tango-grpc db put-property [<device> | --class <class> | --free <object>] [--attribute <attr>] <name> <value>... [options]",
  description: `
Sets a property in the database: of a device (DbPutDeviceProperty), of a class
(--class, DbPutClassProperty), of an attribute (--attribute,
DbPutDeviceAttributeProperty2 or DbPutClassAttributeProperty2), or a free
property of an object (--free, DbPutProperty). A property is a list of strings:
each <value> is one element. It replaces the property's value; a running server
reads it at its next start (or Init). Prints nothing.`,
  arguments: [TARGET_ARGUMENT, ["<name>", "the property name"], ["<value>...", "one or more values, each an element of the property"]],
  optionsHelp: TARGET_HELP,
  options: TARGET_OPTIONS,
  jsonHelp: '{"device" | "class" | "object", "attribute"?, "property", "values"}',
  examples: [
    "tango-grpc db put-property sys/tg_test/1 axes x y z",
    "tango-grpc db put-property sys/tg_test/1 --attribute double_scalar unit mm",
    "tango-grpc db put-property --class TangoTest cprop 42",
  ],
  positionals: { min: 0, max: Infinity },
  async run({ positionals, values, db, print }) {
    const t = targetOf(values, positionals);
    const [name, ...propValues] = t.rest;
    if (name === undefined || propValues.length === 0) throw new UsageError("give a property name and at least one value");
    const props = { [name]: propValues };
    if (t.attribute === undefined) {
      if (t.kind === "class") await db.putClassProperty(t.owner, props);
      else if (t.kind === "object") await db.putProperty(t.owner, props);
      else await db.putDeviceProperty(t.owner, props);
    } else if (t.kind === "class") await db.putClassAttributeProperty(t.owner, { [t.attribute]: props });
    else await db.putDeviceAttributeProperty(t.owner, { [t.attribute]: props });
    print(() => "", () => ({ [t.kind]: t.owner, ...attributeField(t), property: name, values: propValues }));
  },
});

/** `db get-property [<device>] [<name or pattern>...]`. */
export const getPropertyVerb: Verb = defineDbVerb({
  name: "get-property",
  summary: "print device, class, attribute or free properties",
  usage: "tango-grpc db get-property [<device> | --class <class> | --free <object>] [--attribute <attr>] [<name>...] [options]",
  description: `
Prints properties from the database, one "name: value" line each (further
elements of a list on the lines under it; "(not set)" for a name asked that has
no value): of a device, a class (--class), an object's free properties (--free),
or an attribute's (--attribute, lines "attribute.name: value"; the attribute may
be a pattern). Without names, every property.`,
  arguments: [TARGET_ARGUMENT, ["[<name>...]", "property names or wildcard patterns (* for any text, case ignored); default all"]],
  optionsHelp: TARGET_HELP,
  options: TARGET_OPTIONS,
  jsonHelp: '{"device" | "class" | "object", "properties": {name: [values]}}; with --attribute {…, "attributes": {attribute: {name: [values]}}}',
  examples: [
    "tango-grpc db get-property sys/tg_test/1",
    "tango-grpc db get-property sys/tg_test/1 --attribute '*'",
    "tango-grpc db get-property --free Beamline 'energy*'",
  ],
  positionals: { min: 0, max: Infinity },
  async run({ positionals, values, db, print }) {
    const t = targetOf(values, positionals);
    if (t.attribute === undefined) {
      const properties = await getProperties(db, t, t.rest.length === 0 ? undefined : t.rest);
      print(() => formatProperties(Object.entries(properties)), () => ({ [t.kind]: t.owner, properties }));
      return;
    }
    const attributes: DbAttributeProperties = {};
    for (const [attribute, props] of Object.entries(await getAttributeProperties(db, t, t.attribute))) {
      attributes[attribute] = Object.fromEntries(Object.entries(props).filter(([name]) => isWanted(t.rest, name)));
    }
    print(
      () => formatProperties(Object.entries(attributes).flatMap(([attribute, props]) =>
        Object.entries(props).map(([name, v]) => [`${attribute}.${name}`, v] as const))),
      () => ({ [t.kind]: t.owner, attributes }),
    );
  },
});

/** `db delete-property [<device>] <name>...`. */
export const deletePropertyVerb: Verb = defineDbVerb({
  name: "delete-property",
  summary: "remove device, class, attribute or free properties",
  usage: "tango-grpc db delete-property [<device> | --class <class> | --free <object>] [--attribute <attr>] <name>... [options]",
  description: `
Removes properties from the database: of a device (DbDeleteDeviceProperty), a
class (--class), an object's free properties (--free) or an attribute's
(--attribute). A name may be a wildcard pattern; a property that is not set is
no error. Prints nothing.`,
  arguments: [TARGET_ARGUMENT, ["<name>...", "property names or wildcard patterns (* for any text, case ignored)"]],
  optionsHelp: TARGET_HELP,
  options: TARGET_OPTIONS,
  jsonHelp: '{"device" | "class" | "object", "attribute"?, "properties": [names as given]}',
  examples: ["tango-grpc db delete-property sys/tg_test/1 axes", "tango-grpc db delete-property --class TangoTest 'c*'"],
  positionals: { min: 0, max: Infinity },
  async run({ positionals, values, db, print }) {
    const t = targetOf(values, positionals);
    const names = t.rest;
    if (names.length === 0) throw new UsageError("give at least one property name");
    if (t.attribute === undefined) {
      if (t.kind === "class") await db.deleteClassProperty(t.owner, names);
      else if (t.kind === "object") await db.deleteProperty(t.owner, names);
      else await db.deleteDeviceProperty(t.owner, names);
    } else if (t.kind === "class") await db.deleteClassAttributeProperty(t.owner, { [t.attribute]: names });
    else await db.deleteDeviceAttributeProperty(t.owner, { [t.attribute]: names });
    print(() => "", () => ({ [t.kind]: t.owner, ...attributeField(t), properties: names }));
  },
});
