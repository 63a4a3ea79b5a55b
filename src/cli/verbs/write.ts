import { AttrDataFormat, arrayTypeOf, typeName, type AttributeConfig } from "../../core/index.js";
import { parseAttributeValue } from "../argin.js";
import { TRL_ARGUMENT } from "../client-help.js";
import { defineClientVerb } from "../client-verb.js";
import { enumName, presentValue } from "../present-value.js";
import type { Verb } from "../verb.js";

/** The parsed value as --json shows it; an image is already rows (what parseAttributeValue gives). */
function presentWritten(value: unknown, config: AttributeConfig): unknown {
  switch (config.dataFormat) {
    case AttrDataFormat.SCALAR:
      return presentValue(value, config.dataType);
    case AttrDataFormat.SPECTRUM:
      return presentValue(value, arrayTypeOf(config.dataType));
    default:
      return Array.isArray(value) ? value.map((row) => presentValue(row, arrayTypeOf(config.dataType))) : value;
  }
}

/** `tango-grpc write <trl> <attr> <value>`: write one attribute. */
export const writeVerb: Verb = defineClientVerb({
  name: "write",
  summary: "write a value to an attribute",
  usage: "tango-grpc write <trl> <attr> <value> [options]",
  description: `
Writes one attribute (Tango's write_attribute): looks up its configuration,
parses the value by the attribute's type and format (a spectrum as a list, an
image as a JSON array of rows), then writes it. Prints nothing on success;
"tango-grpc read" shows the new set value.`,
  arguments: [
    TRL_ARGUMENT,
    ["<attr>", "the attribute name (case-insensitive); it must be writable"],
    ["<value>", "the value, parsed by the attribute's type (see Values)"],
  ],
  jsonHelp: '{"device", "attribute", "dataType", "dataFormat", "value"}: the value as parsed and sent',
  hasValues: true,
  examples: [
    "tango-grpc write tango://localhost:50051/sys/tg_test/1 double_scalar 2.5",
    "tango-grpc write localhost:50051/sys/tg_test/1 double_image '[[1, 2], [3, 4]]'",
  ],
  positionals: { min: 3, max: 3 },
  async run({ positionals: [trl = "", attr = "", text = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const config = await proxy.getAttributeConfig(attr);
    // A read-only attribute is left to the server, which refuses it with API_AttrNotWritable.
    const value = parseAttributeValue(text, config);
    await proxy.writeAttribute(config.name, value);
    print(() => "", () => ({
      device: proxy.name,
      attribute: config.name,
      dataType: typeName(config.dataType),
      dataFormat: enumName(AttrDataFormat, config.dataFormat),
      value: presentWritten(value, config),
    }));
  },
});
