import { Value } from "typebox/value";
import { DevFailed, Reason, ValueCoercionError } from "../core/index.js";
import { classDeclarations, parsePropertyValue, type PropertyDecl } from "../device/index.js";
import { ServerConfig, type DeviceClass } from "../server/index.js";
import { deviceClassOrProblem } from "../serve/class-modules.js";
import type {
  AttributePropertyValues, PropertyValue, PropertyValues, TestClassInfo, TestContextOptions,
} from "./context-options.js";

/** The server a context runs: its config and its classes by Tango name. @internal */
export interface TestServerPlan {
  readonly config: Readonly<ServerConfig>;
  readonly classes: ReadonlyMap<string, DeviceClass>;
  /** The user devices, in the order given. */
  readonly deviceNames: readonly string[];
}

/** spec §2.1 (the server config's pattern): three non-empty fields without blanks. */
const DEVICE_NAME = /^[^/\s]+\/[^/\s]+\/[^/\s]+$/;
const SERVER_FIELD = /^[^/\s]+$/;
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What TypeBox reports of a config that still fails the schema (first problems only). */
const MAX_SCHEMA_PROBLEMS = 5;

/**
 * The config of a context's server from its classes and options: every device on 127.0.0.1 with
 * an OS-picked port, properties as Tango stores them (lists of strings), the schema's defaults for
 * the rest. `what` names the context in messages ("DeviceTestContext").
 *
 * @throws TypeError listing every problem of the options (names, duplicates, value types).
 * @throws DevFailed API_BadConfigurationProperty when a property value does not parse as the
 *   type the class declares.
 * @internal
 */
export function planTestServer(what: string, infos: readonly TestClassInfo[], options: TestContextOptions): TestServerPlan {
  const problems: string[] = [];
  if (infos.length === 0) problems.push("no device class is given");
  const classes = new Map<string, DeviceClass>();
  for (const [index, info] of infos.entries()) {
    const name = classNameOf(info.class, infos.length === 1 ? "the device class" : `classes[${index}].class`, problems);
    if (name === undefined) continue;
    if (classes.has(name)) problems.push(`class ${name} is given twice; list all its devices under one entry`);
    classes.set(name, info.class as unknown as DeviceClass);
    if (!Array.isArray(info.devices) || info.devices.length === 0) problems.push(`class ${name} has no device`);
  }
  const firstClass = nameOf(infos[0]?.class);
  const server = options.server ?? (firstClass === "" ? "Test" : firstClass);
  const instance = options.instance ?? server.toLowerCase();
  if (!SERVER_FIELD.test(server)) problems.push(`server name ${JSON.stringify(server)} must be one word without "/" or blanks`);
  if (!SERVER_FIELD.test(instance)) problems.push(`instance name ${JSON.stringify(instance)} must be one word without "/" or blanks`);
  for (const [option, ms] of [["timeoutMs", options.timeoutMs], ["startTimeoutMs", options.startTimeoutMs]] as const) {
    if (ms !== undefined && !(ms > 0)) problems.push(`${option} must be a positive number of milliseconds, got ${String(ms)}`);
  }
  if (options.shutdownGraceMs !== undefined && !(options.shutdownGraceMs >= 0)) {
    problems.push(`shutdownGraceMs must be 0 or more milliseconds, got ${String(options.shutdownGraceMs)}`);
  }

  const seen = new Set<string>([`dserver/${server}/${instance}`.toLowerCase()]);
  const deviceNames: string[] = [];
  const classConfigs = infos.map((info) => ({
    name: nameOf(info.class),
    ...(info.classProperties === undefined ? {} : { properties: propertiesOf(info.classProperties, `class ${nameOf(info.class)}`, problems) }),
    devices: (Array.isArray(info.devices) ? info.devices : []).map((d) => {
      if (!DEVICE_NAME.test(d.name)) problems.push(`device name ${JSON.stringify(d.name)} is not domain/family/member`);
      else if (seen.has(d.name.toLowerCase())) problems.push(`device name ${d.name} is used twice (names ignore case)`);
      seen.add(d.name.toLowerCase());
      deviceNames.push(d.name);
      return {
        name: d.name,
        ...(d.properties === undefined ? {} : { properties: propertiesOf(d.properties, `device ${d.name}`, problems) }),
        ...(d.attributeProperties === undefined ? {} : { attributeProperties: attributePropertiesOf(d.attributeProperties) }),
      };
    }),
  }));
  if (problems.length > 0) throw optionsError(what, problems);

  const data: Record<string, unknown> = {
    server, instance,
    serialization: options.serialization ?? "BY_DEVICE",
    grpc: { host: "127.0.0.1", port: 0 },
    http: { host: "127.0.0.1", port: 0 },
    logLevel: options.logLevel ?? "warn",
    ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: options.shutdownGraceMs }),
    classes: classConfigs,
  };
  Value.Default(ServerConfig, data);
  // The checks above catch what options can get wrong; this catches the rest (attribute property names).
  if (!Value.Check(ServerConfig, data)) {
    const found = Value.Errors(ServerConfig, data).slice(0, MAX_SCHEMA_PROBLEMS).map((e) => `${e.instancePath}: ${e.message}`);
    throw optionsError(what, found);
  }
  const config = data as ServerConfig;
  checkDeclaredProperties(what, infos, config);
  return { config, classes, deviceNames };
}

