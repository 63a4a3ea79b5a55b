import { hostname, tmpdir } from "node:os";
import type { Logger } from "pino";
import { DevFailed, Reason, SerialModel, TangoErrors } from "../core/index.js";
import { runtimeOf, type Device } from "../device/index.js";
import { DeviceMetrics, UNKNOWN_DEVICE, type DurationRecord } from "../metrics/index.js";
import type { AttributeValue } from "../core/index.js";
import { CallChains, type CallChain } from "./call-chain.js";
import type { ServerConfig } from "./config.js";
import { DeviceEntry, type DeviceClass } from "./device-entry.js";
import { DeviceLogging } from "./device-logging.js";
import { Monitor } from "./monitor.js";
import { PropertyStore } from "./property-store.js";
import { RequestHandler } from "./request-handler.js";
import type { RequestApi } from "./request-api.js";
import { createDServerClass, type ServerAdmin } from "./dserver.js";
import { deviceHostFor, eventHubHostOf, pollingHostOf } from "./device-host.js";
import { applyAttributeProperties } from "./attribute-properties.js";
import { EventHub } from "./events/event-hub.js";
import { Polling } from "./polling/polling.js";
import { ADMIN_DEVICE_ALIAS, SHUTDOWN_GRACE_MS } from "../core/defaults.js";
import { AccessPolicy, type AccessOptions } from "./access/access-policy.js";

/** See DeviceServer.readiness. */
export interface Readiness {
  readonly isReady: boolean;
  readonly reason: string;
  /** What an operator should know though the server is ready (an open server on a public address). */
  readonly warnings?: readonly string[];
}

