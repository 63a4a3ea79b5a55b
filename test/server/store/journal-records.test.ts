import { expect } from "chai";
import {
  encodeRecord, HEADER, isLegacyStore, parseJournal, parseLegacyStore, type JournalRecord,
} from "../../../src/server/store/journal-records.js";

const put = (o: string, p: Record<string, string[] | null>): JournalRecord => ({ t: "props", o, p });
const journal = (...records: JournalRecord[]): string => [HEADER, ...records].map(encodeRecord).join("");

describe("store journal records", () => {
  it("reads back what it wrote, and places the next record after the last line", () => {
    const text = journal(put("a/b/c", { Speed: ["1", "2"] }), put("class:Motor", { Gone: null }));
    const parsed = parseJournal(text);
    expect(parsed.records).to.deep.equal([put("a/b/c", { Speed: ["1", "2"] }), put("class:Motor", { Gone: null })]);
    expect(parsed.damaged).to.deep.equal([]);
    expect(parsed.tornTail).to.equal(undefined);
    expect(parsed.validBytes).to.equal(Buffer.byteLength(text));
  });

  it("drops a last line cut short by a crash as a torn tail, not as damage", () => {
    const good = journal(put("a/b/c", { P: ["1"] }));
    const torn = encodeRecord(put("a/b/c", { P: ["2"] })).slice(0, 20);
    const parsed = parseJournal(good + torn);
    expect(parsed.records).to.deep.equal([put("a/b/c", { P: ["1"] })]);
    expect(parsed.damaged).to.deep.equal([]);
    expect(parsed.tornTail).to.include({ line: 3, bytes: 20 });
    expect(parsed.validBytes).to.equal(Buffer.byteLength(good));
  });

  it("counts a complete last line whose checksum fails as torn too", () => {
    const good = journal(put("a/b/c", { P: ["1"] }));
    const bad = encodeRecord(put("a/b/c", { P: ["2"] })).replace('"2"', '"3"');
    const parsed = parseJournal(good + bad);
    expect(parsed.damaged).to.deep.equal([]);
    expect(parsed.tornTail).to.include({ line: 3, detail: "checksum mismatch" });
  });

  it("reports a bad line before the end as damage with its line number, keeping the good lines around it", () => {
    const lines = journal(put("a/b/c", { P: ["1"] }), put("a/b/c", { Q: ["2"] }), put("a/b/c", { R: ["3"] })).split("\n");
    lines[2] = lines[2]?.replace('"2"', '"X"') ?? "";
    const parsed = parseJournal(lines.join("\n"));
    expect(parsed.damaged).to.deep.equal([{ line: 3, detail: "checksum mismatch" }]);
    expect(parsed.records).to.deep.equal([put("a/b/c", { P: ["1"] }), put("a/b/c", { R: ["3"] })]);
  });

  it("reports an empty file, a missing header and a record of an unknown kind as damage", () => {
    expect(parseJournal("").damaged).to.deep.equal([{ line: 1, detail: "the file is empty" }]);
    const noHeader = encodeRecord(put("a/b/c", { P: ["1"] }));
    expect(parseJournal(noHeader).damaged[0]?.detail).to.match(/store header/);
    const unknown = `${encodeRecord(HEADER)}${encodeRecord({ t: "memorized" } as unknown as JournalRecord)}${encodeRecord(put("a", { P: [] }))}`;
    expect(parseJournal(unknown).damaged).to.deep.equal([{ line: 2, detail: 'unknown record kind "memorized"' }]);
    const badShape = `${encodeRecord(HEADER)}${encodeRecord({ t: "props", o: "a/b/c", p: { P: [1] } } as unknown as JournalRecord)}\n`;
    expect(parseJournal(badShape).damaged[0]?.detail).to.equal('owner a/b/c: property "P" is neither a list of strings nor null');
  });

  it("reads the first format (one JSON object) and says why a broken one is unusable", () => {
    const text = JSON.stringify({ "a/b/c": { Speed: ["1"], Gone: null } }, null, 2);
    expect(isLegacyStore(text)).to.equal(true);
    expect(parseLegacyStore(text)).to.deep.equal([put("a/b/c", { Speed: ["1"], Gone: null })]);
    expect(parseLegacyStore(text.slice(0, 20))).to.match(/^not valid JSON/);
    expect(parseLegacyStore('{"a/b/c": 5}')).to.equal('owner "a/b/c": properties are not an object');
    expect(parseLegacyStore('{"a/b/c": {"P": "x"}}')).to.equal('owner "a/b/c": property "P" is neither a list of strings nor null');
  });
});
