import { expect } from "chai";
import {
  formatImageString, formatSpectrumString, randomStringImage, randomStringSpectrum,
} from "../../src/devices/tango-test/strings.js";
import { seededRandom } from "./seeded-random.js";

describe("TangoTest strings", () => {
  it("formats spectrum elements as the reference read shows", () => {
    expect(formatSpectrumString(0, 73)).to.equal("[00]::hello-world-0073");
    expect(formatSpectrumString(2, 219)).to.equal("[02]::hello-world-0219");
    expect(formatSpectrumString(255, 5)).to.equal("[255]::hello-world-0005");
  });

  it("formats image pixels as the reference read shows, x before y", () => {
    expect(formatImageString(0, 0, 14)).to.equal("[00][00]::hello world::0014");
    expect(formatImageString(2, 0, 219)).to.equal("[02][00]::hello world::0219");
    expect(formatImageString(250, 17, 0)).to.equal("[250][17]::hello world::0000");
  });

  it("generates a spectrum of indexed strings with values in [0, 256)", () => {
    const out = randomStringSpectrum(256, seededRandom(5));
    expect(out).to.have.length(256);
    out.forEach((s, i) => {
      const m = /^\[(\d+)\]::hello-world-(\d{4})$/.exec(s);
      expect(m, s).to.not.equal(null);
      expect(Number(m?.[1])).to.equal(i);
      expect(Number(m?.[2])).to.be.below(256);
    });
  });

  it("generates a row-major image whose pixels name their own x and y", () => {
    const size = 251;
    const out = randomStringImage(size, seededRandom(6));
    expect(out).to.have.length(size * size);
    expect(out[3 + 7 * size]).to.match(/^\[03\]\[07\]::hello world::\d{4}$/);
    expect(out[size * size - 1]).to.match(/^\[250\]\[250\]::hello world::\d{4}$/);
  });
});
