import type { DeviceProxy } from "../../client/index.js";
import { CmdArgType, Reason, typeName, type CommandInfo, type DevFailed } from "../../core/index.js";
import { parseArgin } from "../argin.js";
import { TRL_ARGUMENT } from "../client-help.js";
import { defineClientVerb, parsingName, type ClientVerbContext } from "../client-verb.js";
import { formatValue } from "../format.js";
import { presentValue } from "../present-value.js";
import type { Verb } from "../verb.js";

const CMD_JSON_HELP = '{"device", "command", "outType", "value"}; value is null for DevVoid';
const COMMAND_ARGUMENT: readonly [string, string] = ["<command>", "the command name (case-insensitive)"];
const ARGIN_ARGUMENT: readonly [string, string] = [
  "[argin]", "the input, parsed by the command's declared type (see Values); leave it out for a DevVoid command",
];

/**
 * The declared types of `command`. An unknown command is refused by command_inout itself, so the
 * stack is command_inout's (API_CommandNotFound under API_CommandFailed), as a program's.
 */
async function commandInfoOf(proxy: DeviceProxy, command: string, ctx: ClientVerbContext): Promise<CommandInfo> {
  try {
    return await proxy.commandQuery(command, ctx.readOptions);
  } catch (err) {
    if (err instanceof Error && (err as Partial<DevFailed>).reason === Reason.CommandNotFound) await proxy.commandInout(command, undefined, ctx.readOptions);
    throw err;
  }
}

/**
 * Runs a command the way both `cmd` and `admin` do: the declared input type first (the proxy
 * caches it and commandInout reuses it), the argin parsed by it, then the call.
 */
async function runCommand(ctx: ClientVerbContext, proxy: DeviceProxy, command: string, arginText: string | undefined): Promise<void> {
  const info = await commandInfoOf(proxy, command, ctx);
  // A DevVoid command ignores an argin, and a missing one is the client's API_IncompatibleCmdArgumentType,
  // as with cppTango's clients: commandInout gives both, with the stack a program would get.
  const argin = info.inType === CmdArgType.DevVoid || arginText === undefined ? undefined : parseArgin(arginText, info.inType);
  const result = await proxy.commandInout(info.name, argin, ctx.readOptions);
  const value = presentValue(result, info.outType);
  ctx.print(
    () => {
      if (info.outType === CmdArgType.DevVoid) return "";
      // A string result is printed as is, even across lines: it is often meant to be read.
      return typeof value === "string" ? `${value}\n` : `${formatValue(value, { maxElements: Infinity })}\n`;
    },
    () => ({ device: proxy.name, command: info.name, outType: typeName(info.outType), value: value ?? null }),
  );
}

/** `tango-grpc cmd <trl> <command> [argin]`: run a command and print its result. */
export const cmdVerb: Verb = defineClientVerb({
  name: "cmd",
  summary: "run a command on a device and print its result",
  usage: "tango-grpc cmd <trl> <command> [argin] [options]",
  description: `
Runs a command (Tango's command_inout): looks up its declared input type,
parses the argin by that type, runs it and prints the result (all of it:
arrays are not abbreviated). A DevVoid result prints nothing.`,
  arguments: [TRL_ARGUMENT, COMMAND_ARGUMENT, ARGIN_ARGUMENT],
  jsonHelp: CMD_JSON_HELP,
  sourceHelp: "where a polled command's result may come from",
  hasValues: true,
  examples: [
    "tango-grpc cmd tango://localhost:50051/sys/tg_test/1 DevDouble 3.14",
    "tango-grpc cmd localhost:50051/sys/tg_test/1 DevVarLongArray 1,2,3 --json",
  ],
  positionals: { min: 2, max: 3 },
  async run(ctx) {
    const [trl = "", command = "", argin] = ctx.positionals;
    await runCommand(ctx, ctx.openDevice(trl), command, argin);
  },
});

/** `tango-grpc admin <server-address> <command> [argin]`: a command of a server's admin device. */
export const adminVerb: Verb = defineClientVerb({
  name: "admin",
  summary: "run a command on a device server's admin device (dserver/...)",
  usage: "tango-grpc admin <server-address> <command> [argin] [options]",
  description: `
Runs a command of the admin device of the device server at <server-address>
(dserver/<server>/<instance>, whatever its name: the server is asked), as cmd
does: QueryDevice, QueryClass, DevRestart, Init, State, Status, ...`,
  arguments: [
    ["<server-address>", "host:port of the device server's gRPC port ([::1]:50051 for IPv6)"],
    COMMAND_ARGUMENT,
    ARGIN_ARGUMENT,
  ],
  jsonHelp: CMD_JSON_HELP,
  hasValues: true,
  examples: ["tango-grpc admin localhost:50051 QueryDevice", "tango-grpc admin localhost:50051 DevRestart sys/tg_test/1"],
  positionals: { min: 2, max: 3 },
  async run(ctx) {
    const [address = "", command = "", argin] = ctx.positionals;
    parsingName(ctx.client, () => ctx.client.parseAddress(address));
    const proxy = ctx.adopt(await ctx.client.DeviceProxy.adminOf(address, ctx.proxyOptions));
    await runCommand(ctx, proxy, command, argin);
  },
});