/** Options of a DeviceServer; everything from outside is passed in (STYLE §1). */
export interface DeviceServerOptions {
  /** Validated config with defaults applied (src/cli/load-config.ts). */
  readonly config: Readonly<ServerConfig>;
  /** Device classes by the names the config uses. */
  readonly classes: ReadonlyMap<string, DeviceClass>;
  /** Root logger; the server derives one child per device. */
  readonly logger: Logger;
  /** Host name reported by Info (default: os.hostname()). */
  readonly hostName?: string;
  /** Called with true once every device is exported, false when a restart or shutdown begins. */
  readonly onReadyChange?: (ready: boolean) => void;
  /** Called after the admin Kill command replied: the process should shut down. */
  readonly onKill?: () => void;
  /** spec §13: directory of `file` logging targets (TANGO_LOG_PATH, else the OS temp directory); config `logging.fileTargetDir` wins. */
  readonly logDir?: string;
  /** Tokens, certificates, rights (docs/security.md); none: every caller is ADMIN. */
  readonly access?: AccessOptions;
}

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
  readonly properties: PropertyStore;
  readonly api: RequestApi;
  /** The polling of every device (spec §11). */
  readonly polling: Polling;
  /** The event hub (spec §12). */
  readonly events: EventHub;
  /** Who callers are and what they may do: the adapters authenticate with it, the request handler decides. */
  readonly access: AccessPolicy;
  readonly #handler: RequestHandler;
  /** The tango_* counts of requests naming no device of this server (never the name sent). */
  readonly unknownDeviceMetrics = new DeviceMetrics(UNKNOWN_DEVICE, () => undefined);
  readonly #opts: DeviceServerOptions;
  readonly #entries = new Map<string, DeviceEntry>();
  readonly #order: DeviceEntry[] = [];
  readonly #classOrder: string[] = [];
  #admin: DeviceEntry;
  readonly #dserverClass: DeviceClass;
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #shuttingDown = false;
  #ready = false;
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
    this.properties = new PropertyStore(config.storePath);
    const model = SerialModel[config.serialization];
    const processMonitor = new Monitor("process", config.monitorTimeoutMs);
    const classMonitors = new Map<string, Monitor>();
    const add = (name: string, className: string, cls: DeviceClass): DeviceEntry => {
      const own = new Monitor(name, config.monitorTimeoutMs);
      let classMonitor = classMonitors.get(className);
      if (classMonitor === undefined) classMonitors.set(className, classMonitor = new Monitor(className, config.monitorTimeoutMs));
      const monitor = model === SerialModel.BY_DEVICE ? own : model === SerialModel.BY_CLASS ? classMonitor
        : model === SerialModel.BY_PROCESS ? processMonitor : undefined;
      const entry = new DeviceEntry(name, className, cls, config.blackboxDepth, monitor, own);
      if (this.#entries.has(name.toLowerCase())) throw new TypeError(`device ${name} is configured twice`);
      this.#entries.set(name.toLowerCase(), entry);
      return entry;
    };
    for (const c of config.classes) {
      const cls = opts.classes.get(c.name);
      if (cls === undefined) {
        throw new TypeError(`class ${c.name} is not known to this server (known: ${[...opts.classes.keys()].join(", ")})`);
      }
      this.#classOrder.push(c.name);
      this.properties.configure(`class:${c.name}`, normalise(c.properties));
      for (const d of c.devices) {
        this.properties.configure(d.name, normalise(d.properties));
        const entry = add(d.name, c.name, cls);
        entry.attributeProperties = d.attributeProperties;
        this.#order.push(entry);
      }
    }
    // spec §10.6: admin commands follow the server's model; in BY_PROCESS they share its lock.
    this.#dserverClass = createDServerClass(this);
    this.#admin = add(this.adminName, "DServer", this.#dserverClass);
    this.#handler = new RequestHandler(this);
    this.api = this.#handler;
    this.events = new EventHub(eventHubHostOf(this), { ...config.events, log: this.log });
    this.polling = new Polling(pollingHostOf(this, this.#handler), { ringDepth: config.polling.ringDepth });
  }

  /** True once every device is exported and until shutdown or a restart begins. */
  get isReady(): boolean {
    return this.#ready;
  }

  /**
   * Whether the server is ready (what `/readyz` and the gRPC health service report), and in
   * words why not: shutting down, a device whose init failed, or devices still being exported.
   */
  readiness(): Readiness {
    if (this.#shuttingDown) return { isReady: false, reason: "the device server is shutting down" };
    if (this.#ready) return { isReady: true, reason: `every device of ${this.serverId} is exported` };
    const failed = this.#order.find((e) => e.device === undefined && e.initError !== undefined);
    if (failed !== undefined) {
      const cause = failed.initError instanceof Error ? failed.initError.message : String(failed.initError);
      return { isReady: false, reason: `device ${failed.name} is not exported: its init failed (${cause})` };
    }
    return { isReady: false, reason: "the devices are being exported" };
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
    return [...this.#classOrder];
  }

  /** User devices in config order (admin excluded). */
  userDevices(): readonly DeviceEntry[] {
    return this.#order;
  }

  /** Every device, admin last. */
  allDevices(): DeviceEntry[] {
    return [...this.#order, this.#admin];
  }

  classOf(name: string): DeviceClass | undefined {
    if (name.toLowerCase() === "dserver") return this.#dserverClass;
    const found = this.#classOrder.find((c) => c.toLowerCase() === name.toLowerCase());
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
    const key = name.toLowerCase();
    return this.#entries.get(key) ?? (key === ADMIN_DEVICE_ALIAS ? this.#admin : undefined);
  }

  /** As findEntry, DeviceNotFound when there is none. */
  entry(name: string): DeviceEntry {
    const e = this.findEntry(name);
    if (e === undefined) throw TangoErrors.deviceNotFound(name);
    return e;
  }

  /** The live device of an entry, or the reason it is not exported. */
  liveDevice(entry: DeviceEntry): Device {
    if (this.#shuttingDown) throw TangoErrors.shutdownInProgress();
    if (entry.device !== undefined) return entry.device;
    if (entry.initError !== undefined) {
      throw DevFailed.from(entry.initError, `${entry.className}::init_device`).withFrame({
        reason: Reason.InitThrowsException, desc: `Device ${entry.name} is not exported: its init failed`, origin: "DeviceServer::device",
      });
    }
    throw TangoErrors.deviceNotFound(entry.name);
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
    this.#inFlight++;
    try {
      if (monitor === undefined) {
        waits?.observe(0);
        return await fn(chain);
      }
      const wait = monitor.acquire(chain);
      if (wait === undefined) waits?.observe(0);
      else {
        const startMs = performance.now();
        try {
          await wait;
        } finally {
          waits?.observe((performance.now() - startMs) / 1000);
        }
      }
      try {
        return await fn(chain);
      } finally {
        monitor.release();
      }
    } finally {
      if (--this.#inFlight === 0) this.#drained?.();
    }
  }

  /** Builds and initialises one device (spec §9.2 step 2.5); an init failure leaves it unexported. */
  async #export(entry: DeviceEntry): Promise<void> {
    const host = deviceHostFor(this, entry, (device, names) => this.#handler.readOwnAttributes(device, names));
    const device = new entry.cls({ name: entry.name, className: entry.className, logger: this.logging.loggerFor(entry.name), host });
    try {
      const missing = runtimeOf(device).decls.properties.find((p) => p.mandatory && this.properties.get(p.scope === "class" ? `class:${entry.className}` : entry.name, p.name) === undefined);
      if (missing !== undefined) {
        throw DevFailed.of(Reason.BadConfigurationProperty, `Mandatory property ${missing.name} of ${entry.name} is not set`, "DeviceServer::export");
      }
      await device.initDevice();
      applyAttributeProperties(device, entry.attributeProperties);
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

  async #unexport(entry: DeviceEntry): Promise<void> {
    const device = entry.device;
    this.polling.deviceUnexported(entry);
    entry.device = undefined;
    if (device === undefined) return;
    try {
      await device.deleteDevice();
    } catch (err) {
      this.log.error({ err, device: entry.name }, "deleteDevice failed");
    }
    await runtimeOf(device).tasks.abort(SHUTDOWN_GRACE_MS);
  }

  /** The export sequence (spec §9.2): user devices in config order, the admin device last, then the init hooks. */
  async start(): Promise<void> {
    await this.#exportAll();
    await this.#export(this.#admin);
    await this.#serverInitHooks();
  }

  /** `chain`: the request doing this (the admin device's Init), whose monitors it may hold. */
  async #exportAll(chain?: CallChain): Promise<void> {
    for (const entry of this.#order) {
      try {
        await this.serialize(entry.monitor, () => this.#export(entry), undefined, chain);
      } catch {
        // logged by #export; the device stays unexported and the server keeps serving the others
      }
    }
  }

  async #serverInitHooks(): Promise<void> {
    for (const entry of this.#order) {
      if (entry.device !== undefined) await entry.device.serverInitHook();
    }
    this.#setReady(this.#order.every((e) => e.device !== undefined));
  }

  /** Init of a user device (spec §9.4): deleteDevice + initDevice in place. */
  async reinit(entry: DeviceEntry): Promise<void> {
    const device = this.liveDevice(entry);
    await device.deleteDevice();
    await runtimeOf(device).tasks.abort(SHUTDOWN_GRACE_MS);
    try {
      await device.initDevice();
    } catch (err) {
      throw DevFailed.from(err, `${entry.className}::init_device`).withFrame(TangoErrors.initThrowsException(this.adminName).errors[0]);
    }
    this.#started(entry);
  }

  /** DevRestart (spec §9.4): destroy and rebuild one user device. */
  async restartDevice(name: string): Promise<void> {
    const entry = this.#entries.get(name.toLowerCase());
    if (entry === undefined || entry === this.#admin) throw TangoErrors.deviceNotFound(name);
    await this.#unexport(entry);
    try {
      await this.#export(entry);
    } catch (err) {
      throw DevFailed.from(err, `${entry.className}::init_device`).withFrame(TangoErrors.initThrowsException(this.adminName).errors[0]);
    }
    this.#setReady(this.#order.every((e) => e.device !== undefined));
  }

  /**
   * Admin Init and RestartServer (spec §9.4): destroy every user device, then build them all
   * again, in `chain` when a request that may hold the monitors does it (Init in BY_PROCESS).
   */
  async restartAll(chain?: CallChain): Promise<void> {
    this.#setReady(false);
    for (const entry of [...this.#order].reverse()) await this.#unexport(entry);
    await this.#exportAll(chain);
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
   * The unexport sequence (spec §9.3): refuse new requests, drain the ones in progress (bounded),
   * delete the devices in reverse order, close the log files.
   */
  async shutdown(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    if (this.#shuttingDown) return;
    this.#setReady(false);
    this.#shuttingDown = true;
    // STYLE §4: polling and events stop before the calls drain; streams end telling clients to resubscribe.
    this.polling.stopAll();
    this.events.close(TangoErrors.shutdownInProgress());
    if (this.#inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
      if (this.#inFlight > 0) this.log.warn({ inFlight: this.#inFlight }, "shutdown grace period over with calls in progress");
    }
    for (const entry of [this.#admin, ...[...this.#order].reverse()]) await this.#unexport(entry);
    this.logging.close();
  }
}

function normalise(props: Readonly<Record<string, unknown>> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(props ?? {})) out[k] = Array.isArray(v) ? v.map(String) : [String(v)];
  return out;
}
