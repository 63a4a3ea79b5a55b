import { PROPERTY_MIGRATIONS } from "../properties/history-migration.js";
import type { SqlDb } from "./sql-db.js";

/*
 * The database schema, as numbered migrations applied in order, once each, the same on embedded
 * PostgreSQL and on a PostgreSQL server. The tables follow cppTango's DataBaseds (device, server,
 * property_* and their *_hist, attribute_alias, event) so that the DataBase commands' results
 * read as the reference; names are kept as written and compared without case (Tango names are
 * case-insensitive), through lower(...) indexes. A migration is never edited once released: a
 * change is a new one. Numbers: 1–9 core; 10–19 names and export; 20–29 properties; 30– more.
 */

/** One migration: its number, a name for logs, and its SQL (statements separated by `;`). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The value columns of one property table: one row per element of the value, `idx` from 1. */
const VALUE_COLUMNS = "name text NOT NULL, idx integer NOT NULL, value text NOT NULL, updated timestamptz NOT NULL DEFAULT now()";

/** A property table keyed by `keys` (each a text column), with its history table. */
function propertyTable(table: string, keys: readonly string[]): string {
  const keyColumns = keys.map((k) => `${k} text NOT NULL`).join(", ");
  const lowered = [...keys, "name"].map((k) => `lower(${k})`).join(", ");
  return `
CREATE TABLE ${table} (${keyColumns}, ${VALUE_COLUMNS});
CREATE UNIQUE INDEX ${table}_key ON ${table} (${lowered}, idx);
CREATE TABLE ${table}_hist (id bigserial PRIMARY KEY, date timestamptz NOT NULL DEFAULT now(), ${keyColumns}, name text NOT NULL, idx integer NOT NULL, value text);
CREATE INDEX ${table}_hist_key ON ${table}_hist (${lowered}, id);`;
}

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "devices, servers, properties, aliases, events",
    sql: `
CREATE TABLE device (
  name text NOT NULL,
  alias text,
  domain text NOT NULL,
  family text NOT NULL,
  member text NOT NULL,
  server text NOT NULL,
  class text NOT NULL,
  exported boolean NOT NULL DEFAULT false,
  ior text NOT NULL DEFAULT 'nada',
  host text NOT NULL DEFAULT 'nada',
  pid integer NOT NULL DEFAULT 0,
  version text NOT NULL DEFAULT '0',
  started timestamptz,
  stopped timestamptz,
  comment text
);
CREATE UNIQUE INDEX device_name ON device (lower(name));
CREATE UNIQUE INDEX device_alias ON device (lower(alias)) WHERE alias IS NOT NULL;
CREATE INDEX device_server ON device (lower(server));
CREATE INDEX device_class ON device (lower(class));
CREATE TABLE server (
  name text NOT NULL,
  host text NOT NULL DEFAULT '',
  mode integer NOT NULL DEFAULT 0,
  level integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX server_name ON server (lower(name));
CREATE TABLE attribute_alias (
  alias text NOT NULL,
  name text NOT NULL,
  device text NOT NULL,
  attribute text NOT NULL,
  updated timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX attribute_alias_alias ON attribute_alias (lower(alias));
CREATE UNIQUE INDEX attribute_alias_name ON attribute_alias (lower(name));
CREATE TABLE event (
  name text NOT NULL,
  exported boolean NOT NULL DEFAULT false,
  ior text NOT NULL DEFAULT 'nada',
  host text NOT NULL DEFAULT 'nada',
  server text NOT NULL DEFAULT 'nada',
  pid integer NOT NULL DEFAULT 0,
  version text NOT NULL DEFAULT '0'
);
CREATE UNIQUE INDEX event_name ON event (lower(name));
${propertyTable("property_device", ["device"])}
${propertyTable("property_class", ["class"])}
${propertyTable("property_attribute_device", ["device", "attribute"])}
${propertyTable("property_attribute_class", ["class", "attribute"])}
${propertyTable("property_pipe_device", ["device", "pipe"])}
${propertyTable("property_pipe_class", ["class", "pipe"])}
${propertyTable("property", ["object"])}
`,
  },
  ...PROPERTY_MIGRATIONS,
];

/**
 * Brings the schema to the last migration: creates `schema_migrations` if needed and applies,
 * each in its own transaction, the migrations not recorded there. Concurrent callers (two
 * database servers on one PostgreSQL) wait for each other on an advisory lock.
 *
 * @returns the versions applied now (empty when the schema was current).
 */
export async function migrate(db: SqlDb, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())");
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const isNew = await db.transaction(async (tx) => {
      // One migrator at a time across processes; the lock ends with the transaction.
      await tx.query("SELECT pg_advisory_xact_lock(7473)");
      const done = await tx.query("SELECT 1 FROM schema_migrations WHERE version = $1", [migration.version]);
      if (done.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      return true;
    });
    if (isNew) applied.push(migration.version);
  }
  return applied;
}

/** The migration's statements (no `;` inside a statement: migrations are plain DDL). */
function splitStatements(sql: string): string[] {
  return sql.split(";").map((s) => s.trim()).filter((s) => s !== "");
}
