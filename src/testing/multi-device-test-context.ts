import type { DeviceProxy, DeviceProxyOptions } from "../client/index.js";
import type { Device } from "../device/index.js";
import type { DeviceClass } from "../serve/serve.js";
import { ContextCore } from "./context-core.js";
import type { TestClassInfo, TestContextOptions } from "./context-options.js";
import type { TestLogRecord } from "./memory-log.js";

/**
 * Devices of one or more classes in one device server, started in this process for a test
 * (PyTango's `MultiDeviceTestContext`): gRPC on 127.0.0.1 with a port the OS picks, no database,
 * properties applied before any device is built. Works under any test runner; many contexts may
 * run at once in one process.
 *
 * ```ts
 * const ctx = await MultiDeviceTestContext.start([
 *   { class: Motor, devices: [{ name: "lab/motor/1", properties: { Velocity: 2 } }, { name: "lab/motor/2" }] },
 *   { class: Controller, devices: [{ name: "lab/ctrl/1" }] },
 * ]);
 * try {
 *   await ctx.proxy("lab/motor/1").writeAttribute("position", 10);
 *   expect(ctx.device<Motor>("lab/motor/1").position).to.equal(10);
 * } finally {
 *   await ctx.close();
 * }
 * ```
 *
 * A start that fails (an initDevice throwing, the start timeout) rejects, and leaves nothing
 * running. `close()` stops the server and closes every proxy the context made; it may be called
 * more than once, and after a failed start. `await using ctx = await MultiDeviceTestContext.start(...)`
 * closes it at the end of the block.
 *
 * Memorized attribute values (PyTango's `memorized`) and attribute configuration set at run time
 * are kept in memory for the context's life, as a server keeps them in its store: Init and
 * DevRestart restore them (with `hwMemorized`, the write method is called again); nothing is
 * written to disk, and a new context starts from the declared defaults.
 */
export class MultiDeviceTestContext implements AsyncDisposable {
  readonly #core: ContextCore;

  /**
   * Checks the classes and options; nothing starts until `start()`.
   *
   * @throws TypeError listing every problem of the options (device names, duplicate classes or
   *   devices, property value types).
   * @throws DevFailed API_BadConfigurationProperty when a property value does not parse as the
   *   type its class declares.
   */
  constructor(classes: readonly TestClassInfo[], options: TestContextOptions = {}) {
    this.#core = new ContextCore("MultiDeviceTestContext", classes, options);
  }

  /**
   * Makes a context and starts it.
   *
   * @throws as the constructor and `start()` do.
   */
  static async start(classes: readonly TestClassInfo[], options?: TestContextOptions): Promise<MultiDeviceTestContext> {
    const ctx = new MultiDeviceTestContext(classes, options);
    await ctx.start();
    return ctx;
  }

  /**
   * Starts the server and resolves once every device is exported; a second call returns the first
   * one's promise.
   *
   * @throws DevFailed a device's initDevice error stack, with API_InitThrowsException on top naming the device.
   * @throws Error when the devices are not exported within `startTimeoutMs`, or the context is closed.
   */
  async start(): Promise<this> {
    await this.#core.start();
    return this;
  }

  /** The user devices' names, as given. */
  get deviceNames(): readonly string[] {
    return this.#core.plan.deviceNames;
  }

  /** The admin device, `dserver/<server>/<instance>`. */
  get adminName(): string {
    return this.#core.adminName;
  }

  /** True from the end of a successful `start()` until `close()`. */
  get isRunning(): boolean {
    return this.#core.isRunning;
  }

  /** The gRPC port the OS picked. Throws Error before `start()` resolves and after `close()`, as the members below do. */
  get grpcPort(): number {
    return this.#core.grpcPort;
  }

  /** `127.0.0.1:<grpcPort>`, what a gRPC client (grpcurl, `DeviceProxy.adminOf`) dials. */
  get grpcAddress(): string {
    return this.#core.grpcAddress;
  }

  /** The HTTP sidecar's port (probes, `/metrics`, REST) with the `http` option; undefined without it. */
  get httpPort(): number | undefined {
    return this.#core.httpPort;
  }

  /**
   * The TRL of a device on this server, `tango://127.0.0.1:<port>/<device>#dbase=no`, which
   * DeviceProxy and the `tango-grpc` CLI accept (PyTango's `get_device_access`).
   */
  getDeviceAccess(device: string): string {
    return this.#core.deviceAccess(device);
  }

  /** The TRL of the admin device (PyTango's `get_server_access`). */
  getServerAccess(): string {
    return this.#core.deviceAccess(this.#core.adminName);
  }

  /**
   * A connected DeviceProxy of a device of this server: the same one on each call for a name
   * (PyTango's `get_device`), or a new one when `options` are given. The context closes them all.
   * Its calls time out after the context's `timeoutMs`.
   */
  proxy(device: string, options?: DeviceProxyOptions): DeviceProxy {
    return this.#core.proxy(device, options);
  }

  /** The admin device's proxy (`dserver/<server>/<instance>`): Kill, DevRestart, polling, logging. */
  get adminProxy(): DeviceProxy {
    return this.#core.proxy(this.#core.adminName);
  }

  /**
   * The live instance of a device, to read or change its state directly: the current one, so a
   * new instance after DevRestart. With `cls`, checked to be an instance of it.
   *
   * @throws TypeError when the context has no such device, or it is not a `cls`.
   * @throws DevFailed API_InitThrowsException when the device is not exported (its Init failed).
   */
  device<D extends Device = Device>(name: string, cls?: DeviceClass<D>): D {
    return this.#core.device(name, cls);
  }

  /**
   * The server's and the devices' log records kept so far (the last 10,000 lines), oldest first:
   * `level` (40 warn, 50 error), `msg`, `device`, `err`. Nothing is written to the console unless
   * the `logDestination` option says where.
   */
  logs(): TestLogRecord[] {
    return this.#core.logs();
  }

  /**
   * Closes the proxies, then shuts the server down (devices deleted, calls still running cut after
   * `shutdownGraceMs`). Idempotent; safe after a failed start; waits for a start in progress.
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
