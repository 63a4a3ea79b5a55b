// The TLS part of scripts/deploy/check-helm.mjs (docs/tls.md, docs/helm.md): scenarios with
// tls.enabled, the values the chart must refuse, and what a rendering with TLS promises: the
// Secret mounted read-only, TANGO_TLS_* pointing into it, HTTPS probes (the kubelet's gRPC probes
// speak no TLS), a cert-manager Certificate naming every Service, HTTPS scraping and helm test.

const TLS_ISSUER = ["--set", "tls.enabled=true", "--set", "tls.certManager.enabled=true", "--set", "tls.certManager.issuerRef.name=tango-ca"];

/** Renderings with TLS on, as check-helm's SCENARIOS. */
export const TLS_SCENARIOS = [
  {
    name: "tls with a cert-manager Certificate, mutual TLS, ServiceMonitor",
    args: [...TLS_ISSUER, "--set", "tls.requireClientCert=true", "--set", "tls.certManager.dnsNames[0]=tango.example.org", "--set", "metrics.serviceMonitor.enabled=true"],
    kinds: { Certificate: 1, ConfigMap: 1, Deployment: 1, Service: 1, ServiceMonitor: 1, Pod: 1 },
  },
  {
    name: "tls from an existing Secret, client CA, examples/two-instances.yaml",
    args: ["-f", new URL("../../helm/tango-device-server/examples/two-instances.yaml", import.meta.url).pathname,
      "--set", "tls.enabled=true", "--set", "tls.secretName=my-tls", "--set", "tls.clientCa=true"],
    kinds: { Secret: 1, ConfigMap: 2, Service: 2, Deployment: 1, StatefulSet: 1, ServiceMonitor: 1, Pod: 2 },
  },
];

/** TLS values the chart must refuse, as check-helm's REFUSED. */
export const TLS_REFUSED = [
  { name: "tls without a Secret or cert-manager", args: ["--set", "tls.enabled=true"], expect: "tls.enabled needs tls.secretName" },
  { name: "cert-manager without an issuer", args: ["--set", "tls.enabled=true", "--set", "tls.certManager.enabled=true"], expect: "issuerRef.name" },
  { name: "a cert-manager issuer of an unknown kind", args: [...TLS_ISSUER, "--set", "tls.certManager.issuerRef.kind=Vault"], expect: "tls.certManager.issuerRef.kind" },
];

/** cert-manager.io/v1 Certificate: the fields the chart sets, by cert-manager's CRD. */
export function validateCertificate(doc) {
  const problems = [];
  const spec = doc.spec ?? {};
  if (doc.kind !== "Certificate") return [`no schema for cert-manager.io/v1 ${doc.kind}`];
  const known = new Set(["secretName", "duration", "renewBefore", "privateKey", "usages", "dnsNames", "issuerRef", "commonName", "ipAddresses"]);
  for (const key of Object.keys(spec)) if (!known.has(key)) problems.push(`unknown field /spec/${key}`);
  if (typeof spec.secretName !== "string" || spec.secretName === "") problems.push("/spec/secretName must be a non-empty string");
  if (typeof spec.issuerRef?.name !== "string" || spec.issuerRef.name === "") problems.push("/spec/issuerRef/name must be a non-empty string");
  if (!["Issuer", "ClusterIssuer"].includes(spec.issuerRef?.kind)) problems.push("/spec/issuerRef/kind must be Issuer or ClusterIssuer");
  for (const key of ["duration", "renewBefore"]) {
    if (spec[key] !== undefined && !/^([0-9]+(\.[0-9]+)?(h|m|s|ms))+$/.test(String(spec[key]))) problems.push(`/spec/${key} is not a Go duration`);
  }
  if (!Array.isArray(spec.dnsNames) || spec.dnsNames.length === 0 || spec.dnsNames.some((n) => typeof n !== "string")) problems.push("/spec/dnsNames must list strings");
  const usages = new Set(["server auth", "client auth", "digital signature", "key encipherment"]);
  for (const u of spec.usages ?? []) if (!usages.has(u)) problems.push(`/spec/usages: unexpected ${u}`);
  if (spec.privateKey !== undefined && !["RSA", "ECDSA", "Ed25519"].includes(spec.privateKey.algorithm)) problems.push("/spec/privateKey/algorithm");
  return problems;
}

const envOf = (container) => Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));

