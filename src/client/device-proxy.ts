import {
  DevFailed, EventType, coerce, type DevError, type PipeConfig, type PipeConfigUpdate,
} from "../core/index.js";
import { ADMIN_DEVICE_ALIAS, CLIENT_LOCK_VALIDITY_S } from "../core/defaults.js";
import {
  decodeAttributeValue, decodeCommandHistoryRecord, type WireAttributeHistoryReply, type WireCommandHistoryReply,
} from "../grpc/wire.js";
import { AdminCommands } from "./admin-commands.js";
import { ClientErrors } from "./client-errors.js";
import { DeviceLock } from "./device-lock.js";
import { toDeviceAttribute } from "./device-attribute.js";
import type { EventCallback, EventData, EventsOptions, SubscribeOptions } from "./event-data.js";
import { EventSubscriptions } from "./event-subscriptions.js";
import { PipeCalls, type DevicePipe, type PipeInput } from "./pipe-calls.js";
import { findPolled, pollPeriodOf } from "./poll-status-text.js";
import type { Operation } from "./invoker.js";
import type { NameKind } from "./naming.js";
import { ProxyCore } from "./proxy-core.js";
import { op } from "./proxy-operations.js";
import { parseAddress, type Trl } from "./trl.js";
import type {
  CallOptions, CommandHistoryEntry, DeviceAttribute, DeviceProxyOptions, LockerInfo, TangoValue,
} from "./types.js";
import { decodingReply } from "./value-input.js";

/**
 * A client of one Tango device (PyTango's `DeviceProxy`), over tango.v1.Device.
 *
 * ```ts
 * const dev = new DeviceProxy("tango://localhost:50051/sys/tg_test/1");
 * try {
 *   await dev.writeAttribute("double_scalar", 2.5);
 *   const { value, quality } = await dev.readAttribute("double_scalar");
 *   const id = await dev.subscribeEvent("double_scalar", EventType.CHANGE_EVENT, (ev) => console.log(ev.value?.value));
 * } finally {
 *   dev.close();
 * }
 * ```
 *
 * With a Tango database (TANGO_HOST, or the `tangoHost` option), a device is named without its
 * server's address: `new DeviceProxy("sys/tg_test/1")`, or by its alias. The database is asked
 * where the server is (DbImportDevice) when the proxy connects, and again each time it
 * reconnects, so a server restarted on another address is found; see parseTrl for every form.
 *
 * Creating a proxy does not connect: the first call does, and later calls reconnect as spec
 * §10.3 says (see `DeviceProxyOptions.transparentReconnection`). Every method rejects with a
 * DevFailed: the server's error stack with the client's frame on top (API_CommandFailed,
 * API_AttributeFailed), or a client reason (API_DeviceTimedOut, API_ServerNotRunning,
 * API_CantConnectToDevice, API_CommunicationFailed; through the database API_DeviceNotExported,
 * API_DeviceNotDefined, API_CantConnectToDatabase). Event subscriptions share the proxy's
 * connection and come back by themselves after the server restarts.
 *
 * Each proxy is its own client for locking (`lock`): it sends a random id (`proxyId`) with its
 * host and PID, so two proxies of one process are two lock owners.
 */
export class DeviceProxy extends ProxyCore {
  readonly #options: DeviceProxyOptions;
  readonly #events: EventSubscriptions;
  readonly #lock: DeviceLock;
  readonly #pipes: PipeCalls;
  #admin: Promise<DeviceProxy> | undefined;

