import { Type, type Static } from "typebox";
import { CommandInfoBody } from "./device-schemas.js";

/*
 * The TypeBox schemas of the admin routes (src/http/admin-routes.ts): Fastify validates requests
 * and serializes replies with them, and @fastify/swagger turns them into the OpenAPI document.
 */


/** A device name split into its three fields (`domain/family/member`). */
export const DeviceParams = Type.Object({
  domain: Type.String({ minLength: 1, description: "first field of the device name" }),
  family: Type.String({ minLength: 1, description: "second field of the device name" }),
  member: Type.String({ minLength: 1, description: "third field of the device name" }),
});

export const CommandParams = Type.Object({
  command: Type.String({ minLength: 1, description: "admin command name (any case), e.g. QueryDevice" }),
});

export const ClassParams = Type.Object({
  class: Type.String({ minLength: 1, description: "a device class of this server, e.g. TangoTest" }),
});

/** How many blackbox records GET /admin/blackbox gives when `n` is not said. */
export const DEFAULT_BLACKBOX_RECORDS = 10;
/** The largest `n`: black_box's argument is an IDL `long` (spec §10.7). */
const MAX_BLACKBOX_RECORDS = 0x7fffffff;

/*
 * Request schemas refuse properties they do not declare (additionalProperties: false): a
 * misspelt `?N=5` or `{"argn": 1}` is a 400, not silently ignored.
 */

export const BlackBoxQuery = Type.Object({
  n: Type.Optional(Type.Integer({
    minimum: 1, maximum: MAX_BLACKBOX_RECORDS, default: DEFAULT_BLACKBOX_RECORDS,
    description: "how many records, newest first; a decimal integer from 1 to 2147483647 (more than the blackbox holds gives all of them)",
  })),
}, { additionalProperties: false });

export const LevelsQuery = Type.Object({
  device: Type.Optional(Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1, description: "device names or wildcard patterns (`*`); repeat the parameter for several; default `*`",
  })),
}, { additionalProperties: false });

/** Device information (IDL DevInfo_3 plus extras), as the request API gives it. */
export const DeviceInfoJson = Type.Object({
  devClass: Type.String({ description: "the device class, DServer for the admin device" }),
  serverId: Type.String({ description: "<server>/<instance>" }),
  serverHost: Type.String(),
  serverVersion: Type.Integer({ description: "IDL version of the server" }),
  docUrl: Type.String(),
  devType: Type.String(),
  versionInfo: Type.Record(Type.String(), Type.String(), { description: "library and build versions" }),
  description: Type.String(),
  admName: Type.String({ description: "the admin device's name" }),
});

export const AdminSummary = Type.Object({
  name: Type.String({ description: "dserver/<server>/<instance>" }),
  state: Type.String({ description: "DevState name; the admin device is always ON" }),
  status: Type.String(),
  info: DeviceInfoJson,
}, { description: "the admin device: name, state, status and device information" });

export const DeviceRef = Type.Object({
  class: Type.String({ description: "device class" }),
  name: Type.String({ description: "device name" }),
});
export type DeviceRef = Static<typeof DeviceRef>;

export const DeviceList = Type.Array(DeviceRef, { description: "the user devices (QueryDevice), the admin device excluded" });
export const StringList = Type.Array(Type.String());

export const CommandInfoJson = Type.Object({
  name: Type.String(),
  info: CommandInfoBody,
}, { description: "a command's description (command_query), as the device routes give it (Tango REST's CommandInfo)" });
export type CommandInfoJson = Static<typeof CommandInfoJson>;

export const CommandBody = Type.Union([
  Type.Object({
    argin: Type.Optional(Type.Unknown({
      description: "the input, as JSON of the command's declared input type: absent or null for DevVoid; 64-bit integers as numbers or decimal strings; "
        + "DevVarLongStringArray as {\"lvalue\": [...], \"svalue\": [...]}",
    })),
  }, { additionalProperties: false }),
  Type.Null(),
], {
  description: "`{\"argin\": …}`. For a command without input the body may also be `{}`, `null`, or left out altogether.",
});

/** The Tango REST API's command result. */
export const CommandResult = Type.Object({
  name: Type.String({ description: "the command's declared name" }),
  output: Type.Unknown({ description: "the command's output as JSON of its declared output type; null for DevVoid" }),
}, { description: "the command ran; its output" });

export const WizardProperty = Type.Object({
  name: Type.String(),
  description: Type.String(),
  default: Type.String({ description: "default value (several values joined by newlines); `Not specified` when none" }),
});
export type WizardProperty = Static<typeof WizardProperty>;
export const WizardPropertyList = Type.Array(WizardProperty, { description: "properties declared in the class's code" });

const LEVEL_NAMES = ["OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG"] as const;
/** Tango's logging level names, indexed by level number (spec §13). */
export const LOGGING_LEVEL_NAMES: readonly string[] = LEVEL_NAMES;
export type LoggingLevelName = (typeof LEVEL_NAMES)[number];

export const LoggingLevel = Type.Object({
  device: Type.String(),
  level: Type.Integer({ minimum: 0, maximum: 5, description: "0=OFF 1=FATAL 2=ERROR 3=WARN 4=INFO 5=DEBUG" }),
  levelName: Type.Enum(LEVEL_NAMES, { description: "the level's name" }),
});
export type LoggingLevel = Static<typeof LoggingLevel>;
export const LoggingLevelList = Type.Array(LoggingLevel, { description: "the logging level of each matching device" });

export const SetLoggingLevelBody = Type.Array(Type.Object({
  device: Type.String({ minLength: 1, description: "device name or wildcard pattern" }),
  level: Type.Union([
    Type.Integer({ minimum: 0, maximum: 5, description: "0=OFF 1=FATAL 2=ERROR 3=WARN 4=INFO 5=DEBUG" }),
    Type.Enum(LEVEL_NAMES, { description: "or the level's name" }),
  ]),
}, { additionalProperties: false }), { minItems: 1, description: "the levels to set (SetLoggingLevel)" });

export const LoggingTarget = Type.Object({
  device: Type.String({ minLength: 1, description: "device name or wildcard pattern" }),
  target: Type.String({ minLength: 1, description: "`type::name`, e.g. `file::/tmp/dev.log` or `console::cout`; wildcards allowed when removing" }),
}, { additionalProperties: false });

