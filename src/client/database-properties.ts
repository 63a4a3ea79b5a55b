import {
  decodeAttributeProperties, decodeProperties, encodeAttributeProperties, encodeProperties, isPattern, matchesWildcard,
  type DbAttributeProperties, type DbAttributePropertiesInput, type DbProperties, type DbPropertiesInput,
} from "./database-layouts.js";

/** Property names: one name, several, or wildcard patterns (`*` for any text). */
export type DbPropertyNames = string | readonly string[];

/** Names as a list; none given means every one (`*`). */
function listOf(names: DbPropertyNames | undefined): readonly string[] {
  return names === undefined ? ["*"] : typeof names === "string" ? [names] : names;
}

/** Each name, with the patterns among them replaced by what `list` gives for them; once each, case ignored. */
async function expand(names: DbPropertyNames | undefined, list: (pattern: string) => Promise<readonly string[]>): Promise<string[]> {
  const out = new Map<string, string>();
  for (const name of listOf(names)) {
    for (const found of isPattern(name) ? await list(name) : [name]) {
      if (!out.has(found.toLowerCase())) out.set(found.toLowerCase(), found);
    }
  }
  return [...out.values()];
}

/**
 * The property methods of `Database` (PyTango's names in camelCase): device, class, device
 * attribute, class attribute and free (object) properties. Gets resolve to records of string
 * lists; a property asked by name that is not set comes back with no values (`[]`), as in
 * PyTango. A name with `*` is a pattern: the properties that match, found with the list command.
 */
export abstract class DatabaseProperties {
  /**
   * Runs any command of the DataBase device (the reference's 100: DbGetHostList,
   * DbGetDevicePropertyHist, ...) with its argin as the command's type wants it, and resolves
   * to its argout: `await db.commandInout<string[]>("DbGetHostList", "*")`.
   */
  abstract commandInout<T = unknown>(command: string, argin?: unknown): Promise<T>;

  // ---- device properties

  /** DbGetDeviceProperty: a device's properties by name or pattern; default every one. */
  async getDeviceProperty(device: string, names?: DbPropertyNames): Promise<DbProperties> {
    const wanted = await expand(names, (pattern) => this.getDevicePropertyList(device, pattern));
    return this.#get("DbGetDeviceProperty", device, wanted, true);
  }

  /** DbPutDeviceProperty: sets device properties (a string is a one-value property). */
  async putDeviceProperty(device: string, props: DbPropertiesInput): Promise<void> {
    await this.commandInout("DbPutDeviceProperty", encodeProperties(device, props));
  }

  /** DbDeleteDeviceProperty: removes device properties by name or pattern; unknown ones are no error. */
  async deleteDeviceProperty(device: string, names: DbPropertyNames): Promise<void> {
    const wanted = await expand(names, (pattern) => this.getDevicePropertyList(device, pattern));
    if (wanted.length > 0) await this.commandInout("DbDeleteDeviceProperty", [device, ...wanted]);
  }

  /** DbGetDevicePropertyList: the names of a device's properties matching a pattern. */
  getDevicePropertyList(device: string, pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetDevicePropertyList", [device, pattern]);
  }

  // ---- class properties

