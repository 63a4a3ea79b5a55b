import { DataBaseCore } from "../database-core.js";
import { readThrough } from "../sql/read-cache.js";
import type { SqlRunner } from "../sql/sql-db.js";
import { likePattern } from "../sql/wildcard.js";
import { checkedDeviceName, type PropertyPuts } from "./argin-layouts.js";
import { timed } from "../names/timing-stats.js";
import { incorrectDeviceName, requireExactLength, requireLength, withSqlErrors } from "./db-errors.js";
import { readHistory } from "./property-history.js";
import { listSubs, readSubProperties, readValues } from "./property-reads.js";
import { subsReply, subsReplyV1, valuesReply } from "./property-replies.js";
import type { PropertyTable } from "./property-tables.js";
import { DEFAULT_HISTORY_DEPTH, deleteProperties, putProperties, readHistoryDepth, type NameMatch } from "./property-writes.js";

/*
 * What the property commands share: the history depth, the transaction and error handling, and
 * the argin checks and reply layouts common to several commands. The commands themselves are in
 * object-property-commands.ts (device, class, free) and ../database-properties.ts (attributes,
 * pipes).
 */

/** cppTango adds one " " after a device or free property that has no value. */
export const NO_VALUE: readonly string[] = [" "];

/** The base of the property commands. @internal */
export abstract class PropertyCommandsCore extends DataBaseCore {
  /** History entries kept per property: the device's `historyDepth` property, 10 by default. */
  #historyDepth = DEFAULT_HISTORY_DEPTH;

  /** Reads the history depth (the `historyDepth` property of this device), as cppTango at init. */
  override async initDevice(): Promise<void> {
    await super.initDevice();
    this.#historyDepth = await withSqlErrors("init_device", () => readHistoryDepth(this.sql, this.name));
  }

  /** How many history entries a property keeps. */
  protected get historyDepth(): number {
    return this.#historyDepth;
  }

  /**
   * Runs `work` in one transaction; a storage failure is DB_SQLError. Its duration counts in the
   * Timing_* attributes when cppTango times `command`.
   */
  protected writeProps(command: string, work: (tx: SqlRunner) => Promise<void>): Promise<void> {
    return timed(this, command, () => withSqlErrors(command, () => this.sql.transaction(work)));
  }

  /** Runs `work` on the storage, as writeProps but without a transaction. */
  protected readProps<T>(command: string, work: (db: SqlRunner) => Promise<T>): Promise<T> {
    return timed(this, command, () => withSqlErrors(command, () => work(this.sql)));
  }

  /** Writes a put command's properties into `t`. */
  protected putProps(command: string, t: PropertyTable, puts: PropertyPuts): Promise<void> {
    return this.writeProps(command, (tx) => putProperties(tx, t, puts, this.#historyDepth));
  }

  /** `[owner, name...]`: deletes the named properties, with a history entry each. */
  protected deleteNamedProps(command: string, t: PropertyTable, argin: readonly string[], match: NameMatch, what: string): Promise<void> {
    requireLength(argin, 1, `insufficient number of arguments to delete ${what} property`, command);
    const [owner = "", ...names] = argin;
    const keys = match === "wildcard" ? names.map(likePattern) : names;
    return this.writeProps(command, (tx) => deleteProperties(tx, t, owner, undefined, keys, match, this.#historyDepth));
  }

  /** `[owner, attribute or pipe, name...]`: deletes those properties of it, with a history entry each. */
  protected deleteSubProps(command: string, t: PropertyTable, owner: string, argin: readonly string[]): Promise<void> {
    const [, sub = "", ...names] = argin;
    return this.writeProps(command, (tx) => deleteProperties(tx, t, owner, sub, names, "exact", this.#historyDepth));
  }

  /** The device name argin[0] without its TRL prefix, or DB_IncorrectDeviceName with `desc`. */
  protected checkedDevice(argin: readonly string[], desc: string, origin: string): string {
    const device = checkedDeviceName(argin[0] ?? "");
    if (device === undefined) throw incorrectDeviceName(desc, origin);
    return device;
  }

  /** `[owner, name...]` → `[owner, n, (name, count, values...)...]`, `missing` after an absent one. */
  protected getPropValues(command: string, t: PropertyTable, argin: readonly string[], wildcards: boolean,
    missing: readonly string[]): Promise<string[]> {
    const [owner = "", ...names] = argin;
    // Through the embedded store's memory of reads: servers and clients ask the same again and again.
    const key = JSON.stringify([t.table, owner, wildcards, names]);
    return this.readProps(command, async () =>
      valuesReply(owner, names, await readThrough(this.sql, key, (db) => readValues(db, t, owner, names, wildcards)), missing));
  }

  /** `[owner, attribute or pipe...]` → their properties, in the v2 layout or (`v1`) the old one. */
  protected getSubProps(command: string, t: PropertyTable, argin: readonly string[], v1 = false): Promise<string[]> {
    requireLength(argin, 1, "incorrect no. of input arguments, needs at least 1 (name)", command);
    const [owner = "", ...subs] = argin;
    return this.readProps(command, async (db) => (v1 ? subsReplyV1 : subsReply)(owner, subs, await readSubProperties(db, t, owner, subs)));
  }

  /** `[owner, filter]` → the attributes or pipes of owner that have properties. */
  protected listSubNames(command: string, t: PropertyTable, argin: readonly string[]): Promise<string[]> {
    requireLength(argin, 2, "incorrect no. of input arguments, needs 2 (name,wildcard)", command);
    return this.readProps(command, (db) => listSubs(db, t, argin[0] ?? "", argin[1] ?? "*"));
  }

  /** `[owner, [attribute or pipe,] property]`, wildcards allowed → the history entries. */
  protected propHistory(command: string, t: PropertyTable, argin: readonly string[], desc: string): Promise<string[]> {
    requireExactLength(argin, t.sub === undefined ? 2 : 3, desc, command);
    const [owner = "", a = "", b = ""] = argin;
    return this.readProps(command, (db) => (t.sub === undefined ? readHistory(db, t, owner, a) : readHistory(db, t, owner, b, a)));
  }
}
