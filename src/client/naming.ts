import type { Metadata } from "@grpc/grpc-js";
import { DevFailed, Reason } from "../core/index.js";
import { ClientErrors } from "./client-errors.js";
import type { ChannelTarget, TargetSource } from "./connection.js";
import type { TransportName } from "./transport/open-connection.js";
import { DatabaseClient } from "./database-client.js";
import { tangoHostOf, type DatabaseAddress } from "./tango-host.js";
import { channelSecurityOf, type ChannelSecurity, type TlsClientOptions } from "./tls-options.js";
import { formatTrl, parseAddress, parseTrl, type Trl } from "./trl.js";
import type { CallOptions } from "./types.js";

/** What a name stands for: a device, or (AttributeProxy) an attribute, whose alias it may be. */
export type NameKind = "device" | "attribute";

/** What a DeviceLocator needs besides the parsed name. */
export interface LocatorOptions {
  readonly kind: NameKind;
  /** DeviceProxyOptions.tangoHost, and the environment's TANGO_HOST (the option wins). */
  readonly tangoHost: string | undefined;
  readonly envTangoHost: string | undefined;
  /** DeviceProxyOptions.tls. */
  readonly tls: boolean | TlsClientOptions | undefined;
  /** The client's identity and token, sent to the database too. */
  readonly metadata: Metadata;
  readonly maxMessageBytes: number;
  /** DeviceProxyOptions.transport, resolved. */
  readonly transport: TransportName;
  /** The name as the caller wrote it, for messages. */
  readonly text: string;
  /** Called once when a name first sent to `host:port` turns out to be the database's: the channel goes. */
  readonly onRetarget: () => void;
}

/**
 * `direct`: host:port is the device server (`#dbase=no`). `database`: the device is looked up in
 * the database. `undecided`: host:port without a modifier, the server until it says it has no
 * such device while being a database.
 */
type Mode = "direct" | "database" | "undecided";

/** The database's reason for a name it does not know (DataBase device, spec §15; not an API_ reason). */
const DB_DEVICE_NOT_DEFINED = "DB_DeviceNotDefined";
/** The address a tango-grpc server exports in DbExportDevice's "IOR" slot. */
const GRPC_ADDRESS = /^(grpcs?):\/\/(.+)$/i;

/**
 * Where a proxy's device is (spec §2.2, §15): the server named by a `#dbase=no` TRL, or the one
 * the Tango database says, from `host:port` (`#dbase=yes`), the `tangoHost` option or
 * TANGO_HOST. A device alias (DbGetAliasDevice) or attribute alias (DbGetAliasAttribute) is
 * resolved once; DbImportDevice is asked before each new channel, so that a proxy finds a server
 * restarted elsewhere when it reconnects, and never between calls on a working channel.
 *
 * @internal
 */
export class DeviceLocator {
  #mode: Mode;
  #device: string;
  #attribute: string | undefined;
  /** An alias not resolved yet. */
  #alias: string | undefined;
  readonly #kind: NameKind;
  readonly #db: DatabaseClient | undefined;
  /** The databases' TRL form, `tango://db:port` (`tango+tls://`), for `trl` and siblings. */
  readonly #dbTrl: { readonly address: string; readonly isTls: boolean; readonly isExplicit: boolean } | undefined;
  /** host:port of a direct or undecided name. */
  readonly #direct: ChannelTarget | undefined;
  /** The target of the latest channel. */
  #target: ChannelTarget | undefined;
  /** A target imported for the next channel, not used yet. */
  #fresh: ChannelTarget | undefined;
  #adopting: Promise<boolean> | undefined;
  #aliasing: Promise<void> | undefined;
  #dbCalls = 0;
  readonly #isTlsTrl: boolean;
  readonly #tls: boolean | TlsClientOptions | undefined;
  readonly #securities = new Map<string, ChannelSecurity>();
  readonly #onRetarget: () => void;

