import { expect } from "chai";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Reason } from "../../src/core/index.js";
import { PropertyStore, StoreFileError } from "../../src/server/index.js";
import { encodeRecord, HEADER } from "../../src/server/store/journal-records.js";
import { expectDevFailed, memoryLogger } from "../support/test-server.js";

describe("PropertyStore (file)", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-store-"));
    path = join(dir, "store.jsonl");
  });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it("shares one fsync among the puts that arrive while a write is running, and keeps every one", async () => {
    const store = new PropertyStore({ path });
    await store.put("a/b/c", [{ name: "First", values: ["0"] }]);
    const before = store.stats();
    const puts = Array.from({ length: 200 }, (_, i) => store.put("a/b/c", [{ name: `P${i}`, values: [String(i)] }]));
    await Promise.all(puts);
    const after = store.stats();
    expect(after.records - before.records).to.equal(200);
    // the first put starts a write; the 199 made meanwhile share the next one
    expect(after.commits - before.commits).to.be.at.most(2);
    expect(after.fsyncs - before.fsyncs).to.be.at.most(2);
    const reopened = new PropertyStore({ path });
    for (let i = 0; i < 200; i++) expect(reopened.get("a/b/c", `p${i}`)).to.deep.equal([String(i)]);
  });

  it("resolves a put only once its record is in the file", async () => {
    const store = new PropertyStore({ path });
    await store.put("a/b/c", [{ name: "Speed", values: ["1"] }]);
    const pending = store.put("a/b/c", [{ name: "Speed", values: ["2"] }]);
    expect(store.get("a/b/c", "speed"), "visible at once").to.deep.equal(["2"]);
    await pending;
    expect(new PropertyStore({ path }).get("a/b/c", "speed")).to.deep.equal(["2"]);
  });

  it("appends only the change to a large store: a put costs its own record, not the whole file", async () => {
    const store = new PropertyStore({ path, compactMinBytes: 64 * 1024 * 1024 });
    const big = Array.from({ length: 1000 }, (_, i) => `value ${i} `.padEnd(100, "x"));
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.put(`big/dev/${i}`, [{ name: "Table", values: big }])));
    const sizeBefore = statSync(path).size;
    expect(sizeBefore).to.be.above(4_000_000);
    const before = store.stats();
    await store.put("small/dev/1", [{ name: "Speed", values: ["42"] }]);
    const appended = store.stats().appendedBytes - before.appendedBytes;
    expect(appended).to.equal(Buffer.byteLength(encodeRecord({ t: "props", o: "small/dev/1", p: { Speed: ["42"] } })));
    expect(statSync(path).size - sizeBefore).to.equal(appended);
  });

  it("compacts the journal now and then and keeps every value across a restart", async () => {
    const store = new PropertyStore({ path, compactMinBytes: 0 });
    const expected = new Map<string, string[] | undefined>();
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 10; i++) {
        const name = `P${i}`;
        if ((round + i) % 7 === 0) {
          await store.delete("a/b/c", [name]);
          expected.set(name, undefined);
        } else {
          await store.put("a/b/c", [{ name, values: [`r${round}`, `i${i}`] }]);
          expected.set(name, [`r${round}`, `i${i}`]);
        }
      }
    }
    expect(store.stats().compactions).to.be.above(1);
    expect(statSync(path).size, "the file holds about one record per property").to.be.below(3000);
    const reopened = new PropertyStore({ path });
    for (const [name, values] of expected) expect(reopened.get("a/b/c", name), name).to.deep.equal(values);
  });

  it("keeps appending when a compaction fails, and compacts once it can", async () => {
    const { logger, lines } = memoryLogger();
    const store = new PropertyStore({ path, compactMinBytes: 0, log: logger });
    await store.put("a/b/c", [{ name: "P", values: ["0"] }]);
    const tmp = `${path}.tmp-${process.pid}`;
    mkdirSync(tmp); // the snapshot's temp file cannot be created
    for (let i = 1; i <= 5; i++) await store.put("a/b/c", [{ name: "P", values: [String(i)] }]);
    expect(store.stats().compactions, "only the first write's snapshot").to.equal(1);
    expect(lines().filter((l) => l.msg === "property store compaction failed; the journal is kept as it is")).to.not.be.empty;
    expect(new PropertyStore({ path }).get("a/b/c", "P")).to.deep.equal(["5"]);
    rmSync(tmp, { recursive: true });
    await store.put("a/b/c", [{ name: "P", values: ["6"] }]);
    expect(store.stats().compactions).to.equal(2);
    expect(new PropertyStore({ path }).get("a/b/c", "P")).to.deep.equal(["6"]);
  });

  it("rolls a failed write back, answers API_DatabaseFileError without the path, and logs the path and errno", async () => {
    const { logger, lines } = memoryLogger();
    const store = new PropertyStore({ path, log: logger });
    await store.put("a/b/c", [{ name: "Speed", values: ["1"] }]);
    renameSync(path, `${path}.kept`);
    mkdirSync(path); // works as root too, where permissions do not stop a write
    const df = await expectDevFailed(store.put("a/b/c", [{ name: "Speed", values: ["2"] }, { name: "Other", values: ["x"] }]), Reason.DatabaseFileError);
    expect(df.errors[0].desc).to.contain("EISDIR").and.not.contain(dir);
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["1"]);
    expect(store.get("a/b/c", "Other")).to.equal(undefined);
    expect(store.stats().writeErrors).to.equal(1);
    const logged = lines().find((l) => l.msg === "property store write failed; the changes are rolled back");
    expect(logged).to.include({ level: 50, storePath: path, code: "EISDIR" });

    rmSync(path, { recursive: true });
    renameSync(`${path}.kept`, path);
    expect(new PropertyStore({ path }).get("a/b/c", "Speed"), "after a restart").to.deep.equal(["1"]);
    await store.put("a/b/c", [{ name: "Speed", values: ["3"] }]);
    expect(new PropertyStore({ path }).get("a/b/c", "Speed"), "later writes work again").to.deep.equal(["3"]);
  });

  it("refuses a value over maxPropertyBytes and a store over maxBytes, keeping the old values", async () => {
    const store = new PropertyStore({ path, maxPropertyBytes: 2048, maxBytes: 7000 });
    await store.put("a/b/c", [{ name: "Speed", values: ["1"] }]);
    const tooBig = await expectDevFailed(store.put("a/b/c", [{ name: "Speed", values: ["x".repeat(3000)] }]), Reason.InvalidArgs);
    expect(tooBig.errors[0].desc).to.match(/^Property Speed of a\/b\/c is \d+ bytes, more than the 2048 bytes a property may hold/);
    for (let i = 0; i < 4; i++) await store.put("a/b/c", [{ name: `P${i}`, values: ["y".repeat(1500)] }]);
    const full = await expectDevFailed(store.put("a/b/c", [{ name: "P9", values: ["y".repeat(1500)] }]), Reason.DatabaseFileError);
    expect(full.errors[0].desc).to.contain("more than its limit of 7000 bytes");
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["1"]);
    expect(store.get("a/b/c", "P9")).to.equal(undefined);
    await store.delete("a/b/c", ["P0"]);
    await store.put("a/b/c", [{ name: "P9", values: ["y".repeat(1500)] }]); // a delete makes room
  });

  it("counts every owner's properties against maxBytes, also after a restart", async () => {
    const store = new PropertyStore({ path, maxBytes: 7000 });
    await Promise.all([1, 2, 3, 4].map((i) => store.put(`dev/${i}/x`, [{ name: "Table", values: ["y".repeat(1500)] }])));
    const live = store.stats().liveBytes;
    expect(live).to.be.within(6000, 6300);
    await expectDevFailed(store.put("dev/5/x", [{ name: "Table", values: ["y".repeat(1500)] }]), Reason.DatabaseFileError);
    const reopened = new PropertyStore({ path, maxBytes: 7000 });
    expect(reopened.stats().liveBytes).to.equal(live);
    await expectDevFailed(reopened.put("dev/5/x", [{ name: "Table", values: ["y".repeat(1500)] }]), Reason.DatabaseFileError);
  });

  it("drops a torn last record with a warning, and appends after the good ones", async () => {
    const good = [HEADER, { t: "props" as const, o: "a/b/c", p: { Speed: ["1"] } }].map(encodeRecord).join("");
    writeFileSync(path, good + encodeRecord({ t: "props", o: "a/b/c", p: { Speed: ["2"] } }).slice(0, 25));
    const { logger, lines } = memoryLogger();
    const store = new PropertyStore({ path, log: logger });
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["1"]);
    expect(lines().find((l) => l.level === 40)).to.include({ storePath: path, line: 3, droppedBytes: 25 });
    await store.put("a/b/c", [{ name: "Other", values: ["x"] }]);
    const reopened = new PropertyStore({ path });
    expect(reopened.get("a/b/c", "Speed")).to.deep.equal(["1"]);
    expect(reopened.get("a/b/c", "Other")).to.deep.equal(["x"]);
  });

  for (const [what, text, problem] of [
    ["an empty file", "", "line 1: the file is empty"],
    ["a truncated first-format file", '{\n  "a/b/c": {\n    "Speed": [\n', "not valid JSON"],
    ["a wrongly shaped first-format file", '{"a/b/c": {"Speed": 5}}', 'owner "a/b/c": property "Speed" is neither a list of strings nor null'],
    ["a journal damaged in the middle", `${encodeRecord(HEADER)}garbage\n${encodeRecord({ t: "props", o: "a", p: {} })}`, "line 2: no checksum"],
  ] as const) {
    it(`refuses ${what}, naming the file and the problem`, () => {
      writeFileSync(path, text);
      let err: unknown;
      try {
        new PropertyStore({ path });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(StoreFileError);
      expect((err as StoreFileError).isDamaged).to.equal(true);
      expect((err as Error).message).to.contain(`The property store ${path} is damaged: `).and.contain(problem).and.contain("--repair");
    });
  }

  it("with repair, moves a damaged file aside and starts with the records it could read", () => {
    const p1 = encodeRecord({ t: "props", o: "a/b/c", p: { Speed: ["1"] } });
    const p3 = encodeRecord({ t: "props", o: "a/b/c", p: { Other: ["3"] } });
    const damaged = `${encodeRecord(HEADER)}${p1}garbage\n${p3}`;
    writeFileSync(path, damaged);
    const { logger, lines } = memoryLogger();
    const store = new PropertyStore({ path, repair: true, log: logger, now: () => new Date("2026-01-02T03:04:05.678Z") });
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["1"]);
    expect(store.get("a/b/c", "Other")).to.deep.equal(["3"]);
    const aside = join(dir, "store.jsonl.damaged-2026-01-02T03-04-05-678Z");
    expect(readFileSync(aside, "utf8")).to.equal(damaged);
    expect(readdirSync(dir).sort()).to.deep.equal(["store.jsonl", "store.jsonl.damaged-2026-01-02T03-04-05-678Z"]);
    expect(lines().find((l) => l.level === 50)).to.deep.include({ storePath: path, movedTo: aside, problems: ["line 3: no checksum"], recoveredRecords: 2 });
    const reopened = new PropertyStore({ path });
    expect(reopened.get("a/b/c", "Other"), "the repaired file is a good journal").to.deep.equal(["3"]);
  });

  it("keeps a property named __proto__ like any other", async () => {
    const store = new PropertyStore({ path });
    await store.put("a/b/c", [{ name: "__proto__", values: ["kept"] }]);
    expect(new PropertyStore({ path }).get("a/b/c", "__proto__")).to.deep.equal(["kept"]);
  });

  it("reads a first-format file and turns it into a journal at the first write", async () => {
    writeFileSync(path, JSON.stringify({ "a/b/c": { Speed: ["1"], Hidden: null } }, null, 2));
    const store = new PropertyStore({ path });
    store.configure("a/b/c", { Hidden: ["configured"] });
    expect(store.get("a/b/c", "speed")).to.deep.equal(["1"]);
    expect(store.get("a/b/c", "hidden")).to.equal(undefined);
    await store.put("a/b/c", [{ name: "Other", values: ["2"] }]);
    expect(readFileSync(path, "utf8").split("\n")[0]).to.equal(encodeRecord(HEADER).trimEnd());
    const reopened = new PropertyStore({ path });
    reopened.configure("a/b/c", { Hidden: ["configured"] });
    expect(reopened.list("a/b/c").map((p) => [p.name, p.values])).to.deep.equal([["Speed", ["1"]], ["Other", ["2"]]]);
  });
});
