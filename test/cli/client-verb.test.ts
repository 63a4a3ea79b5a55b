import { expect } from "chai";
import { UsageError, parseSourceOption, parseTimeoutOption } from "../../src/cli/client-verb.js";
import { DevSource } from "../../src/core/index.js";

describe("client verb options", () => {
  it("reads --timeout as whole milliseconds or none, 3000 by default", () => {
    expect(parseTimeoutOption(undefined)).to.equal(3000);
    expect(parseTimeoutOption("250")).to.equal(250);
    expect(parseTimeoutOption("None")).to.equal(Infinity);
    for (const bad of ["0", "-1", "1.5", "abc", "", "1e3"]) {
      expect(() => parseTimeoutOption(bad), bad).to.throw(UsageError, /positive whole number of milliseconds, or "none"/);
    }
  });

  it("reads --source in any case", () => {
    expect(parseSourceOption(undefined)).to.equal(undefined);
    expect(parseSourceOption("dev")).to.equal(DevSource.DEV);
    expect(parseSourceOption("CACHE_dev")).to.equal(DevSource.CACHE_DEV);
    expect(() => parseSourceOption("disk")).to.throw(UsageError, /dev, cache or cache_dev/);
  });
});
