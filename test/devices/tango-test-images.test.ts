import { expect } from "chai";
import { image } from "../../src/device/index.js";
import {
  cropStringImage, fillBeamImage, IMAGE_SIZE, keepWrittenImage, overlayImage,
} from "../../src/devices/tango-test/images.js";
import { constantRandom, seededRandom } from "./seeded-random.js";

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

describe("TangoTest images", () => {
  it("draws a centred cone of height size/8 when every draw is 0", () => {
    const out = fillBeamImage(new Int16Array(PIXELS), IMAGE_SIZE, constantRandom(0));
    const at = (x: number, y: number): number => out[x * IMAGE_SIZE + y] ?? NaN;
    expect(at(125, 125)).to.equal(31);
    expect(at(155, 125)).to.equal(1);
    expect(at(125 - 31, 125)).to.equal(0);
    expect(at(0, 0)).to.equal(0);
    expect(at(125 + 10, 125)).to.equal(at(125, 125 + 10));
  });

  it("keeps a random beam near the middle, bounded by size/8 + 20 %", () => {
    const out = fillBeamImage(new Float64Array(PIXELS), IMAGE_SIZE, seededRandom(7));
    const max = Math.max(...out);
    expect(max).to.be.within(25, 36);
    const peak = out.indexOf(max);
    expect(Math.trunc(peak / IMAGE_SIZE)).to.be.within(125 - 12, 125 + 12);
    expect(peak % IMAGE_SIZE).to.be.within(125 - 12, 125 + 12);
    expect(out.filter((v) => v !== 0).length).to.be.below(PIXELS / 10);
  });

  it("draws into 64-bit images as bigints and clears what was there", () => {
    const out = new BigInt64Array(PIXELS).fill(9n);
    fillBeamImage(out, IMAGE_SIZE, constantRandom(0));
    expect(out[125 * IMAGE_SIZE + 125]).to.equal(31n);
    expect(out[0]).to.equal(0n);
  });

  it("refuses an image buffer smaller than size x size", () => {
    expect(() => fillBeamImage(new Int32Array(10), IMAGE_SIZE, constantRandom(0))).to.throw(RangeError);
  });

  it("keeps a copy of a written image with its dimensions", () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const kept = keepWrittenImage(image(data, 3, 2));
    data[0] = 9;
    expect(kept.dimX).to.equal(3);
    expect(kept.dimY).to.equal(2);
    expect([...kept.data]).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it("overlays written pixels on the start of the full buffer without touching the old one", () => {
    const buffer = new Int32Array(PIXELS).fill(7);
    const out = overlayImage(buffer, image(new Int32Array([1, 2, 3, 4]), 2, 2));
    expect(out).to.have.length(PIXELS);
    expect([...out.subarray(0, 6)]).to.deep.equal([1, 2, 3, 4, 7, 7]);
    expect(buffer[0]).to.equal(7);
  });

  it("crops a written string image to its top-left part, row by row", () => {
    const data = ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"];
    const out = cropStringImage(image(data, 3, 3), 2);
    expect(out).to.deep.equal({ data: ["a0", "b0", "a1", "b1"], dimX: 2, dimY: 2 });
    expect(cropStringImage(image(["x", "y"], 2, 1), 251)).to.deep.equal({ data: ["x", "y"], dimX: 2, dimY: 1 });
  });
});
