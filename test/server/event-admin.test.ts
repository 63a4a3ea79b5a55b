import { expect } from "chai";
import { CmdArgType, DevDouble, DevState, Device, attribute } from "../../src/device/index.js";
import { Reason, typeName, type TypedValue } from "../../src/core/index.js";
import { CTX, expectDevFailed, startServer } from "../support/test-server.js";

class Sensor extends Device {
  override initDevice(): void {
    this.setState(DevState.ON);
    this.setChangeEvent("pushed", true, false);
  }

  @attribute({ dtype: DevDouble, absChange: 0.5 })
  get value(): number { return 1; }

  @attribute({ dtype: DevDouble })
  get pushed(): number { return 2; }
}

const ADMIN = "dserver/Test/t";
const strings = (value: string[]): TypedValue => ({ type: CmdArgType.DevVarStringArray, value });

/** command_list_query of a cppTango 9.3.4 admin device: name, in type, out type, in and out descriptions. */
const CPPTANGO_COMMANDS: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ["AddObjPolling", "DevVarLongStringArray", "DevVoid", "Lg[0]=Upd period. Str[0]=Device name. Str[1]=Object type. Str[2]=Object name", "Uninitialised"],
  ["DevPollStatus", "DevString", "DevVarStringArray", "Device name", "Device polling status"],
  ["EventConfirmSubscription", "DevVarStringArray", "DevVoid",
    "Str[0] = dev1 name, Str[1] = att1 name, Str[2] = event name, Str[3] = dev2 name, Str[4] = att2 name, Str[5] = event name,...", "Uninitialised"],
  ["EventSubscriptionChange", "DevVarStringArray", "DevLong", "Event consumer wants to subscribe to", "Tango lib release"],
  ["PolledDevice", "DevVoid", "DevVarStringArray", "Uninitialised", "Polled device name list"],
  ["RemObjPolling", "DevVarStringArray", "DevVoid", "Str[0]=Device name. Str[1]=Object type. Str[2]=Object name", "Uninitialised"],
  ["StartPolling", "DevVoid", "DevVoid", "Uninitialised", "Uninitialised"],
  ["StopPolling", "DevVoid", "DevVoid", "Uninitialised", "Uninitialised"],
  ["UpdObjPollingPeriod", "DevVarLongStringArray", "DevVoid", "Lg[0]=Upd period. Str[0]=Device name. Str[1]=Object type. Str[2]=Object name", "Uninitialised"],
  ["ZmqEventSubscriptionChange", "DevVarStringArray", "DevVarLongStringArray",
    "Event consumer wants to subscribe to.\ndevice name, attribute/pipe name, action (\"subscribe\"), event name, <Tango client IDL version>\"\nevent name can take the following values:\n    \"change\",\n    \"quality\",\n    \"periodic\",\n    \"archive\",\n    \"user_event\",\n    \"attr_conf\",\n    \"data_ready\",\n    \"intr_change\",\n    \"pipe\"\n\"info\" can also be used as single parameter to retrieve information about the heartbeat and event pub endpoints.",
    "Str[0] = Heartbeat pub endpoint - Str[1] = Event pub endpoint\n...\nStr[n] = Alternate Heartbeat pub endpoint - Str[n+1] = Alternate Event pub endpoint\nStr[n+1] = event name used by this server as zmq topic to send events\nStr[n+2] = channel name used by this server to send heartbeat events\nLg[0] = Tango lib release - Lg[1] = Device IDL release\nLg[2] = Subscriber HWM - Lg[3] = Multicast rate\nLg[4] = Multicast IVL - Lg[5] = ZMQ release"],
];

describe("the admin event commands", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    ts = await startServer({ classes: { Sensor }, devices: { Sensor: ["t/s/1"] } });
    ts.server.grpcAddress = "host.example:50051";
  });
  afterEach(async () => { await ts?.close(); });
  const admin = (cmd: string, argin?: TypedValue): Promise<TypedValue> => ts.server.api.commandInout(CTX, ADMIN, cmd, argin);

  it("have cppTango 9.3's polling and event commands, with its types and descriptions", async () => {
    const ours = new Map((await ts.server.api.commandListQuery(CTX, ADMIN)).map((c) => [c.name, c]));
    for (const [name, inType, outType, inDesc, outDesc] of CPPTANGO_COMMANDS) {
      const mine = ours.get(name);
      expect([typeName(mine?.inType ?? 0), typeName(mine?.outType ?? 0), mine?.inTypeDesc, mine?.outTypeDesc], name)
        .to.deep.equal([inType, outType, inDesc, outDesc]);
    }
  });

  it("answer ZmqEventSubscriptionChange with where to subscribe over gRPC, after the subscription's checks", async () => {
    const out = (await admin("ZmqEventSubscriptionChange", strings(["t/s/1", "pushed", "subscribe", "change", "5"]))).value as { lvalue: Int32Array; svalue: string[] };
    expect([...out.lvalue]).to.deep.equal([934, 5, 1000, 0, 0, 0]);
    expect(out.svalue).to.deep.equal([
      "grpc://host.example:50051",
      "grpc://host.example:50051/tango.v1.Device/Subscribe",
      "tango://host.example:50051/t/s/1/pushed.idl5_change",
      "tango://host.example:50051/dserver/test/t.heartbeat",
    ]);
    const info = (await admin("ZmqEventSubscriptionChange", strings(["info"]))).value as { lvalue: Int32Array; svalue: string[] };
    expect([...info.lvalue]).to.deep.equal([934]);
    expect(info.svalue[1]).to.equal("Event: grpc://host.example:50051 tango.v1.Device/Subscribe");
  });

  it("refuse what a subscription would refuse, and malformed arguments, with cppTango's reasons", async () => {
    const zmq = (argin: string[]): Promise<TypedValue> => admin("ZmqEventSubscriptionChange", strings(argin));
    expect((await expectDevFailed(zmq(["t/s/1", "value", "subscribe"]), Reason.WrongNumberOfArgs)).desc)
      .to.equal("Not enough input arguments, needs at least 4 i.e. device name, attribute/pipe name, action, event name, <Tango lib release>");
    expect((await expectDevFailed(zmq(["help"]), Reason.WrongNumberOfArgs)).desc)
      .to.equal("Not enough input arguments, needs 4 i.e. device name, attribute/pipe name, action, event name");
    expect((await expectDevFailed(zmq(["t/s/1", "value", "subscribe", "changes"]), Reason.WrongNumberOfArgs)).desc)
      .to.equal("The event type you sent (changes) is not  valid event type");
    await expectDevFailed(zmq(["t/s/1", "value", "subscribe", "idl5_change"]), Reason.AttributePollingNotStarted);
    await expectDevFailed(zmq(["t/s/1", "nope", "subscribe", "change"]), Reason.AttrNotFound);
    await expectDevFailed(zmq(["x/y/z", "value", "subscribe", "change"]), Reason.DeviceNotFound);
    expect((await admin("EventSubscriptionChange", strings(["t/s/1", "pushed", "subscribe", "change"]))).value).to.equal(934);
    await expectDevFailed(admin("EventSubscriptionChange", strings(["t/s/1", "value", "subscribe"])), Reason.WrongNumberOfArgs);
    await admin("EventConfirmSubscription", strings(["t/s/1", "pushed", "change", "t/s/1", "value", "attr_conf"]));
    await expectDevFailed(admin("EventConfirmSubscription", strings(["t/s/1", "value"])), Reason.WrongNumberOfArgs);
    await expectDevFailed(admin("EventConfirmSubscription", strings(["t/s/1", "value", "change"])), Reason.AttributePollingNotStarted);
  });
});
