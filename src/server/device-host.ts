import type { AttributeValue } from "../core/index.js";
import type { DeviceHost } from "../device/index.js";
import { memorize } from "./attribute-persistence.js";
import { interfaceOf } from "./device-descriptions.js";
import type { DeviceEntry } from "./device-entry.js";
import type { DeviceServer } from "./device-server.js";
import type { EventHubHost } from "./events/event-hub.js";
import type { PollingHost } from "./polling/polling.js";
import type { RequestHandler } from "./request-handler.js";

/*
 * How the parts of a DeviceServer see it: each device (DeviceHost), the event hub and polling.
 */

/**
 * What one device of a server sees of it (DeviceHost): its admin device name, reads of its own
 * attributes, its properties, where its memorized values are kept, and the sink of its events, which goes to the event hub and, for
 * attributes and commands added or removed at run time, to polling. `readOwn` is the request
 * handler's read of a device's own attributes.
 *
 * @internal
 */
export function deviceHostFor(
  server: DeviceServer, entry: DeviceEntry, readOwn: (device: string, names: readonly string[]) => Promise<AttributeValue[]>,
): DeviceHost {
  return {
    adminName: server.adminName,
    readAttributes: readOwn,
    propertyValue: (device, className, name, scope) => server.properties.get(scope === "class" ? `class:${className}` : device, name),
    memorize: (device, attribute, value) => memorize(server.properties, entry, device, attribute, value),
    events: {
      // A replaced instance whose handler still runs must not feed the fresh one's subscribers.
      push: (device, attribute, type, value) => {
        if (!entry.retired.has(device)) server.events.push(entry, device, attribute, type, value);
      },
      pushDataReady: (device, attribute, counter) => {
        if (!entry.retired.has(device)) server.events.pushDataReady(entry, device, attribute, counter);
      },
      pushPipe: (device, value) => {
        if (!entry.retired.has(device)) server.events.pushPipe(entry, value);
      },
      interfaceChanged: (device, change) => {
        // During initDevice the device is not exported yet: its export sets polling up and tells subscribers.
        if (entry.device !== device) return;
        server.polling.interfaceChanged(entry, change.kind, change.name, change.isAdded);
        server.events.interfaceChanged(entry, false);
      },
    },
  };
}

/** What the event hub sees of its server. @internal */
export function eventHubHostOf(server: DeviceServer): EventHubHost {
  return {
    entry: (name) => server.entry(name),
    liveDevice: (entry) => server.liveDevice(entry),
    isAttributePolled: (entry, name) => server.polling.isAttributePolled(entry, name),
    api: server.api,
    interfaceOf: (entry, deviceStarted) => interfaceOf(server.liveDevice(entry), deviceStarted),
  };
}

/** What polling sees of its server: polls go through the request handler, results to the event hub. @internal */
export function pollingHostOf(server: DeviceServer, handler: RequestHandler): PollingHost {
  return {
    log: server.log,
    properties: server.properties,
    liveDevice: (entry) => server.liveDevice(entry),
    allDevices: () => server.allDevices(),
    pollAttributes: (entry, names) => handler.pollAttributes(entry, names),
    pollCommand: (entry, name) => handler.pollCommand(entry, name),
    polled: (entry, values, startMs) => server.events.polled(entry, values, startMs),
  };
}
