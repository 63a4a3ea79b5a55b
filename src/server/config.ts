import { Type, type Static } from "typebox";
import {
  CLIENT_TIMEOUT_MS, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, DEFAULT_MAX_MESSAGE_BYTES, MONITOR_TIMEOUT_MS, BLACKBOX_DEPTH,
  EVENT_HEARTBEAT_MS, EVENT_QUEUE_DEPTH, POLL_RING_DEPTH, TLS_RELOAD_INTERVAL_MS,
} from "../core/defaults.js";
import {
  EVENT_LOOP_STALL_MS, HUNG_HANDLER_FACTOR, SHUTDOWN_GRACE_MS, STORE_COMPACT_MIN_BYTES, STORE_MAX_BYTES, STORE_MAX_PROPERTY_BYTES,
  DEFAULT_MAX_PACKED_ARRAY_BYTES, DATABASE_CHECK_INTERVAL_MS, DATABASE_RETRY_MAX_MS,
} from "../core/defaults.js";

/*
 * The server config file's schema and type (DESIGN §5). Pure: `src/cli/load-config.ts` reads the
 * file, applies env overrides and defaults, checks it against this schema and freezes it.
 * The shape follows the SKA Tango charts: classes[].devices[].properties.
 */

/** Property values as Tango stores them: a list of strings; a scalar is accepted as a one-element list. */
export const PropertyValues = Type.Union([
  Type.Array(Type.String()),
  Type.String(),
  Type.Number(),
  Type.Boolean(),
], { description: "a property value: a string, number or boolean, or a list of them as strings" });

export const PropertyMap = Type.Record(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), PropertyValues, {
  description: "property name → value(s)",
});

/** A value of an attribute property: Tango keeps them as text; numbers are accepted. */
const AttributePropertyValue = Type.Union([Type.String(), Type.Number()]);

/**
 * The attribute properties a Tango database keeps per device (what Jive's attribute config
 * edits), by their database names: what `get_attribute_config` shows at start.
 */
export const AttributeProperties = Type.Object(Object.fromEntries([
  "description", "label", "unit", "standard_unit", "display_unit", "format", "min_value", "max_value",
  "min_alarm", "max_alarm", "min_warning", "max_warning", "delta_t", "delta_val", "rel_change", "abs_change",
  "event_period", "archive_rel_change", "archive_abs_change", "archive_period",
].map((name) => [name, Type.Optional(AttributePropertyValue)])), {
  additionalProperties: false, description: "attribute property name (as in a Tango database) → value",
});

export const DeviceConfig = Type.Object({
  name: Type.String({ pattern: "^[^/\\s]+/[^/\\s]+/[^/\\s]+$", maxLength: 255, description: "domain/family/member" }),
  properties: Type.Optional(PropertyMap),
  attributeProperties: Type.Optional(Type.Record(Type.String({ pattern: "^[A-Za-z0-9_]+$" }), AttributeProperties, {
    description: "attribute name → its properties (abs_change, event_period, min_alarm, …)",
  })),
}, { additionalProperties: false });
export type DeviceConfig = Static<typeof DeviceConfig>;

export const ClassConfig = Type.Object({
  name: Type.String({ minLength: 1, description: "a device class known to this server, e.g. TangoTest, or the class to take from `module`" }),
  module: Type.Optional(Type.String({
    minLength: 1, maxLength: 1024,
    description: "the ES module exporting the class: a path relative to the config file (./dist/motor.js) or a package name",
  })),
  properties: Type.Optional(PropertyMap),
  devices: Type.Array(DeviceConfig, { minItems: 1 }),
}, { additionalProperties: false });
export type ClassConfig = Static<typeof ClassConfig>;

/** A right of the access section (docs/security.md): each includes the ones before it. */
export const AccessRight = Type.Union([
  Type.Literal("NONE"), Type.Literal("READ"), Type.Literal("WRITE"), Type.Literal("ADMIN"),
], { description: "NONE, READ (reads, State, Status, AllowedAccessCmd), WRITE (writes, commands, properties), ADMIN (admin device)" });
export type AccessRight = Static<typeof AccessRight>;