  /**
   * @throws DevFailed API_WrongDeviceNameSyntax for a name without host:port when no database is
   *   set; API_TangoHostNotSet for a malformed TANGO_HOST; API_MethodArgument for bad TLS files.
   */
  constructor(parsed: Trl, options: LocatorOptions) {
    this.#kind = options.kind;
    this.#tls = options.tls;
    this.#isTlsTrl = parsed.isTls === true;
    this.#onRetarget = options.onRetarget;
    this.#device = parsed.device;
    this.#attribute = parsed.attribute;
    this.#alias = parsed.isAlias === true ? parsed.device : undefined;
    let databases: readonly DatabaseAddress[] | undefined;
    if (parsed.host !== undefined && parsed.port !== undefined && parsed.address !== undefined) {
      this.#direct = { address: parsed.address, security: this.#securityOf(parsed.host, this.#isTlsTrl) };
      this.#mode = parsed.dbase === "no" ? "direct" : parsed.dbase === "yes" || parsed.isAlias === true ? "database" : "undecided";
      databases = this.#mode === "direct" ? undefined : [{ host: parsed.host, port: parsed.port, address: parsed.address }];
    } else {
      databases = tangoHostOf(options.tangoHost, options.envTangoHost);
      if (databases === undefined) throw ClientErrors.noDatabase(options.text);
      this.#mode = "database";
    }
    if (databases !== undefined) {
      this.#db = new DatabaseClient({
        databases, metadata: options.metadata, maxMessageBytes: options.maxMessageBytes, transport: options.transport,
        securityOf: (host) => this.#securityOf(host, this.#isTlsWanted),
      });
      const first = databases[0];
      if (first !== undefined) {
        this.#dbTrl = { address: first.address, isTls: this.#isTlsWanted, isExplicit: parsed.address !== undefined };
        this.#securityOf(first.host, this.#isTlsWanted); // bad TLS files are reported now, not at the first call
      }
    }
  }

  /** The device name, lower-case; an alias (as written) until it is resolved. */
  get name(): string {
    return this.#device;
  }

  /** The attribute an attribute alias stands for, once resolved (or the TRL's attribute). */
  get attribute(): string | undefined {
    return this.#attribute;
  }

  /** The device server's `host:port`; undefined while a name looked up in the database is not. */
  get address(): string | undefined {
    return this.#target?.address ?? (this.#mode === "database" ? undefined : this.#direct?.address);
  }

  /** Whether the device's connection uses (or will use) TLS. */
  get isTls(): boolean {
    return this.#target?.security.isTls ?? this.#direct?.security.isTls ?? this.#isTlsWanted;
  }

  /** True while host:port (no modifier) may still turn out to be a database (see adopt). */
  get isUndecided(): boolean {
    return this.#mode === "undecided";
  }

  /**
   * The canonical TRL: `tango://host:port/d/f/m#dbase=no` for the server itself,
   * `tango://db:port/d/f/m#dbase=yes` for a name looked up in the database (its first one).
   */
  get trl(): string {
    return this.trlOf(this.#device);
  }

  /** The TRL of another device reached the same way (the admin device of this one's server). */
  trlOf(device: string): string {
    const db = this.#dbTrl;
    if (this.#mode !== "database" || db === undefined) {
      return formatTrl({ address: this.address, device, isTls: this.isTls });
    }
    return db.isExplicit || device === this.#device
      ? formatTrl({ address: db.address, device, isTls: db.isTls, dbase: "yes" })
      : device;
  }

  /** What the proxy's Connection dials: a fixed target, or the source that looks the device up. */
  channelTarget(): ChannelTarget | TargetSource {
    const direct = this.#direct;
    return this.#mode === "direct" && direct !== undefined ? direct : (deadline) => this.#next(deadline);
  }

  /** Resolves an alias, if the name is one and it is not resolved yet (no import). */
  async resolveName(deadline: number): Promise<void> {
    if (this.#alias === undefined) return;
    this.#aliasing ??= this.#withDb((db) => this.#resolveAlias(db, deadline)).finally(() => { this.#aliasing = undefined; });
    await this.#aliasing;
  }

  /**
   * ProxyCore.connect: `connect` makes the channel. While host:port is undecided only a call
   * tells the device server from a database, so `ping` (the device, through `send`) goes first;
   * a server without the device is connected all the same (the device's calls will say so).
   */
  async connect(ping: () => Promise<unknown>, connect: () => Promise<void>): Promise<void> {
    if (this.#mode === "undecided") {
      try {
        await ping();
        return;
      } catch (err) {
        if (!(err instanceof DevFailed) || err.reason !== Reason.DeviceNotFound) throw err;
      }
    }
    await connect();
  }

  /**
   * Runs `call` (one request to the device, with `opts`). While host:port is undecided, a success
   * says it is the device server; an API_DeviceNotFound from a host:port that is the database
   * which finds the device sends the call again, to the device's server, within the same time
   * (it never ran). `timeoutMs` is the proxy's, for calls that give none.
   */
  async send<T>(call: (opts: CallOptions | undefined) => Promise<T>, opts: CallOptions | undefined, timeoutMs: number): Promise<T> {
    if (this.#mode !== "undecided") return call(opts);
    const ms = opts?.timeoutMs ?? timeoutMs;
    const deadline = ms === Infinity ? Infinity : Date.now() + ms;
    try {
      const res = await call(opts);
      if (this.#mode === "undecided") this.#mode = "direct";
      return res;
    } catch (err) {
      if (!(await this.adopt(err, deadline))) throw err;
      return call({ ...opts, timeoutMs: deadline === Infinity ? Infinity : Math.max(1, deadline - Date.now()) });
    }
  }

  /**
   * `err` is the failure of a call sent to an undecided host:port: when the server there said
   * it has no such device (API_DeviceNotFound), asks it for the device as a database would
   * (DbImportDevice). Resolves to true when it is the database and found the device (the next
   * channel goes to the device's server: the call may be sent again, as it never ran), false when
   * `err` stands. Rejects with the database's error when it is a database that cannot give the
   * device (not defined, not exported).
   */
  async adopt(err: unknown, deadline: number): Promise<boolean> {
    if (this.#mode !== "undecided" || !(err instanceof DevFailed) || err.reason !== Reason.DeviceNotFound) return false;
    this.#adopting ??= this.#checkDatabase(deadline).finally(() => { this.#adopting = undefined; });
    return this.#adopting;
  }

  async #checkDatabase(deadline: number): Promise<boolean> {
    try {
      this.#fresh = await this.#import(deadline);
      return true;
    } catch (err) {
      // No sys/database/2 there either: a device server, and the device is not in it.
      if (!(err instanceof DevFailed) || err.reason !== Reason.DeviceNotFound) throw err;
      this.#mode = "direct";
      return false;
    }
  }

  /** The database answered about the device: an undecided host:port is the database. */
  #isDatabase(): void {
    if (this.#mode !== "undecided") return;
    this.#mode = "database";
    this.#onRetarget();
  }

  /** The next channel's target: an import made moments ago for it, or a new one. */
  #next(deadline: number): ChannelTarget | Promise<ChannelTarget> {
    const direct = this.#direct;
    if (this.#mode !== "database" && direct !== undefined) return (this.#target = direct);
    const fresh = this.#fresh;
    this.#fresh = undefined;
    if (fresh !== undefined) return (this.#target = fresh);
    return this.#import(deadline).then((target) => (this.#target = target));
  }

  /** DbImportDevice of the device (its alias resolved first): the exported server's address. */
  #import(deadline: number): Promise<ChannelTarget> {
    return this.#withDb(async (db) => {
      await this.#resolveAlias(db, deadline);
      const device = this.#device;
      const info = await db.importDevice(device, deadline).catch((err: unknown) => {
        if (!(err instanceof DevFailed) || err.reason !== DB_DEVICE_NOT_DEFINED) throw err;
        this.#isDatabase();
        throw err.withFrame(ClientErrors.deviceNotDefinedFrame(device));
      });
      this.#isDatabase();
      if (!info.isExported) throw ClientErrors.deviceNotExported(device);
      return this.#targetOf(info.ior);
    });
  }

  /** `grpc://host:port` or `grpcs://host:port` from the "IOR" slot. */
  #targetOf(ior: string): ChannelTarget {
    const m = GRPC_ADDRESS.exec(ior.trim());
    let address: ReturnType<typeof parseAddress> | undefined;
    try {
      address = m === null ? undefined : parseAddress(m[2] ?? "");
    } catch (err) {
      if (!(err instanceof DevFailed)) throw err;
    }
    if (m === null || address === undefined) throw ClientErrors.notGrpcAddress(this.#device, ior);
    const isTls = m[1]?.toLowerCase() === "grpcs" || this.#isTlsWanted;
    return { address: address.address, security: this.#securityOf(address.host, isTls) };
  }

  async #resolveAlias(db: DatabaseClient, deadline: number): Promise<void> {
    const alias = this.#alias;
    if (alias === undefined) return;
    const name = this.#kind === "device" ? await db.aliasDevice(alias, deadline) : await db.aliasAttribute(alias, deadline);
    let parsed: Trl | undefined;
    try {
      parsed = parseTrl(name);
    } catch (err) {
      if (!(err instanceof DevFailed)) throw err;
    }
    const isWhole = parsed !== undefined && parsed.address === undefined && parsed.isAlias !== true &&
      (this.#kind === "device" ? parsed.attribute === undefined : parsed.attribute !== undefined);
    if (parsed === undefined || !isWhole) {
      const command = this.#kind === "device" ? "DbGetAliasDevice" : "DbGetAliasAttribute";
      throw ClientErrors.malformedReply("sys/database/2", `command ${command}`,
        `${JSON.stringify(name)} is not a ${this.#kind === "device" ? "device" : "device/attribute"} name`);
    }
    this.#device = parsed.device;
    this.#attribute = parsed.attribute;
    this.#alias = undefined;
  }

  /** Runs `fn` with the database client; its connections close when no lookup needs them. */
  async #withDb<T>(fn: (db: DatabaseClient) => Promise<T>): Promise<T> {
    const db = this.#db;
    if (db === undefined) throw new TypeError(`${this.#device} is reached without a database`);
    this.#dbCalls++;
    try {
      return await fn(db);
    } finally {
      if (--this.#dbCalls === 0) db.release();
    }
  }

  get #isTlsWanted(): boolean {
    return this.#isTlsTrl || (this.#tls !== undefined && this.#tls !== false);
  }

  #securityOf(host: string, isTls: boolean): ChannelSecurity {
    const key = `${isTls ? "tls" : "plain"} ${host}`;
    let security = this.#securities.get(key);
    if (security === undefined) {
      security = channelSecurityOf(host, isTls, this.#tls);
      this.#securities.set(key, security);
    }
    return security;
  }
}
