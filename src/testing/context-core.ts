import { DeviceProxy, formatTrl, type DeviceProxyOptions } from "../client/index.js";
import type { Device } from "../device/index.js";
import type { DeviceClass } from "../serve/serve.js";
import type { TestClassInfo, TestContextOptions } from "./context-options.js";
import { MemoryLog, type TestLogRecord } from "./memory-log.js";
import { startInProcess, type InProcessServer } from "./start-in-process.js";
import { planTestServer, type TestServerPlan } from "./test-config.js";

/** PyTango's thread-mode start timeout is 3 s; initDevice here may reach simulators, so more. */
const DEFAULT_START_TIMEOUT_MS = 10_000;
/** What close() gives calls still running: enough for a slow command, short for a test's afterEach. */
const DEFAULT_SHUTDOWN_GRACE_MS = 2_000;

/**
 * What both test contexts are: a server started in this process, its proxies, its devices'
 * live instances and its log. The public classes wrap it with PyTango's two shapes.
 *
 * @internal
 */
export class ContextCore {
  readonly what: string;
  readonly plan: TestServerPlan;
  readonly #options: TestContextOptions;
  readonly #log: MemoryLog;
  readonly #proxies = new Map<string, DeviceProxy>();
  readonly #otherProxies: DeviceProxy[] = [];
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #running: InProcessServer | undefined;

  constructor(what: string, infos: readonly TestClassInfo[], options: TestContextOptions) {
    this.what = what;
    this.plan = planTestServer(what, infos, options);
    this.#options = options;
    this.#log = new MemoryLog(options.logLevel ?? "warn", options.logDestination);
  }

  get adminName(): string {
    return `dserver/${this.plan.config.server}/${this.plan.config.instance}`;
  }

  get isRunning(): boolean {
    return this.#running !== undefined && this.#closing === undefined;
  }

  /** Starts the server once; later calls return the first one's promise. */
  start(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new Error(`this ${this.what} is closed; make a new one`));
    return this.#starting ??= this.#start();
  }

  async #start(): Promise<void> {
    this.#running = await startInProcess({
      config: this.plan.config,
      classes: this.plan.classes,
      logger: this.#log.logger,
      isHttp: this.#options.http === true,
      startTimeoutMs: this.#options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      what: this.what,
      // Kill through the admin device stops the context as close() does.
      onKill: () => {
        this.close().catch((err: unknown) => this.#log.logger.error({ err }, "closing the test context after Kill failed"));
      },
    });
    // close() stops it once this settles.
    if (this.#closing !== undefined) throw new Error(`this ${this.what} was closed while it started`);
  }

  /** Stops everything once (after a start in progress settles); later calls return the first one's promise. */
  close(): Promise<void> {
    return this.#closing ??= this.#close();
  }

  async #close(): Promise<void> {
    // A start that failed has already stopped what it started.
    await this.#starting?.catch(() => undefined);
    for (const proxy of [...this.#proxies.values(), ...this.#otherProxies]) proxy.close();
    this.#proxies.clear();
    this.#otherProxies.length = 0;
    const running = this.#running;
    this.#running = undefined;
    await running?.stop(this.#options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
  }

  #runningServer(): InProcessServer {
    if (this.#closing !== undefined) throw new Error(`this ${this.what} is closed`);
    if (this.#running === undefined) throw new Error(`this ${this.what} is not started: await its start() first`);
    return this.#running;
  }

  get grpcPort(): number {
    return this.#runningServer().grpcPort;
  }

  get httpPort(): number | undefined {
    return this.#runningServer().httpPort;
  }

  get grpcAddress(): string {
    return `${this.plan.config.grpc.host}:${this.grpcPort}`;
  }

  /** `tango://127.0.0.1:<port>/<device>#dbase=no`. */
  deviceAccess(device: string): string {
    return formatTrl({ address: this.grpcAddress, device });
  }

  /** The shared proxy of a device, or with `options` a new one; every one is closed by close(). */
  proxy(device: string, options?: DeviceProxyOptions): DeviceProxy {
    const trl = this.deviceAccess(device);
    // No TANGO_TOKEN from the environment: the server has no tokens, and would refuse any.
    const defaults: DeviceProxyOptions = { token: "", ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }) };
    if (options !== undefined) {
      const proxy = new DeviceProxy(trl, { ...defaults, ...options });
      this.#otherProxies.push(proxy);
      return proxy;
    }
    const key = device.toLowerCase();
    let proxy = this.#proxies.get(key);
    if (proxy === undefined) this.#proxies.set(key, proxy = new DeviceProxy(trl, defaults));
    return proxy;
  }

  /** The live instance of a user device (the current one after Init or DevRestart), checked against `cls` when given. */
  device<D extends Device>(name: string, cls?: DeviceClass<D>): D {
    const { server } = this.#runningServer();
    const entry = this.plan.deviceNames.some((n) => n.toLowerCase() === name.toLowerCase()) ? server.findEntry(name) : undefined;
    if (entry === undefined) {
      throw new TypeError(`this ${this.what} has no device ${name} (it has ${this.plan.deviceNames.join(", ")})`);
    }
    // Not exported (its Init failed): the DevFailed a client would get.
    const device = server.liveDevice(entry);
    if (cls !== undefined && !(device instanceof cls)) {
      throw new TypeError(`device ${entry.name} is a ${entry.className}, not a ${cls.name}`);
    }
    return device as D;
  }

  /** The kept log records, oldest first. */
  logs(): TestLogRecord[] {
    return this.#log.records();
  }
}