/** Rights: one right for every device, or rules by device pattern (the last matching rule wins). */
export const AccessRights = Type.Union([
  AccessRight,
  Type.Array(Type.Object({
    devices: Type.String({ minLength: 1, maxLength: 255, description: "device name pattern, `*` any characters, e.g. sys/tg_test/*" }),
    right: AccessRight,
  }, { additionalProperties: false }), { minItems: 1 }),
], { description: "NONE, READ, WRITE or ADMIN, or a list of {devices, right} rules (the last match wins; no match: NONE)" });
export type AccessRights = Static<typeof AccessRights>;

export const AccessConfig = Type.Object({
  /** Default: ADMIN when no token or certificate is configured, READ otherwise (docs/security.md). */
  anonymous: Type.Optional(AccessRights),
  tokens: Type.Array(Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.@-]+$", description: "the identity shown in the blackbox and the logs" }),
    token: Type.Optional(Type.String({ minLength: 16, description: "the secret itself (prefer tokenEnv or tokenFile)" })),
    tokenEnv: Type.Optional(Type.String({ minLength: 1, description: "environment variable holding the secret" })),
    tokenFile: Type.Optional(Type.String({ minLength: 1, description: "file holding the secret (surrounding white space ignored)" })),
    rights: AccessRights,
  }, { additionalProperties: false }), { default: [] }),
  certificates: Type.Array(Type.Object({
    subject: Type.String({ minLength: 1, description: "a client certificate's CN, or its full subject `CN=…,O=…`" }),
    rights: AccessRights,
  }, { additionalProperties: false }), { default: [] }),
}, { additionalProperties: false, default: {}, description: "who may do what (docs/security.md)" });
export type AccessConfig = Static<typeof AccessConfig>;

/** A host as TANGO_HOST writes it: a name, an IPv4 address, or an IPv6 address in brackets. */
const HOST = String.raw`(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)`;
/** `host:port`, the port 1–65535 (the range is checked by src/cli/config-rules.ts). */
const HOST_PORT = String.raw`${HOST}:[0-9]{1,5}`;
/** TANGO_HOST: one or more `host:port`, comma-separated (spec §15 item 1, §16), blanks around commas allowed as clients allow them. */
export const TANGO_HOST_PATTERN = String.raw`^${HOST_PORT}(\s*,\s*${HOST_PORT})*$`;
/** An advertised address: `host` or `host:port`. */
export const ADVERTISE_ADDRESS_PATTERN = `^${HOST}(:[0-9]{1,5})?$`;

