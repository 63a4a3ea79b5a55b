import type { Device } from "../device/index.js";
import type { DeviceClass } from "../serve/serve.js";
import type { TestLogDestination, TestLogLevel } from "./memory-log.js";

/**
 * A property value as a config file holds it: a string, number, boolean or bigint, or a list of
 * them. Tango keeps every property as a list of strings (`2` → `["2"]`), and the device reads it
 * back parsed to the type it declares.
 */
export type PropertyValue = string | number | boolean | bigint | readonly (string | number | boolean | bigint)[];

/** Properties by name. */
export type PropertyValues = Readonly<Record<string, PropertyValue>>;

/**
 * Attribute properties by attribute name, as a Tango database keeps them for a device:
 * `{ double_scalar: { abs_change: 0.1, unit: "mm" } }` (the names of the server config's
 * `attributeProperties`: label, unit, format, min_value, max_alarm, abs_change, event_period, ...).
 */
export type AttributePropertyValues = Readonly<Record<string, Readonly<Record<string, string | number>>>>;

/** Tango's serialization models (spec §10.6): how the server orders requests to its devices. */
export type SerializationModel = "BY_DEVICE" | "BY_CLASS" | "BY_PROCESS" | "NO_SYNC";

/** One device of a MultiDeviceTestContext. */
export interface TestDeviceInfo {
  /** The device name, `domain/family/member`. */
  readonly name: string;
  /** Its device properties, set before the device is built (its `initDevice` reads them). */
  readonly properties?: PropertyValues;
  /** Its attribute properties (alarm levels, event thresholds), applied after each `initDevice`. */
  readonly attributeProperties?: AttributePropertyValues;
}

/** One device class of a MultiDeviceTestContext, with its devices (PyTango's `devices_info` entry). */
export interface TestClassInfo<D extends Device = Device> {
  /** The device class (its Tango class name is its JavaScript name); each class appears once in a context. */
  readonly class: DeviceClass<D>;
  /** Its class properties: one value for every device of the class. */
  readonly classProperties?: PropertyValues;
  /** Its devices, at least one. */
  readonly devices: readonly TestDeviceInfo[];
}

/** Options of a test context, single or multi-device. Every one has a default. */
export interface TestContextOptions {
  /** Server (executable) name. Default: the name of the first device class. */
  readonly server?: string;
  /** Instance name. Default: the server name in lower case. The admin device is `dserver/<server>/<instance>`. */
  readonly instance?: string;
  /** Call timeout of the context's proxies, ms. Default 3000 (a DeviceProxy's, spec §10.3). */
  readonly timeoutMs?: number;
  /** Serialization model. Default `BY_DEVICE` (a server's default). */
  readonly serialization?: SerializationModel;
  /**
   * Also start the HTTP sidecar (probes, `/metrics`, the REST routes) on an OS-picked port of
   * 127.0.0.1; its port is `httpPort`. Default false.
   */
  readonly http?: boolean;
  /**
   * Level of the server's own log. Default `warn` (Tango's default logging level). Device loggers
   * start at WARN whatever it is; the admin device's `SetLoggingLevel` changes them.
   */
  readonly logLevel?: TestLogLevel;
  /**
   * Where log lines are copied as they are written, e.g. `process.stderr` while debugging a test.
   * Default: none. Either way the context keeps the last lines in memory: see `logs()`.
   */
  readonly logDestination?: TestLogDestination;
  /**
   * Longest time `start()` waits for the devices' `initDevice`, ms; then it stops what it started
   * and rejects. Default 10000.
   */
  readonly startTimeoutMs?: number;
  /** Time `close()` gives calls still running before it cuts them, ms. Default 2000. */
  readonly shutdownGraceMs?: number;
}

/** Options of a DeviceTestContext: those of any context, and its one device's name and properties. */
export interface DeviceTestContextOptions extends TestContextOptions {
  /** The device name. Default `test/nodb/<server in lower case>` (PyTango's). */
  readonly deviceName?: string;
  /** Device properties, set before the device is built (its `initDevice` reads them). */
  readonly properties?: PropertyValues;
  /** Class properties of the device's class. */
  readonly classProperties?: PropertyValues;
  /** Attribute properties of the device (alarm levels, event thresholds), applied after each `initDevice`. */
  readonly attributeProperties?: AttributePropertyValues;
}
