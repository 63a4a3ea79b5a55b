import { Device, DevString, DevVarLongStringArray, DevVarStringArray, command } from "../device/index.js";
import type { DevVarLongStringArrayValue } from "../device/index.js";
import { DevFailed, TangoErrors } from "../core/index.js";
import type { DeviceEntry } from "./device-entry.js";
import type { Polling } from "./polling/polling.js";

/** What the admin device's polling commands use of their server. @internal */
export interface PollingAdmin {
  readonly polling: Polling;
  /** The entry of a device of this server; API_DeviceNotFound otherwise. */
  entry(name: string): DeviceEntry;
}

/**
 * The device argument of a polling command: a device of this server. cppTango's Add/Upd/RemObjPolling
 * put their own API_DeviceNotFound frame (`origin`) on the lookup's; DevPollStatus does not.
 */
function deviceOf(server: PollingAdmin, name: string | undefined, origin?: string): DeviceEntry {
  try {
    return server.entry(name ?? "");
  } catch (err) {
    throw origin !== undefined && err instanceof DevFailed ? TangoErrors.deviceNotFoundFrame(err, name ?? "", origin) : err;
  }
}

/**
 * The admin device's polling commands (spec §11.1 item 5, §17), with cppTango's argument layout,
 * descriptions and errors; the logic is the Polling manager's. The admin device class extends
 * this one.
 */
export function dserverPollingCommands(server: PollingAdmin): abstract new (...args: ConstructorParameters<typeof Device>) => Device {
  abstract class DServerPolling extends Device {
    @command({ dtypeIn: DevVarLongStringArray, docIn: "Lg[0]=Upd period. Str[0]=Device name. Str[1]=Object type. Str[2]=Object name" })
    async AddObjPolling(argin: DevVarLongStringArrayValue): Promise<void> {
      if (argin.svalue.length !== 3 || argin.lvalue.length !== 1) throw TangoErrors.wrongNumberOfArgs("DServer::add_obj_polling");
      const [device, type = "", name = ""] = argin.svalue;
      await server.polling.addObject(deviceOf(server, device, "DServer::add_obj_polling"), type, name, argin.lvalue[0] ?? 0);
    }

    @command({ dtypeIn: DevVarLongStringArray, docIn: "Lg[0]=Upd period. Str[0]=Device name. Str[1]=Object type. Str[2]=Object name" })
    async UpdObjPollingPeriod(argin: DevVarLongStringArrayValue): Promise<void> {
      if (argin.svalue.length !== 3 || argin.lvalue.length !== 1) throw TangoErrors.wrongNumberOfArgs("DServer::upd_obj_polling_period");
      const [device, type = "", name = ""] = argin.svalue;
      await server.polling.updatePeriod(deviceOf(server, device, "DServer::upd_obj_polling_period"), type, name, argin.lvalue[0] ?? 0);
    }

    @command({ dtypeIn: DevVarStringArray, docIn: "Str[0]=Device name. Str[1]=Object type. Str[2]=Object name" })
    async RemObjPolling(argin: readonly string[]): Promise<void> {
      if (argin.length !== 3) throw TangoErrors.wrongNumberOfArgs("DServer::rem_obj_polling");
      const [device, type = "", name = ""] = argin;
      await server.polling.removeObject(deviceOf(server, device, "DServer::rem_obj_polling"), type, name);
    }

    @command()
    StartPolling(): void {
      server.polling.startAll();
    }

    @command()
    StopPolling(): void {
      server.polling.stopAll();
    }

    @command({ dtypeOut: DevVarStringArray, docOut: "Polled device name list" })
    PolledDevice(): string[] {
      return server.polling.polledDevices();
    }

    @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, docIn: "Device name", docOut: "Device polling status" })
    DevPollStatus(device: string): string[] {
      return server.polling.status(deviceOf(server, device));
    }
  }
  return DServerPolling;
}
