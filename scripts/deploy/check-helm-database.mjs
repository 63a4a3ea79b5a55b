// The Tango database part of scripts/deploy/check-helm.mjs (docs/helm.md "A Tango database"):
// scenarios with `database` on (embedded, postgres, external) and off, the values the chart must
// refuse, and what a rendering with a database promises: the database's StatefulSet with its
// claim (embedded) or Deployment with TANGO_DB_URL from the Secret (postgres), its Service on
// 10000/10001 selecting it alone, and on every server pod TANGO_HOST and, as the address it
// registers, its own Service's DNS name (never the pod IP), with persistence off.

const NAMESPACE = "tango";
const RELEASE = "tg";
const EXAMPLE = new URL("../../helm/tango-device-server/examples/database.yaml", import.meta.url).pathname;
const DB_NAME = `${RELEASE}-database`;
const DB_DNS = `${DB_NAME}.${NAMESPACE}.svc.cluster.local`;

/** Renderings with a database, as check-helm's SCENARIOS; `database` says what each must render. */
export const DATABASE_SCENARIOS = [
  {
    name: "examples/database.yaml: the database on a claim (embedded), two instances registered in it",
    args: ["-f", EXAMPLE],
    kinds: { StatefulSet: 1, Deployment: 2, Service: 3, ConfigMap: 2, Secret: 1, Pod: 2 },
    database: { storage: "embedded", tangoHost: `${DB_DNS}:10000`, size: "2Gi", storageClass: "standard", token: true },
  },
  {
    name: "database on PostgreSQL (URL from an existing Secret), persistence asked for",
    args: ["--set", "database.enabled=true", "--set", "database.storage=postgres", "--set", "database.postgres.existingSecret=tango-db",
      "--set", "database.postgres.key=pg-url", "--set", "persistence.enabled=true", "--set", "database.ports.grpc=10100"],
    kinds: { Deployment: 2, Service: 2, ConfigMap: 1, Pod: 1 },
    externalSecrets: ["tango-db"],
    database: { storage: "postgres", tangoHost: `${DB_DNS}:10100`, secret: "tango-db", key: "pg-url", grpcPort: 10100 },
  },
  {
    name: "an external database, examples/two-instances.yaml (persistence off with it)",
    args: ["-f", new URL("../../helm/tango-device-server/examples/two-instances.yaml", import.meta.url).pathname,
      "--set", "database.external.tangoHost=tango-db.facility.org:10000\\,tango-db2.facility.org:10000"],
    kinds: { Deployment: 2, Service: 2, ConfigMap: 2, Secret: 1, ServiceMonitor: 1, Pod: 2 },
    database: { storage: "external", tangoHost: "tango-db.facility.org:10000,tango-db2.facility.org:10000" },
  },
];

/** Database values the chart must refuse, as check-helm's REFUSED. */
export const DATABASE_REFUSED = [
  { name: "a database both run and external", args: ["--set", "database.enabled=true", "--set", "database.external.tangoHost=db:10000"], expect: "not both" },
  { name: "database storage postgres without a Secret", args: ["--set", "database.enabled=true", "--set", "database.storage=postgres"], expect: "database.postgres.existingSecret" },
  { name: "an unknown database storage", args: ["--set", "database.enabled=true", "--set", "database.storage=mysql"], expect: "storage" },
  { name: "an external TANGO_HOST without a port", args: ["--set", "database.external.tangoHost=db"], expect: "does not match pattern" },
  { name: "the chart's database with TLS", args: ["--set", "database.enabled=true", "--set", "tls.enabled=true", "--set", "tls.secretName=my-tls"], expect: "has no TLS yet" },
  { name: "an instance named like the database", args: ["--set", "fullnameOverride=tg", "--set", "database.enabled=true", "--set", "server.instances[0].name=database",
    "--set", "server.instances[0].classes[0].name=TangoTest", "--set", "server.instances[0].classes[0].devices[0].name=a/b/c"], expect: "the database's name" },
];

