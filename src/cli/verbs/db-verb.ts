import type { Database } from "../../client/index.js";
import { UsageError, defineClientVerb, parsingName, stringOption, type ClientVerbContext, type ClientVerbSpec } from "../client-verb.js";
import type { Verb } from "../verb.js";

/*
 * The `tango-grpc db …` sub-commands: client verbs of the Tango database (the DataBase device
 * sys/database/2 at TANGO_HOST, or --host), in the spirit of cppTango's tango_admin.
 */

/** What a db sub-command's `run` gets: a client verb's context and the database. */
export interface DbVerbContext extends ClientVerbContext {
  /** The Tango database of --host or TANGO_HOST, closed when the sub-command ends. */
  readonly db: Database;
}

/** A db sub-command: a client verb (name without "db "), run with the database open. */
export interface DbVerbSpec extends Omit<ClientVerbSpec, "run"> {
  run(ctx: DbVerbContext): Promise<number | void>;
}

/** The --host row of every db sub-command's help. */
const HOST_HELP: readonly [string, string] = [
  "--host <host:port>",
  "the Tango database (its DataBase device sys/database/2); several, comma-separated, are tried in turn (default: $TANGO_HOST)",
];

/** Builds `tango-grpc db <name>`: a client verb with --host, whose run gets the database. */
export function defineDbVerb(spec: DbVerbSpec): Verb {
  return defineClientVerb({
    ...spec,
    name: `db ${spec.name}`,
    optionsHelp: [...spec.optionsHelp ?? [], HOST_HELP],
    options: { ...spec.options, host: { type: "string" } },
    async run(ctx) {
      const db = openDatabase(ctx);
      try {
        return await spec.run({ ...ctx, db });
      } finally {
        db.close();
      }
    },
  });
}

/** The database of --host, else of the CLI's TANGO_HOST; neither is a usage error. */
function openDatabase({ client, values, io, proxyOptions }: ClientVerbContext): Database {
  const tangoHost = stringOption(values, "host") ?? io.env.TANGO_HOST ?? "";
  if (tangoHost.trim() === "") {
    throw new UsageError(`${client.Reason.TangoHostNotSet}: no Tango database is set: set TANGO_HOST=<host>:<port> or give --host <host:port>`);
  }
  const { timeoutMs, token, tls } = proxyOptions;
  return parsingName(client, () => new client.Database(tangoHost, {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(token === undefined ? {} : { token }),
    ...(tls === undefined ? {} : { tls }),
  }));
}

/** `[pattern]`, the optional wildcard argument of the list sub-commands. */
export const PATTERN_ARGUMENT: readonly [string, string] = ["[pattern]", "a wildcard pattern, * for any text, case ignored (default *)"];

/** `<device>`: a device name as the database knows it. */
export const DEVICE_ARGUMENT: readonly [string, string] = ["<device>", "a device name, domain/family/member (case ignored)"];

/** `<server/instance>`: a device server process. */
export const SERVER_ARGUMENT: readonly [string, string] = ["<server/instance>", "a device server process, such as TangoTest/test"];

/** Lines of text, one item a line. */
export function linesOf(items: readonly string[]): string {
  return items.map((item) => `${item}\n`).join("");
}
