import { expect } from "chai";
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CmdArgType, DevBoolean, DevDouble, DevLong, DevState, DevString, Device, attribute } from "../../src/device/index.js";
import { DevState as State, MultiDevFailed, Reason, type AttributeValue } from "../../src/core/index.js";
import { CTX, expectDevFailed, startServer } from "../support/test-server.js";

/** What the device's write methods saw, in order, across instances and restarts. */
const hardware: Array<{ attribute: string; value: unknown }> = [];
let isHardwareBroken = false;

class Memo extends Device {
  #speed = 0;
  #gain = 0;

  override initDevice(): void { this.setState(DevState.ON); }

  @attribute({ dtype: DevDouble, memorized: true, unit: "mm/s" })
  get speed(): number { return this.#speed; }
  set speed(v: number) { this.#speed = v; }

  @attribute({ dtype: DevLong, memorized: true, hwMemorized: true })
  get gain(): number { return this.#gain; }
  set gain(v: number) {
    if (isHardwareBroken) throw new Error("the amplifier does not answer");
    hardware.push({ attribute: "gain", value: v });
    this.#gain = v;
  }

  @attribute({ dtype: DevString, memorized: true })
  get note(): string { return ""; }
  set note(_v: string) { /* kept as the set value only */ }

  @attribute({ dtype: DevBoolean, memorized: true })
  get flag(): boolean { return false; }
  set flag(_v: boolean) { /* kept as the set value only */ }

  @attribute({ dtype: DevDouble })
  get plain(): number { return 0; }
  set plain(_v: number) { /* not memorized */ }
}

const DEV = "t/memo/1";

describe("attribute configuration and memorized values kept in the file store", () => {
  let dir: string;
  let storePath: string;
  let ts: Awaited<ReturnType<typeof startServer>> | undefined;
  const start = async (attributeProperties?: Record<string, Record<string, string>>): Promise<NonNullable<typeof ts>> => {
    ts = await startServer({ classes: { Memo }, devices: {}, config: {
      storePath, classes: [{ name: "Memo", devices: [{ name: DEV, ...(attributeProperties === undefined ? {} : { attributeProperties }) }] }],
    } });
    return ts;
  };
  const restart = async (attributeProperties?: Record<string, Record<string, string>>): Promise<NonNullable<typeof ts>> => {
    await ts?.close();
    return await start(attributeProperties);
  };
  const write = (name: string, type: CmdArgType, value: unknown): Promise<void> => ts!.server.api.writeAttributes(CTX, DEV, [{ name, value: { type, value } }]);
  const read = async (name: string): Promise<AttributeValue> => (await ts!.server.api.readAttributes(CTX, DEV, [name]))[0]!;
  const config = async (name: string): Promise<Record<string, unknown>> => (await ts!.server.api.getAttributeConfig(CTX, DEV, [name]))[0] as unknown as Record<string, unknown>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-attr-persist-"));
    storePath = join(dir, "store.jsonl");
    hardware.length = 0;
    isHardwareBroken = false;
  });
  afterEach(async () => {
    await ts?.close();
    ts = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("restores memorized set values of every type at the next start, as Tango's strings in __value", async () => {
    await start();
    await write("speed", CmdArgType.DevDouble, 1e-7);
    await write("note", CmdArgType.DevString, "hello world");
    await write("flag", CmdArgType.DevBoolean, true);
    await write("plain", CmdArgType.DevDouble, 3);
    expect(JSON.parse(JSON.stringify(ts!.server.properties.attributeProperties(DEV)))).to.deep.equal({
      speed: { __value: ["1e-07"] }, note: { __value: ["hello world"] }, flag: { __value: ["true"] },
    });
    await restart();
    expect((await read("speed")).wValue).to.equal(1e-7);
    expect((await read("note")).wValue).to.equal("hello world");
    expect((await read("flag")).wValue).to.equal(true);
    expect((await read("plain")).wValue).to.equal(0);
  });

  it("writes an hwMemorized value to the device before it is served, and again at Init", async () => {
    await start();
    await write("gain", CmdArgType.DevLong, 7);
    expect(hardware).to.deep.equal([{ attribute: "gain", value: 7 }]);
    await restart();
    expect(hardware).to.deep.equal([{ attribute: "gain", value: 7 }, { attribute: "gain", value: 7 }]);
    expect((await read("gain")).value).to.equal(7);
    await ts!.server.api.commandInout(CTX, DEV, "Init", undefined);
    expect(hardware).to.have.length(3);
    expect(ts!.server.storeStats().records).to.equal(0); // restoring writes nothing back
  });

  it("puts the device in ALARM when the startup write fails, and fails reads until a write succeeds", async () => {
    await start();
    await write("gain", CmdArgType.DevLong, 7);
    isHardwareBroken = true;
    await restart();
    expect(await ts!.server.api.state(CTX, DEV)).to.equal(State.ALARM);
    expect(await ts!.server.api.status(CTX, DEV)).to.equal(
      "The device is in ALARM state.\nMemorized attribute gain failed during device startup sequence");
    const failed = await read("gain");
    expect(failed.errors?.[0]?.reason).to.equal(Reason.MemAttFailedDuringInit);
    expect(failed.errors?.[0]?.desc).to.contain("the amplifier does not answer");
    expect(ts!.logs().some((l) => l.msg === "writing a memorized value at startup failed; the device is in ALARM")).to.equal(true);
    isHardwareBroken = false;
    await write("gain", CmdArgType.DevLong, 8);
    expect((await read("gain")).value).to.equal(8);
    expect(await ts!.server.api.state(CTX, DEV)).to.equal(State.ON);
  });

  it("keeps a configuration set at run time, and forgets a property set back to its default", async () => {
    await start({ speed: { label: "Speed from the config" } });
    await ts!.server.api.setAttributeConfig(CTX, DEV, [{ name: "speed", set: { label: "Vitesse", maxValue: "50", unit: "m/s" } }]);
    await restart({ speed: { label: "Speed from the config" } });
    expect(await config("speed")).to.include({ label: "Vitesse", maxValue: "50", unit: "m/s" });
    await ts!.server.api.setAttributeConfig(CTX, DEV, [{ name: "speed", set: { label: "Speed from the config", maxValue: "Not specified", unit: "NaN" } }]);
    expect(JSON.parse(JSON.stringify(ts!.server.properties.attributeProperties(DEV)))).to.deep.equal({});
    await restart({ speed: { label: "Speed from the config" } });
    expect(await config("speed")).to.include({ label: "Speed from the config", maxValue: "Not specified", unit: "mm/s" });
    await write("speed", CmdArgType.DevDouble, 60); // no max_value any more
  });

  it("without a store file, keeps memorized values and configuration in memory across DevRestart", async () => {
    ts = await startServer({ classes: { Memo }, devices: { Memo: [DEV] } });
    await write("speed", CmdArgType.DevDouble, 3.5);
    await write("gain", CmdArgType.DevLong, 4);
    await ts.server.api.setAttributeConfig(CTX, DEV, [{ name: "speed", set: { label: "Kept" } }]);
    await ts.server.api.commandInout(CTX, "dserver/Test/t", "DevRestart", { type: CmdArgType.DevString, value: DEV });
    expect((await read("speed")).wValue).to.equal(3.5);
    expect((await read("gain")).value).to.equal(4);
    expect(hardware).to.deep.equal([{ attribute: "gain", value: 4 }, { attribute: "gain", value: 4 }]);
    expect(await config("speed")).to.include({ label: "Kept" });
  });

  it("refuses a change the store cannot save and keeps the old configuration and set value, also after a restart", async () => {
    await start();
    await write("speed", CmdArgType.DevDouble, 1.5);
    await ts!.server.api.setAttributeConfig(CTX, DEV, [{ name: "speed", set: { label: "Old" } }]);
    renameSync(storePath, `${storePath}.kept`);
    mkdirSync(storePath); // an open that fails even for root
    await expectDevFailed(ts!.server.api.setAttributeConfig(CTX, DEV, [
      { name: "plain", set: { label: "Other" } }, { name: "speed", set: { label: "New", maxValue: "10" } },
    ]), Reason.DatabaseFileError);
    expect(await config("speed")).to.include({ label: "Old", maxValue: "Not specified" });
    expect(await config("plain")).to.include({ label: "plain" });
    const err = await write("speed", CmdArgType.DevDouble, 2.5).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(MultiDevFailed);
    expect((err as MultiDevFailed).errors[0]?.errors[0]?.reason).to.equal(Reason.DatabaseFileError);
    expect((await read("speed")).wValue).to.equal(1.5);
    await ts!.close();
    rmSync(storePath, { recursive: true });
    renameSync(`${storePath}.kept`, storePath);
    await start();
    expect(await config("speed")).to.include({ label: "Old", maxValue: "Not specified" });
    expect((await read("speed")).wValue).to.equal(1.5);
  });
});
