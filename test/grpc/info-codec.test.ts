import { expect } from "chai";
import { CmdArgType, DispLevel, type CommandInfo, type DeviceInfo } from "../../src/core/index.js";
import {
  decodeCommandInfo, decodeDeviceInfo, encodeCommandInfo, encodeDeviceInfo, loadTangoProto, type WireCommandInfo,
  type WireDevInfo,
} from "../../src/grpc/index.js";

const { deviceService } = loadTangoProto();

describe("grpc codec: command and device information", () => {
  it("round-trips a command description and repeats the level in cmd_tag", () => {
    const info: CommandInfo = {
      name: "DevVarLong64Array", level: DispLevel.EXPERT, inType: CmdArgType.DevVarLong64Array,
      outType: CmdArgType.DevVarLong64Array, inTypeDesc: "Uninitialised", outTypeDesc: "the same, unchanged",
    };
    const CommandQuery = deviceService.CommandQuery!;
    const wire = CommandQuery.responseDeserialize(CommandQuery.responseSerialize(encodeCommandInfo(info))) as WireCommandInfo;
    expect(wire.cmd_tag).to.equal(DispLevel.EXPERT);
    expect(decodeCommandInfo(wire)).to.deep.equal(info);
  });

  it("round-trips device information with its version list", () => {
    const info: DeviceInfo = {
      devClass: "TangoTest", serverId: "TangoTest/test", serverHost: "host-1", serverVersion: 5,
      docUrl: "Doc URL = http://www.tango-controls.org", devType: "Uninitialised",
      versionInfo: { "tango-grpc": "0.1.0", node: "v20.20.2", "@grpc/grpc-js": "1.14.7" },
      description: "A TANGO device", admName: "dserver/TangoTest/test",
    };
    const Info = deviceService.Info!;
    const wire = Info.responseDeserialize(Info.responseSerialize(encodeDeviceInfo(info))) as WireDevInfo;
    expect(wire.version_info[0]).to.deep.equal({ key: "tango-grpc", value: "0.1.0" });
    expect(decodeDeviceInfo(wire)).to.deep.equal(info);
  });
});
