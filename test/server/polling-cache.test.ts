import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { AttrQuality, CmdArgType, DevState, Device, DevLong, attribute, command } from "../../src/device/index.js";
import { DevSource, Reason, type TypedValue } from "../../src/core/index.js";
import { CTX, defer, expectDevFailed, startServer } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";

/** Each read of `n` counts, so a test can tell a cache read from a device read. */
class Counting extends Device {
  reads = 0;
  runs = 0;
  failing = false;
  override initDevice(): void { this.setState(DevState.ON); }

  @attribute({ dtype: DevLong })
  get n(): number {
    if (this.failing) throw new Error("n is broken");
    return ++this.reads;
  }

  @attribute({ dtype: DevLong })
  get other(): number { return 42; }

  @command({ dtypeOut: DevLong })
  Run(): number {
    if (this.failing) throw new Error("Run is broken");
    return ++this.runs;
  }
}

/** Its read of `slow` never ends until `release` (a hung device). */
class Hung extends Device {
  readonly #gate = defer();
  override initDevice(): void { this.setState(DevState.ON); }
  release(): void { this.#gate.resolve(); }

  @attribute({ dtype: DevLong })
  async slow(): Promise<number> {
    await this.#gate.promise;
    return 1;
  }
}

const ADMIN = "dserver/Test/t";
const poll = (period: number, device: string, type: string, name: string): TypedValue =>
  ({ type: CmdArgType.DevVarLongStringArray, value: { lvalue: [period], svalue: [device, type, name] } });

describe("reads from the polling buffer (DevSource)", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  let device: Counting;
  beforeEach(async () => {
    ts = await startServer({ classes: { Counting }, devices: { Counting: ["t/c/1"] } });
    device = ts.server.userDevices()[0]?.device as Counting;
  });
  afterEach(async () => { await ts?.close(); });

  const api = (): typeof ts.server.api => ts.server.api;
  const read = async (names: string[], source: DevSource) => api().readAttributes(CTX, "t/c/1", names, { source });
  const addPolling = (period: number, type: string, name: string): Promise<TypedValue> =>
    api().commandInout(CTX, ADMIN, "AddObjPolling", poll(period, "t/c/1", type, name));

  it("CACHE: each attribute fails alone when it is unknown, not polled or has no data; DEV reads the device", async () => {
    await addPolling(0, "attribute", "other");
    const [unknown, notPolled, empty] = await read(["nope", "n", "other"], DevSource.CACHE);
    expect(unknown?.errors?.[0]).to.include({ reason: Reason.AttrNotFound, desc: "nope attribute not found" });
    expect(notPolled?.errors?.[0]).to.include({ reason: Reason.AttrNotPolled, desc: "Attribute n not polled" });
    expect(empty?.errors?.[0]).to.include({ reason: Reason.NoDataYet, desc: "No data available in cache for attribute other" });
    expect((await read(["n"], DevSource.DEV))[0]?.value).to.equal(1);
    expect((await read(["n"], DevSource.DEV))[0]?.value).to.equal(2);
  });

  it("CACHE gives the newest polled value without reading the device; CACHE_DEV too, and the device when not polled", async () => {
    await addPolling(40, "attribute", "n");
    await waitFor(() => device.reads >= 2, "two polls", 5000);
    await api().commandInout(CTX, ADMIN, "StopPolling", undefined);
    const reads = device.reads;
    expect((await read(["n"], DevSource.CACHE))[0]?.value).to.equal(reads);
    expect((await read(["n"], DevSource.CACHE_DEV))[0]?.value).to.equal(reads);
    expect(device.reads).to.equal(reads);
    // other is not polled: CACHE_DEV reads it from the device, in the same reply
    const [n, other] = await read(["n", "other"], DevSource.CACHE_DEV);
    expect([n?.value, other?.value]).to.deep.equal([reads, 42]);
  });

  it("CACHE fails with API_NotUpdatedAnyMore once the newest value is older than period × poll_old_factor; CACHE_DEV then reads the device", async () => {
    await api().putProperty(CTX, "t/c/1", [{ name: "poll_old_factor", values: ["2"] }]);
    await addPolling(30, "attribute", "n");
    await waitFor(() => device.reads >= 1, "a poll", 5000);
    await api().commandInout(CTX, ADMIN, "StopPolling", undefined);
    await sleep(100);
    const [stale] = await read(["n"], DevSource.CACHE);
    expect(stale?.errors?.[0]).to.include({ reason: Reason.NotUpdatedAnyMore, desc: "Data in cache for attribute n not updated any more" });
    const reads = device.reads;
    expect((await read(["n"], DevSource.CACHE_DEV))[0]?.value).to.equal(reads + 1);
  });

  it("gives a polled failure as it was stored, with CACHE and CACHE_DEV alike (no fall back to the device)", async () => {
    device.failing = true;
    await addPolling(30, "attribute", "n");
    await waitFor(async () => (await read(["n"], DevSource.CACHE))[0]?.errors?.[0]?.reason === Reason.StdException, "a failed poll", 5000);
    for (const source of [DevSource.CACHE, DevSource.CACHE_DEV]) {
      const [n] = await read(["n"], source);
      expect(n?.quality).to.equal(AttrQuality.ATTR_INVALID);
      expect(n?.errors?.[0]).to.include({ reason: Reason.StdException, desc: "n is broken" });
    }
  });

  it("serves polled commands from the cache: API_CmdNotPolled for CACHE when not polled, the device for CACHE_DEV", async () => {
    const run = (source: DevSource): Promise<TypedValue> => api().commandInout(CTX, "t/c/1", "Run", undefined, { source });
    expect((await expectDevFailed(run(DevSource.CACHE), Reason.CmdNotPolled)).desc).to.equal("Command Run not polled");
    expect((await run(DevSource.CACHE_DEV)).value).to.equal(1);
    await addPolling(30, "command", "Run");
    await waitFor(() => device.runs >= 3, "polled runs", 5000);
    await api().commandInout(CTX, ADMIN, "StopPolling", undefined);
    const runs = device.runs;
    expect((await run(DevSource.CACHE)).value).to.equal(runs);
    expect((await run(DevSource.CACHE_DEV)).value).to.equal(runs);
    expect((await run(DevSource.DEV)).value).to.equal(runs + 1);
  });

  it("reads attribute history oldest first, as many records as asked and held, failures in the records", async () => {
    await expectDevFailed(api().readAttributeHistory(CTX, "t/c/1", "n", 3), Reason.AttrNotPolled);
    await addPolling(30, "attribute", "n");
    await waitFor(() => device.reads >= 4, "four polls", 5000);
    device.failing = true;
    await waitFor(async () => (await api().readAttributeHistory(CTX, "t/c/1", "n", 1))[0]?.errors !== undefined, "a failed poll", 5000);
    await api().commandInout(CTX, ADMIN, "StopPolling", undefined);
    const history = await api().readAttributeHistory(CTX, "t/c/1", "N", 3);
    expect(history).to.have.length(3);
    const values = history.filter((h) => h.errors === undefined).map((h) => h.value as number);
    expect(values).to.deep.equal([...values].sort((a, b) => a - b));
    expect(history[2]?.errors?.[0]).to.include({ reason: Reason.StdException, desc: "n is broken" });
    const times = history.map((h) => h.time.sec * 1e6 + h.time.usec);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    expect((await api().readAttributeHistory(CTX, "t/c/1", "n", 1000)).length).to.be.at.most(10);
    await expectDevFailed(api().readAttributeHistory(CTX, "t/c/1", "n", 0), Reason.MethodArgument);
    await expectDevFailed(api().readAttributeHistory(CTX, "t/c/1", "nope", 1), Reason.AttrNotFound);
  });

  it("reads command history, State's and Status's too (polled as attributes)", async () => {
    const empty = await expectDevFailed(api().commandInoutHistory(CTX, "t/c/1", "run", 2), Reason.CmdNotPolled);
    expect(empty.desc).to.equal("Command run not polled");
    await addPolling(0, "command", "Run");
    expect((await expectDevFailed(api().commandInoutHistory(CTX, "t/c/1", "Run", 2), Reason.NoDataYet)).desc)
      .to.equal("No data available in cache for command run");
    await api().commandInout(CTX, ADMIN, "RemObjPolling", { type: CmdArgType.DevVarStringArray, value: ["t/c/1", "command", "Run"] });
    await addPolling(30, "command", "Run");
    await addPolling(30, "command", "State");
    await waitFor(() => device.runs >= 3, "polled runs", 5000);
    const runs = await api().commandInoutHistory(CTX, "t/c/1", "Run", 2);
    expect(runs.map((r) => r.value?.type)).to.deep.equal([CmdArgType.DevLong, CmdArgType.DevLong]);
    expect((runs[1]?.value?.value as number) - (runs[0]?.value?.value as number)).to.equal(1);
    const states = await api().commandInoutHistory(CTX, "t/c/1", "State", 1);
    expect(states[0]?.value).to.deep.equal({ type: CmdArgType.DevState, value: DevState.ON });
  });
});

describe("polling isolation", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  afterEach(async () => {
    (ts?.server.userDevices().find((e) => e.className === "Hung")?.device as Hung | undefined)?.release();
    await ts?.close();
  });

  it("keeps polling a device on time while another device's read hangs", async () => {
    ts = await startServer({ classes: { Counting, Hung }, devices: { Counting: ["t/c/1"], Hung: ["t/h/1"] } });
    const api = ts.server.api;
    await api.commandInout(CTX, ADMIN, "AddObjPolling", poll(100, "t/h/1", "attribute", "slow"));
    await api.commandInout(CTX, ADMIN, "AddObjPolling", poll(50, "t/c/1", "attribute", "n"));
    const device = ts.server.userDevices().find((e) => e.className === "Counting")?.device as Counting;
    const start = device.reads;
    await sleep(1000);
    // 20 periods of 50 ms; a hung neighbour must not cost t/c/1 its cadence (allow for a loaded machine)
    expect(device.reads - start).to.be.at.least(12);
    await expectDevFailed(api.readAttributeHistory(CTX, "t/h/1", "slow", 1), Reason.NoDataYet);
  });
});
