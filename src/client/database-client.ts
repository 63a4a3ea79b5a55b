import type { Metadata } from "@grpc/grpc-js";
import {
  CmdArgType, DevFailed, DevSource, Reason, coerce, type DevVarLongStringArrayValue,
} from "../core/index.js";
import { DATABASE_DEVICE, DATABASE_TIMEOUT_MS } from "../core/defaults.js";
import { ArrayEncoding, decodeValue, encodeValue, type WireCommandInoutReply } from "../grpc/wire.js";
import { ClientErrors } from "./client-errors.js";
import type { ClientConnection } from "./connection.js";
import { openConnection, transportOf, type TransportName } from "./transport/open-connection.js";
import { decodeImport } from "./database-layouts.js";
import { Invoker } from "./invoker.js";
import type { DatabaseAddress } from "./tango-host.js";
import type { ChannelSecurity } from "./tls-options.js";

/** What DbImportDevice says of a device (the reference's argout: Str[0..5], Lg[0..1]). */
export interface ImportInfo {
  /** The device name as the database stores it. */
  readonly name: string;
  /** Lg[0]: whether the device is exported (its server running, as far as the database knows). */
  readonly isExported: boolean;
  /** Str[1], the "IOR" slot: `grpc://host:port` for a tango-grpc server, `IOR:…` for cppTango. */
  readonly ior: string;
  /** Str[3], the device server process: `TangoTest/test`. */
  readonly server: string;
  /** Str[4], the host the server runs on. */
  readonly host: string;
  /** Lg[1], the server's process id. */
  readonly pid: number;
}

/** What a DatabaseClient needs to reach the databases. */
export interface DatabaseClientOptions {
  /** The databases, tried in this order (TANGO_HOST's). */
  readonly databases: readonly DatabaseAddress[];
  /** TLS (or not) of the connection to a database host. */
  readonly securityOf: (host: string) => ChannelSecurity;
  /** The client's identity and token, sent to the database as to any device. */
  readonly metadata: Metadata;
  readonly maxMessageBytes: number;
  /** The transport of the connections (DeviceProxyOptions.transport). Default: transportOf's. */
  readonly transport?: TransportName;
}

/** The client reasons that mean "this database did not answer": the next one is tried. */
const UNREACHABLE: ReadonlySet<string> = new Set([
  Reason.ServerNotRunning, Reason.CantConnectToDevice, Reason.CommunicationFailed, Reason.DeviceTimedOut,
  Reason.CorbaException,
  // A device server that is no database has no sys/database/2.
  Reason.DeviceNotFound,
]);

interface Channel {
  readonly connection: ClientConnection;
  readonly invoker: Invoker;
}

/**
 * The few DataBase commands name resolution needs (spec §15), sent to `sys/database/2` at the
 * first database of the list that answers; the one that answered is asked first next time. Each
 * call takes at most DATABASE_TIMEOUT_MS (cppTango's DB_TIMEOUT), and less when the caller's
 * deadline is nearer. `release()` closes the connections until the next call, so a proxy holds
 * none to the database between lookups.
 *
 * @internal
 */
export class DatabaseClient {
  readonly #options: DatabaseClientOptions;
  readonly #channels = new Map<number, Channel>();
  #preferred = 0;

  constructor(options: DatabaseClientOptions) {
    if (options.databases.length === 0) throw new TypeError("DatabaseClient needs at least one database");
    this.#options = options;
  }

  /** The databases as `host:port`, in order. */
  get addresses(): readonly string[] {
    return this.#options.databases.map((d) => d.address);
  }

  /** DbImportDevice: where the device's server is. The database's errors come back as it sent them. */
  async importDevice(device: string, deadline: number): Promise<ImportInfo> {
    const out = await this.#command("DbImportDevice", device, deadline, CmdArgType.DevVarLongStringArray);
    return decodeImport(out as DevVarLongStringArrayValue, device);
  }

  /** DbGetAliasDevice: the device name of a device alias. */
  async aliasDevice(alias: string, deadline: number): Promise<string> {
    return (await this.#command("DbGetAliasDevice", alias, deadline, CmdArgType.DevString)) as string;
  }

  /** DbGetAliasAttribute: `domain/family/member/attribute` of an attribute alias. */
  async aliasAttribute(alias: string, deadline: number): Promise<string> {
    return (await this.#command("DbGetAliasAttribute", alias, deadline, CmdArgType.DevString)) as string;
  }

  /** Closes the connections; the next call opens them again. */
  release(): void {
    for (const c of this.#channels.values()) c.connection.close();
  }

  /**
   * Runs `command` at the preferred database, then at the others in turn while they do not
   * answer. When none does, the last failure gets API_CantConnectToDatabase on top.
   */
  async #command(command: string, argin: string, deadline: number, outType: CmdArgType): Promise<unknown> {
    const { databases } = this.#options;
    let last: DevFailed | undefined;
    for (let i = 0; i < databases.length; i++) {
      const index = (this.#preferred + i) % databases.length;
      try {
        const out = await this.#send(index, command, argin, deadline, outType);
        this.#preferred = index;
        return out;
      } catch (err) {
        if (!(err instanceof DevFailed) || !UNREACHABLE.has(err.reason)) throw err;
        last = err;
        if (Date.now() >= deadline) break;
      }
    }
    throw (last ?? ClientErrors.cantConnect(DATABASE_DEVICE, this.addresses.join(","), 0))
      .withFrame(ClientErrors.cantConnectToDatabaseFrame(this.addresses));
  }

  async #send(index: number, command: string, argin: string, deadline: number, outType: CmdArgType): Promise<unknown> {
    const timeoutMs = Math.max(1, Math.min(DATABASE_TIMEOUT_MS, deadline - Date.now()));
    const reply = await this.#channel(index).invoker.invoke<WireCommandInoutReply>("CommandInout", {
      device: DATABASE_DEVICE,
      command,
      argin: encodeValue({ type: CmdArgType.DevString, value: argin }),
      source: DevSource.DEV,
      array_encoding: ArrayEncoding.PACKED,
    }, { label: `command ${command}`, isRead: true }, { timeoutMs },
    (df) => df.withFrame(ClientErrors.commandFailedFrame(DATABASE_DEVICE, command)));
    try {
      const out = decodeValue(reply.argout);
      if (out.type !== outType) throw new TypeError(`the output is ${CmdArgType[out.type]}, not ${CmdArgType[outType]}`);
      return coerce(out.type, out.value);
    } catch (err) {
      throw ClientErrors.malformedReply(DATABASE_DEVICE, `command ${command}`, err instanceof Error ? err.message : String(err));
    }
  }

  #channel(index: number): Channel {
    let channel = this.#channels.get(index);
    if (channel === undefined) {
      const db = this.#options.databases[index];
      if (db === undefined) throw new RangeError(`no database ${index}`);
      const connection = openConnection({ address: db.address, security: this.#options.securityOf(db.host) }, {
        maxMessageBytes: this.#options.maxMessageBytes, metadata: this.#options.metadata,
        transport: this.#options.transport ?? transportOf(undefined),
      });
      // Lookups change nothing: one lost mid-call may be sent again (transparent reconnection).
      const invoker = new Invoker(connection, {
        device: DATABASE_DEVICE, address: db.address, timeoutMs: DATABASE_TIMEOUT_MS, transparentReconnection: true,
      });
      channel = { connection, invoker };
      this.#channels.set(index, channel);
    }
    return channel;
  }
}
