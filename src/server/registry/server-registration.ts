import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { DevFailed, Reason } from "../../core/index.js";
import { SERVER_IDL_VERSION } from "../../core/defaults.js";
import { refuseIfAlreadyRunning, ServerAlreadyRunning, type AdminPing } from "./already-running.js";
import { describeFailure, isUnreachable, type DatabaseLink } from "./database-link.js";
import type { DatabaseStore } from "./database-store.js";
import { parseServerCache, type ServerCache } from "./server-cache.js";
import type { RegisteredDevice, ServerRegistry } from "./server-registry.js";

/** The DataBase device's reason for a device it does not have (the reference's misuse errors). */
const DB_DEVICE_NOT_DEFINED = "DB_DeviceNotDefined";
/** DbExportDevice calls in flight at once: enough to keep the database busy (a 1,000-device server registers in a fifth less time than with 16), few enough not to flood it. */
const EXPORTS_IN_FLIGHT = 64;
const ORIGIN = "DServer::register";

/** Options of a ServerRegistration. */
export interface ServerRegistrationOptions {
  readonly link: DatabaseLink;
  /** The store the database's properties are loaded into (the server's store). */
  readonly store: DatabaseStore;
  readonly log: Logger;
  /** `<server>/<instance>`. */
  readonly serverId: string;
  /** `dserver/<server>/<instance>`. */
  readonly adminName: string;
  /** The host name DbExportDevice gives (the process's host). */
  readonly hostName: string;
  readonly pid: number;
  /** Where clients reach the server (`host:port`, the advertised address); undefined until it listens. */
  readonly address: () => string | undefined;
  /** The server speaks TLS: its address is registered as `grpcs://`, which clients dial with TLS. */
  readonly isTls: boolean;
  /** First wait after a failed try at start, ms; doubled each time up to `retryMaxMs`. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** How often the running server checks its registration, ms. */
  readonly checkIntervalMs: number;
  /** Pings the admin device where the database has it exported: is this server already running? */
  readonly pingAdmin: AdminPing;
}

/**
 * A device server's registration in the Tango database (spec §9.2, §9.3, §15; RFC 8 "Device
 * Export"): at start it reads its devices and properties (DbGetDataForServerCache), adding the
 * configured devices the database lacks (DbAddServer); it registers each device it exports with
 * the address clients must dial (DbExportDevice `[name, grpc://<address>, host, pid, version]`,
 * `grpcs://` over TLS),
 * and unexports the server at shutdown (DbUnExportServer). It refuses to start when the database
 * has the server exported and its admin device answers there (already-running.ts). A database
 * that is down at start is waited for, with exponential backoff, logged and told by
 * `pendingReason`. While the server runs it checks every `checkIntervalMs` that the database
 * still has it exported, and registers again
 * after the database was unreachable, lost the server, or had it unexported.
 *
 * @internal
 */
export class ServerRegistration implements ServerRegistry {
  readonly #opts: ServerRegistrationOptions;
  readonly #log: Logger;
  /** The devices registered as exported, by lower-case name, in the order they were exported. */
  readonly #exported = new Map<string, RegisteredDevice>();
  #pending: string | undefined;
  /** The last registration of the exported devices went through. */
  #isRegistered = false;
  /** The last call found the database unreachable (logged once). */
  #isUnreachable = false;
  /** The check found the admin device exported at another address (logged once). */
  #isTakenOver = false;
  readonly #stop = new AbortController();
  #watching: Promise<void> | undefined;

  constructor(opts: ServerRegistrationOptions) {
    this.#opts = opts;
    this.#log = opts.log.child({ tangoHost: opts.link.tangoHost });
  }

  get pendingReason(): string | undefined {
    return this.#pending;
  }

