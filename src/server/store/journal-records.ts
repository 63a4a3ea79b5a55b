import { createHash } from "node:crypto";

/** One property as the store keeps it: its declared name, and its values or null for "deleted". */
export type StoredValues = readonly string[] | null;

/**
 * One journal record. Each line of the file is `<checksum> <json>\n`, the checksum being the first
 * 8 hex digits of the JSON's SHA-256, so that a line torn by a crash or damaged on disk is told
 * apart from a good one. `t` is the record's kind; each kind has its own case in `parseRecord`,
 * and an older reader refuses a kind it does not know rather than dropping it (a file written
 * with `attr` records is refused by a server that predates them, with a message naming the kind).
 */
export type JournalRecord =
  /** The first line of every journal: the format and its version. */
  | { readonly t: "store"; readonly v: 1 }
  /** Device or class properties of one owner (`class:<Class>` for a class) set or deleted at run time. */
  | { readonly t: "props"; readonly o: string; readonly p: Readonly<Record<string, StoredValues>> }
  /**
   * Attribute properties of one device set or deleted at run time (attribute configuration,
   * memorized `__value`): attribute → property → values or null. One record per change, so a
   * change of several attributes is all on disk or not at all.
   */
  | { readonly t: "attr"; readonly o: string; readonly p: Readonly<Record<string, Readonly<Record<string, StoredValues>>>> };

/** The header line's record. */
export const HEADER: JournalRecord = { t: "store", v: 1 };

/** The checksum of a record's JSON text. */
function checksumOf(json: string): string {
  return createHash("sha256").update(json).digest("hex").slice(0, 8);
}

/** A record as one journal line, newline included. */
export function encodeRecord(record: JournalRecord): string {
  const json = JSON.stringify(record);
  return `${checksumOf(json)} ${json}\n`;
}

/** Why a line is not a good record. */
export type LineProblem = "checksum" | "shape";

/** Parses one line (without its newline): the record, or the problem. */
export function decodeLine(line: string): JournalRecord | { problem: LineProblem; detail: string } {
  const space = line.indexOf(" ");
  if (space !== 8) return { problem: "checksum", detail: "no checksum" };
  const json = line.slice(space + 1);
  if (checksumOf(json) !== line.slice(0, space)) return { problem: "checksum", detail: "checksum mismatch" };
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    return { problem: "shape", detail: `not JSON (${(err as Error).message})` };
  }
  return parseRecord(data);
}

/** Checks a decoded record's shape. */
export function parseRecord(data: unknown): JournalRecord | { problem: LineProblem; detail: string } {
  if (!isObject(data)) return { problem: "shape", detail: "not an object" };
  switch (data.t) {
    case "store":
      return data.v === 1 ? HEADER : { problem: "shape", detail: `unsupported store format version ${JSON.stringify(data.v)}` };
    case "props": {
      if (typeof data.o !== "string" || data.o === "") return { problem: "shape", detail: "a props record without an owner" };
      const props = parseProps(data.p);
      if (typeof props === "string") return { problem: "shape", detail: `owner ${data.o}: ${props}` };
      return { t: "props", o: data.o, p: props };
    }
    case "attr": {
      if (typeof data.o !== "string" || data.o === "") return { problem: "shape", detail: "an attr record without a device" };
      if (!isObject(data.p)) return { problem: "shape", detail: `device ${data.o}: attributes are not an object` };
      const attrs = Object.create(null) as Record<string, Record<string, StoredValues>>;
      for (const [attribute, raw] of Object.entries(data.p)) {
        const props = parseProps(raw);
        if (typeof props === "string") return { problem: "shape", detail: `device ${data.o}, attribute ${attribute}: ${props}` };
        attrs[attribute] = props;
      }
      return { t: "attr", o: data.o, p: attrs };
    }
    default:
      return { problem: "shape", detail: `unknown record kind ${JSON.stringify(data.t)}` };
  }
}

