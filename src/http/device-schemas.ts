import { Type, type Static } from "typebox";
import { AttrDataFormat, AttrQuality, AttrWriteType, DevState, DispLevel } from "../core/index.js";
import { RestErrorItem } from "./rest-errors.js";

/*
 * The bodies of the device routes, in the shape of the Tango REST API v1 (tango-controls/rest-api,
 * docs/device.md; the rc4 entities of src/main/java/org/tango/rest/rc4/entities): its snake_case
 * field names, enumerations by name, links as `href` strings and `_links` objects. Links are paths
 * under the sidecar, e.g. `/api/v1/devices/sys/tg_test/1/state`.
 */

/** Names of a numeric TypeScript enum's members, for `enum` schemas. */
function namesOf(e: Record<string, string | number>): string[] {
  return Object.keys(e).filter((k) => Number.isNaN(Number(k)));
}

const Href = Type.String({ description: "a path of this sidecar, e.g. /api/v1/devices/sys/tg_test/1" });

/** The path parameters naming a device: `{domain}/{family}/{member}`. */
export const DeviceParams = Type.Object({
  domain: Type.String({ minLength: 1, description: "first part of the device name, e.g. sys" }),
  family: Type.String({ minLength: 1, description: "second part, e.g. tg_test" }),
  member: Type.String({ minLength: 1, description: "third part, e.g. 1" }),
});
export type DeviceParams = Static<typeof DeviceParams>;

/** A device and one of its attributes. */
export const AttributeParams = Type.Object({
  ...DeviceParams.properties,
  attr: Type.String({ minLength: 1, description: "attribute name (case-insensitive)" }),
});

/** A device and one of its commands. */
export const CommandParams = Type.Object({
  ...DeviceParams.properties,
  cmd: Type.String({ minLength: 1, description: "command name (case-insensitive)" }),
});

/** `GET /devices`: one entry per device (Tango REST's NamedEntity). */
export const DeviceRef = Type.Object({ name: Type.String(), href: Href });
export type DeviceRef = Static<typeof DeviceRef>;

/** `info` of `GET /devices/{device}`: what `info()` (IDL DevInfo_3 and more) tells. */
export const DeviceInfoBody = Type.Object({
  name: Type.String(),
  classname: Type.String({ description: "Tango class of the device" }),
  server: Type.String({ description: "device server, <executable>/<instance>" }),
  hostname: Type.String(),
  version: Type.String({ description: "IDL version the server implements" }),
  exported: Type.Boolean({ description: "always true: the device answered" }),
  adm_name: Type.String({ description: "the admin device dserver/<server>/<instance>" }),
  description: Type.String(),
  doc_url: Type.String(),
  dev_type: Type.String(),
  version_info: Type.Record(Type.String(), Type.String(), { description: "versions of the libraries, e.g. tango-grpc" }),
});
export type DeviceInfoBody = Static<typeof DeviceInfoBody>;

/** `GET /devices/{device}`. */
export const DeviceBody = Type.Object({
  name: Type.String(),
  info: DeviceInfoBody,
  state: Href,
  attributes: Href,
  commands: Href,
  _links: Type.Object({ _parent: Href, _self: Href }),
});
export type DeviceBody = Static<typeof DeviceBody>;

/** `GET /devices/{device}/state`. */
export const StateBody = Type.Object({
  state: Type.String({ enum: namesOf(DevState), description: "DevState name" }),
  status: Type.String(),
  _links: Type.Object({ _state: Href, _status: Href, _parent: Href, _self: Href }),
});
export type StateBody = Static<typeof StateBody>;

/** An entry of `GET /devices/{device}/attributes`. */
export const AttributeRef = Type.Object({
  name: Type.String(),
  value: Href,
  info: Href,
  _links: Type.Object({ _device: Href, _self: Href }),
});
export type AttributeRef = Static<typeof AttributeRef>;

const NOT_SPECIFIED = "Tango's string form; \"Not specified\" when unset";
const Extensions = Type.Array(Type.String(), { description: "always empty" });

