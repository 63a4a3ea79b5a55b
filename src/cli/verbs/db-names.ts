import type { Verb } from "../verb.js";
import { UsageError, stringOption } from "../client-verb.js";
import { formatFields } from "../format.js";
import { DEVICE_ARGUMENT, PATTERN_ARGUMENT, SERVER_ARGUMENT, defineDbVerb, linesOf } from "./db-verb.js";

/*
 * `tango-grpc db …`: servers, devices, classes and aliases (tango_admin's --add-server,
 * --delete-server, --server-list, --server-instance-list, --check-device).
 */

/** `db add-server <server/instance> <class> <device>...`. */
export const addServerVerb: Verb = defineDbVerb({
  name: "add-server",
  summary: "declare a server process and its devices",
  usage: "tango-grpc db add-server <server/instance> <class> <device>... [options]",
  description: `
Declares a device server process and its devices of one class in the database
(DbAddServer), with its admin device dserver/<server/instance>. A device already
declared in another server moves to this one. Prints nothing.`,
  arguments: [SERVER_ARGUMENT, ["<class>", "the devices' Tango class"], ["<device>...", "one or more device names, domain/family/member"]],
  jsonHelp: '{"server", "devices": [{"name", "className"}, ...]}',
  examples: ["tango-grpc db add-server TangoTest/test TangoTest sys/tg_test/1 sys/tg_test/2"],
  positionals: { min: 3, max: Infinity },
  async run({ positionals: [server = "", className = "", ...names], db, print }) {
    const devices = names.map((name) => ({ name, className }));
    await db.addServer(server, devices);
    print(() => "", () => ({ server, devices }));
  },
});

/** `db delete-server <server/instance> [--with-properties]`. */
export const deleteServerVerb: Verb = defineDbVerb({
  name: "delete-server",
  summary: "remove a server process and its devices",
  usage: "tango-grpc db delete-server <server/instance> [--with-properties] [options]",
  description: `
Removes a device server process and its devices from the database
(DbDeleteServer). Their properties stay, unless --with-properties is given. A
server the database does not know is an error (DB_IncorrectServerName).`,
  arguments: [SERVER_ARGUMENT],
  optionsHelp: [["--with-properties", "delete the device properties of its devices too"]],
  options: { "with-properties": { type: "boolean" } },
  jsonHelp: '{"server", "devices": [names removed]}',
  examples: ["tango-grpc db delete-server TangoTest/test --with-properties"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [server = ""], values, db, print }) {
    const devices = (await db.getDeviceClassList(server)).map((d) => d.name);
    if (values["with-properties"] === true) {
      for (const device of devices) await db.deleteDeviceProperty(device, "*");
    }
    await db.deleteServer(server);
    print(() => "", () => ({ server, devices }));
  },
});

/** `db add-device <server/instance> <class> <device>`. */
export const addDeviceVerb: Verb = defineDbVerb({
  name: "add-device",
  summary: "declare one device in a server process",
  usage: "tango-grpc db add-device <server/instance> <class> <device> [options]",
  description: `
Declares one device of a class in a device server process (DbAddDevice); the
server is declared too when it is new. Prints nothing.`,
  arguments: [SERVER_ARGUMENT, ["<class>", "the device's Tango class"], DEVICE_ARGUMENT],
  jsonHelp: '{"server", "device", "className"}',
  examples: ["tango-grpc db add-device TangoTest/test TangoTest sys/tg_test/3"],
  positionals: { min: 3, max: 3 },
  async run({ positionals: [server = "", className = "", device = ""], db, print }) {
    await db.addDevice({ server, name: device, className });
    print(() => "", () => ({ server, device, className }));
  },
});

