import type { ParseArgsConfig } from "node:util";

/** Exit codes of `tango-grpc`; the program's help lists them. */
export const ExitCode = {
  /** Success, or a clean shutdown of `serve`. */
  Ok: 0,
  /** A runtime failure: startup or shutdown failed, or a second signal forced the exit. */
  Failure: 1,
  /** A usage error (unknown verb or option) or an unusable config. */
  Usage: 2,
  /** `serve` shut down, but calls still running at the end of the grace period (`shutdownGraceMs`) were cut. */
  CallsCut: 3,
  /** `serve`: the property store file is damaged (`--repair` moves it aside) or cannot be read. */
  StoreUnusable: 4,
} as const;

/** The process as a verb sees it; tests pass their own. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /**
   * Aborted when the process is asked to stop (SIGINT, SIGTERM), for verbs that run until then
   * (`watch`). main.ts catches those signals only once a verb reads this, so the other verbs keep
   * Node's default (the process ends at once). Tests pass their own; none means never.
   */
  readonly signal?: AbortSignal;
}

/** Parsed command-line arguments of one verb. */
export interface VerbArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

/** One `tango-grpc <verb>`: an entry of the verb table in run-cli.ts. */
export interface Verb {
  readonly name: string;
  /** One line for the program's help. */
  readonly summary: string;
  /** `tango-grpc <verb> ...`: the synopsis, printed with usage errors. */
  readonly usage: string;
  /** The rest of `tango-grpc <verb> --help`, after the synopsis. */
  readonly help: string;
  /** node:util parseArgs options; `--help`/`-h` is added to every verb. */
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  readonly allowPositionals?: boolean;
  /**
   * Sub-commands (`tango-grpc db add-server …`): the next argument names one, which is then
   * parsed and run as a verb of its own (named `<verb> <sub-command>`, with its own --help).
   */
  readonly subverbs?: readonly Verb[];
  /** Runs the verb; resolves to the exit code. A ConfigError thrown here exits with code 2. */
  run(args: VerbArgs, io: CliIo): Promise<number>;
}
