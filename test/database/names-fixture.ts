import { readFileSync } from "node:fs";
import { DataBase } from "../../src/database/database.js";
import { withStorage } from "../../src/database/database-core.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { DeviceTestContext } from "../../src/testing/index.js";
import { emptyTables, type TestDbOptions } from "../support/test-db.js";

/*
 * What the names tests share: the DataBase device on a backend's storage (a suite runs on each
 * backend through support/test-db.ts forEachBackend), and a database seeded as the one the
 * shared reference was recorded on (cppTango 9.3.4's DataBaseds with TangoTest registered and
 * running).
 */

/** The DataBase device `sys/database/2` of server DataBaseds/2 on `db`. */
export function startDataBase(db: SqlDb): Promise<DeviceTestContext> {
  return DeviceTestContext.start(withStorage(DataBase, db), { deviceName: "sys/database/2", server: "DataBaseds", instance: "2", timeoutMs: 10_000 });
}

/** The DataBase device of a suite and the storage under it; both set once the suite's `before` hook ran. */
export interface DataBaseSuite {
  /** The suite's storage: one database of the backend, migrated. */
  readonly db: SqlDb;
  /** The DataBase device `sys/database/2` on `db`. */
  readonly ctx: DeviceTestContext;
}

/**
 * Declares a suite's hooks, inside a forEachBackend body: one database opened with `openDb` and
 * the DataBase device on it for the whole suite, every table emptied before each test, both
 * closed after the suite.
 */
export function useDataBase(openDb: (opts?: TestDbOptions) => Promise<SqlDb>): DataBaseSuite {
  let db: SqlDb | undefined;
  let ctx: DeviceTestContext | undefined;
  before(async () => {
    db = await openDb();
    ctx = await startDataBase(db);
  });
  after(async () => {
    await ctx?.close();
    await db?.close();
  });
  beforeEach(async () => { if (db !== undefined) await emptyTables(db); });
  const missing = (): Error => new Error("the suite's DataBase is not started: its before hook failed");
  return {
    get db(): SqlDb {
      if (db === undefined) throw missing();
      return db;
    },
    get ctx(): DeviceTestContext {
      if (ctx === undefined) throw missing();
      return ctx;
    },
  };
}

/** Every table a Tango database keeps, for comparing snapshots. */
export const TABLES = [
  "device", "server", "attribute_alias", "event",
  ...["property_device", "property_class", "property_attribute_device", "property_attribute_class",
    "property_pipe_device", "property_pipe_class", "property"].flatMap((t) => [t, `${t}_hist`]),
];

/** One recorded call of the reference. */
export interface RecordedCall {
  readonly command: string;
  readonly case?: string;
  readonly argin: unknown;
  readonly argout?: unknown;
  readonly exception?: string;
  readonly errors?: readonly { reason: string; desc: string; origin: string; severity: string }[];
}

/** One command of the reference: its name and argument types (CmdArgType codes and descriptions). */
export interface ReferenceCommand {
  readonly name: string;
  readonly in_type_code: number;
  readonly out_type_code: number;
  readonly in_type_desc: string;
  readonly out_type_desc: string;
}

interface Reference { commands: ReferenceCommand[]; examples: { calls: RecordedCall[]; misuse_errors: RecordedCall[] } }

/** The shared reference's recorded calls and misuse cases (a copy kept beside the tests). */
export const REFERENCE = JSON.parse(
  readFileSync(new URL("./reference/database_commands.json", import.meta.url), "utf8")) as Reference;

/** The host of the reference's servers ("HOST" in the recording); a name that sorts after "nada" as the real one did. */
export const REFERENCE_HOST = "tangohost";

/** The IOR the reference shows for every exported device (cut short by the recording). */
export const REFERENCE_IOR = "IOR:0100000017000000...";

/** When the reference's servers started ("6th December 2026 at 05:46:29" local time). */
export const REFERENCE_START = new Date(2026, 11, 6, 5, 46, 29);

interface SeedDevice { name: string; server: string; cls: string; exported: boolean }

