import { Metadata, status } from "@grpc/grpc-js";
import { expect } from "chai";
import {
  DevFailed, ErrSeverity, MultiDevFailed, Reason, TangoErrors,
} from "../../src/core/index.js";
import { STATUS_DETAILS_KEY, codeOfReason, fromGrpcError, toGrpcStatus } from "../../src/grpc/index.js";
import { createTestLogger } from "./grpc-test-client.js";

describe("grpc status mapping", () => {
  it("sends a DevFailed with its root cause's code and message and its whole stack in the trailer", () => {
    const { logger, lines } = createTestLogger();
    const df = TangoErrors.commandNotAllowed("On", 0).withFrame({
      reason: "API_CommandFailed", desc: "Command On failed", origin: "DeviceProxy::command_inout", severity: ErrSeverity.PANIC,
    });
    const st = toGrpcStatus(df, logger);
    expect(st.code).to.equal(status.FAILED_PRECONDITION);
    expect(st.details).to.equal("API_CommandNotAllowed: Command On not allowed when the device is in ON state");
    const back = fromGrpcError(st);
    expect(back).to.be.instanceOf(DevFailed);
    expect((back as DevFailed).errors).to.deep.equal(df.errors);
    expect(lines).to.have.length(0);
  });

  it("sends a MultiDevFailed with every failed element, coded by the first one's root reason", () => {
    const { logger } = createTestLogger();
    const mdf = new MultiDevFailed([
      { name: "voltage", indexInCall: 0, errors: TangoErrors.wattrAboveMax("voltage", 0).errors },
      { name: "current", indexInCall: 2, errors: TangoErrors.attrNotWritable("current").errors },
    ]);
    const st = toGrpcStatus(mdf, logger);
    expect(st.code).to.equal(status.INVALID_ARGUMENT);
    expect(st.details).to.match(/^API_WAttrOutsideLimit: /);
    const back = fromGrpcError(st);
    expect(back).to.be.instanceOf(MultiDevFailed);
    expect((back as MultiDevFailed).errors).to.deep.equal(mdf.errors);
  });

  it("sends a non-DevFailed error as UNKNOWN API_StdException with its message only, and logs it", () => {
    const { logger, lines } = createTestLogger();
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const st = toGrpcStatus(bug, logger);
    expect(st.code).to.equal(status.UNKNOWN);
    expect(st.details).to.equal("API_StdException: Cannot read properties of undefined (reading 'x')");
    const back = fromGrpcError(st) as DevFailed;
    expect(back.reason).to.equal(Reason.StdException);
    expect(JSON.stringify(back.errors)).not.to.include("at ");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 50, msg: "non-DevFailed error reached the gRPC edge" });
    expect((lines[0]?.err as { stack: string }).stack).to.include("TypeError");
  });

  it("maps each family of reasons per DESIGN §3, and device-specific reasons to UNKNOWN", () => {
    expect(codeOfReason(Reason.DeviceNotFound)).to.equal(status.NOT_FOUND);
    expect(codeOfReason(Reason.AttrNotFound)).to.equal(status.NOT_FOUND);
    expect(codeOfReason(Reason.IncompatibleCmdArgumentType)).to.equal(status.INVALID_ARGUMENT);
    expect(codeOfReason(Reason.AttrNotAllowed)).to.equal(status.FAILED_PRECONDITION);
    expect(codeOfReason(Reason.CommandTimedOut)).to.equal(status.ABORTED);
    expect(codeOfReason(Reason.ShutdownInProgress)).to.equal(status.UNAVAILABLE);
    expect(codeOfReason(Reason.StdException)).to.equal(status.UNKNOWN);
    expect(codeOfReason("PS_Overheated")).to.equal(status.UNKNOWN);
    for (const reason of Object.values(Reason)) expect(codeOfReason(reason), reason).to.be.a("number");
  });

  it("finds no Tango error in a missing, foreign or garbled trailer", () => {
    expect(fromGrpcError({ metadata: new Metadata() })).to.equal(undefined);
    const garbled = new Metadata();
    garbled.set(STATUS_DETAILS_KEY, Buffer.from([0x1a, 0xff, 0xff, 0xff]));
    expect(fromGrpcError({ metadata: garbled })).to.equal(undefined);
    const foreign = new Metadata();
    foreign.set(STATUS_DETAILS_KEY, Buffer.from([0x08, 0x05])); // google.rpc.Status{code: 5}, no details
    expect(fromGrpcError({ metadata: foreign })).to.equal(undefined);
  });
});
