import { expect } from "chai";
import {
  AttrDataFormat, AttrWriteType, CmdArgType, DispLevel, type AttributeConfig, type AttributeConfigUpdate,
} from "../../src/core/index.js";
import {
  decodeAttributeConfig, decodeAttributeConfigUpdate, encodeAttributeConfig, encodeAttributeConfigUpdate,
  loadTangoProto, type WireAttributeConfigReply, type WireSetAttributeConfigRequest,
} from "../../src/grpc/index.js";

const { deviceService } = loadTangoProto();
const NS = "Not specified";

const CONFIG: AttributeConfig = {
  name: "double_scalar", writable: AttrWriteType.READ_WRITE, dataFormat: AttrDataFormat.SCALAR,
  dataType: CmdArgType.DevDouble, memorized: true, memInit: false, maxDimX: 1, maxDimY: 0,
  description: "No description", label: "double_scalar", unit: "V", standardUnit: "No standard unit",
  displayUnit: "No display unit", format: "%6.2f", minValue: "0", maxValue: "30",
  writableAttrName: "double_scalar", level: DispLevel.OPERATOR, rootAttrName: NS, enumLabels: [],
  alarms: { minAlarm: NS, maxAlarm: "28", minWarning: NS, maxWarning: NS, deltaT: NS, deltaVal: NS },
  events: {
    relChange: NS, absChange: "0.5,1", period: "1000", archiveRelChange: NS, archiveAbsChange: NS,
    archivePeriod: NS,
  },
};

describe("grpc codec: attribute configuration", () => {
  it("round-trips a full IDL-5 configuration through protobuf bytes", () => {
    const GetAttributeConfig = deviceService.GetAttributeConfig!;
    const bytes = GetAttributeConfig.responseSerialize({ configs: [encodeAttributeConfig(CONFIG)] });
    const [back] = (GetAttributeConfig.responseDeserialize(bytes) as WireAttributeConfigReply).configs;
    expect(back?.att_alarm?.max_alarm).to.equal("28");
    expect(back?.event_prop?.ch_event?.abs_change).to.equal("0.5,1");
    expect(decodeAttributeConfig(back!)).to.deep.equal(CONFIG);
  });

  it("keeps only the properties a client sent, the empty reset word included", () => {
    const SetAttributeConfig = deviceService.SetAttributeConfig!;
    const update: AttributeConfigUpdate = {
      name: "double_scalar", set: { label: "", maxAlarm: "29", archivePeriod: NS },
    };
    const bytes = SetAttributeConfig.requestSerialize({ device: "a/b/c", configs: [encodeAttributeConfigUpdate(update)] });
    const [wire] = (SetAttributeConfig.requestDeserialize(bytes) as WireSetAttributeConfigRequest).configs;
    expect(wire).not.to.have.property("unit");
    expect(decodeAttributeConfigUpdate(wire!)).to.deep.equal(update);
  });

  it("passes enum labels only when some are given", () => {
    expect(decodeAttributeConfigUpdate({ name: "e", enum_labels: ["A", "B"] }))
      .to.deep.equal({ name: "e", set: {}, enumLabels: ["A", "B"] });
    expect(decodeAttributeConfigUpdate({ name: "e", enum_labels: [] })).to.deep.equal({ name: "e", set: {} });
  });
});
