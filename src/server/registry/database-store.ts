import type { Logger } from "pino";
import type { Store, StoredProperty, StoreStats } from "../store/store.js";
import { databaseAccessFailed, describeFailure, type DatabaseLink } from "./database-link.js";

/** The owner prefix of class properties, as the file store has it. */
const CLASS_OWNER = "class:";

/** Properties by lower-case name. */
type PropMap = Map<string, StoredProperty>;

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
 * @internal
 */
export class DatabaseStore implements Store {
  readonly #link: DatabaseLink;
  readonly #log: Logger;
  readonly #configured = new Map<string, PropMap>();
  readonly #stored = new Map<string, PropMap>();
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
    return this.#change(owner, isClass ? "DbPutClassProperty" : "DbPutDeviceProperty", argin, props.length, (stored) => {
      for (const p of props) stored.set(p.name.toLowerCase(), { name: p.name, values: [...p.values] });
    });
  }

  delete(owner: string, names: readonly string[]): Promise<void> {
    const isClass = owner.toLowerCase().startsWith(CLASS_OWNER);
    const target = isClass ? owner.slice(CLASS_OWNER.length) : owner;
    return this.#change(owner, isClass ? "DbDeleteClassProperty" : "DbDeleteDeviceProperty", [target, ...names], names.length, (stored) => {
      for (const n of names) stored.delete(n.toLowerCase());
    });
  }

  /** Runs one database command after the owner's previous change, then applies it in memory. */
  #change(owner: string, command: string, argin: readonly string[], records: number, apply: (stored: PropMap) => void): Promise<void> {
    const o = owner.toLowerCase();
    const previous = this.#tails.get(o) ?? Promise.resolve();
    const done = previous.then(async () => {
      try {
        await this.#link.command(command, argin);
      } catch (err) {
        this.#stats.writeErrors++;
        this.#log.error({ owner, command, tangoHost: this.#link.tangoHost, error: describeFailure(err) }, "a property change could not be saved in the database");
        throw databaseAccessFailed(err, `The properties of ${owner} could not be saved`, this.#link.tangoHost, `DataBase::${command}`);
      }
      const stored = this.#stored.get(o) ?? new Map<string, StoredProperty>();
      this.#stored.set(o, stored);
      apply(stored);
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
