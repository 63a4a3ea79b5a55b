import type { Logger } from "pino";
import { STORE_COMPACT_MIN_BYTES, STORE_MAX_BYTES, STORE_MAX_PROPERTY_BYTES } from "../core/defaults.js";
import { JournalFile } from "./store/journal-file.js";
import { encodeRecord, HEADER, type JournalRecord, type StoredValues } from "./store/journal-records.js";
import { loadStore } from "./store/store-load.js";
import { propertyTooLarge, storeFull, storeWriteFailed } from "./store/store-errors.js";
import type { AttributePropertyChange, Store, StoredAttributeProperties, StoreStats } from "./store/store.js";

export type { Store, StoreStats } from "./store/store.js";

type Prop = { readonly name: string; readonly values: readonly string[] };
/** A run-time value: the property, or null when it was deleted (a configured value is hidden too). */
type Entry = Prop | null;

/** Options of a PropertyStore; every size is in bytes of JSON text. */
export interface PropertyStoreOptions {
  /** The store file; without one, run-time changes last until the process ends. */
  readonly path?: string;
  /** Move a damaged file aside (`<file>.damaged-<time>`) and start with what can be read, instead of refusing to start. */
  readonly repair?: boolean;
  /** Largest value of one property (default STORE_MAX_PROPERTY_BYTES). */
  readonly maxPropertyBytes?: number;
  /** Largest the run-time properties may grow together (default STORE_MAX_BYTES). */
  readonly maxBytes?: number;
  /** The journal is compacted once it holds this much more than its last snapshot, and more than that snapshot (default STORE_COMPACT_MIN_BYTES). */
  readonly compactMinBytes?: number;
  /** Where problems are logged: write failures (with the file and errno), torn tails, repairs. */
  readonly log?: Logger;
  /** The clock of the repair's file name; tests pass their own. */
  readonly now?: () => Date;
}

interface Op {
  /** Lower case, as the maps key it. */
  readonly owner: string;
  /** As the caller wrote it, for messages. */
  readonly ownerName: string;
  readonly props: Readonly<Record<string, StoredValues>>;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Attribute properties live beside the others in the same maps: owner `ATTR_SPACE + device` (no
 * device name holds a NUL), property `<attribute>` NUL `<name>`. The journal has them as `attr` records.
 */
const ATTR_SPACE = "\u0000attr:";
const SEP = "\u0000";

/** An `attr` record of a device's attribute properties kept under composite names. */
function attrRecord(device: string, props: Readonly<Record<string, StoredValues>>): JournalRecord {
  const p = Object.create(null) as Record<string, Record<string, StoredValues>>;
  for (const [composite, values] of Object.entries(props)) {
    const [attribute = "", name = ""] = composite.split(SEP);
    (p[attribute] ??= newProps())[name] = values;
  }
  return { t: "attr", o: device, p };
}

/** A record of an owner's changes, of the kind its owner key says. */
function recordOf(owner: string, props: Readonly<Record<string, StoredValues>>): JournalRecord {
  return owner.startsWith(ATTR_SPACE) ? attrRecord(owner.slice(ATTR_SPACE.length), props) : { t: "props", o: owner, p: props };
}

/** A property map without a prototype, so that a property named `__proto__` is kept like any other. */
function newProps(): Record<string, StoredValues> {
  return Object.create(null) as Record<string, StoredValues>;
}

/** The size a property counts for: its values as JSON text, plus its name. */
function sizeOf(key: string, e: Entry | undefined): number {
  return e === undefined || e === null ? 0 : key.length + Buffer.byteLength(JSON.stringify(e.values));
}

/**
 * Device and class properties without a database (spec §7, §15, DESIGN §10): the config file's
 * values, with values put at run time on top; and device attribute properties set at run time
 * (attribute configuration, memorized values), on top of the config file's that the server applies. With a path, run-time changes go to an append-only
 * journal (one checksummed record per line), compacted into a snapshot now and then.
 *
 * A change is visible at once and `put`/`delete` resolve once its record is on disk (fsync).
 * Changes made while a write is in progress share the next write and its fsync (group commit).
 * A write that fails is rolled back, in memory and on disk, and rejects with
 * API_DatabaseFileError; the file's path and the errno are only logged.
 */
export class PropertyStore implements Store {
  readonly #configured = new Map<string, Map<string, Prop>>();
  /** Run-time values on disk. */
  readonly #durable = new Map<string, Map<string, Entry>>();
  /** Run-time values not yet on disk, oldest first, by owner and property. */
  readonly #pending = new Map<string, Map<string, Array<{ op: Op; entry: Entry }>>>();
  readonly #file: JournalFile | undefined;
  readonly #log: Logger | undefined;
  readonly #maxPropertyBytes: number;
  readonly #maxBytes: number;
  readonly #compactMinBytes: number;
  #queue: Op[] = [];
  #writing: Promise<void> | undefined;
  /** The next write must be a snapshot: no file yet, a first-format file, or compaction due. */
  #needsSnapshot = false;
  /** The file may hold bytes past `#fileBytes` (a torn tail, a failed append): cut them first. */
  #isFileSuspect = false;
  #fileBytes = 0;
  #snapshotBytes = 0;
  #liveBytes = 0;
  #stats = { commits: 0, records: 0, appendedBytes: 0, compactions: 0, writeErrors: 0 };