/** An attribute's configuration (IDL AttributeConfig_5) with Tango REST's AttributeInfo names. */
const attributeInfoProperties = {
  name: Type.String(),
  writable: Type.String({ enum: namesOf(AttrWriteType) }),
  data_format: Type.String({ enum: namesOf(AttrDataFormat) }),
  data_type: Type.String({ description: "Tango type name, e.g. DevDouble" }),
  max_dim_x: Type.Integer(),
  max_dim_y: Type.Integer(),
  description: Type.String(),
  label: Type.String(),
  unit: Type.String(),
  standard_unit: Type.String(),
  display_unit: Type.String(),
  format: Type.String(),
  min_value: Type.String({ description: NOT_SPECIFIED }),
  max_value: Type.String({ description: NOT_SPECIFIED }),
  min_alarm: Type.String({ description: NOT_SPECIFIED }),
  max_alarm: Type.String({ description: NOT_SPECIFIED }),
  writable_attr_name: Type.String(),
  level: Type.String({ enum: namesOf(DispLevel) }),
  memorized: Type.String({ enum: ["NONE", "MEMORIZED", "MEMORIZED_WRITE_INIT"], description: "AttrMemorizedType name" }),
  root_attr_name: Type.String(),
  enum_label: Type.Array(Type.String(), { description: "labels of a DevEnum attribute: value i is label i" }),
  extensions: Extensions,
  sys_extensions: Extensions,
  alarms: Type.Object({
    min_alarm: Type.String(), max_alarm: Type.String(), min_warning: Type.String(), max_warning: Type.String(),
    delta_t: Type.String(), delta_val: Type.String(), extensions: Extensions,
  }),
  events: Type.Object({
    ch_event: Type.Object({ rel_change: Type.String(), abs_change: Type.String(), extensions: Extensions }),
    per_event: Type.Object({ period: Type.String(), extensions: Extensions }),
    arch_event: Type.Object({ rel_change: Type.String(), abs_change: Type.String(), period: Type.String(), extensions: Extensions }),
  }),
};
const AttributeInfoFields = Type.Object(attributeInfoProperties);
export type AttributeInfoFields = Static<typeof AttributeInfoFields>;

/** `GET /devices/{device}/attributes/{attr}/info`: the configuration. */
export const AttributeInfoBody = Type.Object({
  ...attributeInfoProperties,
  _links: Type.Object({ _device: Href, _parent: Href, _self: Href }),
});
export type AttributeInfoBody = Static<typeof AttributeInfoBody>;

/** `GET /devices/{device}/attributes/{attr}`: the configuration and the links to the value and info. */
export const AttributeBody = Type.Object({
  ...attributeInfoProperties,
  value: Href,
  info: Href,
  _links: Type.Object({ _device: Href, _parent: Href, _self: Href }),
});
export type AttributeBody = Static<typeof AttributeBody>;

const VALUE_DOC = "the value as JSON: numbers; 64-bit integers beyond ±2^53 as decimal strings; NaN and ±Infinity as "
  + "\"NaN\", \"Infinity\", \"-Infinity\"; DevState and DevEnum by name; DevEncoded as {format, data: base64}; "
  + "a spectrum as an array; an image as {data: [row-major elements], width, height}";

/** An attribute value (Tango REST's AttributeValue), or in a list the errors of a failed read. */
export const AttributeValueBody = Type.Object({
  name: Type.String(),
  value: Type.Optional(Type.Unknown({ description: `${VALUE_DOC}; null when the quality is ATTR_INVALID` })),
  quality: Type.String({
    enum: [...namesOf(AttrQuality), "FAILURE"],
    description: "AttrQuality name; FAILURE (Tango REST) for a failed read in a list, which has errors instead of a value",
  }),
  timestamp: Type.Number({ description: "time of the value, ms since the Unix epoch" }),
  w_value: Type.Optional(Type.Unknown({ description: "the set value of a writable attribute, same form as value" })),
  errors: Type.Optional(Type.Array(RestErrorItem, { description: "why this attribute's read failed, root cause first" })),
});
export type AttributeValueBody = Static<typeof AttributeValueBody>;

/** The query of `PUT .../attributes/{attr}/value`. */
export const WriteQuery = Type.Object({
  v: Type.Optional(Type.String({
    description: "the value as text instead of a body (Tango REST): a scalar, or a spectrum as comma-separated elements or a JSON array",
  })),
}, { additionalProperties: false });

/** The query of `GET .../attributes/value`. */
export const MultiReadQuery = Type.Object({
  attr: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: "attribute names, repeated: ?attr=a&attr=b" }),
}, { additionalProperties: false });

/** `info` of a command (IDL DevCmdInfo_2) with Tango REST's CommandInfo names. */
export const CommandInfoBody = Type.Object({
  level: Type.String({ enum: namesOf(DispLevel) }),
  in_type: Type.String({ description: "Tango type name, e.g. DevVoid, DevVarDoubleArray" }),
  out_type: Type.String(),
  in_type_desc: Type.String(),
  out_type_desc: Type.String(),
});
export type CommandInfoBody = Static<typeof CommandInfoBody>;

/** `GET /devices/{device}/commands/{cmd}` and each entry of `.../commands`. */
export const CommandBody = Type.Object({
  name: Type.String(),
  info: CommandInfoBody,
  _links: Type.Object({ _parent: Href, _self: Href }),
});
export type CommandBody = Static<typeof CommandBody>;

/** `PUT /devices/{device}/commands/{cmd}`: the result (`output` null for a DevVoid command, as the admin routes). */
export const CommandResultBody = Type.Object({
  name: Type.String(),
  output: Type.Unknown({ description: `the argout: ${VALUE_DOC}; null for a DevVoid command` }),
  _links: Type.Object({ _parent: Href, _self: Href }),
});
export type CommandResultBody = Static<typeof CommandResultBody>;

/** The body of a write or a command: any JSON, or text with Content-Type text/plain. */
export const ValueInputBody = Type.Unknown({
  description: `${VALUE_DOC}. An image may also be sent as an array of rows. text/plain is read like the v query parameter. `
    + "A command without argin takes no body.",
});
