import { Writable } from "node:stream";
import {
  Device, DevFailed, DevState, DevString, DevVarLongStringArray, DevVarStringArray, command,
  type DevVarLongStringArrayValue,
} from "../../src/index.js";
import { serve, type RunningServer } from "../../src/serve/serve.js";
import { DatabaseClient } from "./database-client.js";

/*
 * A stand-in for the Tango database device (sys/database/2 of DataBaseds/2) that records every
 * call, for tests of the exact requests a device server makes (their order and argin layouts):
 * the commands a server uses at start and at stop, with the argin and argout layouts, reasons and
 * descriptions of cppTango's DataBaseds, over an in-memory model of devices (no properties).
 * Tests of behaviour use the real DataBase device (test-database.ts).
 */

/** One device row, as DbImportDevice shows it. */
export interface FakeDevice {
  name: string;
  server: string;
  className: string;
  isExported: boolean;
  ior: string;
  host: string;
  pid: number;
  version: string;
}

/** One recorded call. */
export interface FakeCall {
  readonly command: string;
  readonly argin: string | readonly string[];
}

/** The database's content: devices (without properties), keyed by lower-case name (names ignore case). */
export class FakeDatabaseState {
  readonly devices = new Map<string, FakeDevice>();
  readonly calls: FakeCall[] = [];

  /** Defines devices of a server (as DbAddServer): `[name, class]` pairs; the admin device too. */
  addServer(server: string, devices: ReadonlyArray<readonly [string, string]>): void {
    const admin = `dserver/${server}`;
    if (!this.devices.has(admin.toLowerCase())) this.devices.set(admin.toLowerCase(), newDevice(admin, server, "DServer"));
    for (const [name, className] of devices) this.devices.set(name.toLowerCase(), newDevice(name, server, className));
  }

  /** The calls of one command, in order. */
  callsOf(command: string): FakeCall[] {
    return this.calls.filter((c) => c.command === command);
  }

  device(name: string): FakeDevice | undefined {
    return this.devices.get(name.toLowerCase());
  }
}

function newDevice(name: string, server: string, className: string): FakeDevice {
  return { name, server, className, isExported: false, ior: "nada", host: "nada", pid: 0, version: "0" };
}

function notDefined(name: string, origin: string): DevFailed {
  return DevFailed.of("DB_DeviceNotDefined", `device ${name} not defined in the database !`, origin);
}

