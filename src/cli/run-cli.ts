import { parseArgs } from "node:util";
import { ConfigError } from "./config-error.js";
import { ExitCode, type CliIo, type Verb, type VerbArgs } from "./verb.js";
import { readPackageVersion } from "./version.js";
import { adminVerb, cmdVerb } from "./verbs/cmd.js";
import { configVerb } from "./verbs/config.js";
import { databaseVerb } from "./verbs/database.js";
import { dbVerb } from "./verbs/db.js";
import { infoVerb, pingVerb, stateVerb, statusVerb } from "./verbs/device-queries.js";
import { attributesVerb, blackboxVerb, commandsVerb } from "./verbs/lists.js";
import { lockStatusVerb, lockVerb, unlockVerb } from "./verbs/lock.js";
import { pipesVerb, readPipeVerb, writePipeVerb } from "./verbs/pipes.js";
import { readVerb } from "./verbs/read.js";
import { serveVerb } from "./verbs/serve.js";
import { watchVerb } from "./verbs/watch.js";
import { writeVerb } from "./verbs/write.js";

/** Every verb, in the order the help lists them; a new verb is one file in verbs/ and one entry here. */
const VERBS: readonly Verb[] = [
  serveVerb, databaseVerb, dbVerb, pingVerb, infoVerb, stateVerb, statusVerb, cmdVerb, readVerb, writeVerb, watchVerb, configVerb,
  commandsVerb, attributesVerb, blackboxVerb, readPipeVerb, writePipeVerb, pipesVerb, lockVerb, unlockVerb, lockStatusVerb,
  adminVerb,
];

/** The verb run when the first argument is an option or there is none (`npm start`). */
const DEFAULT_VERB = serveVerb;

const PROGRAM_USAGE = "tango-grpc [<verb>] [options]";

function programHelp(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length)) + 2;
  const verbs = VERBS.map((v) => `  ${v.name.padEnd(width)}${v.summary}`).join("\n");
  return `Usage: ${PROGRAM_USAGE}

Tango Controls device servers over gRPC: "serve" runs one, "database" runs the
Tango database server, "db" edits and queries that database (TANGO_HOST), the
other verbs are a client of one device (or, for "admin", of a server's admin
device).

Verbs:
${verbs}

A <trl> names a device with its server's gRPC address:
  tango://host:port/domain/family/member   (also host:port/d/f/m, #dbase=no)

Options:
  -h, --help      show this help; "tango-grpc <verb> --help" shows a verb's
  -v, --version   print the version
Client verbs also take:
  --json          write one JSON document on stdout instead of text (watch
                  writes one per event, one a line)
  --timeout <ms>  time allowed for each call, or "none" (default 3000)

Examples:
  tango-grpc serve --config server.yaml
  tango-grpc database --data /data/db
  TANGO_HOST=localhost:10000 tango-grpc db devices 'sys/*'
  tango-grpc read tango://localhost:50051/sys/tg_test/1 double_scalar
  tango-grpc cmd localhost:50051/sys/tg_test/1 DevLong64 9007199254740993 --json
  tango-grpc watch localhost:50051/sys/tg_test/1 double_scalar --count 5

Exit codes:
  0  success, or a clean stop (serve, watch, lock) after SIGINT or SIGTERM
  1  a runtime failure: a DevFailed from a device (its error stack on stderr),
     or startup or shutdown of serve or database failed, or a forced exit
  2  a usage error (unknown verb or option, missing argument, bad TRL, a value
     that does not fit its type) or an unusable config
  4  serve: the property store is damaged (serve --repair moves it aside) or
     cannot be read
  3  serve stopped, but cut calls still running at the end of its grace period
`;
}

