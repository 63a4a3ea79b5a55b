import { DevFailed, Reason, type DevVarLongStringArrayValue } from "../core/index.js";
import { DATABASE_DEVICE, DATABASE_TIMEOUT_MS } from "../core/defaults.js";
import { ClientErrors } from "./client-errors.js";
import { DatabaseProperties } from "./database-properties.js";
import { decodeImport } from "./database-layouts.js";
import { DeviceProxy } from "./device-proxy.js";
import { tangoHostOf, type DatabaseAddress } from "./tango-host.js";
import type { DeviceProxyOptions } from "./types.js";

export type { DatabaseProperties, DbPropertyNames } from "./database-properties.js";
export type { DbProperties, DbPropertiesInput, DbAttributeProperties, DbAttributePropertiesInput } from "./database-layouts.js";

/** Options of a Database: as a DeviceProxy's, for the connection to `sys/database/2`. */
export interface DatabaseOptions extends Pick<DeviceProxyOptions, "token" | "tls" | "identity" | "maxMessageBytes"> {
  /**
   * The database: `host:port`, or several of one control system separated by commas
   * (`db1:10000,db2:10000`), tried in turn. Default: the environment variable TANGO_HOST.
   */
  readonly tangoHost?: string;
  /** Time allowed for each call, in milliseconds, or Infinity. Default 13000 (cppTango's DB_TIMEOUT). */
  readonly timeoutMs?: number;
}

/** A device of a server, as addServer declares it. */
export interface DbDeviceDeclaration {
  /** `domain/family/member`. */
  readonly name: string;
  /** Its Tango class. */
  readonly className: string;
}

/** What the database knows of a device (DbGetDeviceInfo; PyTango's `DbDevFullInfo`). */
export interface DbDeviceInfo {
  /** The device name as stored. */
  readonly name: string;
  /** Its Tango class. */
  readonly className: string;
  /** Its device server process, `Server/instance`. */
  readonly server: string;
  /** The host its server last ran on ("nada" when it never was exported). */
  readonly host: string;
  /** The address it was exported with: `grpc://host:port` for tango-grpc, `IOR:…` for cppTango; "nada" when never exported. */
  readonly ior: string;
  /** The IDL version it was exported with ("0" when never exported). */
  readonly version: string;
  /** Whether its server is running, as far as the database knows (exported, not unexported since). */
  readonly isExported: boolean;
  /** The server's process id (0 when unknown). */
  readonly pid: number;
  /** When it was last exported, in cppTango's words ("6th December 2026 at 05:46:29"); undefined when never. */
  readonly startedDate: string | undefined;
  /** When its server last unexported it; undefined when never. */
  readonly stoppedDate: string | undefined;
}

/** What DbImportDevice gives (PyTango's `DbDevImportInfo`, with the server, host and pid). */
export type DbDeviceImportInfo = Omit<DbDeviceInfo, "startedDate" | "stoppedDate">;

/** The reasons that mean "this database did not answer": the next one of TANGO_HOST is tried. */
const UNREACHABLE: ReadonlySet<string> = new Set([
  Reason.ServerNotRunning, Reason.CantConnectToDevice, Reason.DeviceTimedOut, Reason.CorbaException,
  // A device server that is no database has no sys/database/2.
  Reason.DeviceNotFound,
]);

/** cppTango's origin for TANGO_HOST problems, so logs read alike. */
const ORIGIN = "Database::Database";

/** The sentinel DbGetDeviceInfo gives for a date never set. */
const NO_DATE = "?";

/**
 * The Tango database as a client sees it (PyTango's `tango.Database`): typed methods over the
 * commands of the DataBase device `sys/database/2` at TANGO_HOST (spec §15). Names are
 * PyTango's in camelCase. Properties are records of string lists; a name with `*` is a
 * wildcard pattern, expanded with the matching list command (DbGetDevicePropertyList, ...).
 *
 * ```ts
 * const db = new Database();                     // TANGO_HOST, or new Database("db:10000")
 * try {
 *   await db.addServer("Motor/1", [{ name: "lab/motor/1", className: "Motor" }]);
 *   await db.putDeviceProperty("lab/motor/1", { speed: "2.5", axes: ["x", "y"] });
 *   const props = await db.getDeviceProperty("lab/motor/1"); // { axes: ["x", "y"], speed: ["2.5"] }
 * } finally {
 *   db.close();
 * }
 * ```
 *
 * Every method rejects with a DevFailed: the database's own errors as it sends them, under
 * API_CommandFailed (DB_DeviceNotDefined, DB_IncorrectServerName, DB_AliasNotDefined, ...), or,
 * when no database of TANGO_HOST answers, the last connection failure under
 * API_CantConnectToDatabase. Creating one does not connect; `close()` ends the connections.
 */