/** The schema of a server config file (docs/configuration.md); the `description`s are its documentation. */
export const ServerConfig = Type.Object({
  server: Type.String({ minLength: 1, maxLength: 255, pattern: "^[^/\\s]+$", default: "TangoTest", description: "server (executable) name" }),
  instance: Type.String({ minLength: 1, maxLength: 255, pattern: "^[^/\\s]+$", default: "test", description: "instance name" }),
  serialization: Type.Union([
    Type.Literal("BY_DEVICE"), Type.Literal("BY_CLASS"), Type.Literal("BY_PROCESS"), Type.Literal("NO_SYNC"),
  ], { default: "BY_DEVICE", description: "serialization model (spec §10.6)" }),
  grpc: Type.Object({
    host: Type.String({ minLength: 1, default: "0.0.0.0", description: "bind address" }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: DEFAULT_GRPC_PORT, description: "0 lets the OS choose" }),
    maxMessageBytes: Type.Integer({ minimum: 4 * 1024 * 1024, default: DEFAULT_MAX_MESSAGE_BYTES, description: "largest message sent or received" }),
    transport: Type.Union([Type.Literal("http2"), Type.Literal("grpc-js")], {
      default: "http2", description: "the HTTP/2 server under gRPC: http2 (framed by tango-grpc on the socket) or grpc-js (@grpc/grpc-js on node:http2)",
    }),
  }, { additionalProperties: false, default: {} }),
  http: Type.Object({
    host: Type.String({ minLength: 1, default: "0.0.0.0", description: "bind address of the HTTP sidecar" }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: DEFAULT_HTTP_PORT, description: "0 lets the OS choose" }),
    protectReads: Type.Boolean({ default: false, description: "GET routes under /api/v1 need the admin token too" }),
    requestTimeoutMs: Type.Integer({ minimum: 1, default: CLIENT_TIMEOUT_MS, description: "longest a REST call may take before 503 API_DeviceTimedOut" }),
  }, { additionalProperties: false, default: {}, description: "the HTTP sidecar: probes, /metrics, the REST routes" }),
  tls: Type.Optional(Type.Object({
    certFile: Type.String({ minLength: 1, description: "PEM certificate chain of the server (leaf first)" }),
    keyFile: Type.String({ minLength: 1, description: "PEM private key of the certificate" }),
    clientCaFile: Type.Optional(Type.String({ minLength: 1, description: "PEM CA bundle client certificates must chain to; set: clients are asked for a certificate" })),
    requireClientCert: Type.Boolean({ default: false, description: "mutual TLS: gRPC refuses clients without a valid certificate, REST routes answer 401 (probes and /metrics stay open)" }),
    reloadIntervalMs: Type.Integer({ minimum: 100, maximum: 3600000, default: TLS_RELOAD_INTERVAL_MS, description: "how often the files are looked at for a rotated certificate, ms" }),
  }, { additionalProperties: false, description: "TLS on both ports (gRPC and the HTTP sidecar); absent: plaintext" })),
  monitorTimeoutMs: Type.Integer({ minimum: 1, default: MONITOR_TIMEOUT_MS, description: "serialization wait before API_CommandTimedOut" }),
  blackboxDepth: Type.Integer({ minimum: 1, maximum: 100000, default: BLACKBOX_DEPTH }),
  // Isolation of hung and busy devices, and the shutdown's one grace period (docs/configuration.md).
  hungHandlerFactor: Type.Integer({ minimum: 2, maximum: 1000, default: HUNG_HANDLER_FACTOR, description: "a handler running longer than this many monitorTimeoutMs is reported hung; DevRestart or Init then replaces its device" }),
  eventLoopStallMs: Type.Integer({ minimum: 100, maximum: 600000, default: EVENT_LOOP_STALL_MS, description: "an event-loop stall at least this long is logged with the operation that caused it, ms" }),
  shutdownGraceMs: Type.Integer({ minimum: 0, maximum: 3600000, default: SHUTDOWN_GRACE_MS, description: "the whole shutdown's grace period: calls still running after it are cut, ms" }),
  polling: Type.Object({
    ringDepth: Type.Integer({ minimum: 1, maximum: 100000, default: POLL_RING_DEPTH, description: "records each polled object keeps (a device's poll_ring_depth property overrides it)" }),
  }, { additionalProperties: false, default: {}, description: "polling (Tango's polling thread and cache)" }),
  events: Type.Object({
    heartbeatMs: Type.Integer({ minimum: 100, maximum: 600000, default: EVENT_HEARTBEAT_MS, description: "how often every event stream gets a heartbeat, ms" }),
    queueDepth: Type.Integer({ minimum: 1, maximum: 1000000, default: EVENT_QUEUE_DEPTH, description: "events queued per subscriber before the oldest are dropped" }),
  }, { additionalProperties: false, default: {}, description: "event streams" }),
  logLevel: Type.Union([
    Type.Literal("trace"), Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error"),
    Type.Literal("fatal"), Type.Literal("silent"),
  ], { default: "info", description: "level of the server's own JSON log" }),
  access: Type.Optional(AccessConfig),
  logging: Type.Optional(Type.Object({
    fileTargetDir: Type.Optional(Type.String({ minLength: 1, description: "the only directory `file::` logging targets may write in (default: TANGO_LOG_PATH, else the OS temp directory)" })),
  }, { additionalProperties: false, default: {}, description: "the admin logging commands (spec §13)" })),
  tangoHost: Type.Optional(Type.String({
    pattern: TANGO_HOST_PATTERN, maxLength: 1024,
    description: "the Tango database: host:port, or several host:port comma-separated tried in turn (TANGO_HOST); the server registers in it and keeps its properties there",
  })),
  advertiseAddress: Type.Optional(Type.String({
    pattern: ADVERTISE_ADDRESS_PATTERN, maxLength: 260,
    description: "the address clients must dial, host or host:port (default: the host name and the gRPC port; in Kubernetes the Service's DNS name)",
  })),
  databaseClient: Type.Optional(Type.Object({
    timeoutMs: Type.Integer({ minimum: 1, maximum: 600000, default: CLIENT_TIMEOUT_MS, description: "how long one call to the database may take, ms" }),
    retryMaxMs: Type.Integer({ minimum: 1, maximum: 600000, default: DATABASE_RETRY_MAX_MS, description: "longest wait between two tries while the database does not answer at start, ms" }),
    checkIntervalMs: Type.Integer({ minimum: 100, maximum: 3600000, default: DATABASE_CHECK_INTERVAL_MS, description: "how often the server checks that the database still has it exported, and registers again if not, ms" }),
  }, { additionalProperties: false, default: {}, description: "the server's calls to the Tango database at tangoHost" })),
  storePath: Type.Optional(Type.String({ minLength: 1, description: "file keeping properties set at run time (no database)" })),
  store: Type.Optional(Type.Object({
    repair: Type.Boolean({ default: false, description: "move a damaged store file aside (<file>.damaged-<time>) and start with what can be read, instead of refusing to start" }),
    maxPropertyBytes: Type.Integer({ minimum: 1024, default: STORE_MAX_PROPERTY_BYTES, description: "largest value of one property put at run time, bytes" }),
    maxBytes: Type.Integer({ minimum: 1024, default: STORE_MAX_BYTES, description: "largest the run-time properties may grow together, bytes" }),
    compactMinBytes: Type.Integer({ minimum: 0, default: STORE_COMPACT_MIN_BYTES, description: "the journal is compacted once it has grown this much, and more than its last snapshot, bytes" }),
  }, { additionalProperties: false, default: {}, description: "the property store at storePath: repair, limits, compaction" })),
  limits: Type.Optional(Type.Object({
    maxPackedArrayBytes: Type.Integer({ minimum: 1024, default: DEFAULT_MAX_PACKED_ARRAY_BYTES, description: "budget of one request's packed arrays, as the bytes of the typed arrays they decode into; over it: API_MemoryAllocation" }),
    maxHeapBytes: Type.Optional(Type.Integer({ minimum: 64 * 1024 * 1024, description: "memory (V8 heap + buffers) a large request may not take the server past; over it: API_MemoryAllocation. Unset: no guard" })),
  }, { additionalProperties: false, description: "what one request may cost (names are limited to 1,024 bytes in any case)" })),
  classes: Type.Array(ClassConfig, { description: "the device classes and their devices; at least one unless tangoHost is set (the database then names them)" }),
}, { additionalProperties: false });
/** A server config as the server uses it: checked, every default filled in (docs/configuration.md). */
export type ServerConfig = Static<typeof ServerConfig>;

/**
 * The server that `npm start` runs with no config file: TangoTest/test with sys/tg_test/1. Two
 * of its scalars are polled every second with change thresholds, as a facility configures them
 * in its database, so that change events flow from the start (`tango-grpc watch`).
 */
export const DEFAULT_SERVER_CONFIG = {
  server: "TangoTest",
  instance: "test",
  classes: [{
    name: "TangoTest",
    devices: [{
      name: "sys/tg_test/1",
      properties: { polled_attr: ["double_scalar", "1000", "long_scalar", "1000"] },
      attributeProperties: { double_scalar: { abs_change: "0.1" }, long_scalar: { abs_change: "1" } },
    }],
  }],
} as const;
