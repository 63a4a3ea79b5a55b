import { DevFailed } from "../../core/index.js";
import { DbReason, toDbFailure } from "../names/db-errors.js";

/*
 * The errors the property commands raise: cppTango DataBaseds' reasons (names/db-errors.ts spells
 * them for the whole device), with the descriptions and origins of its property methods.
 */

/** `DataBase::<what>()`, the origin cppTango gives its errors. */
export function dbOrigin(what: string): string {
  return `DataBase::${what}()`;
}

/** DB_IncorrectArguments with `desc`, raised by `what` (a command or cppTango method name). */
export function incorrectArguments(desc: string, what: string): DevFailed {
  return DevFailed.of(DbReason.IncorrectArguments, desc, dbOrigin(what));
}

/** DB_IncorrectDeviceName with `desc`, raised by `what`. */
export function incorrectDeviceName(desc: string, what: string): DevFailed {
  return DevFailed.of(DbReason.IncorrectDeviceName, desc, dbOrigin(what));
}

/**
 * Throws DB_IncorrectArguments unless `argin` has at least `min` elements; the description is
 * cppTango's where it has one for the command.
 */
export function requireLength(argin: readonly string[], min: number, desc: string, what: string): void {
  if (argin.length < min) throw incorrectArguments(desc, what);
}

/** Throws DB_IncorrectArguments unless `argin` has exactly `count` elements. */
export function requireExactLength(argin: readonly string[], count: number, desc: string, what: string): void {
  if (argin.length !== count) throw incorrectArguments(desc, what);
}

/**
 * Runs `work`; a failure that is not already a DevFailed (the storage's own error) becomes
 * DB_SQLError with cppTango's wording. The SQL and its parameters stay out of the description:
 * they may hold what a client sent.
 */
export async function withSqlErrors<T>(command: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toDbFailure(err, command);
  }
}
