import { expect } from "chai";
import { CmdArgType } from "../../src/core/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { CTX, startServer } from "../support/test-server.js";

// Through the request API, as clients meet them: init_device's zero images are shared between
// devices (src/devices/tango-test/tango-test-images.ts), so a write must never show elsewhere.
describe("TangoTest image attributes", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  afterEach(async () => { await ts?.close(); });

  const start = async (): Promise<void> => {
    ts = await startServer({
      classes: { TangoTest: BUILTIN_CLASSES.get("TangoTest")! },
      devices: { TangoTest: ["test/tg/1", "test/tg/2"] },
    });
  };
  const read = async (device: string, name: string): Promise<{ value: unknown; rDim: { x: number; y: number } }> => {
    const [v] = await ts.server.api.readAttributes(CTX, device, [name]);
    expect(v?.errors, `${device}/${name}`).to.equal(undefined);
    return v as { value: unknown; rDim: { x: number; y: number } };
  };

  it("reads 251 x 251 zeros before any write, and each device's own writes after", async () => {
    await start();
    const zeros = await read("test/tg/1", "double_image");
    expect(zeros.rDim).to.deep.equal({ x: 251, y: 251 });
    expect((zeros.value as Float64Array).every((v) => v === 0)).to.equal(true);

    await ts.server.api.writeAttributes(CTX, "test/tg/1", [
      { name: "double_image", value: { type: CmdArgType.DevDouble, value: Float64Array.from([1, 2, 3, 4, 5, 6]) }, dim: { x: 3, y: 2 } },
      { name: "boolean_image", value: { type: CmdArgType.DevBoolean, value: [true, false, true, true] }, dim: { x: 2, y: 2 } },
      { name: "long_image", value: { type: CmdArgType.DevLong, value: Int32Array.from([7, 8]) }, dim: { x: 2, y: 1 } },
    ]);
    expect(Array.from((await read("test/tg/1", "double_image")).value as Float64Array)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect((await read("test/tg/1", "boolean_image")).value).to.deep.equal([true, false, true, true]);
    const long = (await read("test/tg/1", "long_image")).value as Int32Array;
    expect([long.length, long[0], long[1], long[2]]).to.deep.equal([251 * 251, 7, 8, 0]);

    for (const name of ["double_image", "boolean_image", "long_image"]) {
      const other = await read("test/tg/2", name);
      expect(other.rDim, name).to.deep.equal({ x: 251, y: 251 });
      expect(Array.from(other.value as ArrayLike<unknown>).every((v) => v === 0 || v === false), name).to.equal(true);
    }
  });
});
