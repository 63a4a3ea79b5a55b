import { statSync } from "node:fs";
import { isAbsolute, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve as resolveSpecifier } from "import-meta-resolve";
import { DEVICE_COPY, Device } from "../device/device.js";
import { ConfigError, type ConfigProblem, type KeyPath } from "../cli/config-error.js";
import type { ConfigSource } from "../cli/config-source.js";
import type { ServerConfig } from "../server/index.js";
import type { DeviceClass } from "../server/index.js";

/** Where module specifiers are resolved from, in order. */
export interface ModuleBases {
  /** The config file's directory (`serve()` with a config object: the working directory). */
  readonly configDir: string;
  /** Also tried for a package name: the working directory, then this package's own location. */
  readonly fallbackDirs: readonly string[];
}

/**
 * Imports the classes the config takes from modules (`classes[].module`): a path relative to the
 * config file (`./dist/motor.js`, or absolute, or a `file:` URL) or a package name, resolved from
 * the config file's directory, then from each of `bases.fallbackDirs`. The class is the module's
 * export named as `classes[].name`, or else its default export; it must extend the Device of
 * this very tango-grpc (a second installed copy is named in the error).
 *
 * @returns the classes by configured name.
 * @throws ConfigError naming every class that cannot be had, with the file position of its
 *   `module` key.
 */
export async function loadClassModules(config: Readonly<ServerConfig>, source: ConfigSource, bases: ModuleBases): Promise<Map<string, DeviceClass>> {
  const classes = new Map<string, DeviceClass>();
  const problems: ConfigProblem[] = [];
  for (const [index, cls] of config.classes.entries()) {
    if (cls.module === undefined) continue;
    const path: KeyPath = ["classes", index, "module"];
    const outcome = await importClass(cls.name, cls.module, bases);
    if (typeof outcome === "string") problems.push({ path, message: outcome, where: source.locate(path).where });
    else classes.set(cls.name, outcome);
  }
  if (problems.length > 0) throw new ConfigError(source.label, problems);
  return classes;
}

/** The class, or why it cannot be had. */
async function importClass(name: string, specifier: string, bases: ModuleBases): Promise<DeviceClass | string> {
  const quoted = JSON.stringify(specifier);
  const url = resolveModule(specifier, bases);
  if (url === undefined) {
    return isPathLike(specifier)
      ? `cannot load ${quoted}: no such file ${fileURLToPath(toFileUrl(specifier, bases.configDir))}`
      : `cannot load ${quoted}: no package of that name is installed where the config file is (${bases.configDir}) nor in ${bases.fallbackDirs.join(", ")}`;
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = await import(url) as Record<string, unknown>;
  } catch (err) {
    return `cannot load ${quoted} (${describeUrl(url)}): ${err instanceof Error ? err.message : String(err)}`;
  }
  const named = namespace[name];
  const candidate = named ?? namespace.default;
  if (candidate === undefined) {
    const exported = Object.keys(namespace).sort();
    return `${quoted} exports no ${name} and has no default export (it exports: ${exported.length > 0 ? exported.join(", ") : "nothing"})`;
  }
  const what = named === undefined ? `the default export of ${quoted}` : `${name} exported by ${quoted}`;
  return deviceClassOrProblem(candidate, what);
}

/**
 * `value` if it is a class extending this tango-grpc's Device, else why not (`what` names it).
 * Also used for the classes given to `serve()` in code.
 */
export function deviceClassOrProblem(value: unknown, what: string): DeviceClass | string {
  if (typeof value !== "function" || value.prototype === undefined) return `${what} is not a class (it is ${describeKind(value)})`;
  if (value.prototype instanceof Device) return value as DeviceClass;
  const copy = (value as unknown as Record<symbol, unknown>)[DEVICE_COPY];
  if (typeof copy === "string") {
    return `${what} extends Device from another copy of tango-grpc (${describeUrl(copy)}), not from the one running this server ` +
      `(${describeUrl(import.meta.url)}): the module must import the tango-grpc that serves it (install it once, as a peer)`;
  }
  return `${what} is not a Device class: it must extend Device from tango-grpc`;
}

function resolveModule(specifier: string, bases: ModuleBases): string | undefined {
  if (isPathLike(specifier)) {
    const url = toFileUrl(specifier, bases.configDir);
    return existsAsFile(url) ? url.href : undefined;
  }
  for (const dir of [bases.configDir, ...bases.fallbackDirs]) {
    try {
      return resolveSpecifier(specifier, pathToFileURL(`${resolvePath(dir)}/`).href);
    } catch {
      // Not installed where seen from `dir`: try the next.
    }
  }
  return undefined;
}

/** `./x.js`, `../x.js`, `/abs/x.js` or `file:///abs/x.js`: a file, not a package. */
function isPathLike(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === ".." ||
    isAbsolute(specifier) || specifier.startsWith("file:");
}

function toFileUrl(specifier: string, baseDir: string): URL {
  return specifier.startsWith("file:") ? new URL(specifier) : pathToFileURL(resolvePath(baseDir, specifier));
}

function existsAsFile(url: URL): boolean {
  try {
    return statIsFile(fileURLToPath(url));
  } catch {
    return false;
  }
}

function statIsFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

function describeUrl(url: string): string {
  return url.startsWith("file:") ? fileURLToPath(url) : url;
}

function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a function without a prototype";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
