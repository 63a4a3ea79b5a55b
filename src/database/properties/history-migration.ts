import type { Migration } from "../sql/migrations.js";
import { PROPERTY_TABLES } from "./property-tables.js";

/*
 * Property history keeps one row per element of each value put, as the property tables do; the
 * rows of one put (or one deletion) form an entry that the *Hist commands show and that the
 * purge keeps or drops as a whole, as cppTango's `id` column does. `hist_id` names that entry,
 * from one sequence for all tables, so entries sort in the order they were written. A deletion
 * is an entry of one row with idx 0 and no value (cppTango: count 0, value 'DELETED').
 */

/** The property migrations (numbers 20–29). */
export const PROPERTY_MIGRATIONS: readonly Migration[] = [
  {
    version: 20,
    name: "property history entries",
    sql: [
      "CREATE SEQUENCE property_hist_id",
      ...PROPERTY_TABLES.map((t) => `ALTER TABLE ${t.table}_hist ADD COLUMN hist_id bigint NOT NULL DEFAULT nextval('property_hist_id')`),
    ].join(";\n"),
  },
];
