import type { Logger } from "pino";
import type { DeviceClass, DeviceEntry } from "../device-entry.js";
import type { RegisteredDevice } from "./server-registry.js";

/** A device the server will serve: its name, its class's name as this program declares it, and the class. @internal */
export interface ServedDevice {
  readonly name: string;
  readonly className: string;
  readonly cls: DeviceClass;
}

/**
 * The devices of the database a server can serve: their class is one of `classes` (any case,
 * spec §2.1) and they are not served yet. The others are logged and left out, as cppTango builds
 * only the devices of the classes it has.
 *
 * @internal
 */
export function servedDevicesOf(devices: readonly RegisteredDevice[], classes: ReadonlyMap<string, DeviceClass>,
  isServed: (name: string) => boolean, log: Logger): ServedDevice[] {
  const out: ServedDevice[] = [];
  for (const d of devices) {
    const className = [...classes.keys()].find((c) => c.toLowerCase() === d.className.toLowerCase());
    const cls = className === undefined ? undefined : classes.get(className);
    if (className === undefined || cls === undefined) {
      log.warn({ device: d.name, className: d.className, known: [...classes.keys()] }, "a device of the database is not served: this program has no such class");
    } else if (!isServed(d.name)) {
      out.push({ name: d.name, className, cls });
    }
  }
  return out;
}

/** A device as the database registers it. @internal */
export function registeredOf(entry: DeviceEntry): RegisteredDevice {
  return { name: entry.name, className: entry.className };
}
