import { DispLevel, PipeWriteType, typeName, type PipeBlob } from "../../core/index.js";
import { TRL_ARGUMENT } from "../client-help.js";
import { UsageError, defineClientVerb } from "../client-verb.js";
import { formatTable, formatValue } from "../format.js";
import { enumName, formatTime, presentTime, presentValue } from "../present-value.js";
import type { Verb } from "../verb.js";

/*
 * The pipe verbs (spec §8): read-pipe, write-pipe and pipes. A blob's JSON is the REST routes'
 * (src/http/pipe-json.ts), loaded only by these verbs.
 */

const BLOB_JSON_HELP = '{"name", "elements": [{"name", "type", "value"} or {"name", "blob": {...}}, ...]}';

/** The blob as an indented tree: one line per data element, nested blobs under their element. */
function formatBlob(blob: PipeBlob, indent = ""): string {
  const rows: string[][] = [];
  const walk = (b: PipeBlob, pad: string): void => {
    for (const e of b.elements) {
      if (e.blob !== undefined) {
        rows.push([`${pad}${e.name}`, "blob", JSON.stringify(e.blob.name)]);
        walk(e.blob, `${pad}  `);
      } else {
        rows.push([`${pad}${e.name}`, typeName(e.value.type), formatValue(presentValue(e.value.value, e.value.type))]);
      }
    }
  };
  walk(blob, indent);
  return formatTable(["NAME", "TYPE", "VALUE"], rows);
}

/** `tango-grpc read-pipe <trl> <pipe>`: read a pipe and print its blob as a tree. */
export const readPipeVerb: Verb = defineClientVerb({
  name: "read-pipe",
  summary: "read a pipe of a device and print its blob",
  usage: "tango-grpc read-pipe <trl> <pipe> [options]",
  description: `
Reads a pipe (Tango's read_pipe) and prints its name, time (ISO 8601, UTC,
microseconds) and blob name, then one line per data element: name, Tango type
and value; a nested blob's elements are indented under it. Long arrays are
abbreviated; --json gives the whole blob, in the form write-pipe takes.`,
  arguments: [TRL_ARGUMENT, ["<pipe>", "the pipe name (case-insensitive)"]],
  jsonHelp: `{"device", "pipe", "time": {"sec", "usec", "iso"}, "blob": ${BLOB_JSON_HELP}}`,
  examples: [
    "tango-grpc read-pipe localhost:50051/sys/tg_test/1 string_long_short_ro",
    "tango-grpc read-pipe localhost:50051/sys/tg_test/1 string_long_short_ro --json",
  ],
  positionals: { min: 2, max: 2 },
  async run({ positionals: [trl = "", name = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const read = await proxy.readPipe(name);
    const { pipeBlobToJson } = await import("../../http/index.js");
    print(
      () => `pipe ${read.name}  ${formatTime(read.time)}  blob ${JSON.stringify(read.blob.name)}\n${formatBlob(read.blob)}`,
      () => ({ device: proxy.name, pipe: read.name, time: presentTime(read.time), blob: pipeBlobToJson(read.blob) }),
    );
  },
});

/** `tango-grpc write-pipe <trl> <pipe> <json>`: write a read-write pipe. */
export const writePipeVerb: Verb = defineClientVerb({
  name: "write-pipe",
  summary: "write a blob to a read-write pipe",
  usage: "tango-grpc write-pipe <trl> <pipe> <json> [options]",
  description: `
Writes a read-write pipe (Tango's write_pipe). The blob is JSON, as read-pipe
--json prints it: {"name": "b", "elements": [{"name": "x", "type": "DevDouble",
"value": 1.5}, {"name": "in", "blob": {"name": "", "elements": [...]}}]}, with
types by their Tango name; or the shorter record form {"x": 1.5, "label": "a",
"in": {"y": 2}}, whose types are inferred: a number is a DevDouble, a string a
DevString, a boolean a DevBoolean, an integer beyond 2^53 a DevLong64, a list
of one of those its array type, an object a nested blob. 64-bit integers may be
strings, NaN "NaN", states their name, DevEncoded {"format", "data": base64}.
Prints nothing on success.`,
  arguments: [
    TRL_ARGUMENT,
    ["<pipe>", "the pipe name (case-insensitive); it must be writable"],
    ["<json>", "the blob, in either JSON form"],
  ],
  jsonHelp: `{"device", "pipe", "blob": ${BLOB_JSON_HELP}}: the blob as sent`,
  examples: [
    `tango-grpc write-pipe localhost:50051/test/dev/1 thePipe '{"x": 1.5, "names": ["a", "b"]}'`,
    `tango-grpc write-pipe localhost:50051/test/dev/1 thePipe '{"name": "b", "elements": [{"name": "n", "type": "DevShort", "value": 3}]}'`,
  ],
  positionals: { min: 3, max: 3 },
  async run({ positionals: [trl = "", name = "", text = ""], openDevice, print }) {
    const { parseJsonBody, pipeBlobFromJson, pipeBlobToJson } = await import("../../http/index.js");
    let json: unknown;
    try {
      json = parseJsonBody(text);
    } catch (err) {
      throw new UsageError(`<json> is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const blob = pipeBlobFromJson(json, "tango-grpc write-pipe");
    const proxy = openDevice(trl);
    await proxy.writePipe(name, blob);
    print(() => "", () => ({ device: proxy.name, pipe: name, blob: pipeBlobToJson(blob) }));
  },
});

/** `tango-grpc pipes <trl>`: the device's pipes and their configurations. */
export const pipesVerb: Verb = defineClientVerb({
  name: "pipes",
  summary: "list a device's pipes with their configurations",
  usage: "tango-grpc pipes <trl> [options]",
  description: `
Lists the device's pipes (Tango's get_pipe_config) as a table: name, whether
clients may write it (PIPE_READ or PIPE_READ_WRITE), display level, label and
description.`,
  arguments: [TRL_ARGUMENT],
  jsonHelp: '{"device", "pipes": [{"name", "writable", "level", "label", "description"}, ...]}',
  examples: ["tango-grpc pipes localhost:50051/sys/tg_test/1"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const pipes = (await proxy.getPipeConfig([])).map((c) => ({
      name: c.name, writable: enumName(PipeWriteType, c.writable), level: enumName(DispLevel, c.level), label: c.label, description: c.description,
    }));
    print(
      () => formatTable(["NAME", "WRITABLE", "LEVEL", "LABEL", "DESCRIPTION"], pipes.map((p) => [p.name, p.writable, p.level, p.label, p.description])),
      () => ({ device: proxy.name, pipes }),
    );
  },
});
