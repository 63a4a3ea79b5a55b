import { expect } from "chai";
import { pino } from "pino";
import { DevFailed, Reason } from "../../src/core/index.js";
import { DatabaseStore } from "../../src/server/registry/database-store.js";
import type { DatabaseLink } from "../../src/server/registry/database-link.js";
import { expectDevFailed } from "../support/test-server.js";

/** A link whose calls wait until the test answers them. */
class HeldLink implements DatabaseLink {
  readonly tangoHost = "db:10000";
  readonly calls: Array<{ command: string; argin: unknown; answer: (err?: unknown) => void }> = [];

  command(command: string, argin?: string | readonly string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.calls.push({ command, argin, answer: (err) => (err === undefined ? resolve(undefined) : reject(err)) });
    });
  }

  close(): void { /* nothing to close */ }
}

/** Lets the store's promise chain run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("the properties of a server with a database", () => {
  let link: HeldLink;
  let store: DatabaseStore;
  beforeEach(() => {
    link = new HeldLink();
    store = new DatabaseStore({ link, log: pino({ level: "silent" }) });
    store.configure("a/b/c", { Speed: ["1"], Mode: ["auto"] });
    store.load("a/b/c", [{ name: "speed", values: ["2"] }]);
  });

  it("are the database's over the config's, each name once, in any case", () => {
    expect(store.get("A/B/C", "SPEED")).to.deep.equal(["2"]);
    expect(store.list("a/b/c")).to.deep.equal([{ name: "speed", values: ["2"] }, { name: "Mode", values: ["auto"] }]);
  });

  it("change only once the database has acknowledged, one change of an owner after the other", async () => {
    const first = store.put("a/b/c", [{ name: "Speed", values: ["3"] }]);
    const second = store.put("a/b/c", [{ name: "Speed", values: ["4", "5"] }]);
    await settle();
    expect(link.calls.map((c) => c.argin)).to.deep.equal([["a/b/c", "1", "Speed", "1", "3"]]);
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["2"]);
    link.calls[0]?.answer();
    await first;
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["3"]);
    await settle();
    expect(link.calls[1]).to.include({ command: "DbPutDeviceProperty" });
    expect(link.calls[1]?.argin).to.deep.equal(["a/b/c", "1", "Speed", "2", "4", "5"]);
    link.calls[1]?.answer();
    await second;
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["4", "5"]);
  });

  it("keep their values when the database refuses or cannot be reached, and take the next change", async () => {
    const failing = store.put("a/b/c", [{ name: "Speed", values: ["3"] }]);
    const next = store.delete("a/b/c", ["Speed"]);
    await settle();
    link.calls[0]?.answer(DevFailed.of(Reason.ServerNotRunning, "Failed to connect to device sys/database/2", "Connection::connect"));
    const df = await expectDevFailed(failing, Reason.DatabaseAccess);
    expect(df.desc).to.equal("The properties of a/b/c could not be saved: the database at db:10000 cannot be reached " +
      "(API_ServerNotRunning: Failed to connect to device sys/database/2). Nothing was changed");
    expect(store.get("a/b/c", "Speed")).to.deep.equal(["2"]);
    await settle();
    expect(link.calls[1]).to.deep.include({ command: "DbDeleteDeviceProperty", argin: ["a/b/c", "Speed"] });
    link.calls[1]?.answer();
    await next;
    expect(store.get("a/b/c", "Speed"), "the config's value shows again").to.deep.equal(["1"]);
    expect(store.stats()).to.include({ commits: 1, records: 1, writeErrors: 1 });
  });

  it("go to the Class commands for class properties, and flush waits for changes in flight", async () => {
    const put = store.put("class:Motor", [{ name: "doc_url", values: ["http://x"] }]);
    let isFlushed = false;
    const flushed = store.flush().then(() => { isFlushed = true; });
    await settle();
    expect(link.calls[0]).to.deep.include({ command: "DbPutClassProperty", argin: ["Motor", "1", "doc_url", "1", "http://x"] });
    expect(isFlushed).to.equal(false);
    link.calls[0]?.answer();
    await Promise.all([put, flushed]);
    expect(store.get("class:motor", "DOC_URL")).to.deep.equal(["http://x"]);
  });

  it("write attribute properties with DbPutDeviceAttributeProperty2 (a lone __value in the memorized fast path's layout) and DbDeleteDeviceAttributeProperty", async () => {
    store.loadAttributes("a/b/c", { speed: { label: ["Old"], unit: ["mm"] } });
    const memorized = store.changeAttributeProperties("a/b/c", [{ attribute: "speed", name: "__value", values: ["4.25"] }]);
    await settle();
    expect(link.calls[0]).to.deep.include({ command: "DbPutDeviceAttributeProperty2", argin: ["a/b/c", "1", "speed", "1", "__value", "1", "4.25"] });
    link.calls[0]?.answer();
    await memorized;
    const config = store.changeAttributeProperties("a/b/c", [
      { attribute: "speed", name: "label", values: ["New"] }, { attribute: "pos", name: "rel_change", values: ["-1", "2"] },
      { attribute: "speed", name: "unit", values: null },
    ]);
    await settle();
    expect(link.calls[1]).to.deep.include({ command: "DbPutDeviceAttributeProperty2",
      argin: ["a/b/c", "2", "speed", "1", "label", "1", "New", "pos", "1", "rel_change", "2", "-1", "2"] });
    expect(JSON.parse(JSON.stringify(store.attributeProperties("a/b/c"))), "nothing changes before the database acknowledges")
      .to.deep.equal({ speed: { label: ["Old"], unit: ["mm"], __value: ["4.25"] } });
    link.calls[1]?.answer();
    await settle();
    expect(link.calls[2]).to.deep.include({ command: "DbDeleteDeviceAttributeProperty", argin: ["a/b/c", "speed", "unit"] });
    link.calls[2]?.answer();
    await config;
    expect(JSON.parse(JSON.stringify(store.attributeProperties("A/B/C")))).to.deep.equal({
      speed: { label: ["New"], __value: ["4.25"] }, pos: { rel_change: ["-1", "2"] },
    });
  });

  it("keep attribute properties as they were when the database cannot be reached", async () => {
    store.loadAttributes("a/b/c", { speed: { label: ["Old"] } });
    const change = store.changeAttributeProperties("a/b/c", [{ attribute: "speed", name: "label", values: ["New"] }]);
    await settle();
    link.calls[0]?.answer(DevFailed.of(Reason.ServerNotRunning, "Failed to connect to device sys/database/2", "Connection::connect"));
    const df = await expectDevFailed(change, Reason.DatabaseAccess);
    expect(df.desc).to.match(/^The attribute properties of a\/b\/c could not be saved: the database at db:10000 cannot be reached/);
    expect(JSON.parse(JSON.stringify(store.attributeProperties("a/b/c")))).to.deep.equal({ speed: { label: ["Old"] } });
  });
});
