import { expect } from "chai";
import { advance, type AxisState, type MotionProfile } from "../src/motion.js";

/** Steps from `start` to `target` every `dtS` until arrival; the states visited and the time taken. */
function run(start: number, target: number, profile: MotionProfile, dtS: number): { states: AxisState[]; seconds: number } {
  const states: AxisState[] = [];
  let axis: AxisState = { position: start, speed: 0 };
  for (let i = 1; i <= 100_000; i++) {
    const step = advance(axis, target, profile, dtS);
    states.push(step);
    if (step.isArrived) return { states, seconds: i * dtS };
    axis = step;
  }
  throw new Error(`no arrival at ${target} within 100000 steps`);
}

describe("the axis's motion profile", () => {
  it("without a ramp, runs at velocity at once and arrives exactly on the target", () => {
    const { states, seconds } = run(0, 10, { velocity: 4, acceleration: 0 }, 0.05);
    expect(states[0]).to.deep.equal({ position: 0.2, speed: 4, isArrived: false });
    expect(states.at(-1)).to.deep.equal({ position: 10, speed: 0, isArrived: true });
    expect(seconds).to.be.closeTo(10 / 4, 0.05 + 1e-9);
  });

  it("moves down as well as up", () => {
    const { states } = run(5, -3, { velocity: 2, acceleration: 0 }, 0.1);
    expect(states[0]?.position).to.be.closeTo(4.8, 1e-12);
    expect(states.at(-1)?.position).to.equal(-3);
  });

  it("with a ramp, speeds up by the acceleration, never beyond velocity, and never overshoots", () => {
    const profile = { velocity: 5, acceleration: 10 };
    const dtS = 0.01;
    const { states, seconds } = run(0, 20, profile, dtS);
    expect(states[0]?.speed).to.be.closeTo(0.1, 1e-12);
    let previous = 0;
    for (const s of states) {
      expect(s.speed).to.be.at.most(profile.velocity);
      expect(s.position).to.be.at.least(previous).and.at.most(20);
      previous = s.position;
    }
    expect(Math.max(...states.map((s) => s.speed))).to.equal(5);
    // A trapezoid: d/v + v/a = 4 s + 0.5 s, within a few steps of discretisation.
    expect(seconds).to.be.closeTo(20 / 5 + 5 / 10, 0.1);
  });

  it("on a short move, never reaches velocity: a triangle, slowing down to the target", () => {
    const { states, seconds } = run(0, 1, { velocity: 100, acceleration: 4 }, 0.005);
    const top = Math.max(...states.map((s) => s.speed));
    expect(top).to.be.closeTo(Math.sqrt(4 * 1), 0.05);  // √(a·d): the peak halfway
    expect(states.at(-2)?.speed).to.be.below(0.5);
    expect(seconds).to.be.closeTo(2 * Math.sqrt(1 / 4), 0.05);
  });

  it("is already there when the position is the target, and does not move in no time", () => {
    expect(advance({ position: 3, speed: 0 }, 3, { velocity: 1, acceleration: 0 }, 0.05)).to.deep.equal({ position: 3, speed: 0, isArrived: true });
    expect(advance({ position: 3, speed: 0 }, 4, { velocity: 1, acceleration: 0 }, 0)).to.deep.equal({ position: 3, speed: 1, isArrived: false });
  });
});