  /** DbGetClassProperty: a class's properties by name or pattern; default every one. */
  async getClassProperty(className: string, names?: DbPropertyNames): Promise<DbProperties> {
    const wanted = await expand(names, (pattern) => this.#classPropertyNames(className, pattern));
    return this.#get("DbGetClassProperty", className, wanted, false);
  }

  /** DbPutClassProperty: sets class properties. */
  async putClassProperty(className: string, props: DbPropertiesInput): Promise<void> {
    await this.commandInout("DbPutClassProperty", encodeProperties(className, props));
  }

  /** DbDeleteClassProperty: removes class properties by name or pattern. */
  async deleteClassProperty(className: string, names: DbPropertyNames): Promise<void> {
    const wanted = await expand(names, (pattern) => this.#classPropertyNames(className, pattern));
    if (wanted.length > 0) await this.commandInout("DbDeleteClassProperty", [className, ...wanted]);
  }

  /** DbGetClassPropertyList: the names of a class's properties. */
  getClassPropertyList(className: string): Promise<string[]> {
    return this.commandInout<string[]>("DbGetClassPropertyList", className);
  }

  // ---- device attribute properties

  /**
   * DbGetDeviceAttributeProperty2: the properties of a device's attributes (names or patterns;
   * default every attribute that has some), by attribute. An attribute without any maps to `{}`.
   */
  async getDeviceAttributeProperty(device: string, attributes?: DbPropertyNames): Promise<DbAttributeProperties> {
    const wanted = await expand(attributes, (pattern) => this.getDeviceAttributeList(device, pattern));
    return this.#getAttributes("DbGetDeviceAttributeProperty2", device, wanted);
  }

  /** DbPutDeviceAttributeProperty2: sets properties of a device's attributes, `{ attribute: { property: value } }`. */
  async putDeviceAttributeProperty(device: string, props: DbAttributePropertiesInput): Promise<void> {
    await this.commandInout("DbPutDeviceAttributeProperty2", encodeAttributeProperties(device, props));
  }

  /** DbDeleteDeviceAttributeProperty: removes properties (names or patterns) of a device's attributes, `{ attribute: names }`. */
  async deleteDeviceAttributeProperty(device: string, props: Readonly<Record<string, DbPropertyNames>>): Promise<void> {
    await this.#deleteAttributes("DbDeleteDeviceAttributeProperty", device, props,
      (attribute) => this.getDeviceAttributeProperty(device, attribute));
  }

  /** DbGetDeviceAttributeList: the attributes of a device that have properties, matching a pattern. */
  getDeviceAttributeList(device: string, pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetDeviceAttributeList", [device, pattern]);
  }

  // ---- class attribute properties

  /** DbGetClassAttributeProperty2: the properties of a class's attributes, by attribute (as getDeviceAttributeProperty). */
  async getClassAttributeProperty(className: string, attributes?: DbPropertyNames): Promise<DbAttributeProperties> {
    const wanted = await expand(attributes, (pattern) => this.getClassAttributeList(className, pattern));
    return this.#getAttributes("DbGetClassAttributeProperty2", className, wanted);
  }

  /** DbPutClassAttributeProperty2: sets properties of a class's attributes. */
  async putClassAttributeProperty(className: string, props: DbAttributePropertiesInput): Promise<void> {
    await this.commandInout("DbPutClassAttributeProperty2", encodeAttributeProperties(className, props));
  }

  /** DbDeleteClassAttributeProperty: removes properties of a class's attributes, `{ attribute: names }`. */
  async deleteClassAttributeProperty(className: string, props: Readonly<Record<string, DbPropertyNames>>): Promise<void> {
    await this.#deleteAttributes("DbDeleteClassAttributeProperty", className, props,
      (attribute) => this.getClassAttributeProperty(className, attribute));
  }

  /** DbGetClassAttributeList: the attributes of a class that have properties, matching a pattern. */
  getClassAttributeList(className: string, pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetClassAttributeList", [className, pattern]);
  }

  // ---- free (object) properties

  /** DbGetProperty: the free properties of an object by name or pattern; default every one. */
  async getProperty(object: string, names?: DbPropertyNames): Promise<DbProperties> {
    const wanted = await expand(names, (pattern) => this.getPropertyList(object, pattern));
    return this.#get("DbGetProperty", object, wanted, true);
  }

  /** DbPutProperty: sets free properties of an object (which exists while it has some). */
  async putProperty(object: string, props: DbPropertiesInput): Promise<void> {
    await this.commandInout("DbPutProperty", encodeProperties(object, props));
  }

  /** DbDeleteProperty: removes free properties of an object by name or pattern. */
  async deleteProperty(object: string, names: DbPropertyNames): Promise<void> {
    const wanted = await expand(names, (pattern) => this.getPropertyList(object, pattern));
    if (wanted.length > 0) await this.commandInout("DbDeleteProperty", [object, ...wanted]);
  }

  /** DbGetPropertyList: the names of an object's free properties matching a pattern. */
  getPropertyList(object: string, pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetPropertyList", [object, pattern]);
  }

  /** DbGetObjectList: the objects with free properties matching a pattern. */
  getObjectList(pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetObjectList", pattern);
  }

  async #get(command: string, owner: string, names: readonly string[], hasFiller: boolean): Promise<DbProperties> {
    if (names.length === 0) return {};
    return decodeProperties(await this.commandInout<string[]>(command, [owner, ...names]), command, hasFiller);
  }

  async #getAttributes(command: string, owner: string, attributes: readonly string[]): Promise<DbAttributeProperties> {
    if (attributes.length === 0) return {};
    return decodeAttributeProperties(await this.commandInout<string[]>(command, [owner, ...attributes]), command);
  }

  /** One delete command per attribute, `[owner, attribute, name...]`, after the patterns are matched against what it has. */
  async #deleteAttributes(command: string, owner: string, props: Readonly<Record<string, DbPropertyNames>>,
    read: (attribute: string) => Promise<DbAttributeProperties>): Promise<void> {
    for (const [attribute, names] of Object.entries(props)) {
      const wanted = await expand(names, async (pattern) => {
        const has = Object.values(await read(attribute))[0] ?? {};
        return Object.keys(has).filter((name) => matchesWildcard(pattern, name));
      });
      if (wanted.length > 0) await this.commandInout(command, [owner, attribute, ...wanted]);
    }
  }

  /** The class's property names matching a pattern (DbGetClassPropertyList has no pattern of its own). */
  async #classPropertyNames(className: string, pattern: string): Promise<string[]> {
    return (await this.getClassPropertyList(className)).filter((name) => matchesWildcard(pattern, name));
  }
}
