import { Value } from "typebox/value";
import { DEFAULT_SERVER_CONFIG, ServerConfig, type DeviceConfig } from "../server/index.js";
import { ConfigError, type ConfigProblem } from "./config-error.js";
import { applyEnvOverrides } from "./config-env.js";
import { checkConfigRules } from "./config-rules.js";
import { embeddedConfigSource, readConfigFile, type ConfigLocation, type ConfigSource } from "./config-source.js";
import { findSchemaProblems } from "./schema-problems.js";

export { ConfigError } from "./config-error.js";
export type { ConfigProblem, KeyPath } from "./config-error.js";
export { ENV_OVERRIDES } from "./config-env.js";

/** Options of loadConfig. */
export interface LoadConfigOptions {
  /**
   * Device class names this program can run. When given, a class not among them is a problem, and
   * a class written in another case is rewritten to the declared case (spec §2.1).
   */
  readonly knownClasses?: readonly string[];
}

/**
 * Reads the server config (STYLE §5): the YAML or JSON `file`, or with none the embedded TangoTest
 * server; applies the environment overrides (ENV_OVERRIDES) and the schema's defaults; checks the
 * schema (unknown keys refused) and the rules it cannot express; turns every property value into
 * a list of strings; and deep-freezes the result.
 *
 * @throws ConfigError naming every problem at once, each with its file position (or variable),
 *   key path and reason.
 */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): Readonly<ServerConfig> {
  return loadConfigFrom(file === undefined ? embeddedConfigSource(DEFAULT_SERVER_CONFIG) : readConfigFile(file), env, options);
}

/** loadConfig on config data already read: a file's, the embedded default, or an object's (`serve()`). */
export function loadConfigFrom(source: ConfigSource, env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): Readonly<ServerConfig> {
  const data = source.data;
  const fromEnv = applyEnvOverrides(data, env);
  Value.Default(ServerConfig, data);
  const rules = checkConfigRules(data, options.knownClasses);
  const located = [...findSchemaProblems(ServerConfig, data), ...rules.problems].map((problem) => {
    const variable = fromEnv.variableFor(problem.path);
    return { problem, location: variable === undefined ? source.locate(problem.path, problem.isKey) : { where: `env ${variable}` } };
  });
  // File order reads best; problems from the environment come last, as they were applied last.
  located.sort((a, b) => compareLocations(a.location, b.location));
  const problems: ConfigProblem[] = [
    ...located.map(({ problem, location }) => ({ ...problem, where: location.where })),
    ...fromEnv.problems,
  ];
  if (problems.length > 0) throw new ConfigError(source.label, problems);

  const config = data as ServerConfig;
  for (const [index, name] of rules.classRenames) {
    const cls = config.classes[index];
    if (cls !== undefined) cls.name = name;
  }
  normaliseProperties(config);
  return deepFreeze(config);
}

/** Tango keeps every property as a list of strings (spec §3.3): `3` → `["3"]`, `true` → `["true"]`. */
function normaliseProperties(config: ServerConfig): void {
  const normalise = (map: DeviceConfig["properties"]): void => {
    if (map === undefined) return;
    for (const [name, value] of Object.entries(map)) map[name] = Array.isArray(value) ? value.map(String) : [String(value)];
  };
  for (const cls of config.classes) {
    normalise(cls.properties);
    for (const dev of cls.devices) normalise(dev.properties);
  }
}

function compareLocations(a: ConfigLocation, b: ConfigLocation): number {
  if (a.line === undefined || b.line === undefined) return (a.line === undefined ? 1 : 0) - (b.line === undefined ? 1 : 0);
  return a.line - b.line || (a.col ?? 0) - (b.col ?? 0);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
