import { DevState, Device } from "../device/index.js";
import { withReadCache } from "./sql/read-cache.js";
import type { SqlDb } from "./sql/sql-db.js";

/*
 * The DataBase device class (DESIGN §10), built in layers so that each group of commands is a
 * file of its own: DataBaseCore (storage, state) ← DataBaseProperties (the property commands)
 * ← DataBase (names, export and import, servers, aliases, events, info). The storage is bound to
 * a class with withStorage(), since the server builds devices itself.
 */

/** The base of the DataBase device: its storage and its state. */
export abstract class DataBaseCore extends Device {
  /** The SQL database this device keeps the Tango database in (bound by withStorage). */
  protected abstract storage(): SqlDb;

  /** The storage, for the command implementations. */
  protected get sql(): SqlDb {
    return this.storage();
  }

  override initDevice(): void {
    this.setState(DevState.ON);
  }
}

/**
 * `cls` with `storage` as its storage: a subclass of the same name (the Tango class name stays
 * `DataBase`) for serve() or a test context. Give it the db from withReadCache() when anything
 * else writes to the storage while the device serves.
 */
export function withStorage<C extends abstract new () => DataBaseCore>(cls: C, storage: SqlDb): C & (new () => DataBaseCore) {
  // Every query of the device goes through the memory of the embedded store's reads (or
  // through the one the caller made, so that the caller's own writes reach it too).
  const db = withReadCache(storage);
  const Base = cls as unknown as abstract new () => DataBaseCore;
  abstract class Bound extends Base {
    protected override storage(): SqlDb {
      return db;
    }
  }
  Object.defineProperty(Bound, "name", { value: cls.name });
  return Bound as unknown as C & (new () => DataBaseCore);
}