  /**
   * @param trl `tango://host:port/domain/family/member#dbase=no` (the server itself);
   *   `sys/tg_test/1` or an alias, with TANGO_HOST or `options.tangoHost` (through the Tango
   *   database); `tango://db:10000/sys/tg_test/1`; see parseTrl. Or a parsed Trl.
   * @param kind `"attribute"`: a one-field name is an attribute alias (AttributeProxy). @internal
   * @throws DevFailed API_WrongDeviceNameSyntax (a name without host:port when no database is
   *   set, too), API_UnsupportedProtocol, API_UnsupportedDBaseModifier, API_TangoHostNotSet
   */
  constructor(trl: string | Trl, options: DeviceProxyOptions = {}, kind: NameKind = "device") {
    super(trl, options, kind);
    this.#options = options;
    const proxy = this;
    this.#events = new EventSubscriptions(this.connection, {
      get device() { return proxy.name; },
      get timeoutMs() { return proxy.timeoutMs; },
      arrayEncoding: this.arrayEncoding,
      connect: (timeoutMs) => this.connect({ timeoutMs }),
    });
    const adminCommands = new AdminCommands({
      arrayEncoding: this.arrayEncoding,
      adminName: (opts) => this.adminName(opts),
      invoke: (method, fields, operation, opts, onServerError) => this.invokeMethod(method, fields, operation, opts, onServerError),
    });
    this.#lock = new DeviceLock({
      get device() { return proxy.name; },
      pid: options.identity?.pid ?? process.pid,
      get generation() { return proxy.connection.generation; },
      adminCommand: (command, argin, opts) => adminCommands.run(command, argin, opts),
    });
    this.#pipes = new PipeCalls({
      get device() { return proxy.name; },
      arrayEncoding: this.arrayEncoding,
      invoke: (method, fields, operation, opts) => this.invokeMethod(method, fields, operation, opts),
    });
  }

  /**
   * A proxy on the admin device (`dserver/<server>/<instance>`) of the server at `host:port`,
   * whatever its name: asks the server (tango.proto's `dserver` alias), then names it properly.
   */
  static async adminOf(address: string, options: DeviceProxyOptions = {}): Promise<DeviceProxy> {
    const { host, port, address: target } = parseAddress(address);
    const alias = new DeviceProxy({
      host, port, address: target, device: ADMIN_DEVICE_ALIAS, attribute: undefined, property: undefined, dbase: "no",
    }, options);
    try {
      const admName = (await alias.info()).admName;
      return new DeviceProxy(`tango://${target}/${admName}#dbase=no`, options);
    } finally {
      alias.close();
    }
  }

  /**
   * Subscribes to events of an attribute (spec §12) and resolves to the subscription's id once
   * the server accepted it; `callback` first gets the current value, then each event, in order.
   * Refusals reject with cppTango's reasons: API_AttrNotFound, API_AttributePollingNotStarted
   * (change, periodic, archive and alarm events need the attribute polled, or pushed by the
   * device), API_EventPropertiesNotSet (no abs_change or rel_change). A server that cannot be
   * reached does not reject unless `options.stateless` is false: the subscription waits for it.
   * Interface-change events are about the device: `subscribeEvent(EventType.INTERFACE_CHANGE_EVENT, callback)`.
   * Pipe events name the pipe, `subscribeEvent("thePipe", EventType.PIPE_EVENT, callback)`, and carry it in `event.pipe`.
   */
  subscribeEvent<V = TangoValue>(attribute: string, eventType: EventType, callback: EventCallback<V>, options?: SubscribeOptions): Promise<number>;
  subscribeEvent(eventType: EventType.INTERFACE_CHANGE_EVENT, callback: EventCallback, options?: SubscribeOptions): Promise<number>;
  subscribeEvent<V = TangoValue>(
    first: string | EventType, second: EventType | EventCallback<V>, third?: EventCallback<V> | SubscribeOptions, fourth?: SubscribeOptions,
  ): Promise<number> {
    if (typeof first === "string") {
      return this.#events.subscribe(first, second as EventType, third as EventCallback, fourth);
    }
    return this.#events.subscribe("", first, second as EventCallback, third as SubscribeOptions | undefined);
  }

  /** Ends a subscription (its callback gets nothing more). Throws API_EventNotFound for an unknown id. */
  unsubscribeEvent(id: number): void {
    this.#events.unsubscribe(id);
  }

  /**
   * The events of an attribute as an async iterator, until `options.signal` aborts or the loop
   * stops (either way the subscription ends): `for await (const ev of dev.events("x", EventType.CHANGE_EVENT, { signal }))`.
   * A refused subscription rejects the first `next()`. Events wait in a bounded queue while the
   * loop is busy; when it overflows the oldest go and the next event says how many in `missed`.
   */
  async *events<V = TangoValue>(attribute: string, eventType: EventType, options: EventsOptions = {}): AsyncGenerator<EventData<V>, void, undefined> {
    const { signal } = options;
    signal?.throwIfAborted();
    const depth = options.queueDepth ?? 1000;
    const queue: EventData<V>[] = [];
    let dropped = 0;
    let wake: (() => void) | undefined;
    const id = await this.subscribeEvent<V>(attribute, eventType, (event) => {
      if (queue.length >= depth) {
        queue.shift();
        dropped++;
      }
      queue.push(event);
      wake?.();
    }, options);
    const onAbort = (): void => wake?.();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (signal?.aborted !== true) {
        const event = queue.shift();
        if (event === undefined) {
          await new Promise<void>((resolve) => { wake = resolve; });
          wake = undefined;
          continue;
        }
        const missed = dropped;
        dropped = 0;
        yield missed > 0 ? { ...event, missed: event.missed + missed } : event;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.unsubscribeEvent(id);
    }
  }

  /**
   * The newest `n` records of a polled attribute from the server's polling buffer, oldest first
   * (PyTango's `attribute_history`); a failed read carries its `error`. Rejects with
   * API_AttrNotPolled or API_NoDataYet.
   */
  async attributeHistory<V = TangoValue>(attribute: string, n: number, opts?: CallOptions): Promise<DeviceAttribute<V>[]> {
    const reply = await this.invokeMethod<WireAttributeHistoryReply>("ReadAttributeHistory",
      { name: attribute, n, array_encoding: this.arrayEncoding }, op("read_attribute_history", true), opts,
      (df) => df.withFrame(ClientErrors.readFailedFrame(this.name, attribute)));
    return decodingReply(this.name, "read_attribute_history",
      () => reply.values.map((w) => toDeviceAttribute(decodeAttributeValue(w), this.name) as DeviceAttribute<V>));
  }

  /** The newest `n` results of a polled command, oldest first (PyTango's `command_history`). */
  async commandHistory<T = TangoValue>(command: string, n: number, opts?: CallOptions): Promise<CommandHistoryEntry<T>[]> {
    const reply = await this.invokeMethod<WireCommandHistoryReply>("CommandInoutHistory",
      { name: command, n, array_encoding: this.arrayEncoding }, op("command_inout_history", true), opts,
      (df) => df.withFrame(ClientErrors.commandFailedFrame(this.name, command)));
    return decodingReply(this.name, "command_inout_history", () => reply.records.map((w) => {
      const r = decodeCommandHistoryRecord(w);
      const date = new Date(r.time.sec * 1000 + Math.floor(r.time.usec / 1000));
      if (r.errors !== undefined) return { time: r.time, date, value: undefined, error: new DevFailed(r.errors as [DevError, ...DevError[]]) };
      return { time: r.time, date, value: r.value === undefined ? undefined : coerce(r.value.type, r.value.value) as T };
    }));
  }

  /**
   * Reads a pipe (spec §8): its name, time and blob, each data element's value in its canonical
   * form (see TangoValue). A failure has cppTango's API_PipeFailed frame on top of the server's
   * API_PipeNotFound, API_PipeNotAllowed or API_PipeValueNotSet.
   */
  async readPipe(name: string, opts?: CallOptions): Promise<DevicePipe> {
    return this.#pipes.readPipe(name, opts);
  }

  /**
   * Writes a read-write pipe: a PipeBlob, a builder (`pipeBlob("b").add("x", CmdArgType.DevShort, 3)`)
   * or a record of inferred types (`{ x: 1.5, names: ["a"] }`). The blob is checked first:
   * API_PipeNoDataElement, API_PipeDuplicateDEName, API_PipeWrongArg; the server may refuse with
   * API_PipeNotWritable or API_PipeNotAllowed (under API_PipeFailed).
   */
  async writePipe(name: string, blob: PipeInput, opts?: CallOptions): Promise<void> {
    await this.#pipes.writePipe(name, blob, opts);
  }

  /** Writes a read-write pipe and reads it back in one call (as writePipe, then readPipe). */
  async writeReadPipe(name: string, blob: PipeInput, opts?: CallOptions): Promise<DevicePipe> {
    return this.#pipes.writeReadPipe(name, blob, opts);
  }

  /** One pipe's configuration, or several (`[]`: every pipe's). */
  getPipeConfig(name: string, opts?: CallOptions): Promise<PipeConfig>;
  getPipeConfig(names: readonly string[], opts?: CallOptions): Promise<PipeConfig[]>;
  async getPipeConfig(names: string | readonly string[], opts?: CallOptions): Promise<PipeConfig | PipeConfig[]> {
    const configs = await this.#pipes.getPipeConfig(typeof names === "string" ? [names] : names, opts);
    return typeof names === "string" ? PipeCalls.single(configs, names) : configs;
  }

  /** Changes pipe labels and descriptions (all or nothing); only the fields given change. */
  async setPipeConfig(updates: PipeConfigUpdate | readonly PipeConfigUpdate[], opts?: CallOptions): Promise<void> {
    await this.#pipes.setPipeConfig(Array.isArray(updates) ? updates : [updates as PipeConfigUpdate], opts);
  }

  /** Every pipe name (PyTango's `get_pipe_list`). */
  async pipeList(opts?: CallOptions): Promise<string[]> {
    return (await this.#pipes.getPipeConfig([], opts)).map((c) => c.name);
  }

  /** Polls an attribute every `periodMs` (or changes its period), through the admin device (PyTango's `poll_attribute`). */
  async pollAttribute(attribute: string, periodMs: number, opts?: CallOptions): Promise<void> {
    await this.#poll("attribute", attribute, periodMs, opts);
  }

  /** Stops polling an attribute (API_PollObjNotFound when it is not polled). */
  async stopPollAttribute(attribute: string, opts?: CallOptions): Promise<void> {
    await (await this.#adminProxy()).commandInout("RemObjPolling", [this.name, "attribute", attribute], opts);
  }

  /** Polls a command (one without input) every `periodMs`, or changes its period. */
  async pollCommand(command: string, periodMs: number, opts?: CallOptions): Promise<void> {
    await this.#poll("command", command, periodMs, opts);
  }

  /** Stops polling a command. */
  async stopPollCommand(command: string, opts?: CallOptions): Promise<void> {
    await (await this.#adminProxy()).commandInout("RemObjPolling", [this.name, "command", command], opts);
  }

  /** The polling period of an attribute in ms; 0 when it is not polled or polled from outside. */
  async getAttributePollPeriod(attribute: string, opts?: CallOptions): Promise<number> {
    return pollPeriodOf(await this.pollingStatus(opts), "attribute", attribute);
  }

  /** The polling period of a command in ms; 0 when it is not polled. */
  async getCommandPollPeriod(command: string, opts?: CallOptions): Promise<number> {
    return pollPeriodOf(await this.pollingStatus(opts), "command", command);
  }

  /** Whether an attribute is polled. */
  async isAttributePolled(attribute: string, opts?: CallOptions): Promise<boolean> {
    return (await this.getAttributePollPeriod(attribute, opts)) > 0;
  }

  /** The admin device's DevPollStatus of this device: one text per polled object (spec §11.4). */
  async pollingStatus(opts?: CallOptions): Promise<string[]> {
    return (await this.#adminProxy()).commandInout<string[]>("DevPollStatus", this.name, opts);
  }

  /**
   * Locks the device for this proxy (spec §10.8, PyTango's `lock`): until it unlocks, other
   * clients (other proxies too) get API_DeviceLocked for commands other than State, Status and
   * the class's AllowedAccessCmd, for writes and for configuration changes; reads stay free.
   * Locking again counts up (each lock needs an unlock). The proxy relocks in the background
   * every `validityS` − 0.5 s while it holds the lock (cppTango's client does the same); the
   * server ends the lock when the proxy unlocks, closes or loses its connection, or stops
   * relocking for `validityS`. When the lock goes otherwise (a forced unlock, a server restart,
   * a new connection), the proxy's next locked call fails with API_DeviceUnlocked, and the
   * proxy does not lock again by itself.
   *
   * A device reached without a Tango database can be locked (cppTango's client refuses with
   * API_NonDatabaseDevice; its server does not).
   *
   * @param validityS whole seconds the lock lasts without a relock: at least 2 (API_MethodArgument
   *   otherwise, as cppTango), default 10; while locked, the same as the first lock's.
   * @throws DevFailed API_DeviceLocked (another client holds it), API_DeviceUnlockable (an admin
   *   device), API_MethodArgument
   */
  async lock(validityS: number = CLIENT_LOCK_VALIDITY_S, opts?: CallOptions): Promise<void> {
    await this.#lock.lock(validityS, opts);
  }

  /**
   * Unlocks the device (PyTango's `unlock`): counts one lock down, and releases it at 0. With
   * `force`, releases it whoever holds it (an administrator's tool; the owner's next locked call
   * fails with API_DeviceUnlocked). Resolves to the lock counter the server gives back (0: released).
   * @throws DevFailed API_DeviceLocked when another client holds the lock and `force` is false
   */
  async unlock(force = false, opts?: CallOptions): Promise<number> {
    return this.#lock.unlock(force, opts);
  }

  /** Whether any client holds a lock on the device (DevLockStatus). */
  async isLocked(opts?: CallOptions): Promise<boolean> {
    return (await this.#lock.status(opts)).isLocked;
  }

  /**
   * Whether this proxy holds the device's lock, as the server sees it. When the lock has this
   * process's PID, the server is asked with ReLockDevices, which also re-dates it.
   */
  async isLockedByMe(opts?: CallOptions): Promise<boolean> {
    return this.#lock.isLockedByMe(opts);
  }

  /**
   * The server's sentence about the lock (DevLockStatus): `Device sys/tg_test/1 is not locked`,
   * or who holds it.
   */
  async lockingStatus(opts?: CallOptions): Promise<string> {
    return (await this.#lock.status(opts)).text;
  }

  /** Who holds the lock (PyTango's `get_locker`), or undefined when the device is not locked. */
  async getLocker(opts?: CallOptions): Promise<LockerInfo | undefined> {
    return this.#lock.locker(opts);
  }

  /**
   * Closes the connection and ends every event subscription; stops relocking, and the server
   * ends this proxy's lock with the connection. A later call opens a new connection.
   */
  override close(): void {
    this.#lock.close();
    this.#events.close();
    const admin = this.#admin;
    this.#admin = undefined;
    // Closing it once it exists; the promise cannot reject (see #adminProxy).
    admin?.then((a) => a.close(), () => undefined);
    super.close();
  }

  async #poll(kind: "attribute" | "command", name: string, periodMs: number, opts?: CallOptions): Promise<void> {
    const isPolled = findPolled(await this.pollingStatus(opts), kind, name) !== undefined;
    const command = isPolled ? "UpdObjPollingPeriod" : "AddObjPolling";
    await (await this.#adminProxy()).commandInout(command, { lvalue: [periodMs], svalue: [this.name, kind, name] }, opts);
  }

  /** @internal */
  protected override beforeSend<R extends { readonly device: string }>(method: string, request: R, operation: Operation): R {
    this.#lock.check(method, request, operation);
    return request;
  }

  /** @internal */
  protected override onServerError(df: DevFailed): DevFailed {
    return this.#lock.onServerError(df);
  }

  /** This device's admin device (from `info().admName`), made once; it acts for this proxy (same proxyId). */
  async #adminProxy(): Promise<DeviceProxy> {
    if (this.#admin === undefined) {
      const options = { ...this.#options, identity: { ...this.#options.identity, proxyId: this.proxyId } };
      const made = this.adminName().then((admName) => new DeviceProxy(this.locator.trlOf(admName), options));
      this.#admin = made;
      // A failure is reported to this call and forgotten, so that the next call tries again.
      made.catch(() => { if (this.#admin === made) this.#admin = undefined; });
    }
    return this.#admin;
  }
}
