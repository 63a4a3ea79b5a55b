import { parseArgs } from "node:util";
import { ConfigError } from "./config-error.js";
import { ExitCode, type CliIo, type Verb } from "./verb.js";
import { readPackageVersion } from "./version.js";
import { serveVerb } from "./verbs/serve.js";

/** Every verb; a new verb is one file in verbs/ and one entry here. */
const VERBS: readonly Verb[] = [serveVerb];

/** The verb run when the first argument is an option or there is none (`npm start`). */
const DEFAULT_VERB = serveVerb;

const PROGRAM_USAGE = "tango-grpc [<verb>] [options]";

function programHelp(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length)) + 2;
  const verbs = VERBS.map((v) => `  ${v.name.padEnd(width)}${v.summary}`).join("\n");
  return `Usage: ${PROGRAM_USAGE}

Tango Controls device servers over gRPC.

Verbs:
${verbs}

Options:
  -h, --help      show this help; "tango-grpc <verb> --help" shows a verb's
  -v, --version   print the version

Exit codes:
  0  success, or a clean shutdown
  1  a runtime failure (startup or shutdown failed, or a forced exit)
  2  a usage error or an unusable config
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
  const verb = named ?? DEFAULT_VERB;
  let args;
  try {
    args = parseArgs({
      args: named === undefined ? [...argv] : rest,
      options: { ...verb.options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: verb.allowPositionals ?? false,
    });
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

function usageError(io: CliIo, problem: string, usage: string, helpCommand: string): number {
  io.stderr.write(`tango-grpc: ${problem}\n${usage}\nRun "${helpCommand}" for help.\n`);
  return ExitCode.Usage;
}

function isParseArgsError(err: unknown): err is Error & { code: string } {
  return err instanceof TypeError && String((err as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_");
}
