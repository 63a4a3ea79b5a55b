import { expect } from "chai";
import { DevFailed, ErrSeverity, MultiDevFailed, Reason, TangoErrors } from "../../src/core/index.js";
import { httpStatusOf, restErrorOf, restMultiErrorOf } from "../../src/http/rest-errors.js";

describe("REST error bodies and statuses", () => {
  it("maps the root cause's reason to the status", () => {
    expect(httpStatusOf(TangoErrors.deviceNotFound("a/b/c"))).to.equal(404);
    expect(httpStatusOf(TangoErrors.commandNotFound("Nope"))).to.equal(404);
    expect(httpStatusOf(TangoErrors.attrNotFound("nope"))).to.equal(404);
    expect(httpStatusOf(DevFailed.of(Reason.CommandNotAllowed, "not now", "x"))).to.equal(409);
    expect(httpStatusOf(DevFailed.of(Reason.AttrNotAllowed, "not now", "x"))).to.equal(409);
    expect(httpStatusOf(TangoErrors.shutdownInProgress())).to.equal(503);
    expect(httpStatusOf(DevFailed.of(Reason.CommandTimedOut, "busy", "x"))).to.equal(503);
    expect(httpStatusOf(DevFailed.of(Reason.DeviceTimedOut, "slow", "x"))).to.equal(503);
    expect(httpStatusOf(DevFailed.of(Reason.IncompatibleCmdArgumentType, "bad", "x"))).to.equal(400);
    expect(httpStatusOf(DevFailed.of(Reason.InternalError, "bug", "x"))).to.equal(500);
  });

  it("gives a device's own reasons 400, even under an API_ frame", () => {
    const err = DevFailed.of("PowerSupply_Overheated", "too hot", "PowerSupply::on").withFrame({ reason: Reason.CommandNotAllowed, desc: "x", origin: "y" });
    expect(httpStatusOf(err)).to.equal(400);
  });

  it("writes the whole stack, root cause first, with severity names", () => {
    const err = new DevFailed([
      { reason: "HW_Fault", desc: "no hardware", origin: "Ps::init", severity: ErrSeverity.PANIC },
      { reason: Reason.InitThrowsException, desc: "init failed", origin: "DServer::init" },
    ]);
    expect(restErrorOf(err)).to.deep.equal({
      errors: [
        { reason: "HW_Fault", description: "no hardware", severity: "PANIC", origin: "Ps::init" },
        { reason: "API_InitThrowsException", description: "init failed", severity: "ERR", origin: "DServer::init" },
      ],
    });
  });

  it("flattens a multi-attribute write failure, naming each attribute, with the first one's status", () => {
    const err = new MultiDevFailed([
      { name: "short_scalar", indexInCall: 0, errors: [{ reason: Reason.WAttrOutsideLimit, desc: "too big", origin: "w", severity: ErrSeverity.ERR }] },
      { name: "nope", indexInCall: 2, errors: [{ reason: Reason.AttrNotFound, desc: "no such", origin: "r", severity: ErrSeverity.ERR }] },
    ]);
    expect(restMultiErrorOf(err)).to.deep.equal({
      status: 400,
      body: {
        errors: [
          { reason: "API_WAttrOutsideLimit", description: "short_scalar: too big", severity: "ERR", origin: "w" },
          { reason: "API_AttrNotFound", description: "nope: no such", severity: "ERR", origin: "r" },
        ],
      },
    });
  });
});