/** The DataBase device class bound to `state` (its Tango class name is DataBase). */
export function fakeDataBaseClass(state: FakeDatabaseState): new () => Device {
  class DataBase extends Device {
    override initDevice(): void {
      this.setState(DevState.ON);
    }

    #record(command: string, argin: string | readonly string[]): void {
      state.calls.push({ command, argin: typeof argin === "string" ? argin : [...argin] });
    }

    @command({ dtypeIn: DevVarStringArray, dtypeOut: DevVarStringArray })
    DbGetDataForServerCache(argin: readonly string[]): string[] {
      this.#record("DbGetDataForServerCache", argin);
      if (argin.length !== 2) {
        throw DevFailed.of("DB_IncorrectArguments", "Incorrect no. of input arguments, needs 2 (ds_name,host_name)", "DataBase::DbGetDataForServerCache()");
      }
      const [server = "", host = ""] = argin;
      const admin = state.device(`dserver/${server}`);
      if (admin === undefined) return [`dserver/${server}`, "Not Found"];
      const out = [admin.name, admin.ior, admin.version, admin.server, admin.host, admin.isExported ? "1" : "0", String(admin.pid), "DServer"];
      out.push(`notifd/factory/${host}`, "Not Found", admin.name, "Not Found", "DServer", "0", "Default", "0");
      out.push(admin.name, "0");
      const devices = [...state.devices.values()].filter((d) => d.server.toLowerCase() === server.toLowerCase() && d.className !== "DServer");
      const classes = [...new Set(devices.map((d) => d.className))];
      out.push(server, String(classes.length));
      for (const cls of classes) {
        const ofClass = devices.filter((d) => d.className === cls);
        out.push(cls, "0", cls, "0", cls, String(ofClass.length), ...ofClass.map((d) => d.name));
        for (const d of ofClass) out.push(d.name, "0", d.name, "0");
      }
      out.push("CtrlSystem", "0");
      return out;
    }

    @command({ dtypeIn: DevVarStringArray })
    DbAddServer(argin: readonly string[]): void {
      this.#record("DbAddServer", argin);
      const [server = "", ...rest] = argin;
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i + 1 < rest.length; i += 2) {
        const name = rest[i] ?? "";
        if (name.split("/").length !== 3) {
          throw DevFailed.of("DB_IncorrectDeviceName", `device name (${name}) syntax error (should be [tango:][//instance/]domain/family/member)`, "DataBase::AddServer()");
        }
        pairs.push([name, rest[i + 1] ?? ""]);
      }
      state.addServer(server, pairs);
    }

    @command({ dtypeIn: DevVarStringArray })
    DbExportDevice(argin: readonly string[]): void {
      this.#record("DbExportDevice", argin);
      const [name = "", ior = "", host = "", pid = "0", version = ""] = argin;
      if (argin.length < 5) throw DevFailed.of("DB_IncorrectArguments", "Insufficient export info for device", "DataBase::DbExportDevice()");
      const device = state.device(name);
      if (device === undefined) throw notDefined(name, "DataBase::ExportDevice()");
      Object.assign(device, { isExported: true, ior, host, pid: Number(pid) || 0, version });
    }

    @command({ dtypeIn: DevString })
    DbUnExportServer(server: string): void {
      this.#record("DbUnExportServer", server);
      for (const d of state.devices.values()) if (d.server.toLowerCase() === server.toLowerCase()) d.isExported = false;
    }

    @command({ dtypeIn: DevString, dtypeOut: DevVarLongStringArray })
    DbImportDevice(name: string): DevVarLongStringArrayValue {
      this.#record("DbImportDevice", name);
      const d = state.device(name);
      if (d === undefined) throw notDefined(name, "DataBase::ImportDevice()");
      return { lvalue: Int32Array.of(d.isExported ? 1 : 0, d.pid), svalue: [d.name, d.ior, d.version, d.server, d.host, d.className] };
    }
  }
  return DataBase;
}

/** A fake database served on 127.0.0.1. */
export interface FakeDatabase {
  /** Its content, and the calls it got. */
  readonly state: FakeDatabaseState;
  readonly port: number;
  /** `127.0.0.1:<port>`: the TANGO_HOST of servers that use it. */
  readonly tangoHost: string;
  /** The database seen through its commands, as a test would see a real one. */
  readonly client: DatabaseClient;
  /** Stops it (the state stays, for a restart). */
  stop(): Promise<void>;
}

/** Serves DataBase `sys/database/2` (server DataBaseds/2) over `state` on `port` (0: the OS picks). */
export async function startFakeDatabase(state = new FakeDatabaseState(), port = 0): Promise<FakeDatabase> {
  const running: RunningServer = await serve({
    classes: [fakeDataBaseClass(state)],
    config: {
      server: "DataBaseds", instance: "2", grpc: { host: "127.0.0.1", port }, http: { host: "127.0.0.1", port: 0 },
      shutdownGraceMs: 1000, classes: [{ name: "DataBase", devices: [{ name: "sys/database/2" }] }],
    },
    env: {},
    handleSignals: false,
    logDestination: new Writable({ write: (_chunk, _enc, done) => done() }),
  });
  const tangoHost = `127.0.0.1:${running.grpcPort}`;
  const client = new DatabaseClient(tangoHost);
  return {
    state,
    port: running.grpcPort,
    tangoHost,
    client,
    stop: async () => {
      client.close();
      await running.stop();
    },
  };
}