  constructor(opts: PropertyStoreOptions = {}) {
    this.#log = opts.log;
    this.#maxPropertyBytes = opts.maxPropertyBytes ?? STORE_MAX_PROPERTY_BYTES;
    this.#maxBytes = opts.maxBytes ?? STORE_MAX_BYTES;
    this.#compactMinBytes = opts.compactMinBytes ?? STORE_COMPACT_MIN_BYTES;
    if (opts.path === undefined) return;
    const file = new JournalFile(opts.path);
    this.#file = file;
    const loaded = loadStore(file, { isRepair: opts.repair ?? false, now: opts.now ?? (() => new Date()), log: opts.log });
    for (const r of loaded.records) this.#replay(r);
    for (const [owner, m] of this.#durable) for (const [key, e] of m) this.#liveBytes += sizeOf(owner + key, e);
    this.#fileBytes = loaded.fileBytes;
    this.#snapshotBytes = loaded.fileBytes;
    this.#needsSnapshot = loaded.needsSnapshot;
    this.#isFileSuspect = loaded.hasTornTail;
  }

  #replay(r: JournalRecord): void {
    if (r.t === "store") return;
    const owner = r.t === "attr" ? ATTR_SPACE + r.o.toLowerCase() : r.o.toLowerCase();
    const m = this.#durable.get(owner) ?? new Map<string, Entry>();
    const props = r.t === "attr"
      ? Object.entries(r.p).flatMap(([attribute, p]) => Object.entries(p).map(([name, values]) => [attribute + SEP + name, values] as const))
      : Object.entries(r.p);
    for (const [name, values] of props) m.set(name.toLowerCase(), values === null ? null : { name, values });
    this.#durable.set(owner, m);
  }

  /** Sets what the config file says for an owner (a device name, or `class:<Class>`). */
  configure(owner: string, props: Readonly<Record<string, readonly string[]>>): void {
    const m = new Map<string, Prop>();
    for (const [name, values] of Object.entries(props)) m.set(name.toLowerCase(), { name, values });
    this.#configured.set(owner.toLowerCase(), m);
  }

  /** The run-time value of a property, pending changes first; undefined when none was set at run time. */
  #runtime(owner: string, key: string): Entry | undefined {
    const queue = this.#pending.get(owner)?.get(key);
    if (queue !== undefined && queue.length > 0) return queue[queue.length - 1]?.entry;
    return this.#durable.get(owner)?.get(key);
  }

  /** The values of one property, or undefined when it is not set. */
  get(owner: string, name: string): readonly string[] | undefined {
    const o = owner.toLowerCase();
    const key = name.toLowerCase();
    const rt = this.#runtime(o, key);
    if (rt === null) return undefined;
    if (rt !== undefined) return rt.values;
    return this.#configured.get(o)?.get(key)?.values;
  }