/**
 * Runs `tango-grpc` with `argv` (without node and the script) and resolves to the exit code.
 * Usage errors and ConfigErrors are written to stderr without a stack and give code 2.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h") {
    io.stdout.write(programHelp());
    return ExitCode.Ok;
  }
  if (first === "--version" || first === "-v") {
    io.stdout.write(`${readPackageVersion()}\n`);
    return ExitCode.Ok;
  }
  const named = VERBS.find((v) => v.name === first);
  if (named === undefined && first !== undefined && !first.startsWith("-")) {
    const verbs = `Verbs: ${VERBS.map((v) => v.name).join(", ")}`;
    return usageError(io, `unknown verb "${first}"`, `Usage: ${PROGRAM_USAGE}\n${verbs}`, "tango-grpc --help");
  }
  if (named?.subverbs !== undefined) return runVerbGroup(named, named.subverbs, rest, io);
  return runVerb(named ?? DEFAULT_VERB, named === undefined ? argv : rest, io);
}

/** `tango-grpc <verb> <sub-command> …`: the sub-command's own verb, or the group's help. */
function runVerbGroup(group: Verb, subverbs: readonly Verb[], argv: readonly string[], io: CliIo): Promise<number> | number {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h") {
    io.stdout.write(`Usage: ${group.usage}\n${group.help}`);
    return ExitCode.Ok;
  }
  const sub = subverbs.find((v) => v.name === `${group.name} ${first ?? ""}`);
  if (sub === undefined) {
    const problem = first === undefined ? "missing command" : `unknown command "${first}"`;
    const names = `Commands: ${subverbs.map((v) => v.name.slice(group.name.length + 1)).join(", ")}`;
    return usageError(io, `${group.name}: ${problem}`, `Usage: ${group.usage}\n${names}`, `tango-grpc ${group.name} --help`);
  }
  return runVerb(sub, rest, io);
}

/** Parses a verb's arguments and runs it (or prints its help). */
async function runVerb(verb: Verb, argv: readonly string[], io: CliIo): Promise<number> {
  let args: VerbArgs;
  try {
    const allowPositionals = verb.allowPositionals ?? false;
    const parsed = parseArgs({
      args: argv.map(allowPositionals ? shieldNegativeNumber : (a) => a),
      options: { ...verb.options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals,
    });
    args = unshieldArgs(parsed);
  } catch (err) {
    if (!isParseArgsError(err)) throw err;
    return usageError(io, `${verb.name}: ${err.message}`, `Usage: ${verb.usage}`, `tango-grpc ${verb.name} --help`);
  }
  if (args.values.help === true) {
    io.stdout.write(`Usage: ${verb.usage}\n${verb.help}`);
    return ExitCode.Ok;
  }
  try {
    return await verb.run(args, io);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`tango-grpc: ${err.message}\n`);
    return ExitCode.Usage;
  }
}

/**
 * parseArgs reads `-2` as an unknown option `-2`, yet `cmd <trl> DevDouble -2` and
 * `write <trl> x -1.5` must work: an argument that reads as a negative number is marked, so
 * parseArgs takes it as a positional (or an option's value), and unmarked after.
 */
const NEGATIVE_NUMBER = /^-(?:\d|\.\d|inf(?:inity)?$|nan$)/i;
const NEGATIVE_MARK = "\u0000";

function shieldNegativeNumber(arg: string): string {
  return NEGATIVE_NUMBER.test(arg) ? NEGATIVE_MARK + arg : arg;
}

function unshield<T>(v: T): T {
  if (typeof v === "string" && v.startsWith(NEGATIVE_MARK)) return v.slice(NEGATIVE_MARK.length) as T;
  return Array.isArray(v) ? (v.map(unshield) as T) : v;
}

function unshieldArgs({ values, positionals }: VerbArgs): VerbArgs {
  return {
    values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, unshield(v)])),
    positionals: positionals.map(unshield),
  };
}

function usageError(io: CliIo, problem: string, usage: string, helpCommand: string): number {
  io.stderr.write(`tango-grpc: ${problem}\n${usage}\nRun "${helpCommand}" for help.\n`);
  return ExitCode.Usage;
}

function isParseArgsError(err: unknown): err is Error & { code: string } {
  return err instanceof TypeError && String((err as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_");
}
