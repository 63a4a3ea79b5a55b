import { TangoErrors } from "../core/index.js";
import { ADMIN_DEVICE_ALIAS } from "../core/defaults.js";
import type { ServerConfig } from "./config.js";
import { entryMaker, normalise } from "./device-entries.js";
import type { DeviceClass, DeviceEntry } from "./device-entry.js";
import type { Store } from "./store/store.js";

/**
 * The devices of one server: their entries by name (any case), the user devices and their
 * classes in config order (then those the database adds), and the admin device, which is last
 * in `allDevices` and also found by the bare name `dserver`.
 *
 * @internal
 */
export class DeviceTable {
  readonly #entries = new Map<string, DeviceEntry>();
  readonly #order: DeviceEntry[] = [];
  readonly #classOrder: string[] = [];
  readonly #make: (name: string, className: string, cls: DeviceClass) => DeviceEntry;
  #admin: DeviceEntry | undefined;

  constructor(config: Readonly<ServerConfig>) {
    this.#make = entryMaker(config);
  }

  /**
   * The classes and devices a config names, in its order, their classes taken from `classes`
   * (TypeError for one that is not there); their properties go to `store` as the config's.
   */
  static fromConfig(config: Readonly<ServerConfig>, classes: ReadonlyMap<string, DeviceClass>, store: Store): DeviceTable {
    const table = new DeviceTable(config);
    for (const c of config.classes) {
      const cls = classes.get(c.name);
      if (cls === undefined) {
        throw new TypeError(`class ${c.name} is not known to this server (known: ${[...classes.keys()].join(", ")})`);
      }
      table.addClass(c.name);
      store.configure(`class:${c.name}`, normalise(c.properties));
      for (const d of c.devices) {
        store.configure(d.name, normalise(d.properties));
        table.add(d.name, c.name, cls).attributeProperties = d.attributeProperties;
      }
    }
    return table;
  }

  /** Adds a user device (and its class, the first time); throws TypeError for a name already there. */
  add(name: string, className: string, cls: DeviceClass): DeviceEntry {
    const entry = this.#create(name, className, cls);
    if (!this.#classOrder.includes(className)) this.#classOrder.push(className);
    this.#order.push(entry);
    return entry;
  }

  /** Adds the admin device; throws TypeError for a name already there. */
  addAdmin(name: string, cls: DeviceClass): DeviceEntry {
    this.#admin = this.#create(name, "DServer", cls);
    return this.#admin;
  }

  /** Adds a class that may have no device yet, keeping the config's order. */
  addClass(className: string): void {
    if (!this.#classOrder.includes(className)) this.#classOrder.push(className);
  }

  #create(name: string, className: string, cls: DeviceClass): DeviceEntry {
    const key = name.toLowerCase();
    if (this.#entries.has(key)) throw new TypeError(`device ${name} is configured twice`);
    const entry = this.#make(name, className, cls);
    this.#entries.set(key, entry);
    return entry;
  }

  /** The admin device's entry. */
  get admin(): DeviceEntry {
    if (this.#admin === undefined) throw new TypeError("the admin device is not added yet");
    return this.#admin;
  }

  /** Whether a device of that name (any case) is in the table. */
  has(name: string): boolean {
    return this.#entries.has(name.toLowerCase());
  }

  /** The entry of a device name (any case); `dserver` alone is the admin device (tango.proto). */
  find(name: string): DeviceEntry | undefined {
    const key = name.toLowerCase();
    return this.#entries.get(key) ?? (key === ADMIN_DEVICE_ALIAS ? this.#admin : undefined);
  }

  /** As find, API_DeviceNotFound when there is none. */
  get(name: string): DeviceEntry {
    const e = this.find(name);
    if (e === undefined) throw TangoErrors.deviceNotFound(name);
    return e;
  }

  /** A user device by its name (any case), never the admin device. */
  findUser(name: string): DeviceEntry | undefined {
    const e = this.#entries.get(name.toLowerCase());
    return e === this.#admin ? undefined : e;
  }

  /** User devices in config order (admin excluded). */
  userDevices(): readonly DeviceEntry[] {
    return this.#order;
  }

  /** Every device, admin last. */
  allDevices(): DeviceEntry[] {
    return this.#admin === undefined ? [...this.#order] : [...this.#order, this.#admin];
  }

  /** Class names in config order (admin class excluded). */
  classNames(): string[] {
    return [...this.#classOrder];
  }

  /** The class name as configured, found ignoring case. */
  findClassName(name: string): string | undefined {
    return this.#classOrder.find((c) => c.toLowerCase() === name.toLowerCase());
  }
}
