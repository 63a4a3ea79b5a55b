import type { Logger } from "pino";
import { MIN_POLL_PERIOD_MS, POLL_OLD_FACTOR } from "../../core/defaults.js";
import {
  AttrDataFormat, AttrQuality, CmdArgType, DevFailed, TangoErrors, type AttributeValue, type DevError, type TypedValue,
} from "../../core/index.js";
import { runtimeOf, timeVal, type Device } from "../../device/index.js";
import type { DeviceEntry } from "../device-entry.js";
import type { Store } from "../store/store.js";
import { DevicePoller, type PollWork } from "./device-poller.js";
import { polledObject, type PolledAttribute, type PolledCommand, type PolledObject } from "./polled-object.js";
import { PollingConfig, type PollKind } from "./polling-config.js";
import { pollStatus } from "./poll-status.js";

/** What polling needs of the server: its devices, the request path and the event hub. @internal */
export interface PollingHost {
  readonly log: Logger;
  readonly properties: Store;
  /** The live device of an entry; throws when it is not exported. */
  liveDevice(entry: DeviceEntry): Device;
  /** Every device, the admin device included. */
  allDevices(): readonly DeviceEntry[];
  /** Reads attributes through the request path, as the polling (spec §11.2: monitor, blackbox). */
  pollAttributes(entry: DeviceEntry, names: readonly string[]): Promise<AttributeValue[]>;
  /** Runs a command through the request path, as the polling. */
  pollCommand(entry: DeviceEntry, name: string): Promise<TypedValue>;
  /** A poll's results, for the event hub (spec §12.1 item 2: polling drives change, periodic, archive, alarm). */
  polled(entry: DeviceEntry, values: readonly AttributeValue[], startMs: number): void;
}

/** Options of the Polling manager. */
export interface PollingOptions {
  /** Ring depth of every polled object unless a device's `poll_ring_depth` property says otherwise. */
  readonly ringDepth: number;
}

/**
 * The polling of every device of a server (spec §11): a DevicePoller per device, started with
 * the process-wide switch (StartPolling/StopPolling), configured at export from the classes'
 * declared periods and the `polled_attr`/`polled_cmd` device properties, and changed at run time
 * by the admin commands, which keep those properties up to date (so a configuration survives a
 * restart when the server has a store).
 */
export class Polling {
  readonly #host: PollingHost;
  readonly #opts: PollingOptions;
  readonly #pollers = new Map<DeviceEntry, DevicePoller>();
  #isOn = true;

  constructor(host: PollingHost, opts: PollingOptions) {
    this.#host = host;
    this.#opts = opts;
  }

  /** Whether polling runs (StartPolling/StopPolling; on at start-up). */
  get isOn(): boolean {
    return this.#isOn;
  }

  /** The poller of a device, if anything of it was ever polled. */
  pollerOf(entry: DeviceEntry): DevicePoller | undefined {
    return this.#pollers.get(entry);
  }

  /** The polled object of a device (State and Status polled as attributes). */
  find(entry: DeviceEntry, kind: PollKind, name: string): PolledObject | undefined {
    return this.#pollers.get(entry)?.get(kind, name);
  }

  /** Whether an attribute of a device is polled (events need it, spec §12.2). */
  isAttributePolled(entry: DeviceEntry, name: string): boolean {
    return this.find(entry, "attribute", name) !== undefined;
  }

  /** `poll_old_factor` of a device (spec §11.1 item 9). */
  oldFactor(entry: DeviceEntry): number {
    return this.#config(entry).intProperty("poll_old_factor") ?? POLL_OLD_FACTOR;
  }

