import { ExitCode, type Verb } from "../verb.js";
import { aliasVerb, aliasesVerb, deleteAliasVerb, deviceOfVerb, pingDatabaseVerb } from "./db-aliases.js";
import {
  addDeviceVerb, addServerVerb, checkDeviceVerb, classesVerb, deleteDeviceVerb, deleteServerVerb, deviceInfoVerb, devicesVerb,
  exportedVerb, instancesVerb, serversVerb,
} from "./db-names.js";
import { deletePropertyVerb, getPropertyVerb, putPropertyVerb } from "./db-properties.js";

/** The db sub-commands, in the order the help lists them. */
const DB_VERBS: readonly Verb[] = [
  addServerVerb, deleteServerVerb, addDeviceVerb, deleteDeviceVerb,
  putPropertyVerb, getPropertyVerb, deletePropertyVerb,
  serversVerb, instancesVerb, classesVerb, devicesVerb, exportedVerb,
  deviceInfoVerb, checkDeviceVerb, aliasVerb, deviceOfVerb, aliasesVerb, deleteAliasVerb, pingDatabaseVerb,
];

function groupHelp(): string {
  const names = DB_VERBS.map((v) => v.name.slice("db ".length));
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const commands = DB_VERBS.map((v, i) => `  ${(names[i] ?? "").padEnd(width)}${v.summary}`).join("\n");
  return `
Edits and queries the Tango database (its DataBase device sys/database/2), in
the spirit of cppTango's tango_admin: declare and remove servers and devices,
set, read and remove device, class, attribute and free properties, list
servers, classes and devices, look up a device's info and alias.

Commands:
${commands}

"tango-grpc db <command> --help" shows a command's arguments and output.

The database is the one of $TANGO_HOST=<host>:<port> (several, comma-separated,
are tried in turn), or --host <host:port>. Every command takes --json (one JSON
document on stdout), --timeout <ms>, --token and the TLS options, as the other
client verbs.

Exit codes:
  0  success
  1  a Tango failure: the database's error stack on stderr (such as
     DB_DeviceNotDefined), or no database answered (API_CantConnectToDatabase)
  2  a usage error: unknown command or option, missing or extra argument, or
     no TANGO_HOST and no --host

Examples:
  export TANGO_HOST=localhost:10000
  tango-grpc db add-server TangoTest/test TangoTest sys/tg_test/1
  tango-grpc db put-property sys/tg_test/1 axes x y z
  tango-grpc db get-property sys/tg_test/1 --json
  tango-grpc db devices 'sys/*'
  tango-grpc db info sys/tg_test/1
`;
}

/** `tango-grpc db <command>`: the Tango database's client verbs (tango_admin's). */
export const dbVerb: Verb = {
  name: "db",
  summary: "edit and query the Tango database: servers, devices, properties, aliases",
  usage: "tango-grpc db <command> [arguments] [options]",
  help: groupHelp(),
  options: {},
  subverbs: DB_VERBS,
  // runCli runs a sub-command instead (Verb.subverbs).
  run: () => Promise.resolve(ExitCode.Usage),
};
