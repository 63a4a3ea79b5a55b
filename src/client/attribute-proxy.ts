import { DevFailed, Reason, type AttributeConfig, type AttributeConfigUpdate } from "../core/index.js";
import { DeviceProxy } from "./device-proxy.js";
import { parseTrl } from "./trl.js";
import type { CallOptions, DeviceAttribute, DeviceProxyOptions, ReadOptions, TangoValue, WriteOptions } from "./types.js";

/**
 * A client of one attribute (PyTango's `AttributeProxy`):
 * `new AttributeProxy("tango://localhost:50051/sys/tg_test/1/double_scalar")`, or
 * `new AttributeProxy(deviceProxy, "double_scalar")` to share the device proxy's connection.
 */
export class AttributeProxy<V = TangoValue> {
  /** The attribute name as given. */
  readonly name: string;
  /** The proxy of the attribute's device. */
  readonly device: DeviceProxy;
  readonly #ownsDevice: boolean;

  /** @throws DevFailed for a TRL that does not name an attribute, or a bad TRL. */
  constructor(trl: string, options?: DeviceProxyOptions);
  constructor(device: DeviceProxy, attribute: string);
  constructor(target: string | DeviceProxy, second?: string | DeviceProxyOptions) {
    if (target instanceof DeviceProxy) {
      if (typeof second !== "string") throw new TypeError("AttributeProxy(device, attribute) needs an attribute name");
      this.device = target;
      this.name = second;
      this.#ownsDevice = false;
      return;
    }
    const trl = parseTrl(target);
    if (trl.attribute === undefined) {
      throw DevFailed.of(Reason.WrongDeviceNameSyntax,
        `The name "${target}" names no attribute: tango://host:port/domain/family/member/attribute`,
        "AttributeProxy::AttributeProxy");
    }
    this.device = new DeviceProxy(trl, typeof second === "object" ? second : {});
    this.name = trl.attribute;
    this.#ownsDevice = true;
  }

  /** Reads the attribute; rejects with DevFailed (API_AttributeFailed on top) when it failed. */
  read(opts?: ReadOptions): Promise<DeviceAttribute<V>> {
    return this.device.readAttribute<V>(this.name, opts);
  }

  /** Writes the attribute. */
  write(value: unknown, opts?: WriteOptions): Promise<void> {
    return this.device.writeAttribute(this.name, value, opts);
  }

  /** Writes the attribute and reads it back in one call. */
  writeRead(value: unknown, opts?: WriteOptions): Promise<DeviceAttribute<V>> {
    return this.device.writeReadAttribute<V>(this.name, value, opts);
  }

  /** The attribute's configuration. */
  getConfig(opts?: CallOptions): Promise<AttributeConfig> {
    return this.device.getAttributeConfig(this.name, opts);
  }

  /** Changes some of the attribute's properties. */
  setConfig(change: Omit<AttributeConfigUpdate, "name">, opts?: CallOptions): Promise<void> {
    return this.device.setAttributeConfig({ ...change, name: this.name }, opts);
  }

  /** Pings the device; the round trip in microseconds. */
  ping(opts?: CallOptions): Promise<number> {
    return this.device.ping(opts);
  }

  /** Closes the device proxy when this attribute proxy made it. */
  close(): void {
    if (this.#ownsDevice) this.device.close();
  }
}
