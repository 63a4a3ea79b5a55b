import { Defaults } from "../core/index.js";
import { CLIENT_TLS_HELP } from "./client-tls.js";

/**
 * The `--help` text of the client verbs, built from the same pieces so every verb documents its
 * arguments, options, output, an example and the exit codes the same way.
 */

/** What a client verb says about itself in its help. */
export interface ClientHelp {
  /** `tango-grpc <verb> …`: the synopsis. */
  readonly usage: string;
  /** What the verb does and prints, one or more paragraphs. */
  readonly description: string;
  /** `[name, explanation]` per positional argument; the TRL's is standard (see TRL_ARGUMENT). */
  readonly arguments: readonly (readonly [string, string])[];
  /** The verb's own options, `[synopsis, explanation]`, listed before the common ones. */
  readonly optionsHelp?: readonly (readonly [string, string])[];
  /** What `--json` writes. */
  readonly jsonHelp: string;
  /** `--json` writes a stream of documents, one a line (JSON lines), instead of one document. */
  readonly isJsonLines?: boolean;
  /** What exit code 0 means, when "success" does not say it all. */
  readonly okHelp?: string;
  /** Set when the verb takes `--source`: what it applies to. */
  readonly sourceHelp?: string;
  /** Whether the help lists the value syntax (verbs that parse argins or values). */
  readonly hasValues?: boolean;
  readonly examples: readonly string[];
}

/** The `<trl>` argument, identical in every verb. */
export const TRL_ARGUMENT: readonly [string, string] = [
  "<trl>",
  "the device: tango://host:port/domain/family/member#dbase=no, also host:port/d/f/m or " +
  "//host:port/d/f/m (host:port is the device server's gRPC address, or a Tango " +
  "database's); with $TANGO_HOST=host:port set, domain/family/member or a device alias, " +
  "looked up in that database; tango+tls://host:port/d/f/m connects with TLS",
];

const VALUE_SYNTAX = `
Values (argin and written values) are parsed by the declared type:
  DevDouble, DevFloat      3.14, -2, 1e-3, NaN, Infinity, -Infinity
  integer types            -2, 42, 0x1F; checked against the type's range
  DevLong64, DevULong64    exact: 9007199254740993 stays 9007199254740993
  DevBoolean               true, false, 1 or 0, in any case
  DevString                the text as is; a JSON string literal "..." is
                           unquoted
  DevState                 a state name (ON, running) or its number (0 … 13)
  DevEnum                  an index, or (for attributes) one of the labels
  arrays, spectra          a JSON array [1, 2, 3] or comma-separated 1,2,3;
                           strings: ["a, b", "c"] or a,b,c; "" or [] is empty
  DevVarLongStringArray    {"lvalue": [1, 2], "svalue": ["a", "b"]}
  DevVarDoubleStringArray  {"dvalue": [1.5], "svalue": ["a"]}
  DevEncoded               {"format": "json", "data": "<base64>"}
                           or {"format": "json", "text": "<UTF-8 text>"}
  images (write)           a JSON array of rows: [[1, 2, 3], [4, 5, 6]]
A value that does not fit is refused with exit code 2 before anything is sent.
A negative number can be written as is (-2); other text that starts with "-"
goes after "--", as in: tango-grpc cmd <trl> DevString -- -x
`;

const JSON_VALUES = `JSON values: 64-bit integers as exact numbers, NaN and infinities as the
strings "NaN", "Infinity", "-Infinity", states, qualities, formats and types by
name, DevEncoded as {"format", "data": base64}, times as {"sec", "usec", "iso"}.
`;

function exitCodes(okHelp = "success"): string {
  return `Exit codes:
  0  ${okHelp}
  1  a Tango failure (DevFailed): the error stack on stderr, outermost frame
     first, one "tango-grpc: <reason>: <desc>" line per frame; with --json,
     stdout also gets {"error": {"errors": [{"reason", "desc", "origin",
     "severity"}, ...]}}, root cause first
  2  a usage error: unknown option, missing or extra argument, bad TRL, bad
     --timeout or --source, or a value that does not fit its type
`;
}

/** Help lines stay within a classic terminal. */
const LINE_WIDTH = 80;

/** Words of `text` filled into lines of at most `width` characters (a longer word gets its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return line === "" ? lines : [...lines, line];
}

/** Two columns: names, then their explanations wrapped to the line width. */
function columns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const indent = " ".repeat(2 + width);
  return rows
    .map(([name, text]) => `  ${name.padEnd(width)}${wrap(text, LINE_WIDTH - indent.length).join(`\n${indent}`)}`)
    .join("\n");
}

/** The help after the synopsis line: description, arguments, options, values, examples, exit codes. */
export function composeClientHelp(help: ClientHelp): string {
  const json = help.isJsonLines === true ? "write JSON lines on stdout, one document a line" : "write one JSON document on stdout";
  const options: (readonly [string, string])[] = [
    ...(help.optionsHelp ?? []),
    ["--json", `${json}: ${help.jsonHelp}`],
    ["--timeout <ms>", `time allowed for each call, in milliseconds, or "none" to wait for ever (default ${Defaults.CLIENT_TIMEOUT_MS})`],
    ["--token <token>", "bearer token sent with every call, which decides what you may do (default: $TANGO_TOKEN)"],
  ];
  options.push(...CLIENT_TLS_HELP);
  if (help.sourceHelp !== undefined) {
    options.push(["--source <source>", `dev, cache or cache_dev (default cache_dev): ${help.sourceHelp}`]);
  }
  options.push(["-h, --help", "show this help"]);
  return [
    `\n${help.description.trim()}\n`,
    `Arguments:\n${columns(help.arguments)}\n`,
    `Options:\n${columns(options)}\n`,
    help.hasValues === true ? VALUE_SYNTAX.trimStart() : undefined,
    JSON_VALUES,
    `Example${help.examples.length > 1 ? "s" : ""}:\n${help.examples.map((e) => `  ${e}`).join("\n")}\n`,
    exitCodes(help.okHelp),
  ].filter((part) => part !== undefined).join("\n");
}
