import { expect } from "chai";
import { CallChains } from "../../src/server/call-chain.js";
import { Monitor } from "../../src/server/monitor.js";
import { DevFailed } from "../../src/core/index.js";

describe("Monitor", () => {
  const chains = new CallChains();

  it("tells how long its holder has held it, and 0 when free", () => {
    const m = new Monitor("test/m/1", 1000);
    expect(m.heldForMs()).to.equal(0);
    const now = performance.now();
    expect(m.acquire(chains.start())).to.equal(undefined);
    expect(m.heldForMs(now + 500)).to.be.within(499, 501);
    m.release();
    expect(m.heldForMs(now + 500)).to.equal(0);
  });

  it("once retired, fails its waiters and other chains at once, while the holder may re-enter and release", async () => {
    const m = new Monitor("test/m/1", 60_000);
    const holder = chains.start();
    m.acquire(holder);
    const waiting = m.acquire(chains.start());
    expect(waiting).to.be.instanceOf(Promise);
    const gone = DevFailed.of("API_CommandTimedOut", "replaced", "test");
    m.retire(gone);
    expect(m.isRetired).to.equal(true);
    expect(await waiting?.then(() => "served", (err: unknown) => err)).to.equal(gone);
    expect(m.waiting).to.equal(0);
    expect(await m.acquire(chains.start())?.then(() => "served", (err: unknown) => err)).to.equal(gone);
    expect(m.acquire(holder)).to.equal(undefined);
    m.release();
    m.release();
    expect(m.heldForMs()).to.equal(0);
  });
});
