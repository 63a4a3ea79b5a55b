import type { TSchema } from "typebox";
import { Settings } from "typebox/system";
import { Value } from "typebox/value";
import type { TLocalizedValidationError } from "typebox/error";
import { describeValue, type KeyPath, type PathProblem } from "./config-error.js";

/**
 * Enough to report every problem of any config a person writes. TypeBox stops at 8 by default;
 * the limit is a process-wide setting, so it is raised only for the duration of one check.
 */
const MAX_SCHEMA_ERRORS = 500;

/** Every way `value` breaks `schema`, one problem per key, in words a config author reads. */
export function findSchemaProblems(schema: TSchema, value: unknown): PathProblem[] {
  const errors = collectErrors(schema, value);
  // A union reports each branch's failure, then its own. When the value has the type of exactly
  // one branch (a list where a list is allowed), that branch's errors say what is wrong inside
  // it; otherwise only the union's error is worth reading.
  const unions = errors.filter((e) => e.keyword === "anyOf").map((union) => ({
    union,
    branch: branchOfSameType(schemaAt(schema, union.schemaPath), valueAt(value, toKeyPath(union.instancePath, value))),
  }));
  const isInside = (error: TLocalizedValidationError, union: TLocalizedValidationError, branch = ""): boolean =>
    error.schemaPath.startsWith(`${union.schemaPath}/anyOf/${branch}`) && isWithin(error.instancePath, union.instancePath);
  const problems: PathProblem[] = [];
  for (const error of errors) {
    const isReplaced = unions.some(({ union, branch }) => union === error && branch !== undefined);
    const isHidden = unions.some(({ union, branch }) =>
      isInside(error, union) && (branch === undefined || !isInside(error, union, `${branch}/`)));
    if (!isReplaced && !isHidden) problems.push(...toProblems(error, schema, value));
  }
  return problems;
}

function isWithin(instancePath: string, parent: string): boolean {
  return instancePath === parent || instancePath.startsWith(`${parent}/`);
}

/** Index of the only union member whose JSON type is the value's, if exactly one is. */
function branchOfSameType(union: Record<string, unknown> | undefined, actual: unknown): number | undefined {
  const members = field(union, "anyOf");
  if (!Array.isArray(members)) return undefined;
  const kind = Array.isArray(actual) ? "array" : actual === null ? "null" : typeof actual;
  const matching = members.flatMap((m: unknown, i) => (field(m, "type") === kind ? [i] : []));
  return matching.length === 1 ? matching[0] : undefined;
}

function collectErrors(schema: TSchema, value: unknown): TLocalizedValidationError[] {
  const saved = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_SCHEMA_ERRORS });
  try {
    return Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors: saved });
  }
}

function toProblems(error: TLocalizedValidationError, root: TSchema, value: unknown): PathProblem[] {
  const path = toKeyPath(error.instancePath, value);
  const actual = valueAt(value, path);
  const at = schemaAt(root, error.schemaPath);
  switch (error.keyword) {
    case "additionalProperties": {
      const known = Object.keys(field(at, "properties") ?? {});
      const hint = known.length > 0 ? `; expected one of: ${known.join(", ")}` : "";
      return error.params.additionalProperties.map((key) => ({ path: [...path, key], message: `unknown key${hint}`, isKey: true }));
    }
    case "boolean":
      // `additionalProperties: false` reports each extra key here too; the case above words it.
      return error.schemaPath.endsWith("/additionalProperties") ? [] : [{ path, message: error.message }];
    case "required":
      return error.params.requiredProperties.map((key) => ({ path: [...path, key], message: "is required" }));
    case "type": {
      const hint = error.params.type === "string" && (typeof actual === "number" || typeof actual === "boolean")
        ? ` (quote it: "${String(actual)}")` : "";
      return [{ path, message: `must be ${typeName(error.params.type)}${hint}, got ${describeValue(actual)}` }];
    }
    case "anyOf":
      return [{ path, message: `${describeUnion(at)}, got ${describeValue(actual)}` }];
    case "pattern": {
      const what = typeof at?.description === "string" ? ` (${at.description})` : "";
      return [{ path, message: `must match ${String(error.params.pattern)}${what}, got ${describeValue(actual)}` }];
    }
    case "minimum": case "maximum": case "exclusiveMinimum": case "exclusiveMaximum":
      return [{ path, message: `must be ${error.params.comparison} ${error.params.limit}, got ${describeValue(actual)}` }];
    case "minLength":
      return [{ path, message: error.params.limit === 1 ? "must not be empty" : `must have at least ${error.params.limit} characters` }];
    case "maxLength":
      return [{ path, message: `must have at most ${error.params.limit} characters` }];
    case "minItems":
      return [{ path, message: error.params.limit === 1 ? "must list at least one entry" : `must list at least ${error.params.limit} entries` }];
    case "const": case "enum":
      return [{ path, message: `${describeUnion(at)}, got ${describeValue(actual)}` }];
    default:
      return [{ path, message: error.message }];
  }
}

function typeName(type: string | string[]): string {
  const names: Record<string, string> = {
    object: "a mapping (key: value)", array: "a list", string: "a string", integer: "a whole number",
    number: "a number", boolean: "true or false", null: "empty",
  };
  return [type].flat().map((t) => names[t] ?? t).join(" or ");
}

/** `must be one of a, b, c` for a union of literals; else the union's description. */
function describeUnion(schema: Record<string, unknown> | undefined): string {
  const members = field(schema, "anyOf");
  const literals = Array.isArray(members) ? members.map((m: unknown) => field(m, "const")) : [field(schema, "const")];
  if (literals.length > 0 && literals.every((l) => l !== undefined)) return `must be one of ${literals.join(", ")}`;
  const description = schema?.description;
  return typeof description === "string" ? `must be ${description}` : "is not any of the allowed forms";
}

/** Turns `/classes/0/name` into `["classes", 0, "name"]`, numbering only what indexes a list. */
function toKeyPath(instancePath: string, value: unknown): KeyPath {
  if (instancePath === "") return [];
  const path: (string | number)[] = [];
  let node = value;
  for (const raw of instancePath.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const segment = Array.isArray(node) ? Number(key) : key;
    path.push(segment);
    node = (node as Record<string | number, unknown> | undefined)?.[segment];
  }
  return path;
}

function valueAt(value: unknown, path: KeyPath): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);
}

/** The subschema a `#/properties/...` schema path names. */
function schemaAt(root: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const raw of schemaPath.replace(/^#\/?/, "").split("/")) {
    if (raw === "") continue;
    node = field(node, raw.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return node !== null && typeof node === "object" ? (node as Record<string, unknown>) : undefined;
}

function field(node: unknown, key: string): unknown {
  return node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
}