const isDatabase = (d) => d.metadata?.labels?.["app.kubernetes.io/component"] === "database";
/** The Deployments and StatefulSets of device servers (not the database's). */
export const serverWorkloads = (docs) => docs.filter((d) => (d.kind === "Deployment" || d.kind === "StatefulSet") && !isDatabase(d));
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const envValue = (c, name) => c.env?.find((e) => e.name === name);

/** Checks of one rendering; `expected` is the scenario's `database` (undefined: no database). */
export function checkDatabaseRendering(where, docs, expected, fail) {
  const services = docs.filter((d) => d.kind === "Service");
  const dbWorkloads = docs.filter((d) => (d.kind === "Deployment" || d.kind === "StatefulSet") && isDatabase(d));
  const dbService = services.find((s) => isDatabase(s));
  const runsOne = expected?.storage === "embedded" || expected?.storage === "postgres";
  if (!runsOne && (dbWorkloads.length > 0 || dbService !== undefined)) fail(where, "renders a database though none is run by the release");

  for (const w of serverWorkloads(docs)) {
    const at = `${where}: ${w.kind}/${w.metadata.name}`;
    const c = w.spec.template.spec.containers[0];
    const tangoHost = envValue(c, "TANGO_HOST");
    const advertise = envValue(c, "TANGO_ADVERTISE_ADDRESS");
    if (expected === undefined) {
      if (tangoHost || advertise) fail(at, "TANGO_HOST or TANGO_ADVERTISE_ADDRESS without a database");
      continue;
    }
    if (tangoHost?.value !== expected.tangoHost) fail(at, `TANGO_HOST ${JSON.stringify(tangoHost?.value)}, expected ${expected.tangoHost}`);
    const svc = services.filter((s) => !isDatabase(s) && matches(s.spec.selector, w.spec.template.metadata.labels));
    const grpcPort = svc[0]?.spec.ports.find((p) => p.name === "grpc")?.port;
    const want = `${svc[0]?.metadata.name}.${NAMESPACE}.svc.cluster.local:${grpcPort}`;
    if (svc.length !== 1 || advertise?.value !== want) fail(at, `TANGO_ADVERTISE_ADDRESS ${JSON.stringify(advertise?.value ?? advertise?.valueFrom)}, expected its Service's DNS name ${want}`);
    if (/^\d+\.\d+\.\d+\.\d+/.test(advertise?.value ?? "") || advertise?.valueFrom) fail(at, "TANGO_ADVERTISE_ADDRESS must be a Service name, never the pod IP");
    if (w.kind !== "Deployment" || envValue(c, "TANGO_STORE_PATH")) fail(at, "with a database, persistence is off: a Deployment without TANGO_STORE_PATH");
    const token = envValue(c, "TANGO_TOKEN");
    if (Boolean(expected.token) !== Boolean(token?.valueFrom?.secretKeyRef)) fail(at, `TANGO_TOKEN from the admin token Secret ${expected.token ? "expected" : "unexpected"}`);
  }
  if (!runsOne) return;

  const at = `${where}: ${DB_NAME}`;
  const kind = expected.storage === "embedded" ? "StatefulSet" : "Deployment";
  if (dbWorkloads.length !== 1 || dbWorkloads[0].kind !== kind || dbWorkloads[0].metadata.name !== DB_NAME) {
    fail(at, `expected one ${kind} ${DB_NAME}, found ${dbWorkloads.map((w) => `${w.kind}/${w.metadata.name}`).join(", ") || "none"}`);
    return;
  }
  const w = dbWorkloads[0];
  const pod = w.spec.template;
  const c = pod.spec.containers[0];
  const grpcPort = expected.grpcPort ?? 10000;
  if (w.spec.replicas !== 1) fail(at, "one replica expected");
  if (JSON.stringify(c.args) !== JSON.stringify(["database"])) fail(at, `args ${JSON.stringify(c.args)}, expected ["database"]`);
  if (envValue(c, "TANGO_GRPC_PORT")?.value !== String(grpcPort)) fail(at, `TANGO_GRPC_PORT ${grpcPort} expected`);
  if (envValue(c, "TANGO_ADVERTISE_ADDRESS")?.value !== expected.tangoHost) fail(at, `TANGO_ADVERTISE_ADDRESS must be its Service's name, ${expected.tangoHost}`);
  const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
  if (ports.grpc !== grpcPort || ports.http === undefined) fail(at, `container ports grpc ${grpcPort} and http expected`);
  if (c.readinessProbe?.grpc?.service !== "tango.v1.Device" || c.readinessProbe.grpc.port !== grpcPort) fail(at, "a gRPC readiness probe for tango.v1.Device expected");
  if (c.securityContext?.readOnlyRootFilesystem !== true || !c.volumeMounts?.some((m) => m.mountPath === "/tmp")) fail(at, "read-only root with /tmp a volume expected");
  const claim = w.spec.volumeClaimTemplates?.find((t) => t.metadata.name === "data");
  const dataMount = c.volumeMounts?.some((m) => m.name === "data" && m.mountPath === "/data");
  if (expected.storage === "embedded") {
    if (envValue(c, "TANGO_DB_DATA")?.value !== "/data/db" || envValue(c, "TANGO_DB_URL")) fail(at, "TANGO_DB_DATA=/data/db and no TANGO_DB_URL expected");
    if (!claim || !dataMount) fail(at, "the claim data mounted at /data expected");
    else {
      if (claim.spec.resources.requests.storage !== expected.size) fail(at, `claim size ${claim.spec.resources.requests.storage}, expected ${expected.size}`);
      if (claim.spec.storageClassName !== expected.storageClass) fail(at, `storageClassName ${claim.spec.storageClassName}, expected ${expected.storageClass}`);
    }
    if (w.spec.serviceName !== DB_NAME) fail(at, `serviceName ${w.spec.serviceName}, expected ${DB_NAME}`);
  } else {
    const ref = envValue(c, "TANGO_DB_URL")?.valueFrom?.secretKeyRef;
    if (ref?.name !== expected.secret || ref?.key !== expected.key) fail(at, `TANGO_DB_URL from Secret ${expected.secret} key ${expected.key} expected, got ${JSON.stringify(ref)}`);
    if (envValue(c, "TANGO_DB_DATA") || claim || dataMount) fail(at, "no data directory and no claim on PostgreSQL");
    if (w.spec.strategy?.type !== "Recreate") fail(at, "strategy Recreate expected: never two database servers at once");
  }
  const token = envValue(c, "TANGO_ADMIN_TOKEN");
  if (Boolean(expected.token) !== Boolean(token?.valueFrom?.secretKeyRef)) fail(at, "TANGO_ADMIN_TOKEN from the admin token Secret exactly when there is one");

  if (dbService?.metadata.name !== DB_NAME) fail(at, `a Service ${DB_NAME} expected`);
  else {
    const grpc = dbService.spec.ports.find((p) => p.name === "grpc");
    if (grpc?.port !== grpcPort || grpc.targetPort !== "grpc" || grpc.appProtocol !== "grpc") fail(`${at} Service`, `port grpc ${grpcPort} (targetPort grpc, appProtocol grpc) expected`);
    if (!dbService.spec.ports.some((p) => p.name === "http" && p.targetPort === "http")) fail(`${at} Service`, "port http expected");
    if (!matches(dbService.spec.selector, pod.metadata.labels)) fail(`${at} Service`, "does not select the database's pod");
    for (const s of serverWorkloads(docs)) {
      if (matches(dbService.spec.selector, s.spec.template.metadata.labels)) fail(`${at} Service`, `selects the server pods of ${s.metadata.name}`);
    }
    for (const s of services) {
      if (s !== dbService && matches(s.spec.selector, pod.metadata.labels)) fail(`${at}`, `Service ${s.metadata.name} selects the database's pod`);
    }
  }
}

/** values.schema.json's external.tangoHost pattern is the server's TANGO_HOST pattern (or empty). */
export function checkDatabaseSchema(values, schema, same) {
  same("database.external.tangoHost pattern", values.properties.database.properties.external.properties.tangoHost.pattern, `^$|${schema.TANGO_HOST_PATTERN}`);
}
