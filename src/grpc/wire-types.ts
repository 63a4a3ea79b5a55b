/**
 * The tango.v1 messages as @grpc/proto-loader hands them over with our options (`proto.ts`):
 * snake_case keys, enums as numbers, 64-bit integers as decimal strings, bytes as Buffer,
 * scalars and repeated fields always present (`defaults: true`), unset messages as `null`, the
 * set member of a oneof named by its virtual field (`data`), proto3 `optional` fields absent
 * when not sent. The same shapes are accepted for encoding, where a 64-bit field may also be a
 * number and absent fields take their defaults.
 *
 * Hand-written rather than generated: the codec only needs these few messages.
 */

/** How numeric arrays travel in a reply (tango.v1.ArrayEncoding). */
export enum ArrayEncoding {
  /** Packed repeated fields: readable in grpcurl, the default. */
  PACKED = 0,
  /** One little-endian block in `Value.raw`: fastest for large arrays. */
  BYTES = 1,
}

/** A 64-bit integer as protobufjs decodes it itself (event streams are decoded so, event-frames.ts): its two halves. */
export interface WireLong {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
}

/**
 * A protobuf int64/uint64 as proto-loader gives it (`longs: String`); numbers are accepted on
 * encode; messages decoded by protobufjs directly carry a WireLong.
 */
export type WireInt64 = string | number | WireLong;

/** A 64-bit wire integer as a number (exact below 2^53: times, counters). */
export function int64ToNumber(v: WireInt64): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") return Number(v);
  return (v.unsigned ? v.high >>> 0 : v.high) * 4294967296 + (v.low >>> 0);
}

/** A 64-bit wire integer as a bigint, exact. */
export function int64ToBigInt(v: WireInt64): bigint {
  if (typeof v !== "object") return BigInt(v);
  const high = BigInt(v.unsigned ? v.high >>> 0 : v.high);
  return (high << 32n) | BigInt(v.low >>> 0);
}

/** The oneof members of tango.v1.Value. */
export type WireValueField =
  | "boolean_value" | "int_value" | "uint_value" | "long64_value" | "ulong64_value" | "float_value"
  | "double_value" | "string_value" | "state_value" | "encoded_value" | "boolean_array" | "int_array"
  | "uint_array" | "long64_array" | "ulong64_array" | "float_array" | "double_array" | "string_array"
  | "state_array" | "encoded_array" | "long_string_array" | "double_string_array" | "raw";

/** A repeated-values wrapper (BooleanArray, IntArray, ...). */
export interface WireArray<T> {
  values: T[];
}

/**
 * tango.v1.FloatArray and DoubleArray: packed as a typed array by encodeValue and read as one
 * from large messages (fast-codec.ts), as a number array otherwise (and from other senders).
 */
export interface WireFloatingArray<A extends Float32Array | Float64Array> {
  values: number[] | A;
}

/** tango.v1.EncodedValue. */
export interface WireEncoded {
  encoded_format: string;
  encoded_data: Uint8Array;
}

/** tango.v1.Value: `type` plus at most one member of the `data` oneof. */
export interface WireValue {
  type: number;
  /** Which oneof member is set (proto-loader's `oneofs: true`); absent when none. */
  data?: WireValueField;
  boolean_value?: boolean;
  int_value?: number;
  uint_value?: number;
  long64_value?: WireInt64;
  ulong64_value?: WireInt64;
  float_value?: number;
  double_value?: number;
  string_value?: string;
  state_value?: number;
  encoded_value?: WireEncoded;
  boolean_array?: WireArray<boolean>;
  /** Packed integers: typed arrays from encodeValue and from the fast path (packed-varints.ts). */
  int_array?: { values: number[] | Int32Array | Int16Array };
  uint_array?: { values: number[] | Uint32Array | Uint16Array | Uint8Array };
  long64_array?: { values: WireInt64[] | BigInt64Array };
  ulong64_array?: { values: WireInt64[] | BigUint64Array };
  float_array?: WireFloatingArray<Float32Array>;
  double_array?: WireFloatingArray<Float64Array>;
  string_array?: WireArray<string>;
  state_array?: WireArray<number>;
  encoded_array?: WireArray<WireEncoded>;
  long_string_array?: { lvalue: number[]; svalue: string[] };
  double_string_array?: { dvalue: number[]; svalue: string[] };
  raw?: Uint8Array;
}

