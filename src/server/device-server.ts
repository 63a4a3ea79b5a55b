import { hostname, tmpdir } from "node:os";
import type { Logger } from "pino";
import { TangoErrors } from "../core/index.js";
import { constructDevice, runtimeOf, type Device } from "../device/index.js";
import { DeviceMetrics, UNKNOWN_DEVICE, type DurationRecord } from "../metrics/index.js";
import { CallChains, type CallChain } from "./call-chain.js";
import type { ServerConfig } from "./config.js";
import { checkMandatoryProperties, initFailure, notExportedError, type DeviceEntry, type DeviceClass } from "./device-entry.js";
import { DeviceTable } from "./device-table.js";
import { DeviceLogging } from "./device-logging.js";
import { runUnder, type Monitor } from "./monitor.js";
import { Drain, type ShutdownResult } from "./drain.js";
import { PropertyStore, type Store, type StoreStats } from "./property-store.js";
import { registeredOf, servedDevicesOf } from "./registry/served-devices.js";
import type { DeviceServerOptions } from "./device-server-options.js";
import { RequestHandler } from "./request-handler.js";
import type { RequestApi } from "./request-api.js";
import { createDServerClass, type ServerAdmin } from "./dserver.js";
import { deviceHostFor, eventHubHostOf, pollingHostOf } from "./device-host.js";
import { applyAttributeConfiguration, restoreMemorized } from "./attribute-persistence.js";
import { EventHub } from "./events/event-hub.js";
import { Polling } from "./polling/polling.js";
import { EVENT_LOOP_STALL_MS, HUNG_HANDLER_FACTOR, SHUTDOWN_DELETE_FLOOR_MS, SHUTDOWN_GRACE_MS } from "../core/defaults.js";
import { CallWatch } from "./call-watch.js";
import { recoverHung } from "./hung-recovery.js";
import { deleteInstance } from "./device-teardown.js";
import { AccessPolicy } from "./access/access-policy.js";
import { readinessOf, type Readiness } from "./readiness.js";
import { ServerLocks } from "./locking/server-locks.js";

export type { Readiness } from "./readiness.js";
export type { ShutdownResult } from "./drain.js";
export type { DeviceServerOptions } from "./device-server-options.js";

/**
 * A Tango device server (RFC 8): its devices, the admin device `dserver/<server>/<instance>`,
 * the export and unexport sequences (spec §9.2, §9.3), serialization (§10.6) and the blackbox.
 * `api` is the request-reply protocol in process; the gRPC and HTTP adapters call it.
 */
export class DeviceServer implements ServerAdmin {
  readonly adminName: string;
  readonly serverId: string;
  readonly hostName: string;
  readonly config: Readonly<ServerConfig>;
  readonly log: Logger;
  readonly chains = new CallChains();
  readonly logging: DeviceLogging;
  /** Device and class properties, attribute configuration and memorized values: the file store, or the Tango database's (DeviceServerOptions.store). */
  readonly properties: Store;
  readonly api: RequestApi;
  /** The polling of every device (spec §11). */
  readonly polling: Polling;
  /** The event hub (spec §12). */
  readonly events: EventHub;
  /** The calls in progress, hung handlers and event-loop stalls (the watchdog). */
  readonly watch: CallWatch;
  /** Who callers are and what they may do: the adapters authenticate with it, the request handler decides. */
  readonly access: AccessPolicy;
  /** The device locks (spec §10.8): kept across DevRestart, lost at the admin device's Init and RestartServer. */
  readonly locks: ServerLocks;
  readonly #handler: RequestHandler;
  /** The tango_* counts of requests naming no device of this server (never the name sent). */
  readonly unknownDeviceMetrics = new DeviceMetrics(UNKNOWN_DEVICE, () => undefined);
  readonly #opts: DeviceServerOptions;
  readonly #devices: DeviceTable;
  readonly #dserverClass: DeviceClass;
  readonly #drain = new Drain();
  #shuttingDown = false;
  #shutdown: Promise<ShutdownResult> | undefined;
  #ready = false;
  /** Aborted when the shutdown begins: ends a start still waiting for the database. */
  readonly #stopping = new AbortController();
  /** `host:port` where clients reach this server's gRPC service (the admin event commands tell it); set once it listens. */
  grpcAddress: string | undefined;

