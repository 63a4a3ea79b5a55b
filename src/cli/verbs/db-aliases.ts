import { setTimeout as sleep } from "node:timers/promises";
import { UsageError, stringOption } from "../client-verb.js";
import type { Verb } from "../verb.js";
import { DEVICE_ARGUMENT, PATTERN_ARGUMENT, defineDbVerb, linesOf } from "./db-verb.js";

/*
 * `tango-grpc db …`: device aliases, and whether the database answers (tango_admin's
 * --ping-database).
 */

/** Between two pings of `ping-database --wait`. */
const PING_RETRY_MS = 500;

/** `db alias <device> [<alias>]`. */
export const aliasVerb: Verb = defineDbVerb({
  name: "alias",
  summary: "print a device's alias, or give it one",
  usage: "tango-grpc db alias <device> [<alias>] [options]",
  description: `
Prints the device's alias (DbGetDeviceAlias; DB_AliasNotDefined when it has
none), or with <alias>, gives the device that alias, its only one
(DbPutDeviceAlias), and prints nothing. An alias names one device in the whole
control system; '/' and ' ' are not allowed in it.`,
  arguments: [DEVICE_ARGUMENT, ["[<alias>]", "the alias to give the device"]],
  jsonHelp: '{"device", "alias"}',
  examples: ["tango-grpc db alias sys/tg_test/1", "tango-grpc db alias sys/tg_test/1 tg"],
  positionals: { min: 1, max: 2 },
  async run({ positionals: [device = "", alias], db, print }) {
    if (alias !== undefined) {
      await db.putDeviceAlias(device, alias);
      print(() => "", () => ({ device, alias }));
      return;
    }
    const found = await db.getAliasFromDevice(device);
    print(() => `${found}\n`, () => ({ device, alias: found }));
  },
});

/** `db delete-alias <alias>`. */
export const deleteAliasVerb: Verb = defineDbVerb({
  name: "delete-alias",
  summary: "remove a device alias",
  usage: "tango-grpc db delete-alias <alias> [options]",
  description: `
Removes a device alias (DbDeleteDeviceAlias); the device keeps its name. An
alias the database does not know is no error. Prints nothing.`,
  arguments: [["<alias>", "the device alias"]],
  jsonHelp: '{"alias"}',
  examples: ["tango-grpc db delete-alias tg"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [alias = ""], db, print }) {
    await db.deleteDeviceAlias(alias);
    print(() => "", () => ({ alias }));
  },
});

/** `db device-of <alias>`. */
export const deviceOfVerb: Verb = defineDbVerb({
  name: "device-of",
  summary: "print the device an alias names",
  usage: "tango-grpc db device-of <alias> [options]",
  description: `
Prints the device name a device alias stands for (DbGetAliasDevice;
DB_DeviceNotDefined when no device has it).`,
  arguments: [["<alias>", "the device alias"]],
  jsonHelp: '{"alias", "device"}',
  examples: ["tango-grpc db device-of tg"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [alias = ""], db, print }) {
    const device = await db.getDeviceFromAlias(alias);
    print(() => `${device}\n`, () => ({ alias, device }));
  },
});

/** `db aliases [pattern]`. */
export const aliasesVerb: Verb = defineDbVerb({
  name: "aliases",
  summary: "list the device aliases",
  usage: "tango-grpc db aliases [pattern] [options]",
  description: `
Lists the device aliases matching the pattern, one a line (DbGetDeviceAliasList).`,
  arguments: [PATTERN_ARGUMENT],
  jsonHelp: '{"aliases": [...]}',
  examples: ["tango-grpc db aliases 'tg*'"],
  positionals: { min: 0, max: 1 },
  async run({ positionals: [pattern = "*"], db, print }) {
    const aliases = await db.getDeviceAliasList(pattern);
    print(() => linesOf(aliases), () => ({ aliases }));
  },
});

/** `db ping-database [--wait <s>]`. */
export const pingDatabaseVerb: Verb = defineDbVerb({
  name: "ping-database",
  summary: "check that the database answers; --wait until it does",
  usage: "tango-grpc db ping-database [--wait <seconds>] [options]",
  description: `
Pings the database device sys/database/2 (tango_admin's --ping-database) and
prints the round trip, such as "312 µs". With --wait, a database that cannot be
reached is pinged again every ${PING_RETRY_MS} ms until it answers or the time
is up (for scripts and init containers that wait for the database); a database
that still does not answer exits 1 with the last failure.`,
  // The help has an Arguments section whatever the verb; this one has none.
  arguments: [["(none)", "the database pinged is that of --host or $TANGO_HOST"]],
  optionsHelp: [["--wait <seconds>", "keep trying this long (default: one try)"]],
  options: { wait: { type: "string" } },
  jsonHelp: '{"tangoHost", "usec"}',
  examples: ["tango-grpc db ping-database --wait 30"],
  positionals: { min: 0, max: 0 },
  async run({ values, db, print, client }) {
    const waitText = stringOption(values, "wait");
    const waitS = waitText === undefined ? 0 : /^\s*\d+(\.\d+)?\s*$/.test(waitText) ? Number(waitText) : NaN;
    if (!(waitS >= 0)) throw new UsageError(`--wait ${JSON.stringify(waitText)}: give a number of seconds`);
    const deadline = Date.now() + waitS * 1000;
    for (;;) {
      try {
        const usec = await db.ping();
        print(() => `${usec} µs\n`, () => ({ tangoHost: db.tangoHost, usec }));
        return;
      } catch (err) {
        // Only "no database answered" is waited out; a database that answers with an error is not.
        const isUnreachable = err instanceof client.DevFailed && err.errors.some((e) => e.reason === client.Reason.CantConnectToDatabase);
        if (!isUnreachable || Date.now() + PING_RETRY_MS > deadline) throw err;
        await sleep(PING_RETRY_MS);
      }
    }
  },
});
