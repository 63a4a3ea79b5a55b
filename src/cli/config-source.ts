import { readFileSync } from "node:fs";
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { ConfigError, type ConfigProblem, type KeyPath } from "./config-error.js";

/** A place in the config, for messages; `line` (1-based) orders problems as they appear. */
export interface ConfigLocation {
  readonly where: string;
  readonly line?: number;
  readonly col?: number;
}

/** Parsed config data, and a way back from a key path to where it was written. */
export interface ConfigSource {
  /** The file as given, or `(embedded default config)`. */
  readonly label: string;
  /** Plain data (mappings, lists, scalars), owned by the caller: it may be changed. */
  readonly data: unknown;
  /** The position of the value at `path` (of its key, with `isKey`), or of its nearest written ancestor. */
  locate(path: KeyPath, isKey?: boolean): ConfigLocation;
}

export const EMBEDDED_LABEL = "(embedded default config)";

/** The config compiled into the program (no file given). */
export function embeddedConfigSource(value: unknown): ConfigSource {
  return { label: EMBEDDED_LABEL, data: structuredClone(value), locate: () => ({ where: EMBEDDED_LABEL }) };
}

/** A config given as an object (`serve({ config: {...} })`); `label` names it in messages. */
export function objectConfigSource(value: unknown, label: string): ConfigSource {
  let data: unknown;
  try {
    data = structuredClone(value);
  } catch (err) {
    throw new ConfigError(label, [{ where: label, path: [], message: `not plain data: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  return { label, data, locate: () => ({ where: label }) };
}

/**
 * Reads a YAML or JSON file (JSON is YAML 1.2). Duplicate keys, several documents and syntax
 * errors are reported together, with their positions, as a ConfigError.
 */
export function readConfigFile(file: string): ConfigSource {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ where: file, path: [], message: `cannot read the file: ${describeReadError(err)}` }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number | undefined): ConfigLocation => {
    if (offset === undefined) return { where: file };
    const { line, col } = lineCounter.linePos(offset);
    return { where: `${file}:${line}:${col}`, line, col };
  };
  const syntaxProblems: ConfigProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    ...at(e.pos[0]),
    path: [],
    message: `YAML: ${firstLine(e.message)}`,
  }));
  if (syntaxProblems.length > 0) throw new ConfigError(file, syntaxProblems);
  return {
    label: file,
    data: doc.toJS({ maxAliasCount: 1000 }),
    locate: (path, isKey = false) => at(findOffset(doc, path, isKey)),
  };
}

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT": return "no such file (ENOENT)";
    case "EACCES": return "permission denied (EACCES)";
    case "EISDIR": return "it is a directory (EISDIR)";
    default: return err instanceof Error ? err.message : String(err);
  }
}

function firstLine(message: string): string {
  return message.split("\n", 1)[0] ?? message;
}

/** Start offset of the deepest node along `path` that the file has. */
function findOffset(doc: Document, path: KeyPath, isKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) return offset;
      const isLast = i === path.length - 1;
      // `key:` with nothing after it has an empty value node just past the colon: point at the key.
      const isEmpty = isScalar(pair.value) && pair.value.value === null;
      offset = ((isLast && isKey) || isEmpty ? rangeStart(pair.key) : rangeStart(pair.value)) ?? rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return node !== null && typeof node === "object" && "range" in node ? (node as Node).range?.[0] : undefined;
}