  constructor(opts: DeviceServerOptions) {
    const { config } = opts;
    this.#opts = opts;
    this.config = config;
    this.serverId = `${config.server}/${config.instance}`;
    this.adminName = `dserver/${this.serverId}`;
    this.hostName = opts.hostName ?? hostname();
    this.log = opts.logger.child({ server: config.server, instance: config.instance });
    this.logging = new DeviceLogging(opts.logger, config.logging?.fileTargetDir ?? opts.logDir ?? tmpdir());
    this.access = new AccessPolicy(opts.access);
    this.properties = opts.store ?? new PropertyStore({
      ...config.store, log: this.log, ...(config.storePath === undefined ? {} : { path: config.storePath }),
    });
    this.locks = new ServerLocks({ log: this.log, classProperty: (className, name) => this.properties.get(`class:${className}`, name) });
    this.#devices = DeviceTable.fromConfig(config, opts.classes, this.properties);
    // spec §10.6: admin commands follow the server's model; in BY_PROCESS they share its lock.
    this.#dserverClass = createDServerClass(this);
    this.#devices.addAdmin(this.adminName, this.#dserverClass);
    this.watch = new CallWatch({
      log: this.log,
      hungAfterMs: (config.hungHandlerFactor ?? HUNG_HANDLER_FACTOR) * config.monitorTimeoutMs,
      stallMs: config.eventLoopStallMs ?? EVENT_LOOP_STALL_MS,
      unknownMetrics: this.unknownDeviceMetrics,
    });
    this.#handler = new RequestHandler(this);
    this.api = this.#handler;
    this.events = new EventHub(eventHubHostOf(this), { ...config.events, log: this.log });
    this.polling = new Polling(pollingHostOf(this, this.#handler), { ringDepth: config.polling.ringDepth });
  }

  /** True once every device is exported and until shutdown or a restart begins. */
  get isReady(): boolean {
    return this.#ready;
  }

  /** Whether the server is ready, and in words why not (what `/readyz` and the gRPC health service report; see readinessOf). */
  readiness(): Readiness {
    return readinessOf({
      isShuttingDown: this.#shuttingDown, isExported: this.#ready, serverId: this.serverId, userDevices: this.#devices.userDevices(),
      allDevices: this.allDevices(), hungAfterMs: this.watch.hungAfterMs, pending: this.#opts.registration?.pendingReason,
    });
  }

  get isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  #setReady(ready: boolean): void {
    if (this.#ready === ready) return;
    this.#ready = ready;
    this.#opts.onReadyChange?.(ready);
  }

  /** Class names in config order (admin class excluded). */
  classNames(): string[] {
    return this.#devices.classNames();
  }

  /** User devices in config order (admin excluded). */
  userDevices(): readonly DeviceEntry[] {
    return this.#devices.userDevices();
  }

  /** Every device, admin last. */
  allDevices(): DeviceEntry[] {
    return this.#devices.allDevices();
  }

  classOf(name: string): DeviceClass | undefined {
    if (name.toLowerCase() === "dserver") return this.#dserverClass;
    const found = this.#devices.findClassName(name);
    return found === undefined ? undefined : this.#opts.classes.get(found);
  }

  /** The tango_* counts of every device, admin last (what registerTangoMetrics reads). */
  deviceMetrics(): DeviceMetrics[] {
    return this.allDevices().map((e) => e.metrics);
  }

  /**
   * The entry for a device name (any case), exported or not. The bare name `dserver` is the admin
   * device (tango.proto: how a client knowing only host:port finds it).
   */
  findEntry(name: string): DeviceEntry | undefined {
    return this.#devices.find(name);
  }

  /** As findEntry, DeviceNotFound when there is none. */
  entry(name: string): DeviceEntry {
    return this.#devices.get(name);
  }

  /** The live device of an entry, or the reason it is not exported. */
  liveDevice(entry: DeviceEntry): Device {
    if (this.#shuttingDown) throw TangoErrors.shutdownInProgress();
    if (entry.device !== undefined) return entry.device;
    throw notExportedError(entry);
  }

  /**
   * Runs `fn` for one request: counted for draining, in `chain` (a new one when not given),
   * under `monitor` (spec §10.6: FIFO, re-entrant along the chain, API_CommandTimedOut after the
   * configured wait). `waits` gets the time spent waiting for the monitor: 0 when free,
   * re-entered or none, the whole wait when it timed out.
   */
  async serialize<T>(monitor: Monitor | undefined, fn: (chain: CallChain) => Promise<T>, waits?: DurationRecord,
    chain: CallChain = this.chains.start()): Promise<T> {
    if (this.#shuttingDown) throw TangoErrors.shutdownInProgress();
    this.#drain.enter();
    try {
      return await runUnder(monitor, chain, fn, waits);
    } finally {
      this.#drain.leave();
    }
  }

  /**
   * Builds and initialises one device (spec §9.2 step 2.5), then gives its attributes their
   * configuration and memorized values (attribute-persistence.ts) before it is exported; an init
   * failure leaves it unexported.
   */
  async #export(entry: DeviceEntry): Promise<void> {
    const host = deviceHostFor(this, entry, (device, names) => this.#handler.readOwnAttributes(device, names));
    const device = constructDevice(entry.cls, { name: entry.name, className: entry.className, logger: this.logging.loggerFor(entry.name), host });
    try {
      checkMandatoryProperties(device, entry, this.properties);
      await device.initDevice();
      applyAttributeConfiguration(device, entry, this.properties, this.log);
      await restoreMemorized(device, entry, this.properties, this.log);
      entry.device = device;
      entry.initError = undefined;
    } catch (err) {
      entry.initError = err;
      this.log.error({ err, device: entry.name }, "device init failed; device not exported");
      throw err;
    }
    this.#started(entry);
  }

  /** After an export, Init or DevRestart: polling goes on, and interface subscribers hear of a changed interface. */
  #started(entry: DeviceEntry): void {
    this.polling.deviceExported(entry);
    this.events.interfaceChanged(entry, true);
  }

  /** Unexports and deletes the device (see deleteInstance for `boundMs`). */
  async #unexport(entry: DeviceEntry, boundMs: number = this.config.monitorTimeoutMs): Promise<void> {
    const device = entry.device;
    this.polling.deviceUnexported(entry);
    entry.device = undefined;
    if (device === undefined) return;
    // Late side effects of this instance (events it pushes from a handler still running) go nowhere.
    entry.retired.add(device);
    await deleteInstance(device, entry.name, boundMs, this.log);
  }

  /** Before DevRestart or Init: frees a hung device's monitors (see hung-recovery.ts); true when it was hung. */
  recoverHung(entry: DeviceEntry): boolean {
    return recoverHung(entry, this.allDevices(), this.watch, this.config.monitorTimeoutMs, this.log);
  }

  /**
   * The export sequence (spec §9.2): with a database, its devices and properties first (waiting
   * for it until `signal` or the shutdown); user devices, the admin device last, their registration, the init hooks.
   */
  async start(signal?: AbortSignal): Promise<void> {
    this.watch.start();
    const registry = this.#opts.registration;
    if (registry !== undefined) {
      const found = await registry.prepare(this.userDevices().map(registeredOf), AbortSignal.any([signal ?? this.#stopping.signal, this.#stopping.signal]));
      for (const d of servedDevicesOf(found, this.#opts.classes, (name) => this.#devices.has(name), this.log)) {
        this.#devices.add(d.name, d.className, d.cls);
      }
    }
    await this.#exportAll();
    await this.#export(this.#devices.admin);
    await registry?.exported([this.#devices.admin, ...this.userDevices()].filter((e) => e.device !== undefined).map(registeredOf));
    await this.#serverInitHooks();
  }

  /** `chain`: the request doing this (the admin device's Init), whose monitors it may hold. */
  async #exportAll(chain?: CallChain): Promise<void> {
    for (const entry of this.userDevices()) {
      try {
        await this.serialize(entry.monitor, () => this.#export(entry), undefined, chain);
      } catch (err) {
        // #export logged an init failure; anything else (the monitor) is logged here. Readiness names it.
        if (entry.initError !== err) {
          entry.initError = err;
          this.log.error({ err, device: entry.name }, "device not exported");
        }
      }
    }
  }

  async #serverInitHooks(): Promise<void> {
    for (const entry of this.userDevices()) {
      if (entry.device !== undefined) await entry.device.serverInitHook();
    }
    this.#setReady(this.userDevices().every((e) => e.device !== undefined));
  }

  /**
   * Init of a user device (spec §9.4): deleteDevice + initDevice in place; `isHung` (see
   * recoverHung): a fresh instance instead, as DevRestart builds.
   */
  async reinit(entry: DeviceEntry, isHung = false): Promise<void> {
    if (isHung) {
      await this.#rebuild(entry);
      return;
    }
    const device = this.liveDevice(entry);
    await device.deleteDevice();
    await runtimeOf(device).tasks.abort(SHUTDOWN_GRACE_MS);
    try {
      await device.initDevice();
    } catch (err) {
      throw initFailure(err, entry, this.adminName);
    }
    // spec §9.4: after Init the memorized attributes written at init are written again.
    await restoreMemorized(device, entry, this.properties, this.log, true);
    this.#started(entry);
  }

  /** DevRestart (spec §9.4): destroy and rebuild one user device. */
  async restartDevice(name: string): Promise<void> {
    const entry = this.#devices.findUser(name);
    if (entry === undefined) throw TangoErrors.deviceNotFound(name, "Dserver::restart()");
    this.recoverHung(entry);
    await this.#rebuild(entry);
  }

  async #rebuild(entry: DeviceEntry): Promise<void> {
    await this.#unexport(entry);
    try {
      await this.#export(entry);
    } catch (err) {
      throw initFailure(err, entry, this.adminName);
    }
    await this.#opts.registration?.exported([registeredOf(entry)]);
    this.#setReady(this.userDevices().every((e) => e.device !== undefined));
  }

  /**
   * Admin Init and RestartServer (spec §9.4): destroy every user device, then build them all
   * again, in `chain` when a request that may hold the monitors does it (Init in BY_PROCESS).
   */
  async restartAll(chain?: CallChain): Promise<void> {
    this.#setReady(false);
    this.locks.table.clear();
    for (const entry of this.userDevices()) this.recoverHung(entry);
    for (const entry of [...this.userDevices()].reverse()) await this.#unexport(entry);
    await this.#exportAll(chain);
    await this.#opts.registration?.exported(this.userDevices().filter((e) => e.device !== undefined).map(registeredOf));
    await this.#serverInitHooks();
  }

  /** Kill (spec §9.3 item 7): the reply goes first; the process owner then shuts down. */
  requestKill(): void {
    setImmediate(() => this.#opts.onKill?.());
  }

  /** Runs `work` after the current reply is sent (RestartServer); failures are logged. */
  later(what: string, work: () => Promise<void>): void {
    setImmediate(() => {
      work().catch((err: unknown) => this.log.error({ err, what }, "deferred admin work failed"));
    });
  }

  /**
   * The unexport sequence (spec §9.3): refuse new requests, drain the ones in progress until the
   * grace period (`shutdownGraceMs`) ends, delete the devices in reverse order (within what is
   * left of the grace, at least SHUTDOWN_DELETE_FLOOR_MS in all), close the log files. Calls
   * still running then are cut: counted in the result and logged at error level. A second call
   * returns the first one's result.
   */
  shutdown(graceMs: number = this.config.shutdownGraceMs ?? SHUTDOWN_GRACE_MS): Promise<ShutdownResult> {
    return this.#shutdown ??= this.#runShutdown(graceMs);
  }

  async #runShutdown(graceMs: number): Promise<ShutdownResult> {
    const endMs = performance.now() + graceMs;
    this.#setReady(false);
    this.#shuttingDown = true;
    this.#stopping.abort(TangoErrors.shutdownInProgress());
    // STYLE §4: polling and events stop before the calls drain; streams end telling clients to resubscribe.
    this.polling.stopAll();
    this.events.close(TangoErrors.shutdownInProgress());
    const cutCalls = await this.#drain.settle(graceMs);
    if (cutCalls > 0) {
      this.log.error({ cutCalls, graceMs, calls: this.watch.describeRunning(10) }, "shutdown grace period over with calls in progress: they are cut");
    }
    this.watch.stop();
    // spec §9.3 item 3: the database hears of it before the devices are deleted.
    await this.#opts.registration?.unexport();
    const deleteByMs = Math.max(endMs, performance.now() + SHUTDOWN_DELETE_FLOOR_MS);
    for (const entry of [this.#devices.admin, ...[...this.userDevices()].reverse()]) {
      await this.#unexport(entry, Math.max(0, deleteByMs - performance.now()));
    }
    await this.properties.flush();
    this.logging.close();
    return { cutCalls };
  }

  /** The devices a client holds locked (the `tango_device_locked` gauge). */
  lockedDevices(): string[] {
    return this.locks.table.lockedDevices();
  }

  /** The store's counts (the `tango_store_*` metrics). */
  storeStats(): StoreStats {
    return this.properties.stats();
  }
}
