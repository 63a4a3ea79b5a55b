import { DevFailed } from "../../core/index.js";

/*
 * The DataBase device's own error reasons (cppTango DataBase.h), the builders of their
 * descriptions, and the conversion of a storage failure into DB_SQLError. Reasons are spelled here
 * once; clients branch on them.
 */

/** The reasons the DataBase device raises, as cppTango's DataBaseds spells them. */
export const DbReason = {
  /** Storage failed (cppTango: a MySQL error). */
  SQLError: "DB_SQLError",
  /** Too few argin elements, a count that does not match them, a count that is no number. */
  IncorrectArguments: "DB_IncorrectArguments",
  /** A device name that is not `[tango:][//instance/]domain/family/member`. */
  IncorrectDeviceName: "DB_IncorrectDeviceName",
} as const;

/** One of {@link DbReason}. */
export type DbReason = (typeof DbReason)[keyof typeof DbReason];

/** `DataBase::<what>()`, the origin cppTango gives its errors. */
export function dbOrigin(what: string): string {
  return `DataBase::${what}()`;
}

/** DB_IncorrectArguments with `desc`, raised by `command`. */
export function incorrectArguments(desc: string, command: string): DevFailed {
  return DevFailed.of(DbReason.IncorrectArguments, desc, dbOrigin(command));
}

/** DB_IncorrectDeviceName with `desc`, raised by `command`. */
export function incorrectDeviceName(desc: string, command: string): DevFailed {
  return DevFailed.of(DbReason.IncorrectDeviceName, desc, dbOrigin(command));
}

/**
 * Throws DB_IncorrectArguments unless `argin` has at least `min` elements; the description is
 * cppTango's where it has one for the command.
 */
export function requireLength(argin: readonly string[], min: number, desc: string, command: string): void {
  if (argin.length < min) throw incorrectArguments(desc, command);
}

/** Throws DB_IncorrectArguments unless `argin` has exactly `count` elements. */
export function requireExactLength(argin: readonly string[], count: number, desc: string, command: string): void {
  if (argin.length !== count) throw incorrectArguments(desc, command);
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
    if (err instanceof DevFailed) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new DevFailed([{
      reason: DbReason.SQLError,
      desc: `Failed to query TANGO database (error=${message})`,
      origin: dbOrigin(command),
    }], { cause: err });
  }
}