/** tango.v1.TimeVal. */
export interface WireTimeVal {
  tv_sec: WireInt64;
  tv_usec: number;
  tv_nsec: number;
}

/** tango.v1.AttributeDim. */
export interface WireAttributeDim {
  dim_x: number;
  dim_y: number;
}

/** tango.v1.DevError. */
export interface WireDevError {
  reason: string;
  severity: number;
  desc: string;
  origin: string;
}

/** tango.v1.NamedDevError. */
export interface WireNamedDevError {
  name: string;
  index_in_call: number;
  errors: WireDevError[];
}

/** tango.v1.AttributeValue. */
export interface WireAttributeValue {
  name: string;
  quality: number;
  data_format: number;
  data_type: number;
  time: WireTimeVal | null;
  r_dim: WireAttributeDim | null;
  w_dim: WireAttributeDim | null;
  value: WireValue | null;
  w_value: WireValue | null;
  errors: WireDevError[];
}

/** tango.v1.AttributeWrite. */
export interface WireAttributeWrite {
  name: string;
  value: WireValue | null;
  dim: WireAttributeDim | null;
}

/** tango.v1.CommandInfo. */
export interface WireCommandInfo {
  cmd_name: string;
  level: number;
  cmd_tag: number;
  in_type: number;
  out_type: number;
  in_type_desc: string;
  out_type_desc: string;
}

/** tango.v1.DevInfo. */
export interface WireDevInfo {
  dev_class: string;
  server_id: string;
  server_host: string;
  server_version: number;
  doc_url: string;
  dev_type: string;
  version_info: Array<{ key: string; value: string }>;
  description: string;
  adm_name: string;
}

/** tango.v1.AttributeAlarm. */
export interface WireAttributeAlarm {
  min_alarm: string;
  max_alarm: string;
  min_warning: string;
  max_warning: string;
  delta_t: string;
  delta_val: string;
  extensions: string[];
}

/** tango.v1.EventProperties. */
export interface WireEventProperties {
  ch_event: { rel_change: string; abs_change: string; extensions: string[] } | null;
  per_event: { period: string; extensions: string[] } | null;
  arch_event: { rel_change: string; abs_change: string; period: string; extensions: string[] } | null;
}

/** tango.v1.AttributeConfig. */
export interface WireAttributeConfig {
  name: string;
  writable: number;
  data_format: number;
  data_type: number;
  memorized: boolean;
  mem_init: boolean;
  max_dim_x: number;
  max_dim_y: number;
  description: string;
  label: string;
  unit: string;
  standard_unit: string;
  display_unit: string;
  format: string;
  min_value: string;
  max_value: string;
  writable_attr_name: string;
  level: number;
  root_attr_name: string;
  enum_labels: string[];
  att_alarm: WireAttributeAlarm | null;
  event_prop: WireEventProperties | null;
  extensions: string[];
  sys_extensions: string[];
}

/** The proto3 `optional` string fields of tango.v1.AttributeConfigUpdate. */
export type WireConfigUpdateField =
  | "description" | "label" | "unit" | "standard_unit" | "display_unit" | "format" | "min_value"
  | "max_value" | "min_alarm" | "max_alarm" | "min_warning" | "max_warning" | "delta_t" | "delta_val"
  | "rel_change" | "abs_change" | "period" | "archive_rel_change" | "archive_abs_change" | "archive_period";

/** tango.v1.AttributeConfigUpdate: an optional field is absent (not `""`) when not sent. */
export type WireAttributeConfigUpdate = { name: string; enum_labels: string[] } & {
  [K in WireConfigUpdateField]?: string;
};

