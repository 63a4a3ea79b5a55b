import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  loadSync, type MessageTypeDefinition, type Options, type PackageDefinition, type ServiceDefinition,
} from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { withFastPaths } from "./fast-codec.js";

/**
 * proto-loader options; the wire shapes in `wire-types.ts` follow from them.
 * - `keepCase`: field names as in the .proto (`array_encoding`), as grpcurl shows them.
 * - `enums: Number`: core enums are numbers with the same IDL values, so the codec passes them
 *   through untouched; unknown numbers survive (proto3 enums are open) and are checked by the
 *   codec. Strings are accepted on encode anyway.
 * - `longs: String`: exact 64-bit values without the `long` library at the boundary; the codec
 *   turns them into bigint (`BigInt(string)`), and encodes bigint as decimal strings.
 * - `defaults: true`: scalars and repeated fields are always present, unset messages are `null`,
 *   so handlers need no `?? ""`. Oneof members and proto3 `optional` fields get no default, so
 *   "absent" stays visible (AttributeConfigUpdate).
 * - `oneofs: true`: `Value.data` names the member that is set.
 * Bytes stay Buffers (views into the received message: no copy).
 */
export const PROTO_LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: true,
  enums: Number,
  longs: String,
  defaults: true,
  oneofs: true,
});

/** The tango.v1.Device service name, as health checks and reflection name it. */
export const DEVICE_SERVICE_NAME = "tango.v1.Device";

/** The loaded protos: tango.v1 and grpc.health.v1 in one package definition. */
export interface TangoProto {
  /** Every loaded type and service; what server reflection describes. */
  readonly packageDefinition: PackageDefinition;
  /** The tango.v1.Device service, with its (de)serializers (fast paths for large arrays, fast-codec.ts). */
  readonly deviceService: ServiceDefinition;
  /** A tango.v1 message type by short name (`"DevFailed"`); throws TypeError for an unknown one. */
  message(name: string): MessageTypeDefinition<object, object>;
}

const TANGO_PROTO_FILE = "tango/v1/tango.proto";
const HEALTH_PROTO_FILE = "health/v1/health.proto";

/**
 * The repository's `proto/` directory: two levels up from `src/grpc/` (tsx), three from
 * `dist/src/grpc/` (after tsc).
 *
 * @internal
 */
export function resolveProtoDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ["../..", "../../.."]) {
    const dir = resolve(here, up, "proto");
    if (existsSync(resolve(dir, TANGO_PROTO_FILE))) return dir;
  }
  throw new Error(`cannot find ${TANGO_PROTO_FILE} above ${here}`);
}

/** The path of tango.proto (the fast paths and event frames load it with protobufjs). @internal */
export function tangoProtoFile(): string {
  return resolve(resolveProtoDir(), TANGO_PROTO_FILE);
}

let loaded: TangoProto | undefined;

/**
 * Loads the protos once (synchronously, on first use; later calls return the same object).
 * Nothing is read at import time.
 */
export function loadTangoProto(): TangoProto {
  if (loaded !== undefined) return loaded;
  // health.proto lives at <grpc-health-check>/proto/health/v1/health.proto.
  const healthDir = resolve(dirname(healthProtoPath), "../..");
  const packageDefinition = loadSync([TANGO_PROTO_FILE, HEALTH_PROTO_FILE], {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [resolveProtoDir(), healthDir],
  });
  const loadedService = packageDefinition[DEVICE_SERVICE_NAME];
  if (loadedService === undefined || !isService(loadedService)) {
    throw new Error(`${DEVICE_SERVICE_NAME} is missing from ${TANGO_PROTO_FILE}`);
  }
  const deviceService = withFastPaths(loadedService, tangoProtoFile(), PROTO_LOADER_OPTIONS);
  const message = (name: string): MessageTypeDefinition<object, object> => {
    const def = packageDefinition[`tango.v1.${name}`];
    if (def === undefined || isService(def) || def.format !== "Protocol Buffer 3 DescriptorProto") {
      throw new TypeError(`tango.v1.${name} is not a message`);
    }
    return def as MessageTypeDefinition<object, object>;
  };
  loaded = Object.freeze({ packageDefinition, deviceService, message });
  return loaded;
}

function isService(def: PackageDefinition[string]): def is ServiceDefinition {
  return !("format" in def);
}
