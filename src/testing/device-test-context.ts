import type { DeviceProxy, DeviceProxyOptions } from "../client/index.js";
import type { Device } from "../device/index.js";
import type { DeviceClass } from "../serve/serve.js";
import { ContextCore } from "./context-core.js";
import type { DeviceTestContextOptions } from "./context-options.js";
import type { TestLogRecord } from "./memory-log.js";

/**
 * One device of class `D` in a device server started in this process for a test (PyTango's
 * `DeviceTestContext`): gRPC on 127.0.0.1 with a port the OS picks, no database, its properties
 * applied before the device is built, so `initDevice` reads them. Works under any test runner;
 * many contexts may run at once in one process.
 *
 * ```ts
 * await using ctx = await DeviceTestContext.start(Motor, { properties: { Velocity: 2 } });
 * await ctx.proxy.commandInout("Start");
 * ctx.device.position = 5;                                   // the live instance
 * expect((await ctx.proxy.readAttribute("position")).value).to.equal(5);
 * ```
 *
 * Defaults follow PyTango's: server name the class name, instance the server name in lower case,
 * device `test/nodb/<server in lower case>`. A start that fails (initDevice throwing, a property
 * that does not parse, the start timeout) rejects and leaves nothing running; `close()` may be
 * called more than once, and after a failed start. Errors from `proxy` are the client's DevFailed.
 *
 * Memorized attribute values (PyTango's `memorized`) and attribute configuration set at run time
 * are kept in memory for the context's life, as a server keeps them in its store: Init and
 * DevRestart restore them (with `hwMemorized`, the write method is called again); nothing is
 * written to disk, and a new context starts from the declared defaults.
 */
export class DeviceTestContext<D extends Device = Device> implements AsyncDisposable {
  readonly #core: ContextCore;
  readonly #class: DeviceClass<D>;
  /** The device's name, as given or defaulted. */
  readonly deviceName: string;

  /**
   * Checks the class and options; nothing starts until `start()`.
   *
   * @throws TypeError listing every problem of the options (the device name, property value types).
   * @throws DevFailed API_BadConfigurationProperty when a property value does not parse as the
   *   type the class declares.
   */
  constructor(cls: DeviceClass<D>, options: DeviceTestContextOptions = {}) {
    // A value that is no class is reported by ContextCore with the other problems.
    const server = options.server ?? (typeof cls === "function" && cls.name !== "" ? cls.name : "Test");
    this.deviceName = options.deviceName ?? `test/nodb/${server.toLowerCase()}`;
    this.#class = cls;
    this.#core = new ContextCore("DeviceTestContext", [{
      class: cls,
      ...(options.classProperties === undefined ? {} : { classProperties: options.classProperties }),
      devices: [{
        name: this.deviceName,
        ...(options.properties === undefined ? {} : { properties: options.properties }),
        ...(options.attributeProperties === undefined ? {} : { attributeProperties: options.attributeProperties }),
      }],
    }], options);
  }

  /**
   * Makes a context and starts it.
   *
   * @throws as the constructor and `start()` do.
   */
  static async start<D extends Device>(cls: DeviceClass<D>, options?: DeviceTestContextOptions): Promise<DeviceTestContext<D>> {
    const ctx = new DeviceTestContext(cls, options);
    await ctx.start();
    return ctx;
  }

  /**
   * Starts the server, and resolves once the device is exported and `proxy` connected; a second
   * call returns the first one's promise.
   *
   * @throws DevFailed the device's initDevice error stack (its reason at the root), with
   *   API_InitThrowsException on top naming the device.
   * @throws Error when the device is not exported within `startTimeoutMs`, or the context is closed.
   */
  async start(): Promise<this> {
    await this.#core.start();
    try {
      await this.proxy.connect();
    } catch (err) {
      await this.#core.close();
      throw err;
    }
    return this;
  }

  /** The admin device, `dserver/<server>/<instance>`. */
  get adminName(): string {
    return this.#core.adminName;
  }

  /** True from the end of a successful `start()` until `close()`. */
  get isRunning(): boolean {
    return this.#core.isRunning;
  }

  /**
   * The device's DeviceProxy, the same one on each access. Its calls time out after the
   * `timeoutMs` option. Throws Error before `start()` resolves and after `close()`, as the
   * members below do.
   */
  get proxy(): DeviceProxy {
    return this.#core.proxy(this.deviceName);
  }

  /** Another proxy of the device, with its own options (identity, timeout, array encoding); closed by `close()`. */
  newProxy(options: DeviceProxyOptions = {}): DeviceProxy {
    return this.#core.proxy(this.deviceName, options);
  }

  /** The admin device's proxy: Kill, DevRestart, polling, logging. */
  get adminProxy(): DeviceProxy {
    return this.#core.proxy(this.#core.adminName);
  }

  /**
   * The live device instance, to read or change its state directly: the current one, so a new
   * instance after DevRestart.
   *
   * @throws DevFailed API_InitThrowsException when the device is not exported (its Init failed).
   */
  get device(): D {
    return this.#core.device(this.deviceName, this.#class);
  }

  /** The gRPC port the OS picked. */
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
   * The device's TRL, `tango://127.0.0.1:<port>/test/nodb/motor#dbase=no`, which DeviceProxy and
   * the `tango-grpc` CLI accept (PyTango's `get_device_access`); of another device with `device`.
   */
  getDeviceAccess(device: string = this.deviceName): string {
    return this.#core.deviceAccess(device);
  }

  /** The TRL of the admin device (PyTango's `get_server_access`). */
  getServerAccess(): string {
    return this.#core.deviceAccess(this.#core.adminName);
  }

  /**
   * The server's and the device's log records kept so far (the last 10,000 lines), oldest first:
   * `level` (40 warn, 50 error), `msg`, `device`, `err`. Nothing is written to the console unless
   * the `logDestination` option says where.
   */
  logs(): TestLogRecord[] {
    return this.#core.logs();
  }

  /**
   * Closes the proxies, then shuts the server down (the device deleted, calls still running cut
   * after `shutdownGraceMs`). Idempotent; safe after a failed start; waits for a start in progress.
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
