import {
  DevState, DevString, DevVarLongStringArray, DevVarStringArray, command, classDeclarations,
} from "../device/index.js";
import type { DevVarLongStringArrayValue } from "../device/index.js";
import { TangoErrors } from "../core/index.js";
import type { DeviceClass, DeviceEntry } from "./device-entry.js";
import type { DeviceLogging } from "./device-logging.js";
import { dserverEventCommands, type EventsAdmin } from "./dserver-events.js";
import type { PollingAdmin } from "./dserver-polling.js";

/** What the admin device may do to its server (spec §17). @internal */
export interface ServerAdmin extends PollingAdmin, EventsAdmin {
  readonly logging: DeviceLogging;
  classNames(): string[];
  userDevices(): readonly DeviceEntry[];
  allDevices(): DeviceEntry[];
  classOf(name: string): DeviceClass | undefined;
  restartDevice(name: string): Promise<void>;
  restartAll(): Promise<void>;
  requestKill(): void;
  later(what: string, work: () => Promise<void>): void;
}

/** Wizard triplets [name, description, default] (spec §17); "Not specified" when no default. */
function wizard(server: ServerAdmin, className: string, scope: "device" | "class"): string[] {
  const cls = server.classOf(className);
  if (cls === undefined) throw TangoErrors.classNotFound(className);
  const out: string[] = [];
  for (const p of classDeclarations(cls).properties) {
    if (p.scope === scope) out.push(p.name, p.description, p.defaultValue?.join("\n") ?? "Not specified");
  }
  return out;
}

/**
 * The admin device class `DServer` bound to one server (RFC 8, spec §17): an ordinary device of
 * the server whose commands manage the others. Its polling and event commands are in the classes
 * it extends (dserver-polling.ts, dserver-events.ts); locking comes later.
 */
export function createDServerClass(server: ServerAdmin): DeviceClass {
  // cppTango: Add/RemoveLoggingTarget refuse a pattern matching nothing (`origin`); Set/GetLoggingLevel skip it.
  const names = (pattern: string, origin?: string): string[] => {
    const found = server.logging.match(pattern, server.allDevices().map((e) => e.name));
    if (found.length === 0 && origin !== undefined) throw TangoErrors.noDeviceMatching(pattern, origin);
    return server.allDevices().filter((e) => found.includes(e.name)).map((e) => e.name);
  };

  class DServer extends dserverEventCommands(server) {
    override initDevice(): void {
      this.setState(DevState.ON);
    }

    // spec §3.2: the admin device is always ON.
    override devState(): DevState {
      return DevState.ON;
    }

    // spec §17: "The device is ON" and whether polling runs (StartPolling/StopPolling).
    override devStatus(): string {
      return `The device is ON\nThe polling is ${server.polling.isOn ? "ON" : "OFF"}`;
    }

    @command({ dtypeIn: DevString, docIn: "Device name" })
    async DevRestart(device: string): Promise<void> {
      await server.restartDevice(device);
    }

    @command()
    RestartServer(): void {
      server.later("RestartServer", () => server.restartAll());
    }

    @command()
    Kill(): void {
      server.requestKill();
    }

    @command({ dtypeOut: DevVarStringArray, docOut: "Device server class(es) list" })
    QueryClass(): string[] {
      return server.classNames();
    }

    @command({ dtypeOut: DevVarStringArray, docOut: "Device server device(s) list" })
    QueryDevice(): string[] {
      return server.userDevices().map((e) => `${e.className}::${e.name}`);
    }

    // Sub-devices are devices this server's devices use as clients; none are tracked yet.
    @command({ dtypeOut: DevVarStringArray, docOut: "Device server sub device(s) list" })
    QuerySubDevice(): string[] {
      return [];
    }

    @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, docIn: "Class name", docOut: "Class property list (name - description and default value)" })
    QueryWizardClassProperty(className: string): string[] {
      return wizard(server, className, "class");
    }

    @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, docIn: "Class name", docOut: "Device property list (name - description and default value)" })
    QueryWizardDevProperty(className: string): string[] {
      return wizard(server, className, "device");
    }

    @command({ dtypeIn: DevVarStringArray, docIn: "Str[i]=Device-name. Str[i+1]=Target-type::Target-name" })
    AddLoggingTarget(argin: readonly string[]): void {
      if (argin.length === 0 || argin.length % 2 !== 0) throw TangoErrors.wrongNumberOfArgs("DServer::add_logging_target");
      for (let i = 0; i < argin.length; i += 2) {
        for (const d of names(argin[i] ?? "", "Logging::add_logging_target")) server.logging.addTarget(d, argin[i + 1] ?? "");
      }
    }

    @command({ dtypeIn: DevVarStringArray, docIn: "Str[i]=Device-name. Str[i+1]=Target-type::Target-name" })
    RemoveLoggingTarget(argin: readonly string[]): void {
      if (argin.length === 0 || argin.length % 2 !== 0) throw TangoErrors.wrongNumberOfArgs("DServer::remove_logging_target");
      for (let i = 0; i < argin.length; i += 2) {
        for (const d of names(argin[i] ?? "", "Logging::remove_logging_target")) server.logging.removeTarget(d, argin[i + 1] ?? "");
      }
    }

    @command({ dtypeIn: DevString, dtypeOut: DevVarStringArray, docIn: "Device name", docOut: "Logging target list" })
    GetLoggingTarget(device: string): string[] {
      const [d] = names(device);
      if (d === undefined) {
        throw TangoErrors.deviceNotFoundFrame(TangoErrors.deviceNotFound(device), device, "Logging::get_logging_target");
      }
      return server.logging.targets(d);
    }

    @command({ dtypeIn: DevVarLongStringArray, docIn: "Lg[i]=Logging Level. Str[i]=Device name." })
    SetLoggingLevel(argin: DevVarLongStringArrayValue): void {
      if (argin.lvalue.length !== argin.svalue.length || argin.lvalue.length === 0) throw TangoErrors.wrongNumberOfArgs("DServer::set_logging_level");
      argin.svalue.forEach((pattern, i) => {
        for (const d of names(pattern)) server.logging.setLevel(d, argin.lvalue[i] ?? -1);
      });
    }

    @command({ dtypeIn: DevVarStringArray, dtypeOut: DevVarLongStringArray, docIn: "Device list", docOut: "Lg[i]=Logging Level. Str[i]=Device name." })
    GetLoggingLevel(argin: readonly string[]): DevVarLongStringArrayValue {
      const svalue = argin.flatMap((p) => names(p));
      return { lvalue: Int32Array.from(svalue, (d) => server.logging.level(d)), svalue };
    }

    @command()
    StopLogging(): void {
      server.logging.stopAll();
    }

    @command()
    StartLogging(): void {
      server.logging.startAll();
    }
  }
  return DServer as unknown as DeviceClass;
}
