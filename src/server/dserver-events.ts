import { Device, DevLong, DevVarLongStringArray, DevVarStringArray, command } from "../device/index.js";
import type { DevVarLongStringArrayValue } from "../device/index.js";
import { DevFailed, EVENT_NAMES, EventType, Reason } from "../core/index.js";
import { SERVER_IDL_VERSION, TANGO_LIB_RELEASE } from "../core/defaults.js";
import type { EventHub } from "./events/event-hub.js";
import { dserverPollingCommands, type PollingAdmin } from "./dserver-polling.js";

/** What the admin device's event commands use of their server. @internal */
export interface EventsAdmin {
  readonly events: EventHub;
  readonly adminName: string;
  readonly isShuttingDown: boolean;
  /** `host:port` where clients reach this server's gRPC service, once it listens. */
  readonly grpcAddress: string | undefined;
}

const SUBSCRIBE_METHOD = "tango.v1.Device/Subscribe";

/** An event name as cppTango's commands take it ("change", "idl5_change", …); API_WrongNumberOfArgs for another. */
function eventTypeOf(name: string): EventType {
  const lower = name.toLowerCase().replace(/^idl\d+_/, "");
  const found = (Object.entries(EVENT_NAMES) as unknown as Array<[string, string]>).find(([, n]) => n === lower);
  if (found === undefined) {
    throw DevFailed.of(Reason.WrongNumberOfArgs, `The event type you sent (${name}) is not  valid event type`, "DServer::zmq_event_subscription_change");
  }
  return Number(found[0]) as EventType;
}

function shuttingDown(origin: string): DevFailed {
  return DevFailed.of(Reason.ShutdownInProgress, "The device server is shutting down! You can no longer subscribe for events", origin);
}

/**
 * The admin device's event commands (spec §12.1 item 6, §17). Tango clients negotiate ZeroMQ
 * channels with them; here events travel on gRPC streams (`tango.v1.Device/Subscribe`), so they
 * run the same checks as a subscription and answer with where and how to subscribe. It extends
 * the polling commands; the admin device class extends it.
 */
export function dserverEventCommands(server: EventsAdmin & PollingAdmin): abstract new (...args: ConstructorParameters<typeof Device>) => Device {
  abstract class DServerEvents extends dserverPollingCommands(server) {
    @command({
      dtypeIn: DevVarStringArray, dtypeOut: DevVarLongStringArray,
      docIn: "Event consumer wants to subscribe to.\ndevice name, attribute/pipe name, action (\"subscribe\"), event name, <Tango client IDL version>\"\nevent name can take the following values:\n    \"change\",\n    \"quality\",\n    \"periodic\",\n    \"archive\",\n    \"user_event\",\n    \"attr_conf\",\n    \"data_ready\",\n    \"intr_change\",\n    \"pipe\"\n\"info\" can also be used as single parameter to retrieve information about the heartbeat and event pub endpoints.",
      docOut: "Str[0] = Heartbeat pub endpoint - Str[1] = Event pub endpoint\n...\nStr[n] = Alternate Heartbeat pub endpoint - Str[n+1] = Alternate Event pub endpoint\nStr[n+1] = event name used by this server as zmq topic to send events\nStr[n+2] = channel name used by this server to send heartbeat events\nLg[0] = Tango lib release - Lg[1] = Device IDL release\nLg[2] = Subscriber HWM - Lg[3] = Multicast rate\nLg[4] = Multicast IVL - Lg[5] = ZMQ release",
    })
    ZmqEventSubscriptionChange(argin: readonly string[]): DevVarLongStringArrayValue {
      const origin = "DServer::zmq_event_subscription_change";
      const address = server.grpcAddress ?? "(not listening)";
      const endpoint = `grpc://${address}`;
      if (argin.length === 1) {
        if ((argin[0] ?? "").toLowerCase() !== "info") {
          throw DevFailed.of(Reason.WrongNumberOfArgs, "Not enough input arguments, needs 4 i.e. device name, attribute/pipe name, action, event name", origin);
        }
        return {
          lvalue: Int32Array.of(TANGO_LIB_RELEASE),
          svalue: [`Heartbeat: ${endpoint} (on every event stream)`, `Event: ${endpoint} ${SUBSCRIBE_METHOD}`],
        };
      }
      if (argin.length < 4) {
        throw DevFailed.of(Reason.WrongNumberOfArgs,
          "Not enough input arguments, needs at least 4 i.e. device name, attribute/pipe name, action, event name, <Tango lib release>", origin);
      }
      const [device = "", attribute = "", action = "", event = ""] = argin;
      const type = eventTypeOf(event);
      if (server.isShuttingDown) throw shuttingDown(origin);
      if (action === "subscribe") server.events.check(device, attribute, type);
      const target = type === EventType.INTERFACE_CHANGE_EVENT ? device : `${device}/${attribute}`;
      return {
        lvalue: Int32Array.of(TANGO_LIB_RELEASE, SERVER_IDL_VERSION, server.events.queueDepth, 0, 0, 0),
        svalue: [
          endpoint,
          `${endpoint}/${SUBSCRIBE_METHOD}`,
          `tango://${address}/${target.toLowerCase()}.idl5_${EVENT_NAMES[type]}`,
          `tango://${address}/${server.adminName.toLowerCase()}.heartbeat`,
        ],
      };
    }

    @command({ dtypeIn: DevVarStringArray, dtypeOut: DevLong, docIn: "Event consumer wants to subscribe to", docOut: "Tango lib release" })
    EventSubscriptionChange(argin: readonly string[]): number {
      const origin = "DServer::event_subscription_change";
      if (argin.length < 4) {
        throw DevFailed.of(Reason.WrongNumberOfArgs, "Not enough input arguments, needs 4 i.e. device name, attribute name, action, event name", origin);
      }
      const [device = "", attribute = "", action = "", event = ""] = argin;
      const type = eventTypeOf(event);
      if (server.isShuttingDown) throw shuttingDown(origin);
      if (action === "subscribe") server.events.check(device, attribute, type);
      return TANGO_LIB_RELEASE;
    }

    @command({
      dtypeIn: DevVarStringArray,
      docIn: "Str[0] = dev1 name, Str[1] = att1 name, Str[2] = event name, Str[3] = dev2 name, Str[4] = att2 name, Str[5] = event name,...",
    })
    EventConfirmSubscription(argin: readonly string[]): void {
      // A gRPC stream keeps its subscription alive by itself: confirming only checks it still holds.
      if (argin.length === 0 || argin.length % 3 !== 0) {
        throw DevFailed.of(Reason.WrongNumberOfArgs, "Incorrect number of inout arguments", "DServer::event_confirm_subscription");
      }
      for (let i = 0; i < argin.length; i += 3) {
        server.events.check(argin[i] ?? "", argin[i + 1] ?? "", eventTypeOf(argin[i + 2] ?? ""));
      }
    }
  }
  return DServerEvents;
}
