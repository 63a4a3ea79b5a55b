import type { DeviceAttribute } from "../../client/index.js";
import { AttrDataFormat, AttrQuality } from "../../core/index.js";
import { TRL_ARGUMENT } from "../client-help.js";
import { UsageError, defineClientVerb } from "../client-verb.js";
import { formatErrorStack } from "../error-output.js";
import { formatTable, formatValue } from "../format.js";
import { attributeJson, readValueOf, writeValueOf } from "../present-attribute.js";
import { enumName, formatTime } from "../present-value.js";
import { ExitCode, type Verb } from "../verb.js";

function dimsOf(attr: DeviceAttribute): string {
  if (attr.dataFormat === AttrDataFormat.IMAGE) return `${attr.dimX}x${attr.dimY}`;
  return attr.dataFormat === AttrDataFormat.SPECTRUM ? String(attr.dimX) : "";
}

/** The human table: dims and write-value columns only when some attribute has them. */
function formatReadTable(attrs: readonly DeviceAttribute[]): string {
  const hasDims = attrs.some((a) => a.dataFormat !== AttrDataFormat.SCALAR);
  const hasWrite = attrs.some((a) => a.wValue !== undefined);
  const header = ["NAME", "VALUE", "QUALITY", "TIME", ...(hasDims ? ["DIMS"] : []), ...(hasWrite ? ["WRITE"] : [])];
  const rows = attrs.map((a) => [
    a.name,
    formatValue(readValueOf(a)),
    enumName(AttrQuality, a.quality),
    formatTime(a.time),
    ...(hasDims ? [dimsOf(a)] : []),
    ...(hasWrite ? [formatValue(writeValueOf(a))] : []),
  ]);
  return formatTable(header, rows);
}

/** `tango-grpc read <trl> <attr…>`: read attributes and print them as a table. */
export const readVerb: Verb = defineClientVerb({
  name: "read",
  summary: "read attributes of a device",
  usage: "tango-grpc read <trl> [<attr>...] [options]",
  description: `
Reads attributes in one call and prints a table: name, value, quality, time
(ISO 8601, UTC, microseconds), dimensions of spectra and images (x, or
x by y), and the set value of writable attributes. Long arrays are abbreviated
in the table and complete with --json; an image shows as a list of rows.
The attribute may be given in the TRL instead: host:port/sys/tg_test/1/ampli.
When some attributes fail, the others are printed, each failure's error stack
goes to stderr ("tango-grpc: <attr>: <reason>: <desc>") and the exit code is 1.`,
  arguments: [
    [TRL_ARGUMENT[0], `${TRL_ARGUMENT[1]}; it may end in /<attribute>`],
    ["<attr>...", "attribute names (case-insensitive)"],
  ],
  jsonHelp: '{"device", "attributes": [{"name", "value", "wValue", "quality", "time", "dataFormat", "dataType", "dimX", "dimY", "wDimX", "wDimY"}, ...]}; a failed one is {"name", "error": {"errors": [...]}}',
  sourceHelp: "read the device, the polling buffer, or the buffer when the attribute is polled",
  examples: [
    "tango-grpc read localhost:50051/sys/tg_test/1 double_scalar long64_scalar",
    "tango-grpc read localhost:50051/sys/tg_test/1/double_spectrum --json",
  ],
  positionals: { min: 1, max: Infinity },
  async run({ positionals: [trl = "", ...rest], openDeviceOrAttribute, readOptions, print, io }) {
    const { proxy, attribute } = openDeviceOrAttribute(trl);
    const names = attribute === undefined ? rest : [attribute, ...rest];
    if (names.length === 0) throw new UsageError("name at least one attribute, after the TRL or inside it");
    const attrs = await proxy.readAttributes(names, readOptions);
    const good = attrs.filter((a) => a.error === undefined);
    print(
      () => (good.length > 0 ? formatReadTable(good) : ""),
      () => ({ device: proxy.name, attributes: attrs.map(attributeJson) }),
    );
    for (const a of attrs) if (a.error !== undefined) io.stderr.write(formatErrorStack(a.error.errors, `${a.name}: `));
    return good.length === attrs.length ? ExitCode.Ok : ExitCode.Failure;
  },
});
