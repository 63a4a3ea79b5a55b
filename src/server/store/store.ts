/** One property as a store keeps it: its name as written, and its values (Tango keeps every value as strings). */
export interface StoredProperty {
  readonly name: string;
  readonly values: readonly string[];
}

/** Attribute properties of one owner: attribute → property → values, names as written. */
export type StoredAttributeProperties = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/** One change of an attribute property: its values, or null to delete it. */
export interface AttributePropertyChange {
  readonly attribute: string;
  readonly name: string;
  readonly values: readonly string[] | null;
}

/** What a store has done since it was opened (the `tango_store_*` metrics, tests). */
export interface StoreStats {
  /** fsync calls: appends, truncations, snapshots and their directory (0 for the database). */
  readonly fsyncs: number;
  /** Batches written: one per append for the file, one per command for the database. */
  readonly commits: number;
  /** Puts and deletes made durable. */
  readonly records: number;
  /** Bytes appended to the journal (snapshots excluded; 0 for the database). */
  readonly appendedBytes: number;
  /** Snapshots written (0 for the database). */
  readonly compactions: number;
  /** Writes that failed and were rolled back. */
  readonly writeErrors: number;
  /** Size of the store file (0 for the database). */
  readonly fileBytes: number;
  /** Size of the run-time properties as the file store counts them against its limit (0 for the database). */
  readonly liveBytes: number;
}

/**
 * Everything of a server that outlives its process (DESIGN §10, spec §7 item 2): the device and
 * class properties, the polling configuration among them (`polled_attr`...), and the device
 * attribute properties: the attribute configuration set at run time and memorized values
 * (`__value`, spec §6.8). Two
 * implementations: the file store (PropertyStore, no database) and the Tango database
 * (DatabaseStore). An owner is a device name, or `class:<Class>` for class properties; owners and
 * property names ignore case (spec §2.1).
 *
 * Reads are synchronous, from memory: the store holds the values it was configured with (the
 * config file) and what it has loaded or saved since. A change resolves once it is durable, and
 * rejects with a DevFailed, changing nothing, when it could not be saved.
 */
export interface Store {
  /** Sets what the config file says for an owner; values the store holds or saves win over these. */
  configure(owner: string, props: Readonly<Record<string, readonly string[]>>): void;
  /** The values of one property, or undefined when it is not set. */
  get(owner: string, name: string): readonly string[] | undefined;
  /** Every property set for an owner. */
  list(owner: string): StoredProperty[];
  /** Sets properties; resolves once they are saved. */
  put(owner: string, props: ReadonlyArray<{ name: string; values: readonly string[] }>): Promise<void>;
  /** Deletes properties; resolves once the deletion is saved. */
  delete(owner: string, names: readonly string[]): Promise<void>;
  /**
   * The attribute properties the store holds for an owner (a device, or `class:<Class>` for what
   * a database has for a class), without the config file's (the server applies those itself).
   */
  attributeProperties(owner: string): StoredAttributeProperties;
  /**
   * Sets or deletes attribute properties of one device, all of them or none; resolves once
   * saved, rejects with a DevFailed and changes nothing otherwise.
   */
  changeAttributeProperties(device: string, changes: readonly AttributePropertyChange[]): Promise<void>;
  /** Waits until every change made so far is saved or has failed (shutdown). */
  flush(): Promise<void>;
  /** What the store has done since it was opened. */
  stats(): StoreStats;
}
