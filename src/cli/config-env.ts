import { describeValue, formatKeyPath, type ConfigProblem, type KeyPath } from "./config-error.js";

/** One environment variable that overrides one config key (DESIGN §5: env overrides ports and paths). */
export interface EnvOverride {
  readonly variable: string;
  readonly path: readonly string[];
  /** How the text is read: as is, a whole number, or `true`/`false`. */
  readonly kind: "string" | "integer" | "boolean";
}

/** Every override, in the order they are applied; docs/configuration.md lists the same. */
export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { variable: "TANGO_SERVER", path: ["server"], kind: "string" },
  { variable: "TANGO_INSTANCE", path: ["instance"], kind: "string" },
  { variable: "TANGO_GRPC_HOST", path: ["grpc", "host"], kind: "string" },
  { variable: "TANGO_GRPC_PORT", path: ["grpc", "port"], kind: "integer" },
  { variable: "TANGO_HTTP_HOST", path: ["http", "host"], kind: "string" },
  { variable: "TANGO_HTTP_PORT", path: ["http", "port"], kind: "integer" },
  { variable: "TANGO_HTTP_PROTECT_READS", path: ["http", "protectReads"], kind: "boolean" },
  { variable: "TANGO_HTTP_REQUEST_TIMEOUT_MS", path: ["http", "requestTimeoutMs"], kind: "integer" },
  { variable: "TANGO_MAX_MESSAGE_BYTES", path: ["grpc", "maxMessageBytes"], kind: "integer" },
  { variable: "TANGO_GRPC_TRANSPORT", path: ["grpc", "transport"], kind: "string" },
  { variable: "TANGO_LOG_LEVEL", path: ["logLevel"], kind: "string" },
  { variable: "TANGO_HOST", path: ["tangoHost"], kind: "string" },
  { variable: "TANGO_ADVERTISE_ADDRESS", path: ["advertiseAddress"], kind: "string" },
  { variable: "TANGO_STORE_PATH", path: ["storePath"], kind: "string" },
  { variable: "TANGO_STORE_REPAIR", path: ["store", "repair"], kind: "boolean" },
  { variable: "TANGO_EVENT_HEARTBEAT_MS", path: ["events", "heartbeatMs"], kind: "integer" },
  { variable: "TANGO_HUNG_HANDLER_FACTOR", path: ["hungHandlerFactor"], kind: "integer" },
  { variable: "TANGO_EVENT_LOOP_STALL_MS", path: ["eventLoopStallMs"], kind: "integer" },
  { variable: "TANGO_SHUTDOWN_GRACE_MS", path: ["shutdownGraceMs"], kind: "integer" },
  { variable: "TANGO_MAX_HEAP_BYTES", path: ["limits", "maxHeapBytes"], kind: "integer" },
  { variable: "TANGO_MAX_PACKED_ARRAY_BYTES", path: ["limits", "maxPackedArrayBytes"], kind: "integer" },
  { variable: "TANGO_TLS_CERT_FILE", path: ["tls", "certFile"], kind: "string" },
  { variable: "TANGO_TLS_KEY_FILE", path: ["tls", "keyFile"], kind: "string" },
  { variable: "TANGO_TLS_CLIENT_CA_FILE", path: ["tls", "clientCaFile"], kind: "string" },
  { variable: "TANGO_TLS_REQUIRE_CLIENT_CERT", path: ["tls", "requireClientCert"], kind: "boolean" },
  { variable: "TANGO_TLS_RELOAD_INTERVAL_MS", path: ["tls", "reloadIntervalMs"], kind: "integer" },
  { variable: "TANGO_LOG_FILE_DIR", path: ["logging", "fileTargetDir"], kind: "string" },
];

/** What applying the environment did: problems it found, and which key each variable set. */
export interface EnvResult {
  readonly problems: ConfigProblem[];
  /** Variable that set the value at a key path, to name it when the schema rejects the value. */
  variableFor(path: KeyPath): string | undefined;
}

const DIGITS = /^[0-9]+$/;
const BOOLEAN = /^(true|false)$/i;

/**
 * Writes the set variables into `data` (changed in place). An empty variable counts as unset, as
 * compose and Helm leave them. Values are checked like the file's, by the schema afterwards; a
 * non-integer for an integer key is reported here.
 */
export function applyEnvOverrides(data: unknown, env: NodeJS.ProcessEnv): EnvResult {
  const problems: ConfigProblem[] = [];
  const applied = new Map<string, string>();
  for (const { variable, path, kind } of ENV_OVERRIDES) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === "") continue;
    if (kind === "integer" && !DIGITS.test(raw)) {
      problems.push({ where: `env ${variable}`, path, message: `must be a whole number, got ${describeValue(raw)}` });
      continue;
    }
    if (kind === "boolean" && !BOOLEAN.test(raw)) {
      problems.push({ where: `env ${variable}`, path, message: `must be true or false, got ${describeValue(raw)}` });
      continue;
    }
    const value = kind === "integer" ? Number(raw) : kind === "boolean" ? raw.toLowerCase() === "true" : raw;
    if (setIn(data, path, value)) applied.set(formatKeyPath(path), variable);
  }
  return {
    problems,
    variableFor: (path) => applied.get(formatKeyPath(path)),
  };
}

/** Sets `data[path]`, creating missing mappings; false when a step is not a mapping (the schema says why). */
function setIn(data: unknown, path: readonly string[], value: unknown): boolean {
  let node = data;
  for (const [i, key] of path.entries()) {
    if (!isMapping(node)) return false;
    if (i === path.length - 1) {
      node[key] = value;
      return true;
    }
    node[key] ??= {};
    node = node[key];
  }
  return false;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
