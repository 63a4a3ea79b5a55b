import { DevFailed, Reason, type AttributeConfig, type AttributeConfigUpdate } from "../core/index.js";
import { DeviceProxy } from "./device-proxy.js";
import { parseTrl } from "./trl.js";
import type { CallOptions, DeviceAttribute, DeviceProxyOptions, ReadOptions, TangoValue, WriteOptions } from "./types.js";

/**
 * A client of one attribute (PyTango's `AttributeProxy`):
 * `new AttributeProxy("tango://localhost:50051/sys/tg_test/1/double_scalar#dbase=no")`, or
 * `new AttributeProxy(deviceProxy, "double_scalar")` to share the device proxy's connection.
 * With a Tango database (TANGO_HOST, or the `tangoHost` option), `sys/tg_test/1/double_scalar`,
 * or an attribute alias, which the database resolves (DbGetAliasAttribute) at the first call.
 */
export class AttributeProxy<V = TangoValue> {
  /** The proxy of the attribute's device. */
  readonly device: DeviceProxy;
  /** The attribute name as given; for an alias, the alias until the database resolved it. */
  #name: string;
  /** Set while the name is an attribute alias not resolved yet. */
  #isAlias: boolean;
  readonly #ownsDevice: boolean;

  /** @throws DevFailed for a TRL that does not name an attribute, or a bad TRL. */
  constructor(trl: string, options?: DeviceProxyOptions);
  constructor(device: DeviceProxy, attribute: string);
  constructor(target: string | DeviceProxy, second?: string | DeviceProxyOptions) {
    if (target instanceof DeviceProxy) {
      if (typeof second !== "string") throw new TypeError("AttributeProxy(device, attribute) needs an attribute name");
      this.device = target;
      this.#name = second;
      this.#isAlias = false;
      this.#ownsDevice = false;
      return;
    }
    const trl = parseTrl(target);
    const options = typeof second === "object" ? second : {};
    if (trl.isAlias === true) {
      this.device = new DeviceProxy(trl, options, "attribute");
      this.#name = trl.device;
      this.#isAlias = true;
      this.#ownsDevice = true;
      return;
    }
    if (trl.attribute === undefined) {
      throw DevFailed.of(Reason.WrongDeviceNameSyntax,
        `The name "${target}" names no attribute: domain/family/member/attribute, an attribute alias, ` +
        "or tango://host:port/domain/family/member/attribute",
        "AttributeProxy::AttributeProxy");
    }
    this.device = new DeviceProxy(trl, options);
    this.#name = trl.attribute;
    this.#isAlias = false;
    this.#ownsDevice = true;
  }

  /** The attribute name as given (for an alias: the attribute's name once the database resolved it). */
  get name(): string {
    return this.#name;
  }

  /** Reads the attribute; rejects with DevFailed (API_AttributeFailed on top) when it failed. */
  async read(opts?: ReadOptions): Promise<DeviceAttribute<V>> {
    return this.device.readAttribute<V>(await this.#resolved(opts), opts);
  }

  /** Writes the attribute. */
  async write(value: unknown, opts?: WriteOptions): Promise<void> {
    return this.device.writeAttribute(await this.#resolved(opts), value, opts);
  }

  /** Writes the attribute and reads it back in one call. */
  async writeRead(value: unknown, opts?: WriteOptions): Promise<DeviceAttribute<V>> {
    return this.device.writeReadAttribute<V>(await this.#resolved(opts), value, opts);
  }

  /** The attribute's configuration. */
  async getConfig(opts?: CallOptions): Promise<AttributeConfig> {
    return this.device.getAttributeConfig(await this.#resolved(opts), opts);
  }

  /** Changes some of the attribute's properties. */
  async setConfig(change: Omit<AttributeConfigUpdate, "name">, opts?: CallOptions): Promise<void> {
    return this.device.setAttributeConfig({ ...change, name: await this.#resolved(opts) }, opts);
  }

  /** Pings the device; the round trip in microseconds. */
  ping(opts?: CallOptions): Promise<number> {
    return this.device.ping(opts);
  }

  /** The attribute's name, its alias resolved first (once, within the call's timeout). */
  async #resolved(opts: CallOptions | undefined): Promise<string> {
    if (!this.#isAlias) return this.#name;
    const timeoutMs = opts?.timeoutMs ?? this.device.timeoutMs;
    await this.device.locator.resolveName(timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs);
    this.#name = this.device.locator.attribute ?? this.#name;
    this.#isAlias = false;
    return this.#name;
  }

  /** Closes the device proxy when this attribute proxy made it. */
  close(): void {
    if (this.#ownsDevice) this.device.close();
  }
}