/** `db delete-device <device>`. */
export const deleteDeviceVerb: Verb = defineDbVerb({
  name: "delete-device",
  summary: "remove a device",
  usage: "tango-grpc db delete-device <device> [options]",
  description: `
Removes a device from the database (DbDeleteDevice); its properties stay. A
device the database does not know is no error. Prints nothing.`,
  arguments: [DEVICE_ARGUMENT],
  jsonHelp: '{"device"}',
  examples: ["tango-grpc db delete-device sys/tg_test/3"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [device = ""], db, print }) {
    await db.deleteDevice(device);
    print(() => "", () => ({ device }));
  },
});

/** `db servers [pattern]`. */
export const serversVerb: Verb = defineDbVerb({
  name: "servers",
  summary: "list the server processes (server/instance)",
  usage: "tango-grpc db servers [pattern] [options]",
  description: `
Lists the device server processes declared in the database, server/instance,
one a line (DbGetServerList).`,
  arguments: [PATTERN_ARGUMENT],
  jsonHelp: '{"pattern", "servers": [...]}',
  examples: ["tango-grpc db servers", "tango-grpc db servers 'TangoTest/*'"],
  positionals: { min: 0, max: 1 },
  async run({ positionals: [pattern = "*"], db, print }) {
    const servers = await db.getServerList(pattern);
    print(() => linesOf(servers), () => ({ pattern, servers }));
  },
});

/** `db instances <server>`. */
export const instancesVerb: Verb = defineDbVerb({
  name: "instances",
  summary: "list the instances of a server executable",
  usage: "tango-grpc db instances <server> [options]",
  description: `
Lists the instances declared for a device server executable, one a line
(DbGetInstanceNameList; tango_admin's --server-instance-list).`,
  arguments: [["<server>", "the server executable's name, without instance (TangoTest)"]],
  jsonHelp: '{"server", "instances": [...]}',
  examples: ["tango-grpc db instances TangoTest"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [server = ""], db, print }) {
    const instances = await db.getInstanceNameList(server);
    print(() => linesOf(instances), () => ({ server, instances }));
  },
});

/** `db classes [pattern] [--server S]`. */
export const classesVerb: Verb = defineDbVerb({
  name: "classes",
  summary: "list the Tango classes, or those of a server",
  usage: "tango-grpc db classes [pattern | --server <server/instance>] [options]",
  description: `
Lists the Tango classes that have devices in the database, one a line
(DbGetClassList); with --server, the classes of that server, DServer included
(DbGetDeviceServerClassList).`,
  arguments: [PATTERN_ARGUMENT],
  optionsHelp: [["--server <server/instance>", "the classes of this device server process"]],
  options: { server: { type: "string" } },
  jsonHelp: '{"classes": [...]}',
  examples: ["tango-grpc db classes", "tango-grpc db classes --server TangoTest/test"],
  positionals: { min: 0, max: 1 },
  async run({ positionals: [pattern], values, db, print }) {
    const server = stringOption(values, "server");
    if (server !== undefined && pattern !== undefined) throw new UsageError("give a pattern or --server, not both");
    const classes = server === undefined ? await db.getClassList(pattern ?? "*") : await db.getServerClassList(server);
    print(() => linesOf(classes), () => ({ classes }));
  },
});

/** `db devices [pattern] [--server S] [--class C]`. */
export const devicesVerb: Verb = defineDbVerb({
  name: "devices",
  summary: "list the devices, or those of a server or class",
  usage: "tango-grpc db devices [pattern | --server <server/instance> --class <class>] [options]",
  description: `
Lists the devices declared in the database whose name matches the pattern, one
a line (DbGetDeviceWideList); with --server or --class (or both), the devices of
that server and class (DbGetDeviceList), the admin device included.`,
  arguments: [PATTERN_ARGUMENT],
  optionsHelp: [
    ["--server <server/instance>", "the devices of this device server process"],
    ["--class <class>", "the devices of this class"],
  ],
  options: { server: { type: "string" }, class: { type: "string" } },
  jsonHelp: '{"devices": [...]}',
  examples: ["tango-grpc db devices 'sys/*'", "tango-grpc db devices --server TangoTest/test"],
  positionals: { min: 0, max: 1 },
  async run({ positionals: [pattern], values, db, print }) {
    const server = stringOption(values, "server");
    const className = stringOption(values, "class");
    const isFiltered = server !== undefined || className !== undefined;
    if (isFiltered && pattern !== undefined) throw new UsageError("give a pattern or --server/--class, not both");
    const devices = isFiltered ? await db.getDeviceName(server ?? "*", className ?? "*") : await db.getDeviceList(pattern ?? "*");
    print(() => linesOf(devices), () => ({ devices }));
  },
});

