import { DeviceProxy, DevFailed } from "../../src/client/index.js";
import type { DevVarLongStringArrayValue } from "../../src/core/index.js";

/** What DbImportDevice says of a device. */
export interface ImportedDevice {
  readonly isExported: boolean;
  readonly ior: string;
  readonly pid: number;
  readonly server: string;
  readonly className: string;
}

/**
 * A test's view of a Tango database through its own commands (DbImportDevice,
 * DbGetDeviceProperty, DbAddServer, DbPutDeviceProperty), so that the same checks run on the
 * stand-in of test/support/fake-database.ts and on the real DataBase device.
 */
export class DatabaseClient {
  readonly #proxy: DeviceProxy;

  constructor(tangoHost: string) {
    this.#proxy = new DeviceProxy(`tango://${tangoHost}/sys/database/2#dbase=no`, { timeoutMs: 3000, token: "" });
  }

  /** DbImportDevice; undefined for a device the database does not have. */
  async importDevice(name: string): Promise<ImportedDevice | undefined> {
    try {
      const { lvalue, svalue } = await this.#proxy.commandInout<DevVarLongStringArrayValue>("DbImportDevice", name);
      return { isExported: lvalue[0] === 1, pid: lvalue[1] ?? 0, ior: svalue[1] ?? "", server: svalue[3] ?? "", className: svalue[5] ?? "" };
    } catch (err) {
      if (err instanceof DevFailed && err.reason === "DB_DeviceNotDefined") return undefined;
      throw err;
    }
  }

  /** DbGetDeviceProperty of one property; undefined when it is not set. */
  async deviceProperty(device: string, name: string): Promise<string[] | undefined> {
    const reply = await this.#proxy.commandInout<string[]>("DbGetDeviceProperty", [device, name]);
    const count = Number(reply[3]);
    return count === 0 ? undefined : reply.slice(4, 4 + count);
  }

  /** DbAddServer: `[device, class]` pairs of a server. */
  async addServer(server: string, devices: ReadonlyArray<readonly [string, string]>): Promise<void> {
    await this.#proxy.commandInout("DbAddServer", [server, ...devices.flat()]);
  }

  /** DbPutDeviceProperty of one property. */
  async putDeviceProperty(device: string, name: string, values: readonly string[]): Promise<void> {
    await this.#proxy.commandInout("DbPutDeviceProperty", [device, "1", name, String(values.length), ...values]);
  }

  close(): void {
    this.#proxy.close();
  }
}