  /** Every property set for an owner. */
  list(owner: string): Prop[] {
    const o = owner.toLowerCase();
    const merged = new Map<string, Prop>(this.#configured.get(o) ?? []);
    const keys = new Set([...this.#durable.get(o)?.keys() ?? [], ...this.#pending.get(o)?.keys() ?? []]);
    for (const key of keys) {
      const p = this.#runtime(o, key);
      if (p === null) merged.delete(key);
      else if (p !== undefined) merged.set(key, p);
    }
    return [...merged.values()];
  }

  /** The attribute properties set at run time for a device (none for `class:` owners: only a database has those). */
  attributeProperties(owner: string): StoredAttributeProperties {
    const out = Object.create(null) as Record<string, Record<string, readonly string[]>>;
    for (const p of this.list(ATTR_SPACE + owner)) {
      const [attribute = "", name = ""] = p.name.split(SEP);
      const key = Object.keys(out).find((a) => a.toLowerCase() === attribute.toLowerCase()) ?? attribute;
      (out[key] ??= Object.create(null) as Record<string, readonly string[]>)[name] = p.values;
    }
    return out;
  }

  /** Sets or deletes attribute properties of a device in one record; resolves and rejects as `put`. */
  changeAttributeProperties(device: string, changes: readonly AttributePropertyChange[]): Promise<void> {
    const props = newProps();
    for (const c of changes) {
      const composite = c.attribute + SEP + c.name;
      if (c.values !== null) {
        const size = sizeOf(composite, { name: composite, values: c.values });
        if (size > this.#maxPropertyBytes) return Promise.reject(propertyTooLarge(`${device}/${c.attribute}`, c.name, size, this.#maxPropertyBytes));
      }
      props[composite] = c.values === null ? null : [...c.values];
    }
    return this.#change(device, props, ATTR_SPACE + device.toLowerCase());
  }

  /**
   * Sets properties at run time. Visible at once; resolves once saved (at once without a file).
   * Rejects with API_InvalidArgs for a value over `maxPropertyBytes`, API_DatabaseFileError when
   * the store would outgrow `maxBytes` or the write fails; nothing is changed then.
   */
  put(owner: string, props: ReadonlyArray<{ name: string; values: readonly string[] }>): Promise<void> {
    const changes = newProps();
    for (const p of props) {
      const size = sizeOf(p.name, { name: p.name, values: p.values });
      if (size > this.#maxPropertyBytes) return Promise.reject(propertyTooLarge(owner, p.name, size, this.#maxPropertyBytes));
      changes[p.name] = [...p.values];
    }
    return this.#change(owner, changes);
  }

  /** Deletes properties at run time (a configured value is hidden too); resolves and rejects as `put`. */
  delete(owner: string, names: readonly string[]): Promise<void> {
    const changes = newProps();
    for (const n of names) changes[n] = null;
    return this.#change(owner, changes);
  }

  #change(ownerName: string, props: Record<string, StoredValues>, owner = ownerName.toLowerCase()): Promise<void> {
    const entries = Object.entries(props).map(([name, values]) => [name.toLowerCase(), values === null ? null : { name, values }] as const);
    let growth = 0;
    const seen = new Map<string, Entry>();
    for (const [key, e] of entries) {
      growth += sizeOf(owner + key, e) - sizeOf(owner + key, seen.has(key) ? seen.get(key) : this.#runtime(owner, key));
      seen.set(key, e);
    }
    if (growth > 0 && this.#liveBytes + growth > this.#maxBytes) {
      return Promise.reject(storeFull(ownerName, this.#liveBytes + growth, this.#maxBytes));
    }
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    const op: Op = { owner, ownerName, props, resolve, reject };
    if (this.#file === undefined) {
      this.#settle([op], undefined);
      return done;
    }
    this.#liveBytes += growth;
    const byKey = this.#pending.get(owner) ?? new Map<string, Array<{ op: Op; entry: Entry }>>();
    this.#pending.set(owner, byKey);
    for (const [key, entry] of entries) {
      const q = byKey.get(key) ?? [];
      q.push({ op, entry });
      byKey.set(key, q);
    }
    this.#queue.push(op);
    this.#writing ??= this.#drain(this.#file);
    return done;
  }

  /** Writes batches until the queue is empty: everything queued during a write goes in the next one. */
  async #drain(file: JournalFile): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      let error: unknown;
      try {
        await this.#write(file, batch);
      } catch (err) {
        error = err;
        this.#stats.writeErrors++;
        this.#isFileSuspect = true;
        const code = (err as NodeJS.ErrnoException).code;
        this.#log?.error({ err, storePath: file.path, code, puts: batch.length }, "property store write failed; the changes are rolled back");
      }
      this.#settle(batch, error);
      if (error === undefined && this.#isCompactionDue()) await this.#compact(file);
    }
    this.#writing = undefined;
  }

  async #write(file: JournalFile, batch: readonly Op[]): Promise<void> {
    const records = batch.map((op) => recordOf(op.owner, op.props));
    if (this.#needsSnapshot) {
      await this.#writeSnapshot(file, records);
    } else {
      if (this.#isFileSuspect) {
        await file.truncate(this.#fileBytes);
        this.#isFileSuspect = false;
      }
      const text = records.map(encodeRecord).join("");
      await file.append(text, this.#fileBytes);
      const bytes = Buffer.byteLength(text);
      this.#fileBytes += bytes;
      this.#stats.appendedBytes += bytes;
    }
    this.#stats.commits++;
    this.#stats.records += batch.length;
  }

  /** Writes every durable value, then `extra`, as a new file. */
  async #writeSnapshot(file: JournalFile, extra: readonly JournalRecord[]): Promise<void> {
    const text = this.#snapshotText(extra);
    const { dirSyncError } = await file.writeSnapshot(text);
    if (dirSyncError !== undefined) {
      // The new file is complete and in place; only the rename's durability is in doubt.
      this.#log?.error({ err: dirSyncError, storePath: file.path }, "property store: fsync of its directory failed after a snapshot");
    }
    this.#fileBytes = this.#snapshotBytes = Buffer.byteLength(text);
    this.#needsSnapshot = false;
    this.#isFileSuspect = false;
    this.#stats.compactions++;
  }

  #snapshotText(extra: readonly JournalRecord[]): string {
    const lines = [encodeRecord(HEADER)];
    for (const [owner, m] of this.#durable) {
      const p = newProps();
      for (const [key, e] of m) p[e?.name ?? key] = e === null ? null : e.values;
      lines.push(encodeRecord(recordOf(owner, p)));
    }
    for (const r of extra) lines.push(encodeRecord(r));
    return lines.join("");
  }

  #isCompactionDue(): boolean {
    const garbage = this.#fileBytes - this.#snapshotBytes;
    return garbage > this.#compactMinBytes && garbage > this.#snapshotBytes;
  }

  /** A failed compaction leaves the journal as it was (still valid); it is tried again after the next write. */
  async #compact(file: JournalFile): Promise<void> {
    const before = this.#fileBytes;
    try {
      await this.#writeSnapshot(file, []);
      this.#log?.info({ storePath: file.path, beforeBytes: before, afterBytes: this.#fileBytes }, "property store compacted");
    } catch (err) {
      this.#log?.error({ err, storePath: file.path }, "property store compaction failed; the journal is kept as it is");
    }
  }

  /** Ends a batch: applies it to the durable values (or drops it) and answers its callers. */
  #settle(batch: readonly Op[], error: unknown): void {
    for (const op of batch) {
      const durable = this.#durable.get(op.owner) ?? new Map<string, Entry>();
      if (error === undefined) this.#durable.set(op.owner, durable);
      const byKey = this.#pending.get(op.owner);
      for (const [name, values] of Object.entries(op.props)) {
        const key = name.toLowerCase();
        const before = this.#runtime(op.owner, key);
        const q = byKey?.get(key);
        const i = q?.findIndex((p) => p.op === op) ?? -1;
        if (q !== undefined && i >= 0) q.splice(i, 1);
        if (q?.length === 0) byKey?.delete(key);
        if (error === undefined) durable.set(key, values === null ? null : { name, values });
        this.#liveBytes += sizeOf(op.owner + key, this.#runtime(op.owner, key)) - sizeOf(op.owner + key, before);
      }
      if (byKey?.size === 0) this.#pending.delete(op.owner);
      if (error === undefined) {
        op.resolve();
      } else {
        op.reject(storeWriteFailed(op.ownerName, error));
      }
    }
  }

  /** Waits until every change made so far is saved or has failed (shutdown). */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  /** What the store has done since it was opened. */
  stats(): StoreStats {
    return { ...this.#stats, fsyncs: this.#file?.fsyncs ?? 0, fileBytes: this.#fileBytes, liveBytes: this.#liveBytes };
  }
}