export class Database extends DatabaseProperties {
  readonly #databases: readonly DatabaseAddress[];
  readonly #proxies: readonly DeviceProxy[];
  #preferred = 0;

  /**
   * @param tangoHost `host:port[,host:port…]`, or the options; default TANGO_HOST.
   * @throws DevFailed API_TangoHostNotSet when neither `tangoHost` nor TANGO_HOST is set, or
   *   either is not `host:port[,host:port…]`.
   */
  constructor(tangoHost?: string | DatabaseOptions, options: DatabaseOptions = {}) {
    super();
    const opts = typeof tangoHost === "string" ? { ...options, tangoHost } : { ...options, ...tangoHost };
    const databases = tangoHostOf(opts.tangoHost, process.env.TANGO_HOST);
    if (databases === undefined) {
      throw DevFailed.of(Reason.TangoHostNotSet,
        "TANGO_HOST env. variable not set, set it and retry (e.g. TANGO_HOST=<host>:<port>)", ORIGIN);
    }
    this.#databases = databases;
    const proxyOptions: DeviceProxyOptions = {
      timeoutMs: opts.timeoutMs ?? DATABASE_TIMEOUT_MS,
      ...(opts.token === undefined ? {} : { token: opts.token }),
      ...(opts.tls === undefined ? {} : { tls: opts.tls }),
      ...(opts.identity === undefined ? {} : { identity: opts.identity }),
      ...(opts.maxMessageBytes === undefined ? {} : { maxMessageBytes: opts.maxMessageBytes }),
    };
    this.#proxies = databases.map((db) => new DeviceProxy(`tango://${db.address}/${DATABASE_DEVICE}#dbase=no`, proxyOptions));
  }

  /** The databases as `host:port,host:port`, in the order they are tried (TANGO_HOST's form). */
  get tangoHost(): string {
    return this.#databases.map((db) => db.address).join(",");
  }