/** Probes of one server container: gRPC-native without TLS, HTTPS httpGet on the sidecar with it. */
export function checkProbes(at, container, ports, fail) {
  const isTls = envOf(container).TANGO_TLS_CERT_FILE !== undefined;
  const c = container;
  if (!isTls) {
    if (c.readinessProbe?.grpc?.service !== "tango.v1.Device" || c.readinessProbe.grpc.port !== ports.grpc) fail(at, "readinessProbe must be grpc on the grpc port, service tango.v1.Device");
    if (!c.livenessProbe?.grpc || c.livenessProbe.grpc.service || c.livenessProbe.grpc.port !== ports.grpc) fail(at, "livenessProbe must be grpc on the grpc port, service \"\"");
    return;
  }
  const expected = { startupProbe: "/healthz", readinessProbe: "/readyz", livenessProbe: "/healthz" };
  for (const [probe, path] of Object.entries(expected)) {
    const get = c[probe]?.httpGet;
    if (get?.scheme !== "HTTPS" || get.path !== path || get.port !== "http" || c[probe].grpc) fail(at, `${probe} must be httpGet ${path} on port http, scheme HTTPS`);
  }
}

/** What a rendering with TLS promises, beyond checkRendering's checks. */
export function checkTlsRendering(where, docs, fail) {
  const certificates = docs.filter((d) => d.kind === "Certificate");
  const services = docs.filter((d) => d.kind === "Service").map((s) => s.metadata.name);
  for (const w of docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")) {
    const at = `${where}: ${w.kind}/${w.metadata.name}`;
    const pod = w.spec.template;
    const c = pod.spec.containers[0];
    const env = envOf(c);
    if (env.TANGO_TLS_CERT_FILE === undefined) continue;
    const volume = pod.spec.volumes.find((v) => v.name === "tls");
    const mount = c.volumeMounts.find((m) => m.name === "tls");
    if (!volume?.secret?.secretName || mount?.readOnly !== true) fail(at, "the TLS Secret must be mounted read-only as volume tls");
    for (const name of ["TANGO_TLS_CERT_FILE", "TANGO_TLS_KEY_FILE", "TANGO_TLS_CLIENT_CA_FILE"]) {
      if (env[name] !== undefined && !env[name].startsWith(`${mount?.mountPath}/`)) fail(at, `${name}=${env[name]} is not in the TLS volume`);
    }
    if (env.TANGO_TLS_REQUIRE_CLIENT_CERT === "true" && env.TANGO_TLS_CLIENT_CA_FILE === undefined) fail(at, "mutual TLS without TANGO_TLS_CLIENT_CA_FILE");
    if (pod.metadata.annotations?.["prometheus.io/scrape"] === "true" && pod.metadata.annotations["prometheus.io/scheme"] !== "https") fail(at, "prometheus.io/scheme must be https");
    const cert = certificates.find((x) => x.spec.secretName === volume?.secret?.secretName);
    if (certificates.length > 0 && cert === undefined) fail(at, `no Certificate writes Secret ${volume?.secret?.secretName}`);
    for (const svc of cert === undefined ? [] : services) {
      if (!cert.spec.dnsNames.includes(svc) || !cert.spec.dnsNames.some((n) => n.startsWith(`${svc}.`) && n.endsWith(".svc"))) fail(at, `the Certificate does not name Service ${svc}`);
    }
  }
  const isTls = docs.some((d) => (d.kind === "Deployment" || d.kind === "StatefulSet") && envOf(d.spec.template.spec.containers[0]).TANGO_TLS_CERT_FILE !== undefined);
  if (!isTls) return;
  for (const m of docs.filter((d) => d.kind === "ServiceMonitor")) {
    if (m.spec.endpoints.some((e) => e.scheme !== "https" || e.tlsConfig === undefined)) fail(`${where}: ServiceMonitor/${m.metadata.name}`, "endpoints must scrape https with a tlsConfig");
  }
  for (const p of docs.filter((d) => d.kind === "Pod")) {
    const env = envOf(p.spec.containers[0]);
    if (!String(env.READYZ_URL).startsWith("https://") || !env.READYZ_CA_FILE) fail(`${where}: Pod/${p.metadata.name}`, "helm test must ask /readyz over HTTPS with the Secret's ca.crt");
  }
}

/** values.schema.json's tls agrees with src/server/config.ts's; `same` is check-helm's comparison. */
export function checkTlsSchema(values, defaults, serverTls, same) {
  const range = (s) => [s.minimum, s.maximum];
  same("tls.reloadIntervalMs range", range(values.properties.tls.properties.reloadIntervalMs), range(serverTls.properties.reloadIntervalMs));
  same("default tls.reloadIntervalMs", defaults.tls.reloadIntervalMs, serverTls.properties.reloadIntervalMs.default);
}
