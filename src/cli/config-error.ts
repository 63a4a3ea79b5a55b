/** A key path inside the config: `["classes", 0, "devices", 1, "name"]`; empty for the root. */
export type KeyPath = readonly (string | number)[];

/** A problem found in the config data, before it is tied to a place in the file. */
export interface PathProblem {
  /** Where in the config data, e.g. `["classes", 0, "devices", 1, "name"]`; empty for the root. */
  readonly path: KeyPath;
  /** The problem, phrased to follow the key path: `must be <= 65535, got 70000`. */
  readonly message: string;
  /** The problem is the key itself (an unknown key), not its value: point at the key. */
  readonly isKey?: boolean;
}

/** One problem, with where it came from. */
export interface ConfigProblem extends PathProblem {
  /** `server.yaml:4:9`, `server.yaml`, or `env TANGO_GRPC_PORT` for an environment override. */
  readonly where: string;
}

/**
 * The config is unusable. The message lists every problem, one per line, each as
 * `<where>: <key path>: <problem>`, after a header line naming the source; `tango-grpc` prints it
 * as is and exits with code 2.
 */
export class ConfigError extends Error {
  /** "ConfigError". */
  override readonly name = "ConfigError";

  constructor(
    /** Where the config came from: the file as given, `serve() config`, `serve() options`, or `(embedded default config)`. */
    readonly source: string,
    /** Every problem found, in file order. */
    readonly problems: readonly ConfigProblem[],
  ) {
    super(formatConfigError(source, problems));
  }
}

function formatConfigError(source: string, problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p) => `  ${p.where}: ${p.path.length > 0 ? `${formatKeyPath(p.path)}: ` : ""}${p.message}`);
  return [`invalid configuration in ${source} (${count}):`, ...lines].join("\n");
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `classes[0].devices[1].name`; a key that is not an identifier is quoted: `properties["a-b"]`. */
export function formatKeyPath(path: KeyPath): string {
  if (path.length === 0) return "(top level)";
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** A short, quoted rendering of a value for `got …` in a message. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