/** A class's name; "" for anything else (reported by classNameOf). */
function nameOf(value: unknown): string {
  return typeof value === "function" ? value.name : "";
}

function classNameOf(value: unknown, what: string, problems: string[]): string | undefined {
  const cls = deviceClassOrProblem(value, what);
  if (typeof cls === "string") {
    problems.push(cls);
    return undefined;
  }
  if (cls.name === "") {
    problems.push(`${what} has no name; give it one (class Motor extends Device): its Tango class name is its JavaScript name`);
    return undefined;
  }
  return cls.name;
}

/** Tango keeps every property as a list of strings (spec §3.3): `3` → `["3"]`, `true` → `["true"]`. */
function propertiesOf(values: PropertyValues, owner: string, problems: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(values)) {
    if (!PROPERTY_NAME.test(name)) {
      problems.push(`property name ${JSON.stringify(name)} of ${owner} must be letters, digits and _, not starting with a digit`);
      continue;
    }
    const list: readonly unknown[] = Array.isArray(value) ? value : [value];
    if (!list.every(isScalar)) {
      problems.push(`property ${name} of ${owner} is ${describe(value)}; a property value is a string, number, boolean or bigint, or a list of them`);
      continue;
    }
    out[name] = list.map(String);
  }
  return out;
}

function isScalar(value: unknown): value is Exclude<PropertyValue, readonly unknown[]> {
  return ["string", "number", "boolean", "bigint"].includes(typeof value);
}

function attributePropertiesOf(values: AttributePropertyValues): Record<string, Record<string, string | number>> {
  return Object.fromEntries(Object.entries(values).map(([attr, props]) => [attr, { ...props }]));
}

/**
 * A property value the class declares must parse as its declared type: told now, before
 * anything starts, rather than as a failed init (or never, when initDevice does not read it).
 */
function checkDeclaredProperties(what: string, infos: readonly TestClassInfo[], config: ServerConfig): void {
  const problems: string[] = [];
  config.classes.forEach((cls, i) => {
    const info = infos[i];
    if (info === undefined) return;
    const declared = classDeclarations(info.class).properties;
    const check = (values: ServerConfig["classes"][number]["properties"], scope: PropertyDecl["scope"], owner: string): void => {
      for (const [name, value] of Object.entries(values ?? {})) {
        const decl = declared.find((p) => p.scope === scope && p.name.toLowerCase() === name.toLowerCase());
        if (decl === undefined) continue;
        try {
          parsePropertyValue(decl.dtype, Array.isArray(value) ? value : [String(value)]);
        } catch (err) {
          if (!(err instanceof ValueCoercionError)) throw err;
          problems.push(`property ${decl.name} of ${owner}: ${err.message}`);
        }
      }
    };
    check(cls.properties, "class", `class ${cls.name}`);
    for (const d of cls.devices) check(d.properties, "device", `device ${d.name}`);
  });
  if (problems.length > 0) throw DevFailed.of(Reason.BadConfigurationProperty, problems.join("; "), `${what}::start`);
}

function optionsError(what: string, problems: readonly string[]): TypeError {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return new TypeError([`${what} options (${count}):`, ...problems.map((p) => `  ${p}`)].join("\n"));
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list holding something else";
  return typeof value === "object" ? "an object" : typeof value === "undefined" ? "undefined" : JSON.stringify(value);
}
