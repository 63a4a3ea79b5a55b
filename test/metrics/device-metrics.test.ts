import { expect } from "chai";
import { AttrDataFormat, AttrQuality, CmdArgType, DevFailed, DevState, MultiDevFailed, Reason } from "../../src/core/index.js";
import type { AttributeValue } from "../../src/core/index.js";
import { DeviceMetrics, OPERATION_NAMES, Operation } from "../../src/metrics/index.js";

const value = (name: string, reason?: string): AttributeValue => ({
  name, quality: reason === undefined ? AttrQuality.ATTR_VALID : AttrQuality.ATTR_INVALID, dataFormat: AttrDataFormat.SCALAR,
  dataType: CmdArgType.DevDouble, time: { sec: 0, usec: 0 }, rDim: { x: 1, y: 0 }, wDim: { x: 0, y: 0 },
  ...(reason === undefined ? { value: 1 } : { errors: DevFailed.of(reason, "failed", "test").errors }),
});

describe("DeviceMetrics", () => {
  it("numbers the 24 operations in label order", () => {
    expect(OPERATION_NAMES).to.have.length(24);
    OPERATION_NAMES.forEach((name, i) => expect(Operation[name]).to.equal(i));
  });

  it("counts requests per operation", () => {
    const m = new DeviceMetrics("a/b/c", () => DevState.ON);
    m.countRequest(Operation.ping);
    m.countRequest(Operation.ping);
    m.countRequest(Operation.delete_property);
    expect(m.requests[Operation.ping]).to.equal(2);
    expect(m.requests[Operation.delete_property]).to.equal(1);
    expect(m.requests.reduce((a, b) => a + b)).to.equal(3);
  });

  it("counts a DevFailed by its root cause, each MultiDevFailed element, anything else as API_StdException", () => {
    const m = new DeviceMetrics("a/b/c", () => undefined);
    m.countFailure(DevFailed.of(Reason.CommandNotFound, "x", "o").withFrame({ reason: "API_CommandFailed", desc: "y", origin: "o" }));
    m.countFailure(new MultiDevFailed([
      { name: "a", indexInCall: 0, errors: DevFailed.of(Reason.AttrNotFound, "x", "o").errors },
      { name: "b", indexInCall: 1, errors: DevFailed.of(Reason.AttrNotFound, "x", "o").errors },
    ]));
    m.countFailure(new Error("bug"));
    expect([...m.errors.entries()]).to.deep.equal([
      [Reason.CommandNotFound, 1], [Reason.AttrNotFound, 2], [Reason.StdException, 1],
    ]);
  });

  it("counts the attributes of a read reply that carry errors", () => {
    const m = new DeviceMetrics("a/b/c", () => undefined);
    m.countReadErrors([value("ok"), value("bad", "PS_Fault"), value("nope", Reason.AttrNotFound), value("bad2", "PS_Fault")]);
    expect([...m.errors.entries()]).to.deep.equal([["PS_Fault", 2], [Reason.AttrNotFound, 1]]);
  });

  it("keeps one record per declared name, made on first use", () => {
    const m = new DeviceMetrics("a/b/c", () => undefined);
    expect(m.commands.size).to.equal(0);
    m.observeCommand("On", 0.001);
    m.observeCommand("On", 0.002);
    m.observeRead("voltage", 0.0001);
    m.observeWrite("voltage", 0.0002);
    expect(m.commands.get("On")?.count).to.equal(2);
    expect(m.reads.get("voltage")?.count).to.equal(1);
    expect(m.writes.get("voltage")?.count).to.equal(1);
  });

  it("reports the state through its callback, undefined while not exported", () => {
    let state: DevState | undefined;
    const m = new DeviceMetrics("a/b/c", () => state);
    expect(m.state()).to.equal(undefined);
    state = DevState.MOVING;
    expect(m.state()).to.equal(DevState.MOVING);
  });
});
