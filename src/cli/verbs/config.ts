import { TRL_ARGUMENT } from "../client-help.js";
import { defineClientVerb } from "../client-verb.js";
import { formatFields, formatValue } from "../format.js";
import { presentConfig } from "../present-attribute.js";
import type { Verb } from "../verb.js";

/** `name: value` lines; the alarm and event parts as `alarms.minAlarm`, `events.period`, … */
function configFields(config: Record<string, unknown>): [string, string][] {
  return Object.entries(config).flatMap(([key, value]): [string, string][] => {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return Object.entries(value).map(([sub, v]) => [`${key}.${sub}`, formatValue(v, { maxElements: Infinity })]);
    }
    return [[key, formatValue(value, { maxElements: Infinity })]];
  });
}

/** `tango-grpc config <trl> <attr>`: an attribute's configuration. */
export const configVerb: Verb = defineClientVerb({
  name: "config",
  summary: "print an attribute's configuration",
  usage: "tango-grpc config <trl> <attr> [options]",
  description: `
Prints an attribute's configuration (Tango's AttributeConfig_5), one
"name: value" line per field: name, writable, dataFormat, dataType,
memorized, memInit, maxDimX, maxDimY, description, label, unit, standardUnit,
displayUnit, format, minValue, maxValue, writableAttrName, level,
rootAttrName, enumLabels, then alarms.* and events.*, as the device sends
them (Tango keeps numeric properties as text).`,
  arguments: [TRL_ARGUMENT, ["<attr>", "the attribute name (case-insensitive)"]],
  jsonHelp: '{"device", "config": {the fields above, "alarms": {...}, "events": {...}}}',
  examples: ["tango-grpc config tango://localhost:50051/sys/tg_test/1 double_scalar"],
  positionals: { min: 2, max: 2 },
  async run({ positionals: [trl = "", attr = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const config = presentConfig(await proxy.getAttributeConfig(attr));
    print(() => formatFields(configFields(config)), () => ({ device: proxy.name, config }));
  },
});
