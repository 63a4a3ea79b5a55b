import { expect } from "chai";
import { MAX_REASON_LABELS, OTHER_REASON, ReasonCounts } from "../../src/metrics/index.js";

describe("ReasonCounts", () => {
  it("counts each reason under its own label", () => {
    const r = new ReasonCounts();
    for (const reason of ["API_CommandNotFound", "PS_Fault", "API_CommandNotFound"]) r.count(reason);
    expect([...r.entries()]).to.deep.equal([["API_CommandNotFound", 2], ["PS_Fault", 1]]);
  });

  it("counts new reasons past the cap as other, and known ones still under their own", () => {
    const r = new ReasonCounts(3);
    for (const reason of ["a", "b", "c", "d", "e", "a", "d"]) r.count(reason);
    expect([...r.entries()]).to.deep.equal([["a", 2], ["b", 1], ["c", 1], [OTHER_REASON, 3]]);
  });

  it("caps at 50 reasons per device by default", () => {
    const r = new ReasonCounts();
    for (let i = 0; i < 80; i++) r.count(`DEV_Reason${i}`);
    const entries = [...r.entries()];
    expect(MAX_REASON_LABELS).to.equal(50);
    expect(entries).to.have.length(51);
    expect(entries.at(-1)).to.deep.equal([OTHER_REASON, 30]);
  });
});