  /** The IOR field of DbExportDevice: the address clients must dial. */
  get #ior(): string {
    return `${this.#opts.isTls ? "grpcs" : "grpc"}://${this.#opts.address() ?? "(not listening)"}`;
  }

  async prepare(configured: readonly RegisteredDevice[], signal: AbortSignal): Promise<readonly RegisteredDevice[]> {
    const { link, retryMaxMs } = this.#opts;
    let waitMs = Math.min(this.#opts.retryMinMs, retryMaxMs);
    this.#pending = `reading the devices of ${this.#opts.serverId} from the database at ${link.tangoHost}`;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        const extra = await this.#read(configured, signal);
        if (attempt > 1) this.#log.info({ attempt }, "the database answered");
        this.#pending = undefined;
        return extra;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof NotDefined) throw err.failure;
        if (err instanceof ServerAlreadyRunning) throw err;
        this.#pending = `waiting for the database at ${link.tangoHost}: try ${attempt} failed (${describeFailure(err)}); next try in ${waitMs} ms`;
        this.#log.warn({ attempt, retryInMs: waitMs, error: describeFailure(err) }, "the database could not be read; trying again before exporting the devices");
      }
      await sleep(waitMs, undefined, { signal });
      waitMs = Math.min(waitMs * 2, retryMaxMs);
    }
  }

  /** One try of prepare. */
  async #read(configured: readonly RegisteredDevice[], signal: AbortSignal): Promise<readonly RegisteredDevice[]> {
    let cache = await this.#serverCache(signal);
    await refuseIfAlreadyRunning(cache.adminImport, { adminName: this.#opts.adminName, ping: this.#opts.pingAdmin, log: this.#log }, signal);
    if (!cache.isDefined && configured.length === 0) {
      throw new NotDefined(DevFailed.of(Reason.DatabaseAccess,
        `The device server ${this.#opts.serverId} is not defined in the database at ${this.#opts.link.tangoHost}: ` +
        "add its devices to the database, or give a config that lists them", ORIGIN));
    }
    const known = new Map(cache.devices.map((d) => [d.name.toLowerCase(), d.className.toLowerCase()]));
    const missing = configured.filter((d) => known.get(d.name.toLowerCase()) !== d.className.toLowerCase());
    if (missing.length > 0) {
      await this.#opts.link.command("DbAddServer", [this.#opts.serverId, ...missing.flatMap((d) => [d.name, d.className])], signal);
      this.#log.info({ devices: missing.map((d) => d.name) }, "configured devices added to the database");
      cache = await this.#serverCache(signal);
    }
    const { store } = this.#opts;
    store.load(this.#opts.adminName, cache.adminProperties);
    for (const c of cache.classes) {
      store.load(`class:${c.name}`, c.properties);
      store.loadAttributes(`class:${c.name}`, c.attributeProperties);
    }
    for (const d of cache.devices) {
      store.load(d.name, d.properties);
      store.loadAttributes(d.name, d.attributeProperties);
    }
    const isConfigured = new Set(configured.map((d) => d.name.toLowerCase()));
    const extra = cache.devices.filter((d) => !isConfigured.has(d.name.toLowerCase())).map((d) => ({ name: d.name, className: d.className }));
    this.#log.info({ devices: cache.devices.length, fromDatabase: extra.length }, "read the server's devices and properties from the database");
    return extra;
  }

  async #serverCache(signal: AbortSignal): Promise<ServerCache> {
    const reply = await this.#opts.link.command("DbGetDataForServerCache", [this.#opts.serverId, this.#opts.hostName], signal);
    if (!Array.isArray(reply) || !reply.every((x) => typeof x === "string")) {
      throw new Error("DbGetDataForServerCache did not answer a list of strings");
    }
    return parseServerCache(reply);
  }

  async exported(devices: readonly RegisteredDevice[]): Promise<void> {
    if (this.#stop.signal.aborted) return;
    for (const d of devices) this.#exported.set(d.name.toLowerCase(), d);
    const failed = await this.#export(devices);
    if (failed !== undefined) {
      this.#isRegistered = false;
      this.#isUnreachable ||= isUnreachable(failed);
      this.#log.error({ error: describeFailure(failed) },
        "devices could not be registered in the database; they are served, and registered again once the database answers");
    } else if (this.#exported.size === devices.length) {
      this.#isRegistered = true;
    }
    this.#watching ??= this.#watch(this.#stop.signal);
  }

  /** DbExportDevice for each device, a few at a time; resolves with the first failure, if any. */
  async #export(devices: readonly RegisteredDevice[]): Promise<unknown> {
    const { hostName, pid, link } = this.#opts;
    const ior = this.#ior;
    const queue = [...devices];
    let failure: unknown;
    const worker = async (): Promise<void> => {
      for (let d = queue.shift(); d !== undefined && failure === undefined; d = queue.shift()) {
        try {
          await link.command("DbExportDevice", [d.name, ior, hostName, String(pid), String(SERVER_IDL_VERSION)], this.#stop.signal);
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(EXPORTS_IN_FLIGHT, devices.length) }, worker));
    if (failure === undefined && devices.length > 0) this.#log.debug({ devices: devices.length, ior }, "devices registered in the database");
    return failure;
  }

  /** The check loop: owned by this object, ended by unexport(). */
  async #watch(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await sleep(this.#opts.checkIntervalMs, undefined, { signal });
        await this.#check(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.#log.error({ error: describeFailure(err) }, "the check of the database registration failed");
      }
    }
  }

  /** Asks the database for the admin device (DbImportDevice) and registers again when needed. */
  async #check(signal: AbortSignal): Promise<void> {
    let needs: "add" | "export" | undefined;
    try {
      const reply = await this.#opts.link.command("DbImportDevice", this.#opts.adminName, signal) as { lvalue?: readonly number[]; svalue?: readonly string[] };
      if (this.#isUnreachable) this.#log.info("the database answers again");
      this.#isUnreachable = false;
      const isExported = reply.lvalue?.[0] === 1;
      const isTakenOver = this.#isRegistered && isExported && reply.svalue?.[1] !== this.#ior;
      if (isTakenOver && !this.#isTakenOver) {
        this.#log.warn({ ior: reply.svalue?.[1] }, "the database has this server's admin device exported at another address; it is left so");
      }
      this.#isTakenOver = isTakenOver;
      if (!this.#isRegistered || !isExported) needs = "export";
    } catch (err) {
      if (signal.aborted) return;
      if (isUnreachable(err)) {
        if (!this.#isUnreachable) this.#log.warn({ error: describeFailure(err) }, "the database cannot be reached; the server goes on serving");
        this.#isUnreachable = true;
        return;
      }
      if (!(err instanceof DevFailed) || !err.errors.some((e) => e.reason === DB_DEVICE_NOT_DEFINED)) throw err;
      needs = "add";
    }
    if (needs !== undefined) await this.#registerAgain(needs === "add", signal);
  }

  /** Registers every exported device again, adding them first when the database lost the server. */
  async #registerAgain(isAdding: boolean, signal: AbortSignal): Promise<void> {
    const devices = [...this.#exported.values()];
    const users = devices.filter((d) => d.name.toLowerCase() !== this.#opts.adminName.toLowerCase());
    if (isAdding && users.length > 0) {
      await this.#opts.link.command("DbAddServer", [this.#opts.serverId, ...users.flatMap((d) => [d.name, d.className])], signal);
    }
    const failed = await this.#export(devices);
    if (failed !== undefined) throw failed;
    this.#isRegistered = true;
    this.#log.info({ devices: devices.length, isAdded: isAdding }, "registered in the database again");
  }

  async unexport(): Promise<void> {
    this.#stop.abort();
    await this.#watching;
    if (this.#exported.size === 0) return;
    try {
      // A fresh signal: the stop above aborted the registration's own.
      await this.#opts.link.command("DbUnExportServer", this.#opts.serverId);
      this.#log.info("server unexported from the database");
    } catch (err) {
      // spec §9.3 item 3: errors of DbUnExportServer are ignored; said here so an operator knows.
      this.#log.warn({ error: describeFailure(err) }, "the server could not be unexported from the database");
    }
  }
}

/** The database does not know the server and the config names no device: nothing to serve. */
class NotDefined extends Error {
  constructor(readonly failure: DevFailed) {
    super(failure.message);
  }
}
