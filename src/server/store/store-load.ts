import type { Logger } from "pino";
import type { JournalFile } from "./journal-file.js";
import { encodeRecord, HEADER, isLegacyStore, parseJournal, parseLegacyStore, type JournalRecord } from "./journal-records.js";
import { StoreFileError } from "./store-errors.js";

/** What opening the store file gave. */
export interface LoadedStore {
  /** The records to replay, in order. */
  readonly records: readonly JournalRecord[];
  /** Bytes of the file that hold good records: where the next append goes. */
  readonly fileBytes: number;
  /** The next write must be a whole snapshot: there is no file yet, or it is in the first format. */
  readonly needsSnapshot: boolean;
  /** A torn last record was dropped: the file must be cut back before the next append. */
  readonly hasTornTail: boolean;
}

/** How many problems a refusal lists before "and N more". */
const LISTED_PROBLEMS = 5;

/**
 * Reads the store file at startup. A missing file is an empty store; a file in the first format
 * (one JSON object) is read and rewritten as a journal at the first write; a torn last record is
 * dropped with a warning. A damaged file throws StoreFileError naming the file and its problems,
 * unless `isRepair`: then it is moved to `<file>.damaged-<time>` and its good records are kept.
 */
export function loadStore(file: JournalFile, opts: { isRepair: boolean; now: () => Date; log: Logger | undefined }): LoadedStore {
  let text: string | undefined;
  try {
    text = file.readText();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new StoreFileError(file.path, [`${code}: ${(err as Error).message}`], false, { cause: err });
  }
  if (text === undefined) return { records: [], fileBytes: 0, needsSnapshot: true, hasTornTail: false };
  if (isLegacyStore(text)) {
    const records = parseLegacyStore(text);
    if (typeof records !== "string") {
      opts.log?.info({ storePath: file.path, owners: records.length }, "property store in the first format; it becomes a journal at the first write");
      return { records, fileBytes: 0, needsSnapshot: true, hasTornTail: false };
    }
    return repairOrRefuse(file, [records], [], opts);
  }
  const parsed = parseJournal(text);
  if (parsed.damaged.length > 0) {
    const problems = parsed.damaged.slice(0, LISTED_PROBLEMS).map((d) => `line ${d.line}: ${d.detail}`);
    if (parsed.damaged.length > LISTED_PROBLEMS) problems.push(`and ${parsed.damaged.length - LISTED_PROBLEMS} more bad lines`);
    return repairOrRefuse(file, problems, parsed.records, opts);
  }
  if (parsed.tornTail !== undefined) {
    opts.log?.warn({ storePath: file.path, line: parsed.tornTail.line, droppedBytes: parsed.tornTail.bytes, problem: parsed.tornTail.detail },
      "property store: the last record was torn by an interrupted write and is dropped");
  }
  return { records: parsed.records, fileBytes: parsed.validBytes, needsSnapshot: false, hasTornTail: parsed.tornTail !== undefined };
}

function repairOrRefuse(file: JournalFile, problems: string[], recovered: readonly JournalRecord[],
  opts: { isRepair: boolean; now: () => Date; log: Logger | undefined }): LoadedStore {
  if (!opts.isRepair) throw new StoreFileError(file.path, problems, true);
  try {
    const movedTo = file.moveAsideSync(opts.now());
    const text = [HEADER, ...recovered].map(encodeRecord).join("");
    file.writeSnapshotSync(text);
    opts.log?.error({ storePath: file.path, movedTo, problems, recoveredRecords: recovered.length },
      "property store was damaged: moved aside, started with the records that could be read; the bad lines are lost");
    return { records: recovered, fileBytes: Buffer.byteLength(text), needsSnapshot: false, hasTornTail: false };
  } catch (err) {
    throw new StoreFileError(file.path, [...problems, `the repair failed: ${(err as Error).message}`], false, { cause: err });
  }
}
