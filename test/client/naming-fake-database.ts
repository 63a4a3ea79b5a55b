import { setTimeout as sleep } from "node:timers/promises";
import {
  DevFailed, DevString, DevVarLongStringArray, Device, command, type DevVarLongStringArrayValue,
} from "../../src/index.js";
import { DeviceTestContext } from "../../src/testing/index.js";

/** One device as the fake database knows it (the columns DbImportDevice reads). */
export interface FakeDevice {
  /** Lg[0]: exported (the server running). */
  readonly isExported: boolean;
  /** Str[1]: what the server exported, `grpc://127.0.0.1:<port>`; "nada" when never exported. */
  readonly ior: string;
  readonly server?: string;
  readonly className?: string;
}

/** What the fake database answers from; a test changes it between calls. */
export class FakeDatabaseState {
  /** By lower-case device name. */
  readonly devices = new Map<string, FakeDevice>();
  /** Device alias → device name. */
  readonly deviceAliases = new Map<string, string>();
  /** Attribute alias → `domain/family/member/attribute`. */
  readonly attributeAliases = new Map<string, string>();
  /** Every command run, in order: `DbImportDevice sys/tg_test/1`. */
  readonly calls: string[] = [];
  /** How long DbImportDevice takes, ms (a slow database). */
  importDelayMs = 0;

  /** Registers `device` as exported by the server listening at 127.0.0.1:`port`. */
  export(device: string, port: number): void {
    this.devices.set(device.toLowerCase(), { isExported: true, ior: `grpc://127.0.0.1:${port}` });
  }

  /** How many times `command` ran. */
  count(command: string): number {
    return this.calls.filter((c) => c.startsWith(`${command} `)).length;
  }

  reset(): void {
    this.devices.clear();
    this.deviceAliases.clear();
    this.attributeAliases.clear();
    this.calls.length = 0;
    this.importDelayMs = 0;
  }
}

/**
 * A DataBase device class answering the three naming commands from `state`, with the argout
 * layouts and errors of cppTango's DataBaseds (the reference's recorded calls).
 */
function fakeDataBaseClass(state: FakeDatabaseState): new () => Device {
  class DataBase extends Device {
    @command({ dtypeIn: DevString, dtypeOut: DevVarLongStringArray })
    async DbImportDevice(name: string): Promise<DevVarLongStringArrayValue> {
      state.calls.push(`DbImportDevice ${name}`);
      if (state.importDelayMs > 0) await sleep(state.importDelayMs);
      const d = state.devices.get(name.toLowerCase());
      if (d === undefined) {
        throw DevFailed.of("DB_DeviceNotDefined", `device ${name} not defined in the database !`, "DataBase::ImportDevice()");
      }
      const isNever = d.ior === "nada";
      return {
        lvalue: Int32Array.from([d.isExported ? 1 : 0, 0]),
        svalue: [name.toLowerCase(), d.ior, isNever ? "0" : "5", d.server ?? "Fixture/proc", isNever ? "nada" : "HOST", d.className ?? "TangoTest"],
      };
    }

    @command({ dtypeIn: DevString, dtypeOut: DevString })
    DbGetAliasDevice(alias: string): string {
      state.calls.push(`DbGetAliasDevice ${alias}`);
      const device = state.deviceAliases.get(alias.toLowerCase());
      if (device === undefined) {
        throw DevFailed.of("DB_DeviceNotDefined", `No device found for alias '${alias}'`, "DataBase::db_get_alias_device()");
      }
      return device;
    }

    @command({ dtypeIn: DevString, dtypeOut: DevString })
    DbGetAliasAttribute(alias: string): string {
      state.calls.push(`DbGetAliasAttribute ${alias}`);
      const attribute = state.attributeAliases.get(alias.toLowerCase());
      if (attribute === undefined) {
        throw DevFailed.of("DB_AliasNotDefined", `No attribute found for alias '${alias}'`, "DataBase::db_get_alias_attribute()");
      }
      return attribute;
    }
  }
  return DataBase;
}

/** The fake database served as `sys/database/2` of `DataBaseds/2`, on a port the OS picks. */
export interface FakeDatabase {
  readonly state: FakeDatabaseState;
  /** `127.0.0.1:<port>`: what TANGO_HOST names. */
  readonly address: string;
  close(): Promise<void>;
}

export async function startFakeDatabase(): Promise<FakeDatabase> {
  const state = new FakeDatabaseState();
  const ctx = await DeviceTestContext.start(fakeDataBaseClass(state), {
    deviceName: "sys/database/2", server: "DataBaseds", instance: "2",
  });
  return { state, address: ctx.grpcAddress, close: () => ctx.close() };
}
