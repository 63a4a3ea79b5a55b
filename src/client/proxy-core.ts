import {
  CmdArgType, DevFailed, DevSource, MultiDevFailed, coerce, commandArgin,
  type AttributeConfig, type AttributeConfigUpdate, type CommandInfo, type DevState,
  type DeviceInfo,
} from "../core/index.js";
import { CLIENT_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES } from "../core/defaults.js";
import {
  ArrayEncoding, decodeAttributeConfig, decodeAttributeValue, decodeCommandInfo,
  decodeDeviceInfo, decodeValue, encodeAttributeConfigUpdate, encodeValue,
  type WireAttributeConfigReply, type WireBlackBoxReply, type WireCommandInfo, type WireCommandInoutReply,
  type WireCommandListReply, type WireDevInfo, type WirePropertyReply, type WireReadAttributesReply,
  type WireStateReply, type WireStatusReply,
} from "../grpc/wire.js";
import { ClientErrors } from "./client-errors.js";
import type { ClientConnection } from "./connection.js";
import { openConnection, transportOf } from "./transport/open-connection.js";
import { DescriptionCache } from "./description-cache.js";
import { toDeviceAttribute } from "./device-attribute.js";
import { Invoker, type Operation } from "./invoker.js";
import { OPS, op } from "./proxy-operations.js";
import { DeviceLocator, type NameKind } from "./naming.js";
import { arrayEncodingOf, checkTimeout, identityMetadata, proxyIdOf } from "./proxy-options.js";
import { parseTrl, type Trl } from "./trl.js";
import type {
  CallOptions, DeviceAttribute, DeviceProxyOptions, ReadOptions, TangoValue, WriteOptions,
} from "./types.js";
import {
  type AttributeValues, type PropertyInput, decodingReply, encodeWrites, entriesOf, framed, isUpdateList, propertiesOf,
} from "./value-input.js";

const ORIGIN = "DeviceProxy";

/**
 * The request-reply half of DeviceProxy (spec §10): connection, calls, reconnection,
 * timeouts, and the descriptions cache. DeviceProxy adds events, polling and history on top; use
 * DeviceProxy, never this class directly.
 */
export abstract class ProxyCore {
  /** Read source used when a call gives none (CACHE_DEV, spec §10.3 item 6). */
  source: DevSource;
  /** See DeviceProxyOptions.transparentReconnection. */
  transparentReconnection: boolean;
  #timeoutMs: number;
  readonly #conn: ClientConnection;
  readonly #invoker: Invoker;
  readonly #descriptions: DescriptionCache;
  readonly #arrayEncoding: ArrayEncoding;
  readonly #locator: DeviceLocator;
  readonly #proxyId: string;

