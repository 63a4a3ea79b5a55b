import type { Logger } from "pino";
import type { AttributePropertyChange, Store, StoredAttributeProperties, StoredProperty, StoreStats } from "../store/store.js";
import { databaseAccessFailed, describeFailure, type DatabaseLink } from "./database-link.js";

/** The owner prefix of class properties, as the file store has it. */
const CLASS_OWNER = "class:";

/** Properties by lower-case name. */
type PropMap = Map<string, StoredProperty>;
/** Attribute properties by lower-case attribute: the attribute as written and its properties. */
type AttrMap = Map<string, { readonly name: string; readonly props: PropMap }>;

/** Options of a DatabaseStore. */
export interface DatabaseStoreOptions {
  readonly link: DatabaseLink;
  readonly log: Logger;
}

/**
 * The properties of a server with a Tango database (DESIGN §10, spec §7 item 2): the config
 * file's values, under those the database holds (loaded at start from DbGetDataForServerCache),
 * which win. A put or delete is written through to the database (DbPutDeviceProperty,
 * DbDeleteDeviceProperty, or the Class commands for `class:<Class>`) and only then seen and
 * acknowledged; when the database cannot be reached or refuses, it rejects with
 * API_DatabaseAccess and nothing changes. Deleting a property removes it from the database, so the
 * config file's value, if any, shows again (as it would at the next start). Changes to one owner
 * are sent one after the other, so the last one acknowledged is the one kept.
 *
 * Attribute properties (configuration set at run time, memorized `__value`) are loaded likewise
 * and written through DbPutDeviceAttributeProperty2 (a lone `__value` in the layout of cppTango's
 * memorized-value fast path) and DbDeleteDeviceAttributeProperty, one per attribute, puts first.
 * A change needing several commands that fails part way is kept in memory as it was; what the
 * database took of it shows at the next start.
 *
 * @internal
 */
export class DatabaseStore implements Store {
  readonly #link: DatabaseLink;
  readonly #log: Logger;
  readonly #configured = new Map<string, PropMap>();
  readonly #stored = new Map<string, PropMap>();
  readonly #attributes = new Map<string, AttrMap>();
  /** The last change of each owner, which the next one waits for. */
  readonly #tails = new Map<string, Promise<void>>();
  #stats = { commits: 0, records: 0, writeErrors: 0 };

  constructor(opts: DatabaseStoreOptions) {
    this.#link = opts.link;
    this.#log = opts.log;
  }

  configure(owner: string, props: Readonly<Record<string, readonly string[]>>): void {
    this.#configured.set(owner.toLowerCase(), mapOf(Object.entries(props).map(([name, values]) => ({ name, values }))));
  }

  /** Replaces what the database holds for an owner, as read at start. */
  load(owner: string, props: readonly StoredProperty[]): void {
    this.#stored.set(owner.toLowerCase(), mapOf(props));
  }

  /** Replaces what the database holds of an owner's attribute properties (a device, or `class:<Class>`), as read at start. */
  loadAttributes(owner: string, props: StoredAttributeProperties): void {
    const m: AttrMap = new Map();
    for (const [attribute, p] of Object.entries(props)) {
      m.set(attribute.toLowerCase(), { name: attribute, props: mapOf(Object.entries(p).map(([name, values]) => ({ name, values }))) });
    }
    this.#attributes.set(owner.toLowerCase(), m);
  }

  attributeProperties(owner: string): StoredAttributeProperties {
    const out = Object.create(null) as Record<string, Record<string, readonly string[]>>;
    for (const { name, props } of this.#attributes.get(owner.toLowerCase())?.values() ?? []) {
      const p = Object.create(null) as Record<string, readonly string[]>;
      for (const prop of props.values()) p[prop.name] = prop.values;
      out[name] = p;
    }
    return out;
  }

