import { DispLevel, typeName } from "../../core/index.js";
import { TRL_ARGUMENT } from "../client-help.js";
import { UsageError, defineClientVerb } from "../client-verb.js";
import { formatTable } from "../format.js";
import { enumName } from "../present-value.js";
import type { Verb } from "../verb.js";

/** Lines asked of the blackbox when no count is given. */
const BLACKBOX_LINES = 10;

/** `tango-grpc commands <trl>`: the device's commands and their types. */
export const commandsVerb: Verb = defineClientVerb({
  name: "commands",
  summary: "list a device's commands with their input and output types",
  usage: "tango-grpc commands <trl> [options]",
  description: `
Lists the device's commands (Tango's command_list_query) as a table: name,
input type, output type (DevDouble, DevVarLongStringArray, ...) and display
level (OPERATOR or EXPERT).`,
  arguments: [TRL_ARGUMENT],
  jsonHelp: '{"device", "commands": [{"name", "inType", "outType", "inTypeDesc", "outTypeDesc", "level"}, ...]}',
  examples: ["tango-grpc commands tango://localhost:50051/sys/tg_test/1"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const commands = (await proxy.commandListQuery()).map((c) => ({
      name: c.name,
      inType: typeName(c.inType),
      outType: typeName(c.outType),
      inTypeDesc: c.inTypeDesc,
      outTypeDesc: c.outTypeDesc,
      level: enumName(DispLevel, c.level),
    }));
    print(
      () => formatTable(["NAME", "IN", "OUT", "LEVEL"], commands.map((c) => [c.name, c.inType, c.outType, c.level])),
      () => ({ device: proxy.name, commands }),
    );
  },
});

/** `tango-grpc attributes <trl>`: the device's attribute names. */
export const attributesVerb: Verb = defineClientVerb({
  name: "attributes",
  summary: "list a device's attribute names",
  usage: "tango-grpc attributes <trl> [options]",
  description: `
Lists the names of the device's attributes, one a line ("tango-grpc config"
shows one attribute's configuration).`,
  arguments: [TRL_ARGUMENT],
  jsonHelp: '{"device", "attributes": [names...]}',
  examples: ["tango-grpc attributes tango://localhost:50051/sys/tg_test/1"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const attributes = await proxy.attributeList();
    print(() => attributes.map((name) => `${name}\n`).join(""), () => ({ device: proxy.name, attributes }));
  },
});

/** `tango-grpc blackbox <trl> [n]`: the device's newest blackbox lines. */
export const blackboxVerb: Verb = defineClientVerb({
  name: "blackbox",
  summary: "print the newest lines of a device's blackbox (its call log)",
  usage: "tango-grpc blackbox <trl> [n] [options]",
  description: `
Prints the newest n lines of the device's blackbox, newest first: each request
the device received, when, and from which client (Tango's black_box).`,
  arguments: [TRL_ARGUMENT, ["[n]", `how many lines, a positive whole number (default ${BLACKBOX_LINES})`]],
  jsonHelp: '{"device", "lines": [...]}',
  examples: ["tango-grpc blackbox tango://localhost:50051/sys/tg_test/1 5"],
  positionals: { min: 1, max: 2 },
  async run({ positionals: [trl = "", count], openDevice, print }) {
    const n = count === undefined ? BLACKBOX_LINES : /^\d+$/.test(count) ? Number(count) : NaN;
    if (!(n > 0 && Number.isSafeInteger(n))) throw new UsageError(`[n] ${JSON.stringify(count)}: give a positive whole number of lines`);
    const proxy = openDevice(trl);
    const lines = await proxy.blackBox(n);
    print(() => lines.map((line) => `${line}\n`).join(""), () => ({ device: proxy.name, lines }));
  },
});