  /** Closes the connections; a later call opens them again. */
  close(): void {
    for (const proxy of this.#proxies) proxy.close();
  }

  /** Pings the database device; resolves to the round trip in microseconds. */
  ping(): Promise<number> {
    return this.#atAnyDatabase((proxy) => proxy.ping());
  }

  /** DbInfo: what the database holds (devices, servers, properties defined), as lines of text. */
  async getInfo(): Promise<string> {
    return (await this.commandInout<string[]>("DbInfo")).join("\n");
  }

  // ---- servers and devices

  /**
   * DbAddServer: declares a device server process (`Server/instance`) and its devices (with
   * its admin device `dserver/Server/instance`). A device already in another server moves here.
   */
  async addServer(server: string, devices: readonly DbDeviceDeclaration[]): Promise<void> {
    await this.commandInout("DbAddServer", [server, ...devices.flatMap((d) => [d.name, d.className])]);
  }

  /** DbDeleteServer: removes a server and its devices (their properties stay). DB_IncorrectServerName when unknown. */
  async deleteServer(server: string): Promise<void> {
    await this.commandInout("DbDeleteServer", server);
  }

  /** DbAddDevice: declares one device in a server (which is created when it does not exist). */
  async addDevice(device: DbDeviceDeclaration & { readonly server: string }): Promise<void> {
    await this.commandInout("DbAddDevice", [device.server, device.name, device.className]);
  }

  /** DbDeleteDevice: removes a device (its properties stay); an unknown device is no error. */
  async deleteDevice(device: string): Promise<void> {
    await this.commandInout("DbDeleteDevice", device);
  }

  /** DbUnExportServer: marks every device of a server not exported (as a server does when it stops). */
  async unexportServer(server: string): Promise<void> {
    await this.commandInout("DbUnExportServer", server);
  }

  /** DbGetServerList: the servers (`Server/instance`) matching a wildcard pattern. */
  getServerList(pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetServerList", pattern);
  }

  /** DbGetServerNameList: the server executables (`Server`, without instance) matching a pattern. */
  getServerNameList(pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetServerNameList", pattern);
  }

  /** DbGetInstanceNameList: the instances of a server executable. */
  getInstanceNameList(serverName: string): Promise<string[]> {
    return this.commandInout<string[]>("DbGetInstanceNameList", serverName);
  }

  /** DbGetDeviceServerClassList: the classes of a server (`Server/instance`), DServer included. */
  getServerClassList(server: string): Promise<string[]> {
    return this.commandInout<string[]>("DbGetDeviceServerClassList", server);
  }

  /** DbGetClassList: the classes matching a wildcard pattern. */
  getClassList(pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetClassList", pattern);
  }

  /** DbGetDeviceList: the devices of a class in a server; either may be `*`. */
  getDeviceName(server: string, className: string): Promise<string[]> {
    return this.commandInout<string[]>("DbGetDeviceList", [server, className]);
  }

  /** DbGetDeviceWideList: every device whose name matches a wildcard pattern. */
  getDeviceList(pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetDeviceWideList", pattern);
  }

  /** DbGetDeviceClassList: the devices of a server with their classes, the admin device first. */
  async getDeviceClassList(server: string): Promise<DbDeviceDeclaration[]> {
    const out = await this.commandInout<string[]>("DbGetDeviceClassList", server);
    const devices: DbDeviceDeclaration[] = [];
    for (let i = 0; i + 1 < out.length; i += 2) devices.push({ name: out[i] ?? "", className: out[i + 1] ?? "" });
    return devices;
  }

  /** DbGetClassForDevice: a device's class. */
  getClassForDevice(device: string): Promise<string> {
    return this.commandInout<string>("DbGetClassForDevice", device);
  }

  /** DbGetDeviceExportedList: the exported devices whose name matches a wildcard pattern. */
  getDeviceExportedList(pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetDeviceExportedList", pattern);
  }

  /** DbGetExportdDeviceListForClass: the exported devices of a class. */
  getDeviceExportedForClass(className: string): Promise<string[]> {
    return this.commandInout<string[]>("DbGetExportdDeviceListForClass", className);
  }

  /** DbGetDeviceInfo: what the database knows of a device. DB_DeviceNotDefined when unknown. */
  async getDeviceInfo(device: string): Promise<DbDeviceInfo> {
    const { lvalue, svalue } = await this.commandInout<DevVarLongStringArrayValue>("DbGetDeviceInfo", device);
    const [name = device, ior = "", version = "", server = "", host = "", started = NO_DATE, stopped = NO_DATE, className = ""] = svalue;
    return {
      name, className, server, host, ior, version, isExported: lvalue[0] === 1, pid: lvalue[1] ?? 0,
      startedDate: started === NO_DATE ? undefined : started, stoppedDate: stopped === NO_DATE ? undefined : stopped,
    };
  }

  /** DbImportDevice: where a device's server is. DB_DeviceNotDefined when unknown. */
  async importDevice(device: string): Promise<DbDeviceImportInfo> {
    return decodeImport(await this.commandInout<DevVarLongStringArrayValue>("DbImportDevice", device), device);
  }

  // ---- aliases

  /** DbGetDeviceAlias: a device's alias. DB_AliasNotDefined when it has none. */
  getAliasFromDevice(device: string): Promise<string> {
    return this.commandInout<string>("DbGetDeviceAlias", device);
  }

  /** DbGetAliasDevice: the device an alias names. DB_DeviceNotDefined when none does. */
  getDeviceFromAlias(alias: string): Promise<string> {
    return this.commandInout<string>("DbGetAliasDevice", alias);
  }

  /** DbPutDeviceAlias: gives a device an alias (its only one). DB_SQLError when another object has it. */
  async putDeviceAlias(device: string, alias: string): Promise<void> {
    await this.commandInout("DbPutDeviceAlias", [device, alias]);
  }

  /** DbDeleteDeviceAlias: removes an alias; an unknown alias is no error. */
  async deleteDeviceAlias(alias: string): Promise<void> {
    await this.commandInout("DbDeleteDeviceAlias", alias);
  }

  /** DbGetDeviceAliasList: the device aliases matching a wildcard pattern. */
  getDeviceAliasList(pattern = "*"): Promise<string[]> {
    return this.commandInout<string[]>("DbGetDeviceAliasList", pattern);
  }

  /**
   * Runs any command of the DataBase device with its argin, and resolves to its argout: at the
   * database that answered last, then at the others of TANGO_HOST in turn while they cannot be
   * reached. `await db.commandInout<string[]>("DbGetHostList", "*")`.
   */
  override commandInout<T = unknown>(command: string, argin?: unknown): Promise<T> {
    return this.#atAnyDatabase((proxy) => proxy.commandInout<T>(command, argin));
  }

  async #atAnyDatabase<T>(call: (proxy: DeviceProxy) => Promise<T>): Promise<T> {
    let last: DevFailed | undefined;
    for (let i = 0; i < this.#proxies.length; i++) {
      const index = (this.#preferred + i) % this.#proxies.length;
      const proxy = this.#proxies[index];
      if (proxy === undefined) continue;
      try {
        const out = await call(proxy);
        this.#preferred = index;
        return out;
      } catch (err) {
        if (!(err instanceof DevFailed) || !UNREACHABLE.has(err.errors[0].reason)) throw err;
        last = err;
      }
    }
    const addresses = this.#databases.map((db) => db.address);
    throw (last ?? ClientErrors.cantConnect(DATABASE_DEVICE, addresses.join(","), 0))
      .withFrame(ClientErrors.cantConnectToDatabaseFrame(addresses));
  }
}