  changeAttributeProperties(device: string, changes: readonly AttributePropertyChange[]): Promise<void> {
    const puts = new Map<string, { attribute: string; props: Map<string, readonly string[]> }>();
    const deletes = new Map<string, { attribute: string; names: Set<string> }>();
    for (const c of changes) {
      const key = c.attribute.toLowerCase();
      // The last change of a property in the list is the one kept.
      puts.get(key)?.props.delete(c.name);
      deletes.get(key)?.names.delete(c.name);
      if (c.values === null) {
        const d = deletes.get(key) ?? { attribute: c.attribute, names: new Set<string>() };
        d.names.add(c.name);
        deletes.set(key, d);
      } else {
        const p = puts.get(key) ?? { attribute: c.attribute, props: new Map<string, readonly string[]>() };
        p.props.set(c.name, c.values);
        puts.set(key, p);
      }
    }
    const putList = [...puts.values()].filter((p) => p.props.size > 0);
    const commands: Array<[string, string[]]> = [];
    if (putList.length > 0) {
      commands.push(["DbPutDeviceAttributeProperty2", [device, String(putList.length), ...putList.flatMap((p) =>
        [p.attribute, String(p.props.size), ...[...p.props].flatMap(([name, values]) => [name, String(values.length), ...values])])]]);
    }
    for (const d of deletes.values()) if (d.names.size > 0) commands.push(["DbDeleteDeviceAttributeProperty", [device, d.attribute, ...d.names]]);
    return this.#change(device, commands, changes.length, () => {
      const o = device.toLowerCase();
      const attrs = this.#attributes.get(o) ?? new Map();
      this.#attributes.set(o, attrs);
      for (const c of changes) {
        const key = c.attribute.toLowerCase();
        const a = attrs.get(key) ?? { name: c.attribute, props: new Map<string, StoredProperty>() };
        attrs.set(key, a);
        if (c.values === null) a.props.delete(c.name.toLowerCase());
        else a.props.set(c.name.toLowerCase(), { name: c.name, values: [...c.values] });
      }
    }, `The attribute properties of ${device} could not be saved`);
  }

  get(owner: string, name: string): readonly string[] | undefined {
    const o = owner.toLowerCase();
    const key = name.toLowerCase();
    return (this.#stored.get(o)?.get(key) ?? this.#configured.get(o)?.get(key))?.values;
  }

  list(owner: string): StoredProperty[] {
    const o = owner.toLowerCase();
    return [...new Map([...this.#configured.get(o) ?? [], ...this.#stored.get(o) ?? []]).values()];
  }

  put(owner: string, props: ReadonlyArray<{ name: string; values: readonly string[] }>): Promise<void> {
    const isClass = owner.toLowerCase().startsWith(CLASS_OWNER);
    const target = isClass ? owner.slice(CLASS_OWNER.length) : owner;
    const argin = [target, String(props.length), ...props.flatMap((p) => [p.name, String(p.values.length), ...p.values])];
    return this.#change(owner, [[isClass ? "DbPutClassProperty" : "DbPutDeviceProperty", argin]], props.length, () => {
      for (const p of props) this.#storedOf(owner).set(p.name.toLowerCase(), { name: p.name, values: [...p.values] });
    });
  }

  delete(owner: string, names: readonly string[]): Promise<void> {
    const isClass = owner.toLowerCase().startsWith(CLASS_OWNER);
    const target = isClass ? owner.slice(CLASS_OWNER.length) : owner;
    return this.#change(owner, [[isClass ? "DbDeleteClassProperty" : "DbDeleteDeviceProperty", [target, ...names]]], names.length, () => {
      for (const n of names) this.#storedOf(owner).delete(n.toLowerCase());
    });
  }

  #storedOf(owner: string): PropMap {
    const o = owner.toLowerCase();
    const stored = this.#stored.get(o) ?? new Map<string, StoredProperty>();
    this.#stored.set(o, stored);
    return stored;
  }

  /** Runs database commands in order after the owner's previous change, then applies the change in memory. */
  #change(owner: string, commands: ReadonlyArray<readonly [string, readonly string[]]>, records: number, apply: () => void,
    what = `The properties of ${owner} could not be saved`): Promise<void> {
    const o = owner.toLowerCase();
    const previous = this.#tails.get(o) ?? Promise.resolve();
    const done = previous.then(async () => {
      for (const [command, argin] of commands) {
        try {
          await this.#link.command(command, argin);
        } catch (err) {
          this.#stats.writeErrors++;
          this.#log.error({ owner, command, tangoHost: this.#link.tangoHost, error: describeFailure(err) }, "a property change could not be saved in the database");
          throw databaseAccessFailed(err, what, this.#link.tangoHost, `DataBase::${command}`);
        }
      }
      apply();
      this.#stats.commits++;
      this.#stats.records += records;
    });
    // The next change waits for this one whether it failed or not; the caller gets its failure.
    const tail: Promise<void> = done.then(() => undefined, () => undefined).then(() => {
      if (this.#tails.get(o) === tail) this.#tails.delete(o);
    });
    this.#tails.set(o, tail);
    return done;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }

  stats(): StoreStats {
    return { ...this.#stats, fsyncs: 0, appendedBytes: 0, compactions: 0, fileBytes: 0, liveBytes: 0 };
  }
}

function mapOf(props: readonly StoredProperty[]): PropMap {
  return new Map(props.map((p) => [p.name.toLowerCase(), { name: p.name, values: [...p.values] }]));
}