  /**
   * A device was exported: the first time, its polling is set up from the declarations and its
   * properties (the property wins; `non_auto_polled_*` lists what an admin stopped); after a
   * restart, the objects it had are kept (spec §17 DevRestart). Then it polls if polling is on.
   */
  deviceExported(entry: DeviceEntry): void {
    let poller = this.#pollers.get(entry);
    if (poller === undefined) {
      poller = this.#newPoller(entry);
      for (const [kind, name, periodMs] of this.#configured(entry)) {
        poller.add(polledObject(kind, name, periodMs, this.#ringDepth(entry)));
      }
      if (poller.size === 0) {
        this.#pollers.delete(entry);
        return;
      }
    }
    if (this.#isOn) poller.start();
  }

  /** A device is being deleted (restart, shutdown): its loop stops, its objects stay. */
  deviceUnexported(entry: DeviceEntry): void {
    this.#pollers.get(entry)?.stop();
  }

  /** An attribute or command was added or removed at run time (spec §14). */
  interfaceChanged(entry: DeviceEntry, kind: PollKind, name: string, isAdded: boolean): void {
    const poller = this.#pollers.get(entry);
    if (!isAdded) {
      poller?.remove(kind, name);
      return;
    }
    const found = this.#configured(entry).find(([k, n]) => k === kind && n.toLowerCase() === name.toLowerCase());
    if (found === undefined || poller?.get(kind, name) !== undefined) return;
    const target = poller ?? this.#newPoller(entry);
    target.add(polledObject(kind, found[1], found[2], this.#ringDepth(entry)));
    if (this.#isOn && entry.exported) target.start();
  }

  /** StartPolling: every device's loop starts; everything is due now. */
  startAll(): void {
    this.#isOn = true;
    for (const [entry, poller] of this.#pollers) if (entry.exported) poller.start();
  }

  /** StopPolling, and shutdown: every loop stops; the rings keep what they hold. */
  stopAll(): void {
    this.#isOn = false;
    for (const poller of this.#pollers.values()) poller.stop();
  }

  /**
   * AddObjPolling (spec §17): checks in cppTango's order, then polls the object, keeps it in the
   * device's `polled_attr`/`polled_cmd` property, and starts its loop if polling is on (it does
   * not start a stopped polling).
   */
  addObject(entry: DeviceEntry, type: string, objectName: string, periodMs: number): Promise<void> {
    const origin = "DServer::add_obj_polling";
    const device = this.#host.liveDevice(entry);
    const { kind, name } = resolveObject(device, type, objectName, origin);
    const lower = objectName.toLowerCase();
    if (this.find(entry, kind, name) !== undefined) throw TangoErrors.alreadyPolled(kind, lower);
    if (periodMs !== 0 && periodMs < MIN_POLL_PERIOD_MS) throw TangoErrors.belowMinPollPeriod(periodMs, MIN_POLL_PERIOD_MS, origin);
    if (periodMs !== 0) this.#config(entry).checkMinPeriod(kind, lower, periodMs);
    const poller = this.#pollers.get(entry) ?? this.#newPoller(entry);
    poller.add(polledObject(kind, name, periodMs, this.#ringDepth(entry)));
    const saved = this.#config(entry).remember(kind, lower, periodMs);
    if (this.#isOn) poller.start();
    return saved;
  }

  /** UpdObjPollingPeriod (spec §17): a new period for a polled object, remembered too. */
  updatePeriod(entry: DeviceEntry, type: string, objectName: string, periodMs: number): Promise<void> {
    const origin = "DServer::upd_obj_polling_period";
    const poller = this.#polledDevice(entry, origin);
    const kind = objectKind(type, objectName, origin);
    const lower = objectName.toLowerCase();
    const object = poller.get(kind, lower);
    if (object === undefined) throw TangoErrors.pollObjNotFound(lower);
    this.#config(entry).checkMinPeriod(kind, lower, periodMs);
    if (periodMs !== 0 && periodMs < MIN_POLL_PERIOD_MS) throw TangoErrors.belowMinPollPeriod(periodMs, MIN_POLL_PERIOD_MS, "DServer::upd_obj_polling");
    poller.setPeriod(object, periodMs);
    return this.#config(entry).remember(kind, lower, periodMs);
  }

  /** RemObjPolling (spec §17): stops polling an object and forgets it (a declared default is noted as stopped). */
  removeObject(entry: DeviceEntry, type: string, objectName: string): Promise<void> {
    const origin = "DServer::rem_obj_polling";
    const poller = this.#polledDevice(entry, origin);
    const kind = objectKind(type, objectName, origin);
    const lower = objectName.toLowerCase();
    if (!poller.remove(kind, lower)) throw TangoErrors.pollObjNotFound(lower);
    return this.#config(entry).forget(kind, lower, this.#declaredPeriod(entry, kind, lower) !== undefined);
  }

  /** PolledDevice: the devices with at least one polled object, sorted (spec §17). */
  polledDevices(): string[] {
    return [...this.#pollers].filter(([, p]) => p.size > 0).map(([e]) => e.name).sort();
  }

  /** DevPollStatus of a device (spec §11.4); empty when nothing is polled. */
  status(entry: DeviceEntry, nowMs = Date.now()): string[] {
    return pollStatus(this.#pollers.get(entry)?.objects() ?? [], nowMs);
  }

  #polledDevice(entry: DeviceEntry, origin: string): DevicePoller {
    this.#host.liveDevice(entry);
    const poller = this.#pollers.get(entry);
    if (poller === undefined || poller.size === 0) throw TangoErrors.deviceNotPolled(entry.name, origin);
    return poller;
  }

  #config(entry: DeviceEntry): PollingConfig {
    return new PollingConfig(this.#host.properties, entry.name);
  }

  #ringDepth(entry: DeviceEntry): number {
    const depth = this.#config(entry).intProperty("poll_ring_depth");
    return depth !== undefined && depth > 0 ? depth : this.#opts.ringDepth;
  }

  #declaredPeriod(entry: DeviceEntry, kind: PollKind, name: string): number | undefined {
    if (entry.device === undefined) return undefined;
    const rt = runtimeOf(entry.device);
    return kind === "attribute" ? rt.attribute(name)?.decl.pollingPeriodMs : rt.command(name)?.pollingPeriodMs;
  }

  /** What a device polls by configuration: declared periods, overridden by its properties. */
  #configured(entry: DeviceEntry): Array<[PollKind, string, number]> {
    const device = entry.device;
    if (device === undefined) return [];
    const rt = runtimeOf(device);
    const config = this.#config(entry);
    const out = new Map<string, [PollKind, string, number]>();
    const stopped = { attribute: config.stopped("attribute"), command: config.stopped("command") };
    for (const a of rt.attributes()) {
      const p = a.decl.pollingPeriodMs;
      if (p !== undefined && !stopped.attribute.has(a.decl.name.toLowerCase())) out.set(`attribute:${a.decl.name.toLowerCase()}`, ["attribute", a.decl.name, p]);
    }
    for (const c of rt.commands()) {
      const p = c.pollingPeriodMs;
      if (p !== undefined && !stopped.command.has(c.name.toLowerCase())) out.set(`command:${c.name.toLowerCase()}`, ["command", c.name, p]);
    }
    for (const kind of ["attribute", "command"] as const) {
      for (const [name, periodMs] of config.remembered(kind, this.#host.log)) {
        try {
          const resolved = resolveObject(device, kind, name, "Polling::configure");
          out.set(`${resolved.kind}:${resolved.name.toLowerCase()}`, [resolved.kind, resolved.name, periodMs]);
        } catch (err) {
          this.#host.log.warn({ err, device: entry.name, kind, name }, "polling configuration names an object the device does not have; not polled");
        }
      }
    }
    return [...out.values()];
  }

  #newPoller(entry: DeviceEntry): DevicePoller {
    const poller = new DevicePoller(this.#work(entry));
    this.#pollers.set(entry, poller);
    return poller;
  }

  /** How a device's objects are polled: through the request path, results into the rings and to the hub. */
  #work(entry: DeviceEntry): PollWork {
    const host = this.#host;
    return {
      async pollAttributes(objects: readonly PolledAttribute[]): Promise<void> {
        const startMs = Date.now();
        const t0 = performance.now();
        let values: readonly AttributeValue[];
        try {
          values = await host.pollAttributes(entry, objects.map((o) => o.name));
        } catch (err) {
          const df = DevFailed.from(err, "PollThread::poll_attr");
          values = objects.map((o) => failedValue(o.name, startMs, df.errors));
        }
        const neededMs = Math.max(performance.now() - t0, 0.001);
        objects.forEach((o, i) => {
          o.ring.push(startMs, values[i] ?? failedValue(o.name, startMs, TangoErrors.attrNotFound(o.name).errors));
          o.neededMs = neededMs;
          entry.metrics.observePoll(o.name, neededMs / 1000);
        });
        host.polled(entry, values, startMs);
      },
      async pollCommand(object: PolledCommand): Promise<void> {
        const startMs = Date.now();
        const t0 = performance.now();
        try {
          object.ring.push(startMs, { value: await host.pollCommand(entry, object.name) });
        } catch (err) {
          object.ring.push(startMs, { errors: DevFailed.from(err, "PollThread::poll_cmd").errors });
        }
        object.neededMs = Math.max(performance.now() - t0, 0.001);
        entry.metrics.observePoll(object.name, object.neededMs / 1000);
      },
      discarded(objects: readonly PolledObject[], slots: number): void {
        entry.metrics.countLatePolls(slots);
        const attributes = objects.filter((o) => o.kind === "attribute");
        if (attributes.length === 0) return;
        const now = Date.now();
        const errors = TangoErrors.pollThreadOutOfSync().errors;
        host.polled(entry, attributes.map((o) => failedValue(o.name, now, errors)), now);
      },
      failed(err: unknown): void {
        host.log.error({ err, device: entry.name }, "polling failed unexpectedly; polling goes on");
      },
    };
  }
}

function failedValue(name: string, ms: number, errors: readonly DevError[]): AttributeValue {
  return {
    name, quality: AttrQuality.ATTR_INVALID, dataFormat: AttrDataFormat.FMT_UNKNOWN, dataType: CmdArgType.DATA_TYPE_UNKNOWN,
    time: timeVal(ms), rDim: { x: 0, y: 0 }, wDim: { x: 0, y: 0 }, errors,
  };
}

/** The object type of an admin polling command: "command" or "attribute"; State and Status commands are attributes. */
function objectKind(type: string, name: string, origin: string): PollKind {
  const t = type.toLowerCase();
  if (t === "attribute") return "attribute";
  if (t === "command") return isStateOrStatus(name) ? "attribute" : "command";
  throw TangoErrors.pollObjectTypeNotSupported(t, origin);
}

function isStateOrStatus(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "state" || lower === "status";
}

/**
 * The object an admin command or a property names, checked as cppTango's add_obj_polling does:
 * the attribute or command must exist, a command must take no input and must not be Init.
 */
function resolveObject(device: Device, type: string, name: string, origin: string): { kind: PollKind; name: string } {
  const kind = objectKind(type, name, origin);
  const rt = runtimeOf(device);
  const lower = name.toLowerCase();
  if (isStateOrStatus(name)) return { kind, name: lower === "state" ? "State" : "Status" };
  if (kind === "attribute") {
    const a = rt.attribute(name);
    if (a === undefined) throw TangoErrors.attrNotFound(name, "MultiAttribute::get_attr_by_name");
    return { kind, name: a.decl.name };
  }
  const c = rt.command(name);
  if (c === undefined) throw TangoErrors.commandNotFound(lower, "DeviceImpl::check_command_exists");
  if (c.inType !== CmdArgType.DevVoid) throw TangoErrors.commandNeedsInput(lower);
  if (lower === "init") throw TangoErrors.initNotPollable();
  return { kind, name: c.name };
}