  /**
   * @param trl a TRL (see parseTrl), or a parsed Trl: `tango://host:port/d/f/m#dbase=no` for the
   *   device server itself; `sys/tg_test/1` or an alias with TANGO_HOST (or `options.tangoHost`),
   *   or `tango://db:10000/d/f/m#dbase=yes`, looked up in the Tango database; `tango://host:port/d/f/m`, either.
   * @param kind `"attribute"`: a one-field name is an attribute alias (AttributeProxy). @internal
   * @throws DevFailed API_WrongDeviceNameSyntax (also for a name without host:port when no
   *   database is set), API_UnsupportedProtocol, API_UnsupportedDBaseModifier, API_TangoHostNotSet
   */
  constructor(trl: string | Trl, options: DeviceProxyOptions = {}, kind: NameKind = "device") {
    const parsed = typeof trl === "string" ? parseTrl(trl) : trl;
    this.#proxyId = proxyIdOf(options);
    const metadata = identityMetadata(options, this.#proxyId);
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const transport = transportOf(options.transport);
    this.#locator = new DeviceLocator(parsed, {
      kind, tangoHost: options.tangoHost, envTangoHost: process.env.TANGO_HOST, tls: options.tls, metadata, maxMessageBytes, transport,
      text: typeof trl === "string" ? trl : parsed.device, onRetarget: () => this.#conn.reset(),
    });
    this.source = options.source ?? DevSource.CACHE_DEV;
    this.transparentReconnection = options.transparentReconnection ?? true;
    this.#timeoutMs = checkTimeout(options.timeoutMs ?? CLIENT_TIMEOUT_MS);
    this.#arrayEncoding = arrayEncodingOf(options.arrayEncoding);
    this.#conn = openConnection(this.#locator.channelTarget(), { maxMessageBytes, metadata, transport });
    const settings = this;
    this.#invoker = new Invoker(this.#conn, {
      get device() { return settings.name; },
      get address() { return settings.address ?? settings.trl; },
      get timeoutMs() { return settings.#timeoutMs; },
      get transparentReconnection() { return settings.transparentReconnection; },
    });
    this.#descriptions = new DescriptionCache(() => this.#invoker.generation);
  }

  /** The device name, lower-case (as cppTango's `dev_name()`); an alias until the database resolved it. */
  get name(): string {
    return this.#locator.name;
  }

  /** This proxy's id (ClientIdentityOptions.proxyId): with the host and PID, the owner of its locks. */
  get proxyId(): string {
    return this.#proxyId;
  }

  /** The device server's `host:port`; undefined until a name looked up in the database is resolved. */
  get address(): string | undefined {
    return this.#locator.address;
  }

  /** The canonical TRL: `tango://host:port/d/f/m#dbase=no`, or `…#dbase=yes` with the database's host:port. */
  get trl(): string {
    return this.#locator.trl;
  }

  /** Whether the connection uses TLS (a `tango+tls://` TRL, DeviceProxyOptions.tls, or a `grpcs://` export). */
  get isTls(): boolean {
    return this.#locator.isTls;
  }

  /** Default call timeout in milliseconds (`Infinity`: none). Default 3000 (spec §10.3). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  set timeoutMs(ms: number) {
    this.#timeoutMs = checkTimeout(ms);
  }

  /**
   * Connects now rather than at the first call (cppTango's DeviceProxy connects when built), so
   * a server that is not running is reported here: API_ServerNotRunning, API_CantConnectToDevice;
   * and a name the database resolves is looked up: API_DeviceNotExported, API_DeviceNotDefined.
   */
  async connect(opts?: CallOptions): Promise<void> {
    await this.#locator.connect(() => this.#invoke("Ping", {}, OPS.ping, opts), () => this.#invoker.connect("connect", opts));
  }

  /** Where the device is, and how its name is resolved (AttributeProxy, the admin device). @internal */
  get locator(): DeviceLocator {
    return this.#locator;
  }

  /** Pings the device; resolves to the round-trip time in microseconds, connecting excluded. */
  async ping(opts?: CallOptions): Promise<number> {
    await this.connect(opts);
    const start = performance.now();
    await this.#invoke("Ping", {}, OPS.ping, opts);
    return Math.max(1, Math.round((performance.now() - start) * 1000));
  }

  /** The device state. */
  async state(opts?: CallOptions): Promise<DevState> {
    return (await this.#invoke<WireStateReply>("State", {}, OPS.state, opts)).state as DevState;
  }

  /** The device status text. */
  async status(opts?: CallOptions): Promise<string> {
    return (await this.#invoke<WireStatusReply>("Status", {}, OPS.status, opts)).status;
  }

  /** Class, server, host, versions, doc URL, description and admin device name. */
  async info(opts?: CallOptions): Promise<DeviceInfo> {
    return decodeDeviceInfo(await this.#invoke<WireDevInfo>("Info", {}, OPS.info, opts));
  }

  /** The device description (its `description` property, or "A TANGO device"). */
  async description(opts?: CallOptions): Promise<string> {
    return (await this.info(opts)).description;
  }

  /** The name of the device's admin device, `dserver/<server>/<instance>`. */
  async adminName(opts?: CallOptions): Promise<string> {
    return (await this.info(opts)).admName;
  }

  /** The newest `n` blackbox lines of the device, newest first. */
  async blackBox(n: number, opts?: CallOptions): Promise<string[]> {
    return (await this.#invoke<WireBlackBoxReply>("BlackBox", { n }, OPS.blackBox, opts)).records;
  }

  /**
   * Runs a command. `argin` is converted to the command's input type first (the command list is
   * fetched once per connection and cached): numbers or bigints for 64-bit types, arrays or typed
   * arrays for sequences. Resolves to the output in its canonical form (see TangoValue).
   */
  async commandInout<T = TangoValue>(command: string, argin?: unknown, opts?: ReadOptions): Promise<T> {
    return framed(ClientErrors.commandFailedFrame(this.name, command), async () => {
      const info = await this.#commandInfo(command, opts);
      // An unknown command is the server's to refuse, with its own error (API_CommandNotFound).
      const value = info === undefined ? undefined : commandArgin(info, argin);
      const reply = await this.#invoke<WireCommandInoutReply>("CommandInout", {
        command,
        argin: value === undefined || value.type === CmdArgType.DevVoid ? null : encodeValue(value, this.#arrayEncoding),
        source: opts?.source ?? this.source,
        array_encoding: this.#arrayEncoding,
      }, op(`command ${command}`, false), opts);
      return decodingReply(this.name, `command ${command}`, () => {
        const out = decodeValue(reply.argout);
        return coerce(out.type, out.value) as T;
      });
    });
  }

  /** Every command's description. */
  async commandListQuery(opts?: CallOptions): Promise<CommandInfo[]> {
    const reply = await this.#invoke<WireCommandListReply>("CommandListQuery", {}, OPS.commandList, opts);
    const infos = reply.commands.map(decodeCommandInfo);
    this.#descriptions.setCommands(infos);
    return infos;
  }

  /** One command's description. */
  async commandQuery(command: string, opts?: CallOptions): Promise<CommandInfo> {
    const reply = await this.#invoke<WireCommandInfo>("CommandQuery", { command }, op("command_query", true), opts);
    const info = decodeCommandInfo(reply);
    this.#descriptions.commands.set(info.name.toLowerCase(), info);
    return info;
  }

  /** Every command name. */
  async commandList(opts?: CallOptions): Promise<string[]> {
    return (await this.commandListQuery(opts)).map((c) => c.name);
  }

  /** Every attribute name. */
  async attributeList(opts?: CallOptions): Promise<string[]> {
    return (await this.getAttributeConfig([], opts)).map((c) => c.name);
  }

  /** Reads one attribute; a failed read rejects with the server's stack and API_AttributeFailed on top. */
  async readAttribute<V = TangoValue>(name: string, opts?: ReadOptions): Promise<DeviceAttribute<V>> {
    const [attr] = await framed(ClientErrors.readFailedFrame(this.name, name), () => this.#read([name], opts));
    if (attr === undefined) throw ClientErrors.methodArgument(`No value came back for attribute ${name}`, `${ORIGIN}::read_attribute`);
    if (attr.error !== undefined) throw attr.error;
    return attr as DeviceAttribute<V>;
  }

  /** Reads attributes in one call; each failed one carries its own `error`. */
  async readAttributes(names: readonly string[], opts?: ReadOptions): Promise<DeviceAttribute[]> {
    return framed(ClientErrors.readAttributesFailedFrame(this.name, names), () => this.#read(names, opts));
  }

  /** Writes one attribute, converted to its declared type first (see WriteOptions for images). */
  async writeAttribute(name: string, value: unknown, opts?: WriteOptions): Promise<void> {
    await framed(ClientErrors.writeFailedFrame(this.name, [name]), async () => {
      const writes = await this.#writes([[name, value]], opts);
      await this.#invokeWrite("WriteAttributes", { values: writes }, OPS.writeAttributes, opts);
    });
  }

  /**
   * Writes attributes in one call. When some fail, rejects with the server's MultiDevFailed
   * (the others were written); a failure of the whole call is a DevFailed.
   */
  async writeAttributes(values: AttributeValues, opts?: CallOptions): Promise<void> {
    const entries = entriesOf(values);
    await framed(ClientErrors.writeFailedFrame(this.name, entries.map(([n]) => n)), async () => {
      const writes = await this.#writes(entries, opts);
      await this.#invoke("WriteAttributes", { values: writes }, OPS.writeAttributes, opts);
    });
  }

  /** Writes one attribute and reads it back in one call. */
  async writeReadAttribute<V = TangoValue>(name: string, value: unknown, opts?: WriteOptions): Promise<DeviceAttribute<V>> {
    const reply = await framed(ClientErrors.writeReadFailedFrame(this.name, name), async () => {
      const writes = await this.#writes([[name, value]], opts);
      return this.#invokeWrite<WireReadAttributesReply>("WriteReadAttributes",
        { values: writes, names: [name], array_encoding: this.#arrayEncoding }, OPS.writeRead, opts);
    });
    const [attr] = this.#attributes(reply, "write_read_attributes");
    if (attr === undefined) throw ClientErrors.methodArgument(`No value came back for attribute ${name}`, `${ORIGIN}::write_read_attribute`);
    if (attr.error !== undefined) throw attr.error;
    return attr as DeviceAttribute<V>;
  }

  /** Writes attributes, then reads `readNames`, in one call. */
  async writeReadAttributes(values: AttributeValues, readNames: readonly string[], opts?: CallOptions): Promise<DeviceAttribute[]> {
    const entries = entriesOf(values);
    const reply = await framed(ClientErrors.writeFailedFrame(this.name, entries.map(([n]) => n)), async () => {
      const writes = await this.#writes(entries, opts);
      return this.#invoke<WireReadAttributesReply>("WriteReadAttributes",
        { values: writes, names: readNames, array_encoding: this.#arrayEncoding }, OPS.writeRead, opts);
    });
    return this.#attributes(reply, "write_read_attributes");
  }

  /** One attribute's configuration, or several (`[]`: every attribute's). */
  getAttributeConfig(name: string, opts?: CallOptions): Promise<AttributeConfig>;
  getAttributeConfig(names: readonly string[], opts?: CallOptions): Promise<AttributeConfig[]>;
  async getAttributeConfig(names: string | readonly string[], opts?: CallOptions): Promise<AttributeConfig | AttributeConfig[]> {
    const list = typeof names === "string" ? [names] : names;
    const reply = await this.#invoke<WireAttributeConfigReply>("GetAttributeConfig", { names: list }, OPS.getConfig, opts);
    const configs = reply.configs.map(decodeAttributeConfig);
    const cache = this.#descriptions.configs;
    for (const c of configs) cache.set(c.name.toLowerCase(), c);
    if (typeof names !== "string") return configs;
    const [config] = configs;
    if (config === undefined) throw ClientErrors.methodArgument(`No configuration came back for attribute ${names}`, `${ORIGIN}::get_attribute_config`);
    return config;
  }

  /** Changes attribute properties; only the properties listed in each update change. */
  async setAttributeConfig(updates: AttributeConfigUpdate | readonly AttributeConfigUpdate[], opts?: CallOptions): Promise<void> {
    const list = isUpdateList(updates) ? updates : [updates];
    for (const u of list) this.#descriptions.configs.delete(u.name.toLowerCase());
    await this.#invoke("SetAttributeConfig", { configs: list.map(encodeAttributeConfigUpdate) }, OPS.setConfig, opts);
  }

  /** Device properties by name (`[]`: all of them); a property that is not set has no values. */
  async getProperty(names: string | readonly string[], opts?: CallOptions): Promise<Record<string, string[]>> {
    const list = typeof names === "string" ? [names] : names;
    const reply = await this.#invoke<WirePropertyReply>("GetProperty", { names: list }, OPS.getProperty, opts);
    return Object.fromEntries(reply.properties.map((p) => [p.name, p.values]));
  }

  /** Sets device properties; each value, or each element of an array, is sent as text. */
  async putProperty(props: Readonly<Record<string, PropertyInput>>, opts?: CallOptions): Promise<void> {
    await this.#invoke("PutProperty", { properties: propertiesOf(props) }, OPS.putProperty, opts);
  }

  /** Deletes device properties. */
  async deleteProperty(names: string | readonly string[], opts?: CallOptions): Promise<void> {
    await this.#invoke("DeleteProperty", { names: typeof names === "string" ? [names] : names }, OPS.deleteProperty, opts);
  }

  /** Closes the connection. A later call opens a new one. */
  close(): void {
    this.#conn.close();
  }

  /** The proxy's connection (DeviceProxy's event streams share it). @internal */
  protected get connection(): ClientConnection {
    return this.#conn;
  }

  /** How numeric arrays travel, both ways. @internal */
  protected get arrayEncoding(): ArrayEncoding {
    return this.#arrayEncoding;
  }

  /** Sends one request of tango.v1.Device for this device, with the proxy's rules (see Invoker). @internal */
  protected invokeMethod<Res>(
    method: string, fields: object, operation: Operation, opts: CallOptions | undefined,
    onServerError?: (df: DevFailed) => DevFailed,
  ): Promise<Res> {
    return this.#invoke<Res>(method, fields, operation, opts, onServerError);
  }

  async #invoke<Res>(
    method: string, fields: object, operation: Operation, opts: CallOptions | undefined,
    onServerError?: (df: DevFailed) => DevFailed,
  ): Promise<Res> {
    // A function: the device name is read once connected (an alias is resolved by then), and
    // the lock is checked on the connection the request goes out on.
    const request = (): object => this.beforeSend(method, { device: this.name, ...fields }, operation);
    const onError = (df: DevFailed): DevFailed => this.onServerError(onServerError === undefined ? df : onServerError(df));
    return this.#locator.send((o) => this.#invoker.invoke<Res>(method, request, operation, o, onError), opts, this.#timeoutMs);
  }

  /** Each request as it goes out, once connected (DeviceProxy checks its lock); a throw fails it unsent. @internal */
  protected beforeSend<R extends { readonly device: string }>(_method: string, request: R, _operation: Operation): R {
    return request;
  }

  /** Each Tango error the server answers, with the proxy's frame on top: what the call rejects with. @internal */
  protected onServerError(df: DevFailed): DevFailed {
    return df;
  }

  /** A write of one attribute: a MultiDevFailed becomes that attribute's DevFailed (the caller adds its frame). */
  async #invokeWrite<Res>(method: string, fields: object, operation: Operation, opts?: CallOptions): Promise<Res> {
    try {
      return await this.#invoke<Res>(method, fields, operation, opts);
    } catch (err) {
      if (!(err instanceof MultiDevFailed)) throw err;
      const [first] = err.errors;
      throw new DevFailed(first.errors);
    }
  }

  async #read(names: readonly string[], opts?: ReadOptions): Promise<DeviceAttribute[]> {
    const reply = await this.#invoke<WireReadAttributesReply>("ReadAttributes", {
      names, source: opts?.source ?? this.source, array_encoding: this.#arrayEncoding,
    }, OPS.readAttributes, opts);
    return this.#attributes(reply, "read_attributes");
  }

  #attributes(reply: WireReadAttributesReply, operation: string): DeviceAttribute[] {
    return decodingReply(this.name, operation, () => reply.values.map((w) => toDeviceAttribute(decodeAttributeValue(w), this.name)));
  }

  /** The wire writes of `entries`, each converted by its attribute's (cached) configuration; the caller frames errors. */
  async #writes(entries: ReadonlyArray<readonly [string, unknown]>, opts?: WriteOptions): Promise<object[]> {
    const configs = await this.#descriptions.configsOf(entries.map(([n]) => n), async (names) =>
      (await this.#invoke<WireAttributeConfigReply>("GetAttributeConfig", { names }, OPS.getConfig, opts)).configs.map(decodeAttributeConfig));
    return encodeWrites(entries, configs, this.#arrayEncoding, opts);
  }

  async #commandInfo(command: string, opts?: CallOptions): Promise<CommandInfo | undefined> {
    const key = command.toLowerCase();
    const known = this.#descriptions.commands.get(key);
    if (known !== undefined) return known;
    await this.commandListQuery(opts);
    return this.#descriptions.commands.get(key);
  }
}
