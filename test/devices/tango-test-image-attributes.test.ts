import { expect } from "chai";
import type { DeviceAttribute } from "../../src/client/index.js";
import { TangoTest } from "../../src/devices/index.js";
import { MultiDeviceTestContext } from "../../src/testing/index.js";

// Through the client, as users meet them: init_device's zero images are shared between devices
// (src/devices/tango-test/tango-test-images.ts), so a write must never show elsewhere.
describe("TangoTest image attributes", () => {
  let ctx: MultiDeviceTestContext | undefined;
  afterEach(async () => { await ctx?.close(); ctx = undefined; });

  const read = async (device: string, name: string): Promise<DeviceAttribute> => {
    if (ctx === undefined) expect.fail("no context");
    return ctx.proxy(device).readAttribute(name);
  };

  it("reads 251 x 251 zeros before any write, and each device's own writes after", async () => {
    ctx = await MultiDeviceTestContext.start([{ class: TangoTest, devices: [{ name: "test/tg/1" }, { name: "test/tg/2" }] }]);
    const zeros = await read("test/tg/1", "double_image");
    expect([zeros.dimX, zeros.dimY]).to.deep.equal([251, 251]);
    expect((zeros.value as Float64Array).every((v) => v === 0)).to.equal(true);

    // Nested arrays carry their shape: 3 x 2, 2 x 2 and 2 x 1, in one write_attributes call.
    await ctx.proxy("test/tg/1").writeAttributes({
      double_image: [[1, 2, 3], [4, 5, 6]],
      boolean_image: [[true, false], [true, true]],
      long_image: [[7, 8]],
    });
    expect(Array.from((await read("test/tg/1", "double_image")).value as Float64Array)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect((await read("test/tg/1", "boolean_image")).value).to.deep.equal([true, false, true, true]);
    const long = (await read("test/tg/1", "long_image")).value as Int32Array;
    expect([long.length, long[0], long[1], long[2]]).to.deep.equal([251 * 251, 7, 8, 0]);

    for (const name of ["double_image", "boolean_image", "long_image"]) {
      const other = await read("test/tg/2", name);
      expect([other.dimX, other.dimY], name).to.deep.equal([251, 251]);
      expect(Array.from(other.value as ArrayLike<unknown>).every((v) => v === 0 || v === false), name).to.equal(true);
    }
  });
});
