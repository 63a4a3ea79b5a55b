import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PropertyStore, StoreFileError } from "../../../src/server/index.js";
import { encodeRecord, HEADER, parseJournal, type JournalRecord } from "../../../src/server/store/journal-records.js";

const attr = (o: string, p: Record<string, Record<string, string[] | null>>): JournalRecord => ({ t: "attr", o, p });
const put = (o: string, p: Record<string, string[] | null>): JournalRecord => ({ t: "props", o, p });
const journal = (...records: JournalRecord[]): string => [HEADER, ...records].map(encodeRecord).join("");
/** A plain copy of what the store returns (its maps have no prototype). */
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe("store journal: attribute property records", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-attr-store-"));
    path = join(dir, "store.jsonl");
  });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it("reads back attr records beside props records", () => {
    const text = journal(put("a/b/c", { P: ["1"] }), attr("a/b/c", { speed: { __value: ["4.25"], min_value: null } }));
    const parsed = parseJournal(text);
    expect(parsed.damaged).to.deep.equal([]);
    expect(plain(parsed.records)).to.deep.equal(plain([put("a/b/c", { P: ["1"] }), attr("a/b/c", { speed: { __value: ["4.25"], min_value: null } })]));
  });

  it("reports an attr record of the wrong shape as damage naming the device and attribute", () => {
    const bad = (p: unknown): string => `${encodeRecord(HEADER)}${encodeRecord({ t: "attr", o: "a/b/c", p } as unknown as JournalRecord)}${encodeRecord(put("x", {}))}`;
    expect(parseJournal(bad({ speed: { label: [1] } })).damaged[0]?.detail)
      .to.equal('device a/b/c, attribute speed: property "label" is neither a list of strings nor null');
    expect(parseJournal(bad(["x"])).damaged[0]?.detail).to.equal("device a/b/c: attributes are not an object");
    const noDevice = `${encodeRecord(HEADER)}${encodeRecord({ t: "attr", o: "", p: {} } as unknown as JournalRecord)}${encodeRecord(put("x", {}))}`;
    expect(parseJournal(noDevice).damaged[0]?.detail).to.equal("an attr record without a device");
  });

  it("keeps attribute properties across a reopen, one record per change, deletions included", async () => {
    const store = new PropertyStore({ path });
    await store.put("a/b/c", [{ name: "Speed", values: ["1"] }]);
    await store.changeAttributeProperties("a/b/c", [
      { attribute: "Speed", name: "__value", values: ["4.25"] }, { attribute: "Speed", name: "label", values: ["Vitesse"] },
      { attribute: "Pos", name: "unit", values: ["mm"] },
    ]);
    await store.changeAttributeProperties("a/b/c", [{ attribute: "Speed", name: "label", values: null }]);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).to.have.length(4); // header (a snapshot with the first put), then one line per change
    const reopened = new PropertyStore({ path });
    expect(plain(reopened.attributeProperties("A/B/C"))).to.deep.equal({ Speed: { __value: ["4.25"] }, Pos: { unit: ["mm"] } });
    expect(reopened.get("a/b/c", "Speed")).to.deep.equal(["1"]);
    expect(reopened.list("a/b/c").map((p) => p.name)).to.deep.equal(["Speed"]);
    expect(plain(reopened.attributeProperties("class:Motor"))).to.deep.equal({});
  });

  it("keeps attribute properties through a compaction", async () => {
    const store = new PropertyStore({ path, compactMinBytes: 200 });
    for (let i = 0; i < 30; i++) await store.changeAttributeProperties("a/b/c", [{ attribute: "speed", name: "__value", values: [String(i)] }]);
    await store.put("a/b/c", [{ name: "P", values: ["x"] }]);
    expect(store.stats().compactions).to.be.greaterThan(1);
    expect(readFileSync(path, "utf8").length).to.be.lessThan(1000);
    const reopened = new PropertyStore({ path });
    expect(plain(reopened.attributeProperties("a/b/c"))).to.deep.equal({ speed: { __value: ["29"] } });
    expect(reopened.get("a/b/c", "P")).to.deep.equal(["x"]);
  });

  it("drops a torn attr record and keeps the ones before it", async () => {
    const good = journal(attr("a/b/c", { speed: { __value: ["1"] } }));
    writeFileSync(path, good + encodeRecord(attr("a/b/c", { speed: { __value: ["2"] } })).slice(0, 30));
    const store = new PropertyStore({ path });
    expect(plain(store.attributeProperties("a/b/c"))).to.deep.equal({ speed: { __value: ["1"] } });
    await store.changeAttributeProperties("a/b/c", [{ attribute: "speed", name: "__value", values: ["3"] }]);
    expect(plain(new PropertyStore({ path }).attributeProperties("a/b/c"))).to.deep.equal({ speed: { __value: ["3"] } });
  });

  it("refuses a file with a damaged attr record before the end, and repairs it keeping the others", () => {
    const lines = journal(attr("a/b/c", { speed: { __value: ["1"] } }), attr("a/b/c", { pos: { unit: ["mm"] } }), put("a/b/c", { P: ["1"] })).split("\n");
    lines[1] = lines[1]?.replace('"1"', '"9"') ?? "";
    writeFileSync(path, lines.join("\n"));
    expect(() => new PropertyStore({ path })).to.throw(StoreFileError, /line 2: checksum mismatch/);
    const repaired = new PropertyStore({ path, repair: true, now: () => new Date(0) });
    expect(plain(repaired.attributeProperties("a/b/c"))).to.deep.equal({ pos: { unit: ["mm"] } });
    expect(repaired.get("a/b/c", "P")).to.deep.equal(["1"]);
  });

  it("still reads a file written before attribute records existed, and the first format", async () => {
    writeFileSync(path, journal(put("a/b/c", { Speed: ["1"] })));
    const store = new PropertyStore({ path });
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["1"]);
    await store.changeAttributeProperties("a/b/c", [{ attribute: "speed", name: "__value", values: ["2"] }]);
    expect(plain(new PropertyStore({ path }).attributeProperties("a/b/c"))).to.deep.equal({ speed: { __value: ["2"] } });
    const legacy = join(dir, "legacy.json");
    writeFileSync(legacy, JSON.stringify({ "a/b/c": { Speed: ["1"] } }));
    const fromLegacy = new PropertyStore({ path: legacy });
    await fromLegacy.changeAttributeProperties("a/b/c", [{ attribute: "speed", name: "label", values: ["S"] }]);
    const again = new PropertyStore({ path: legacy });
    expect(again.get("a/b/c", "Speed")).to.deep.equal(["1"]);
    expect(plain(again.attributeProperties("a/b/c"))).to.deep.equal({ speed: { label: ["S"] } });
  });

  it("refuses an attribute value over maxPropertyBytes and counts attribute properties against maxBytes", async () => {
    const store = new PropertyStore({ path, maxPropertyBytes: 100, maxBytes: 2000 });
    const err1 = await store.changeAttributeProperties("a/b/c", [{ attribute: "s", name: "label", values: ["x".repeat(200)] }]).then(() => undefined, (e: unknown) => e);
    expect(String(err1)).to.match(/API_InvalidArgs.*more than the 100 bytes/);
    for (let i = 0; i < 40; i++) {
      const err = await store.changeAttributeProperties("a/b/c", [{ attribute: `a${i}`, name: "label", values: ["y".repeat(60)] }]).then(() => undefined, (e: unknown) => e);
      if (err !== undefined) {
        expect(String(err)).to.match(/API_DatabaseFileError.*store\.maxBytes/);
        expect(Object.keys(store.attributeProperties("a/b/c"))).to.have.length(i);
        return;
      }
    }
    expect.fail("maxBytes never refused a change");
  });

  it("keeps attribute properties in memory for the process's life without a file", async () => {
    const store = new PropertyStore();
    await store.changeAttributeProperties("a/b/c", [{ attribute: "speed", name: "__value", values: ["1"] }]);
    expect(plain(store.attributeProperties("a/b/c"))).to.deep.equal({ speed: { __value: ["1"] } });
  });
});
