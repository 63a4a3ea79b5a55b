import { DeviceConfig } from "../server/index.js";
import { formatKeyPath, type KeyPath, type PathProblem } from "./config-error.js";

/** spec §2.1 item 4: the domain of admin devices, dserver/<server>/<instance>; no configured device may use it. */
const ADMIN_DOMAIN = "dserver";

/** A property name, as PropertyMap's keys must be; the schema's record does not refuse other keys. */
const PROPERTY_NAME = new RegExp(Object.keys(DeviceConfig.properties.properties.patternProperties)[0] ?? "^[A-Za-z_][A-Za-z0-9_]*$");

/**
 * The rules a schema cannot say (spec §2.1: names are case-insensitive): class names unique,
 * device names unique across classes, no device in the `dserver` domain, property names valid and
 * unique per map, and (when `knownClasses` is given) every class without a `module` known to this
 * program, written in any case, and no class from a module named like one of them. Works on unchecked data: what is not the right shape is skipped, the schema
 * reports it.
 *
 * @returns the problems, and class names to rewrite to their declared case.
 */
export function checkConfigRules(
  data: unknown,
  knownClasses: readonly string[] | undefined,
): { problems: PathProblem[]; classRenames: Map<number, string> } {
  const problems: PathProblem[] = [];
  const classRenames = new Map<number, string>();
  const root = asMapping(data);
  const classes = Array.isArray(root?.classes) ? (root.classes as unknown[]) : [];
  const classSeen = new Map<string, { name: string; path: KeyPath }>();
  const deviceSeen = new Map<string, { name: string; path: KeyPath }>();
  const known = new Map((knownClasses ?? []).map((name) => [name.toLowerCase(), name]));

  for (const [c, cls] of classes.entries()) {
    const clsMap = asMapping(cls);
    if (clsMap === undefined) continue;
    const name = clsMap.name;
    if (typeof name === "string" && name !== "") {
      const path: KeyPath = ["classes", c, "name"];
      checkUnique(classSeen, name, path, `class ${JSON.stringify(name)}`, problems);
      const declared = known.get(name.toLowerCase());
      if (typeof clsMap.module === "string") {
        // The class comes from the module (src/serve/class-modules.ts), under the name written here.
        if (declared !== undefined) {
          problems.push({
            path,
            message: `${JSON.stringify(name)} is already a class of this program (${knownClasses?.join(", ") ?? ""}); a class from a module needs a name of its own`,
          });
        }
      } else if (knownClasses !== undefined && declared === undefined) {
        problems.push({ path, message: `unknown device class ${JSON.stringify(name)}; this program has: ${knownClasses.join(", ")}` });
      } else if (declared !== undefined && declared !== name) {
        classRenames.set(c, declared);
      }
    }
    checkProperties(clsMap.properties, ["classes", c, "properties"], problems);
    const devices = Array.isArray(clsMap.devices) ? (clsMap.devices as unknown[]) : [];
    for (const [d, dev] of devices.entries()) {
      const devMap = asMapping(dev);
      if (devMap === undefined) continue;
      const devPath: KeyPath = ["classes", c, "devices", d];
      if (typeof devMap.name === "string") {
        const namePath = [...devPath, "name"];
        checkUnique(deviceSeen, devMap.name, namePath, `device ${JSON.stringify(devMap.name)}`, problems);
        if (devMap.name.split("/")[0]?.toLowerCase() === ADMIN_DOMAIN) {
          problems.push({ path: namePath, message: `the domain "${ADMIN_DOMAIN}" is reserved for the admin device dserver/<server>/<instance>` });
        }
      }
      checkProperties(devMap.properties, [...devPath, "properties"], problems);
    }
  }
  checkTls(root?.tls, problems);
  checkDatabase(root, classes, problems);
  return { problems, classRenames };
}

/**
 * Without a database the config must name the devices; with one (tangoHost) the database may.
 * Ports in tangoHost and advertiseAddress are 1–65535 (the schema's pattern checks the rest).
 */
function checkDatabase(root: Record<string, unknown> | undefined, classes: readonly unknown[], problems: PathProblem[]): void {
  const tangoHost = root?.tangoHost;
  if (Array.isArray(root?.classes) && classes.length === 0 && tangoHost === undefined) {
    problems.push({ path: ["classes"], message: "must list at least one class, unless tangoHost is set (the database then names the devices)" });
  }
  const ports = (text: unknown): string[] => (typeof text === "string" ? [...text.matchAll(/:([0-9]+)(?=\s*(?:,|$))/g)].map((m) => m[1] ?? "") : []);
  for (const key of ["tangoHost", "advertiseAddress"] as const) {
    const bad = ports(root?.[key]).find((p) => Number(p) < 1 || Number(p) > 65535);
    if (bad !== undefined) problems.push({ path: [key], message: `port ${bad} is not between 1 and 65535` });
  }
}

/** Mutual TLS needs the CA that client certificates are checked against. */
function checkTls(tls: unknown, problems: PathProblem[]): void {
  const map = asMapping(tls);
  if (map?.requireClientCert === true && map.clientCaFile === undefined) {
    problems.push({ path: ["tls", "requireClientCert"], message: "needs tls.clientCaFile, the CA that client certificates must chain to" });
  }
}

function checkUnique(
  seen: Map<string, { name: string; path: KeyPath }>, name: string, path: KeyPath, what: string, problems: PathProblem[], isKey = false,
): void {
  const key = name.toLowerCase();
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, { name, path });
    return;
  }
  const note = first.name === name ? "" : ` as ${JSON.stringify(first.name)} (names ignore case)`;
  problems.push({ path, message: `${what} is already configured at ${formatKeyPath(first.path)}${note}`, isKey });
}

function checkProperties(properties: unknown, path: KeyPath, problems: PathProblem[]): void {
  const map = asMapping(properties);
  if (map === undefined) return;
  const seen = new Map<string, { name: string; path: KeyPath }>();
  for (const name of Object.keys(map)) {
    const namePath = [...path, name];
    if (!PROPERTY_NAME.test(name)) {
      problems.push({ path: namePath, message: `is not a property name: it must match ${PROPERTY_NAME.source}`, isKey: true });
    } else {
      checkUnique(seen, name, namePath, `property ${JSON.stringify(name)}`, problems, true);
    }
  }
}

function asMapping(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