const SEED_DEVICES: SeedDevice[] = [
  { name: "sys/database/2", server: "DataBaseds/2", cls: "DataBase", exported: true },
  { name: "dserver/DataBaseds/2", server: "DataBaseds/2", cls: "DServer", exported: true },
  { name: "sys/tg_test/1", server: "TangoTest/test", cls: "TangoTest", exported: true },
  { name: "dserver/TangoTest/test", server: "TangoTest/test", cls: "DServer", exported: true },
  { name: "sys/access_control/1", server: "TangoAccessControl/1", cls: "TangoAccessControl", exported: false },
  { name: "dserver/TangoAccessControl/1", server: "TangoAccessControl/1", cls: "DServer", exported: false },
  { name: "sys/rest/0", server: "TangoRestServer/rest", cls: "TangoRestServer", exported: false },
  { name: "dserver/TangoRestServer/rest", server: "TangoRestServer/rest", cls: "DServer", exported: false },
];

/**
 * The reference's database before its recorded calls: 8 devices of 4 servers (2 running), 72
 * class property values with 5 history rows, TangoTest inheriting from TANGO_BASE_CLASS.
 */
export async function seedReference(db: SqlDb): Promise<void> {
  for (const d of SEED_DEVICES) {
    const [domain, family, member] = d.name.split("/");
    await db.query(
      `INSERT INTO device (name, domain, family, member, server, class, exported, ior, host, pid, version, started)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11)`,
      [d.name, domain ?? "", family ?? "", member ?? "", d.server, d.cls, d.exported,
        d.exported ? REFERENCE_IOR : "nada", d.exported ? REFERENCE_HOST : "nada", d.exported ? "5" : "0", d.exported ? REFERENCE_START : null]);
  }
  const classProperties: [string, string, string[]][] = [
    ["TangoTest", "Description", ["A device to test generic clients.", "(each command returns an exact copy of <argin>)."]],
    ["TangoTest", "InheritedFrom", ["TANGO_BASE_CLASS"]],
    ["TangoTest", "doc_url", ["http://www.esrf.eu/computing/cs/tango/tango_doc/ds_doc/"]],
    ["DServer", "AllowedAccessCmd", Array.from({ length: 11 }, (_, i) => `Cmd${i}`)],
    ["TangoAccessControl", "Filler", Array.from({ length: 57 }, (_, i) => `v${i}`)],
  ];
  for (const [cls, name, values] of classProperties) {
    for (const [i, value] of values.entries()) {
      await db.query("INSERT INTO property_class (class, name, idx, value) VALUES ($1, $2, $3, $4)", [cls, name, i + 1, value]);
    }
  }
  for (let i = 1; i <= 5; i++) {
    await db.query("INSERT INTO property_class_hist (class, name, idx, value) VALUES ('TangoTest', 'ProjectTitle', $1, 'old')", [i]);
  }
}

/** `value` with the reference's "HOST" replaced by REFERENCE_HOST, deeply. */
export function withHost(value: unknown): unknown {
  if (value === "HOST") return REFERENCE_HOST;
  if (Array.isArray(value)) return value.map(withHost);
  return value;
}

/** A command's argout as plain JSON: DevVarLongStringArray as [lvalue, svalue], typed arrays as arrays. */
export function plain(value: unknown): unknown {
  if (value !== null && typeof value === "object" && "lvalue" in value && "svalue" in value) {
    const v = value as { lvalue: ArrayLike<number>; svalue: readonly string[] };
    return [Array.from(v.lvalue), [...v.svalue]];
  }
  if (value === undefined) return null;
  return value;
}

/** Runs a command and returns its argout as plain JSON (see `plain`). */
export async function call(ctx: DeviceTestContext, command: string, argin?: unknown): Promise<unknown> {
  return plain(await ctx.proxy.commandInout(command, argin));
}

/** Every row of every table, as JSON lines sorted, to compare what a sequence of calls changed. */
export async function snapshot(db: SqlDb): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const table of TABLES) {
    const rows = await db.query(`SELECT * FROM ${table}`);
    out.set(table, rows.map((r) => JSON.stringify(r)).sort());
  }
  return out;
}
