import { expect } from "chai";
import { formatTangoFailure, tangoFailureJson } from "../../src/cli/error-output.js";
import { DevFailed, ErrSeverity, MultiDevFailed } from "../../src/core/index.js";

describe("error output", () => {
  const df = new DevFailed([
    { reason: "API_CommandNotFound", desc: "Command Foo not found", origin: "DeviceImpl::command_inout" },
    { reason: "API_CommandFailed", desc: "Failed to execute command_inout\non device a/b/c", origin: "Connection", severity: ErrSeverity.PANIC },
  ]);

  it("prints each frame on stderr, outermost first, continuation lines indented", () => {
    expect(formatTangoFailure(df)).to.equal(
      "tango-grpc: API_CommandFailed: Failed to execute command_inout\n    on device a/b/c\n" +
      "tango-grpc: API_CommandNotFound: Command Foo not found\n",
    );
  });

  it("writes the stack root cause first in --json, severities by name", () => {
    expect(tangoFailureJson(df)).to.deep.equal({
      error: {
        errors: [
          { reason: "API_CommandNotFound", desc: "Command Foo not found", origin: "DeviceImpl::command_inout", severity: "ERR" },
          { reason: "API_CommandFailed", desc: "Failed to execute command_inout\non device a/b/c", origin: "Connection", severity: "PANIC" },
        ],
      },
    });
  });

  it("names the attribute of each failed element of a MultiDevFailed", () => {
    const mdf = new MultiDevFailed([
      { name: "x", indexInCall: 1, errors: [{ reason: "API_WAttrOutsideLimit", desc: "too big", origin: "o", severity: ErrSeverity.ERR }] },
    ]);
    expect(formatTangoFailure(mdf)).to.equal("tango-grpc: x: API_WAttrOutsideLimit: too big\n");
    expect(tangoFailureJson(mdf)).to.deep.equal({
      error: { failed: [{ name: "x", index: 1, errors: [{ reason: "API_WAttrOutsideLimit", desc: "too big", origin: "o", severity: "ERR" }] }] },
    });
  });
});
