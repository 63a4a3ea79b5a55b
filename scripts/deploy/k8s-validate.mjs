// Validation of rendered Kubernetes manifests for scripts/deploy/check-helm.mjs: each document
// against its kubernetes-models schema, with unknown fields refused (what
// `kubectl --validate=strict` would do), and cert-manager Certificates by their required fields.
import { validateCertificate } from "./check-helm-tls.mjs";

const MODEL_MODULES = {
  v1: (kind) => `kubernetes-models/v1/${kind}`,
  "apps/v1": (kind) => `kubernetes-models/apps/v1/${kind}`,
  "monitoring.coreos.com/v1": (kind) => `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`,
};

/**
 * Wraps `value` so that every property the schema validator reads is recorded by JSON pointer.
 * The validators (compiled JSON Schema) read exactly the properties their schema declares, and
 * every key of a map (labels, data): so a key never read is one the schema does not have.
 * Kubernetes' own schemas allow unknown fields (the API server drops them silently); this is
 * what `kubectl --validate=strict` would refuse.
 */
function trackReads(value, pointer, reads) {
  if (value === null || typeof value !== "object") return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== "string" || !Object.hasOwn(target, key)) return child;
      if (!Array.isArray(target)) (reads.get(pointer) ?? reads.set(pointer, new Set()).get(pointer)).add(key);
      return trackReads(child, `${pointer}/${key}`, reads);
    },
  });
}

function findUnread(value, pointer, reads, out) {
  if (value === null || typeof value !== "object") return out;
  for (const [key, child] of Object.entries(value)) {
    if (!Array.isArray(value) && !reads.get(pointer)?.has(key)) out.push(`${pointer}/${key}`);
    else findUnread(child, `${pointer}/${key}`, reads, out);
  }
  return out;
}

export async function validateK8s(doc) {
  if (doc.apiVersion === "cert-manager.io/v1") return validateCertificate(doc);
  const moduleOf = MODEL_MODULES[doc.apiVersion];
  if (moduleOf === undefined) return [`no schema for apiVersion ${doc.apiVersion}`];
  let Model;
  try {
    Model = (await import(moduleOf(doc.kind)))[doc.kind];
  } catch {
    return [`no schema for ${doc.apiVersion} ${doc.kind}`];
  }
  const data = new Model(doc).toJSON();
  const reads = new Map();
  try {
    Model.prototype.validate.call(trackReads(data, "", reads));
  } catch (err) {
    return [err.message];
  }
  return findUnread(data, "", reads, []).map((path) => `unknown field ${path}`);
}
