/*
 * The seven property tables (migration 1) as the queries see them: the table, its owner column
 * (device, class or object) and, for attribute and pipe properties, the column naming the
 * attribute or pipe. These names are constants, never client input, so the queries may spell them.
 */

/** One property table and its history table (`<table>_hist`). */
export interface PropertyTable {
  /** e.g. `property_attribute_device`. */
  readonly table: string;
  /** The owner column: `device`, `class` or `object`. */
  readonly owner: "device" | "class" | "object";
  /** The attribute or pipe column, for attribute and pipe properties. */
  readonly sub?: "attribute" | "pipe";
}

/** Device properties. */
export const DEVICE_PROPS: PropertyTable = { table: "property_device", owner: "device" };
/** Class properties. */
export const CLASS_PROPS: PropertyTable = { table: "property_class", owner: "class" };
/** Free (object) properties. */
export const OBJECT_PROPS: PropertyTable = { table: "property", owner: "object" };
/** Device attribute properties (attribute configuration, memorized `__value`). */
export const DEVICE_ATTR_PROPS: PropertyTable = { table: "property_attribute_device", owner: "device", sub: "attribute" };
/** Class attribute properties. */
export const CLASS_ATTR_PROPS: PropertyTable = { table: "property_attribute_class", owner: "class", sub: "attribute" };
/** Device pipe properties. */
export const DEVICE_PIPE_PROPS: PropertyTable = { table: "property_pipe_device", owner: "device", sub: "pipe" };
/** Class pipe properties. */
export const CLASS_PIPE_PROPS: PropertyTable = { table: "property_pipe_class", owner: "class", sub: "pipe" };

/** Every property table, for migrations and tests. */
export const PROPERTY_TABLES: readonly PropertyTable[] = [
  DEVICE_PROPS, CLASS_PROPS, OBJECT_PROPS, DEVICE_ATTR_PROPS, CLASS_ATTR_PROPS, DEVICE_PIPE_PROPS, CLASS_PIPE_PROPS,
];

/**
 * The order cppTango's MySQL collation gives names (`ORDER BY name`, case-insensitive): upper
 * case in byte order, so `unit` comes before `__value`, as in the reference. The same on every
 * PostgreSQL whatever its locale.
 */
export function nameOrder(column: string): string {
  return `upper(${column}) COLLATE "C"`;
}
