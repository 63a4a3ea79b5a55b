import { expect } from "chai";
import type { AttributeConfig, DeviceAttribute, EventData, TangoValue } from "../../src/client/index.js";
import { eventJson, formatEventLine } from "../../src/cli/event-output.js";
import {
  AttrDataFormat, AttrQuality, AttrWriteType, CmdArgType, DevFailed, DispLevel, EventType, Reason,
} from "../../src/core/index.js";

const SERVER_TIME = new Date(Date.UTC(2026, 11, 6, 7, 35, 21, 684));

function valueOf(value: TangoValue, over: Partial<DeviceAttribute> = {}): DeviceAttribute {
  return {
    name: "double_scalar", value, wValue: undefined, quality: AttrQuality.ATTR_VALID,
    time: { sec: Date.UTC(2026, 11, 6, 7, 35, 21) / 1000, usec: 684123 }, date: SERVER_TIME,
    dataFormat: AttrDataFormat.SCALAR, dataType: CmdArgType.DevDouble, dimX: 1, dimY: 0, wDimX: 0, wDimY: 0, ...over,
  };
}

function event(over: Partial<EventData>): EventData {
  return {
    device: "sys/tg_test/1", attribute: "double_scalar", eventType: EventType.CHANGE_EVENT, event: "change",
    sequence: 12, serverTime: SERVER_TIME, receptionTime: SERVER_TIME, missed: 0, resubscribed: false, ...over,
  };
}

const CONFIG: AttributeConfig = {
  name: "double_scalar", writable: AttrWriteType.READ_WRITE, dataFormat: AttrDataFormat.SCALAR, dataType: CmdArgType.DevDouble,
  memorized: false, memInit: false, maxDimX: 1, maxDimY: 0, description: "No description", label: "double_scalar",
  unit: "mm", standardUnit: "No standard unit", displayUnit: "No display unit", format: "%6.2f", minValue: "Not specified",
  maxValue: "100", writableAttrName: "None", level: DispLevel.OPERATOR, rootAttrName: "Not specified", enumLabels: [],
  alarms: { minAlarm: "Not specified", maxAlarm: "Not specified", minWarning: "Not specified", maxWarning: "Not specified", deltaT: "Not specified", deltaVal: "Not specified" },
  events: { relChange: "Not specified", absChange: "0.1", period: "1000", archiveRelChange: "Not specified", archiveAbsChange: "Not specified", archivePeriod: "Not specified" },
};

describe("watch's event output", () => {
  it("writes a value event as time (the value's, in microseconds), source, type, sequence, value and quality", () => {
    expect(formatEventLine(event({ value: valueOf(4.4678) })))
      .to.equal("2026-12-06T07:35:21.684123Z  sys/tg_test/1/double_scalar  change  #12  4.4678  ATTR_VALID\n");
  });

  it("abbreviates spectra as read does, and appends missed N when the server dropped events", () => {
    const spectrum = valueOf(Float64Array.from({ length: 10 }, (_, i) => i), { dataFormat: AttrDataFormat.SPECTRUM, dimX: 10 });
    expect(formatEventLine(event({ value: spectrum, missed: 3 })))
      .to.match(/  #12  \[0, 1, 2, 3, 4, 5, 6, 7, … \(2 more\)\]  ATTR_VALID  missed 3\n$/);
  });

  it("writes an error event with its root reason and the first line of its description, at the server's time", () => {
    const error = new DevFailed([
      { reason: "API_ThrowException", desc: "first line\nsecond line", origin: "TangoTest::read", severity: 1 },
      { reason: Reason.AttributeFailed, desc: "outer", origin: "x", severity: 1 },
    ]);
    expect(formatEventLine(event({ error })))
      .to.equal("2026-12-06T07:35:21.684000Z  sys/tg_test/1/double_scalar  change  #12  ERROR  API_ThrowException: first line\n");
    expect(eventJson(event({ error }))).to.deep.include({
      error: { errors: [
        { reason: "API_ThrowException", desc: "first line\nsecond line", origin: "TangoTest::read", severity: "ERR" },
        { reason: Reason.AttributeFailed, desc: "outer", origin: "x", severity: "ERR" },
      ] },
    });
  });

  it("summarises attr_conf events by type and the properties set", () => {
    expect(formatEventLine(event({ event: "attr_conf", eventType: EventType.ATTR_CONF_EVENT, config: CONFIG })))
      .to.equal("2026-12-06T07:35:21.684000Z  sys/tg_test/1/double_scalar  attr_conf  #12  DevDouble SCALAR READ_WRITE  "
        + "unit=mm  format=%6.2f  max_value=100  abs_change=0.1  event_period=1000\n");
    const doc = eventJson(event({ event: "attr_conf", eventType: EventType.ATTR_CONF_EVENT, config: CONFIG }));
    expect(doc.config).to.deep.include({ writable: "READ_WRITE", dataType: "DevDouble", unit: "mm" });
  });

  it("shows a data_ready event's counter and an intr_change event's counts", () => {
    const ready = event({ event: "data_ready", eventType: EventType.DATA_READY_EVENT, dataReady: { dataType: CmdArgType.DevDouble, counter: 5 } });
    expect(formatEventLine(ready)).to.match(/  data_ready  #12  counter 5\n$/);
    expect(eventJson(ready)).to.deep.include({ dataReady: { dataType: "DevDouble", counter: 5 } });
    const change = event({
      attribute: "", event: "intr_change", eventType: EventType.INTERFACE_CHANGE_EVENT,
      interfaceChange: { commands: [], attributes: [CONFIG], deviceStarted: true },
    });
    expect(formatEventLine(change)).to.equal("2026-12-06T07:35:21.684000Z  sys/tg_test/1  intr_change  #12  0 commands, 1 attributes  device started\n");
    expect(eventJson(change)).to.deep.include({ interfaceChange: { deviceStarted: true, commands: [], attributes: ["double_scalar"] } });
  });

  it("writes a value event's JSON with read's fields, the time as ISO text, missed and resubscribed", () => {
    expect(eventJson(event({ value: valueOf(2.5, { wValue: 1, wDimX: 1 }), resubscribed: true }))).to.deep.equal({
      device: "sys/tg_test/1", attribute: "double_scalar", event: "change", sequence: 12, time: "2026-12-06T07:35:21.684123Z",
      value: 2.5, wValue: 1, quality: "ATTR_VALID", dataFormat: "SCALAR", dataType: "DevDouble", dimX: 1, dimY: 0, wDimX: 1, wDimY: 0,
      missed: 0, resubscribed: true,
    });
  });
});