/** `db exported [pattern] [--class C]`. */
export const exportedVerb: Verb = defineDbVerb({
  name: "exported",
  summary: "list the exported devices (their servers running)",
  usage: "tango-grpc db exported [pattern | --class <class>] [options]",
  description: `
Lists the exported devices (those whose server registered them and has not
unexported them) whose name matches the pattern, one a line
(DbGetDeviceExportedList); with --class, those of a class.`,
  arguments: [PATTERN_ARGUMENT],
  optionsHelp: [["--class <class>", "the exported devices of this class"]],
  options: { class: { type: "string" } },
  jsonHelp: '{"devices": [...]}',
  examples: ["tango-grpc db exported 'sys/*'"],
  positionals: { min: 0, max: 1 },
  async run({ positionals: [pattern], values, db, print }) {
    const className = stringOption(values, "class");
    if (className !== undefined && pattern !== undefined) throw new UsageError("give a pattern or --class, not both");
    const devices = className === undefined ? await db.getDeviceExportedList(pattern ?? "*") : await db.getDeviceExportedForClass(className);
    print(() => linesOf(devices), () => ({ devices }));
  },
});

/** `db info <device>`. */
export const deviceInfoVerb: Verb = defineDbVerb({
  name: "info",
  summary: "print what the database knows of a device",
  usage: "tango-grpc db info <device> [options]",
  description: `
Prints what the database knows of a device (DbGetDeviceInfo), one "name: value"
line each: its class, server, host, whether it is exported, the address it was
exported with, its server's pid, and when it was last started and stopped.`,
  arguments: [DEVICE_ARGUMENT],
  jsonHelp: '{"name", "className", "server", "host", "ior", "version", "isExported", "pid", "startedDate", "stoppedDate"} (dates null when never)',
  examples: ["tango-grpc db info sys/tg_test/1"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [device = ""], db, print }) {
    const info = await db.getDeviceInfo(device);
    print(() => formatFields([
      ["device", info.name], ["class", info.className], ["server", info.server], ["host", info.host],
      ["exported", info.isExported ? "yes" : "no"], ["address", info.ior], ["version", info.version], ["pid", String(info.pid)],
      ["started", info.startedDate ?? "never"], ["stopped", info.stoppedDate ?? "never"],
    ]), () => ({ ...info, startedDate: info.startedDate ?? null, stoppedDate: info.stoppedDate ?? null }));
  },
});

/** `db check-device <device>`. */
export const checkDeviceVerb: Verb = defineDbVerb({
  name: "check-device",
  summary: "check that a device is defined (exit 1 when not)",
  usage: "tango-grpc db check-device <device> [options]",
  description: `
Checks that a device is defined in the database (tango_admin's --check-device):
prints whether it is exported and exits 0; a device the database does not know
exits 1 with DB_DeviceNotDefined.`,
  arguments: [DEVICE_ARGUMENT],
  jsonHelp: '{"device", "isDefined": true, "isExported"}',
  examples: ["tango-grpc db check-device sys/tg_test/1"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [device = ""], db, print }) {
    const info = await db.getDeviceInfo(device);
    print(() => `${info.name} is defined (${info.isExported ? "exported" : "not exported"})\n`,
      () => ({ device: info.name, isDefined: true, isExported: info.isExported }));
  },
});