/** `{ name: [values] | null }`, or a sentence saying what is wrong. */
export function parseProps(data: unknown): Record<string, StoredValues> | string {
  if (!isObject(data)) return "properties are not an object";
  const out = Object.create(null) as Record<string, StoredValues>; // `__proto__` is a property name like any other
  for (const [name, values] of Object.entries(data)) {
    if (values === null) {
      out[name] = null;
    } else if (Array.isArray(values) && values.every((v) => typeof v === "string")) {
      out[name] = values as string[];
    } else {
      return `property ${JSON.stringify(name)} is neither a list of strings nor null`;
    }
  }
  return out;
}

function isObject(data: unknown): data is Record<string, unknown> {
  return typeof data === "object" && data !== null && !Array.isArray(data);
}

/** What reading a journal's text found. */
export interface ParsedJournal {
  /** Good records in file order (the header excluded). */
  readonly records: JournalRecord[];
  /** Bytes of the file up to the end of the last good line: where the next record goes. */
  readonly validBytes: number;
  /** The torn last line that was dropped (a crash during an append), if any. */
  readonly tornTail?: { readonly line: number; readonly bytes: number; readonly detail: string };
  /** Bad lines before the end: the file is damaged. Each names its 1-based line number. */
  readonly damaged: ReadonlyArray<{ readonly line: number; readonly detail: string }>;
}

/**
 * Reads a journal. The last line may be torn (no newline, or a bad checksum): it is dropped and
 * reported as such, since a crash during an append leaves exactly that. A bad line before the last
 * one is damage; the good lines around it are still returned, for `--repair`.
 */
export function parseJournal(text: string): ParsedJournal {
  const records: JournalRecord[] = [];
  const damaged: Array<{ line: number; detail: string }> = [];
  let tornTail: ParsedJournal["tornTail"];
  let offset = 0;
  let validBytes = 0;
  let lineNo = 0;
  let hasHeader = false;
  while (offset < text.length) {
    lineNo++;
    const nl = text.indexOf("\n", offset);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(offset, end);
    const isLast = nl < 0 || nl === text.length - 1;
    const decoded = nl < 0 ? { problem: "checksum" as const, detail: "no newline at the end" } : decodeLine(line);
    offset = nl < 0 ? text.length : nl + 1;
    if ("problem" in decoded) {
      if (isLast && decoded.problem === "checksum") {
        tornTail = { line: lineNo, bytes: Buffer.byteLength(text.slice(offset - line.length - (nl < 0 ? 0 : 1))), detail: decoded.detail };
      } else {
        damaged.push({ line: lineNo, detail: decoded.detail });
      }
      continue;
    }
    if (lineNo === 1) {
      if (decoded.t !== "store") damaged.push({ line: 1, detail: "the first line is not the store header" });
      else hasHeader = true;
    } else if (decoded.t === "store") {
      damaged.push({ line: lineNo, detail: "a second store header" });
      continue;
    } else {
      records.push(decoded);
    }
    if (damaged.length === 0) validBytes = Buffer.byteLength(text.slice(0, offset));
  }
  if (lineNo === 0) damaged.push({ line: 1, detail: "the file is empty" });
  else if (!hasHeader && damaged.length === 0) damaged.push({ line: 1, detail: "no store header (not a store file of this server)" });
  return { records, validBytes, ...(tornTail === undefined ? {} : { tornTail }), damaged };
}

/** True when the text is a store file of the first format: one JSON object (property-store.ts before the journal). */
export function isLegacyStore(text: string): boolean {
  return text.trimStart().startsWith("{");
}

/**
 * Reads a store file of the first format, `{ owner: { name: [values] | null } }` written whole at
 * each change: its records, or a sentence saying why it is unusable.
 */
export function parseLegacyStore(text: string): JournalRecord[] | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return `not valid JSON (${(err as Error).message})`;
  }
  if (!isObject(data)) return "not a JSON object of owners";
  const out: JournalRecord[] = [];
  for (const [owner, props] of Object.entries(data)) {
    const p = parseProps(props);
    if (typeof p === "string") return `owner ${JSON.stringify(owner)}: ${p}`;
    out.push({ t: "props", o: owner, p });
  }
  return out;
}
