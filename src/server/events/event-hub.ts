import type { Logger } from "pino";
import {
  DevFailed, DevSource, EVENT_NAMES, EventType, TangoErrors, type AttributeConfig, type AttributeValue,
  type EventRecord, type InterfaceChange, type PipeValue,
} from "../../core/index.js";
import { pushedAttributeValue, runtimeOf, type Device } from "../../device/index.js";
import type { DeviceEntry } from "../device-entry.js";
import type { CallContext, RequestApi } from "../request-api.js";
import { EventChannel, NO_EVENT_PROPERTIES, eventPropertiesOf, type EventProperties } from "./event-channel.js";
import { checkSubscription, type SubscriptionTarget } from "./subscription-check.js";
import { HubEvent, Subscription, type EventSink } from "./subscription.js";

/** What the hub needs of the server. @internal */
export interface EventHubHost {
  /** The entry of a device name; throws API_DeviceNotFound. */
  entry(name: string): DeviceEntry;
  /** The live device of an entry; throws when it is not exported or the server shuts down. */
  liveDevice(entry: DeviceEntry): Device;
  /** Whether an attribute of a device is polled. */
  isAttributePolled(entry: DeviceEntry, attribute: string): boolean;
  /** The request API: the first event of a subscription is read through it, as cppTango's client does. */
  readonly api: RequestApi;
  /** A device's whole interface, for interface-change events. */
  interfaceOf(entry: DeviceEntry, deviceStarted: boolean): InterfaceChange;
}

/** Options of the event hub. */
export interface EventHubOptions {
  /** How often every subscription gets a heartbeat, ms. */
  readonly heartbeatMs: number;
  /** Events queued per subscriber before the oldest are dropped. */
  readonly queueDepth: number;
  readonly log: Logger;
}

type Channels = Map<EventType, EventChannel>;

/**
 * The event hub of a server (spec §12, DESIGN §9): the event channels of every device, fed by
 * polling results, by device code's pushes, by configuration changes and by interface changes;
 * each value is judged once per channel by the criteria, and each event is built once and handed
 * to every subscriber's bounded queue. Subscriptions are checked as cppTango's event_subscription
 * does and start with the current value, as cppTango's client reads it on subscription.
 */
export class EventHub {
  readonly #host: EventHubHost;
  readonly #opts: EventHubOptions;
  /** Channels by device entry, then lower-case attribute ("" for the interface), then type. */
  readonly #channels = new Map<DeviceEntry, Map<string, Channels>>();
  #subscriptionCount = 0;
  #nextId = 1;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #interfaceTimers = new Map<DeviceEntry, NodeJS.Immediate>();
  #isClosed = false;

  constructor(host: EventHubHost, opts: EventHubOptions) {
    this.#host = host;
    this.#opts = opts;
  }

  /** The heartbeat period, ms (what subscribers are told). */
  get heartbeatMs(): number {
    return this.#opts.heartbeatMs;
  }

  /** The queue depth of each subscriber. */
  get queueDepth(): number {
    return this.#opts.queueDepth;
  }

  /** Subscriptions now. */
  get subscriptionCount(): number {
    return this.#subscriptionCount;
  }

  /** Events waiting in the subscribers' queues now, all together (at most queueDepth each). */
  get queuedEventCount(): number {
    let n = 0;
    for (const byAttribute of this.#channels.values()) {
      for (const channels of byAttribute.values()) {
        for (const channel of channels.values()) for (const s of channel.subscribers) n += s.pending;
      }
    }
    return n;
  }

  /**
   * Subscribes `sink` to one event channel. Refusals (unknown device or attribute, polling not
   * started, thresholds not set, …) are thrown before anything is sent; once accepted, the
   * subscription's first event is the current value (configuration, interface), read with the
   * subscriber's identity; data-ready subscriptions have none. Events that arrive meanwhile queue
   * behind it.
   */
  async subscribe(ctx: CallContext, device: string, attribute: string, type: EventType, sink: EventSink): Promise<Subscription> {
    if (this.#isClosed) throw TangoErrors.shutdownInProgress();
    const entry = this.#host.entry(device);
    const dev = this.#host.liveDevice(entry);
    const target = checkSubscription(dev, attribute, type, (name) => this.#host.isAttributePolled(entry, name));
    const channel = this.#channel(entry, target.attribute, type);
    const isNewChannel = channel.subscribers.size === 0 && channel.prev === undefined;
    const subscription = new Subscription({
      id: this.#nextId++, device: entry.name, attribute: target.attribute, eventType: type, sink,
      counts: channel.counts, queueDepth: this.#opts.queueDepth, heartbeatMs: this.#opts.heartbeatMs, onClose: (s) => this.#remove(entry, channel, s),
    });
    channel.subscribers.add(subscription);
    channel.counts.subscribers++;
    if (this.#subscriptionCount++ === 0) this.#startHeartbeat();
    if (isNewChannel) channel.beginStart();
    let first: HubEvent | undefined;
    try {
      first = await this.#firstEvent(ctx, entry, target, channel, isNewChannel);
    } catch (err) {
      subscription.close();
      throw err;
    } finally {
      // What was polled or pushed meanwhile queues behind the first event.
      if (isNewChannel) channel.endStart();
    }
    if (!subscription.isClosed) subscription.release(first);
    return subscription;
  }

  /**
   * The checks of a subscription without making one (the admin event commands, spec §17);
   * returns the attribute's declared name ("" for interface events).
   */
  check(device: string, attribute: string, type: EventType): string {
    if (this.#isClosed) throw TangoErrors.shutdownInProgress();
    const entry = this.#host.entry(device);
    return checkSubscription(this.#host.liveDevice(entry), attribute, type, (name) => this.#host.isAttributePolled(entry, name)).attribute;
  }

  /** A poll's results (spec §12.1 item 2): judged for the change, periodic, archive and alarm channels. */
  polled(entry: DeviceEntry, values: readonly AttributeValue[], startMs: number): void {
    const byAttribute = this.#channels.get(entry);
    if (byAttribute === undefined) return;
    const now = Date.now();
    for (const value of values) {
      const channels = byAttribute.get(value.name.toLowerCase());
      if (channels === undefined) continue;
      const props = this.#propertiesNow(entry, value.name);
      for (const [type, channel] of channels) {
        if (type === EventType.CHANGE_EVENT || type === EventType.PERIODIC_EVENT || type === EventType.ARCHIVE_EVENT || type === EventType.ALARM_EVENT) {
          channel.offer({ sample: value, timeMs: startMs, props, detect: true }, now);
        }
      }
    }
  }

  /**
   * An event pushed by device code (change, archive, alarm, user). The value is shaped and judged
   * only when someone subscribes; an unknown attribute or a value that does not fit throws.
   */
  push(entry: DeviceEntry, device: Device, attribute: string, type: EventType, value: unknown): void {
    const channel = this.#channels.get(entry)?.get(attribute.toLowerCase())?.get(type);
    if (channel === undefined || channel.subscribers.size === 0) {
      const lower = attribute.toLowerCase();
      if (lower !== "state" && lower !== "status" && runtimeOf(device).attribute(attribute) === undefined) throw TangoErrors.attrNotFound(attribute);
      return;
    }
    const now = Date.now();
    const sample = pushedAttributeValue(device, attribute, value, now);
    const pushed = runtimeOf(device).pushed(attribute);
    const flag = type === EventType.CHANGE_EVENT ? pushed.change : type === EventType.ARCHIVE_EVENT ? pushed.archive
      : type === EventType.ALARM_EVENT ? pushed.alarm : undefined;
    const detect = type !== EventType.USER_EVENT && (flag?.detect ?? true);
    channel.offer({ sample, timeMs: now, props: this.#propertiesNow(entry, attribute), detect }, now);
  }

  /** A data-ready event pushed by device code (cppTango push_data_ready_event). */
  pushDataReady(entry: DeviceEntry, device: Device, attribute: string, counter: number): void {
    const state = runtimeOf(device).attribute(attribute);
    if (state === undefined) throw TangoErrors.attrNotFound(attribute);
    if (runtimeOf(device).pushed(attribute).dataReady !== true) throw TangoErrors.attributeNotDataReadyEnabled(state.decl.name);
    const channel = this.#channels.get(entry)?.get(attribute.toLowerCase())?.get(EventType.DATA_READY_EVENT);
    channel?.send({ dataReady: { dataType: state.decl.dtype, counter } }, Date.now());
  }

  /** A pipe event pushed by device code, its value checked (cppTango push_pipe_event): sent to every subscriber as is. */
  pushPipe(entry: DeviceEntry, value: PipeValue): void {
    this.#channels.get(entry)?.get(value.name.toLowerCase())?.get(EventType.PIPE_EVENT)?.send({ pipe: value }, Date.now());
  }

  /** New attribute configurations (SetAttributeConfig): an attr_conf event each (spec §12.1 item 3). */
  configChanged(entry: DeviceEntry, configs: readonly AttributeConfig[]): void {
    const byAttribute = this.#channels.get(entry);
    if (byAttribute === undefined) return;
    const now = Date.now();
    for (const config of configs) byAttribute.get(config.name.toLowerCase())?.get(EventType.ATTR_CONF_EVENT)?.send({ config }, now);
  }

  /**
   * The device's interface may have changed: after Init or DevRestart (`deviceStarted`, sent
   * only when the interface differs from the one last sent), or an attribute or command added or
   * removed at run time. Changes made together are sent as one event.
   */
  interfaceChanged(entry: DeviceEntry, deviceStarted: boolean): void {
    const channel = this.#channels.get(entry)?.get("")?.get(EventType.INTERFACE_CHANGE_EVENT);
    if (channel === undefined || this.#interfaceTimers.has(entry)) return;
    this.#interfaceTimers.set(entry, setImmediate(() => {
      this.#interfaceTimers.delete(entry);
      if (entry.device === undefined || channel.subscribers.size === 0) return;
      const change = this.#host.interfaceOf(entry, deviceStarted);
      const signature = interfaceSignature(change);
      if (deviceStarted && signature === channel.interfaceSignature) return;
      channel.interfaceSignature = signature;
      channel.send({ interfaceChange: change }, Date.now());
    }));
  }

  /** Ends every subscription with `reason` (shutdown) and refuses new ones. */
  close(reason: DevFailed): void {
    this.#isClosed = true;
    for (const timer of this.#interfaceTimers.values()) clearImmediate(timer);
    this.#interfaceTimers.clear();
    for (const byAttribute of [...this.#channels.values()]) {
      for (const channels of [...byAttribute.values()]) {
        for (const channel of [...channels.values()]) {
          for (const s of [...channel.subscribers]) {
            s.close();
            s.sink.end(reason);
          }
        }
      }
    }
    this.#stopHeartbeat();
  }

  async #firstEvent(ctx: CallContext, entry: DeviceEntry, target: SubscriptionTarget, channel: EventChannel, isNewChannel: boolean): Promise<HubEvent | undefined> {
    const api = this.#host.api;
    const base = { device: entry.name, attribute: target.attribute, eventType: channel.eventType, sequence: channel.sequence };
    const now = Date.now();
    const time = { sec: Math.floor(now / 1000), usec: (now % 1000) * 1000 };
    let record: EventRecord;
    switch (channel.eventType) {
      case EventType.DATA_READY_EVENT:
        return undefined;
      case EventType.ATTR_CONF_EVENT: {
        const [config] = await api.getAttributeConfig(ctx, entry.name, [target.attribute]);
        record = { ...base, time, config };
        break;
      }
      case EventType.PIPE_EVENT: {
        // cppTango's client reads the pipe on subscription (get_fire_sync_event); a failed read is an error event.
        try {
          record = { ...base, time, pipe: await api.readPipe(ctx, entry.name, target.attribute) };
        } catch (err) {
          record = { ...base, time, errors: DevFailed.from(err, "DeviceProxy::read_pipe").errors };
        }
        break;
      }
      case EventType.INTERFACE_CHANGE_EVENT: {
        const change = this.#host.interfaceOf(entry, false);
        if (isNewChannel) channel.interfaceSignature = interfaceSignature(change);
        record = { ...base, time, interfaceChange: change };
        break;
      }
      default: {
        const [value] = await api.readAttributes(ctx, entry.name, [target.attribute], { source: DevSource.CACHE_DEV });
        if (value === undefined) return undefined;
        if (isNewChannel && channel.prev === undefined) channel.start(value, now);
        const failed = value.errors !== undefined && value.errors.length > 0;
        record = { ...base, time, ...(failed ? { errors: value.errors } : { value }) };
      }
    }
    return new HubEvent(record);
  }

  /** The event properties of an attribute now (they change with SetAttributeConfig). */
  #propertiesNow(entry: DeviceEntry, attribute: string): EventProperties {
    const state = entry.device === undefined ? undefined : runtimeOf(entry.device).attribute(attribute);
    return state === undefined ? NO_EVENT_PROPERTIES : eventPropertiesOf(state.events);
  }

  #channel(entry: DeviceEntry, attribute: string, type: EventType): EventChannel {
    let byAttribute = this.#channels.get(entry);
    if (byAttribute === undefined) this.#channels.set(entry, byAttribute = new Map());
    const key = attribute.toLowerCase();
    let channels = byAttribute.get(key);
    if (channels === undefined) byAttribute.set(key, channels = new Map());
    let channel = channels.get(type);
    if (channel === undefined) {
      channel = new EventChannel(entry.name, attribute, type, entry.metrics.eventCounts(attribute || "(device)", EVENT_NAMES[type]));
      channels.set(type, channel);
    }
    return channel;
  }

  #remove(entry: DeviceEntry, channel: EventChannel, s: Subscription): void {
    if (!channel.subscribers.delete(s)) return;
    channel.counts.subscribers--;
    if (--this.#subscriptionCount === 0) this.#stopHeartbeat();
    if (channel.subscribers.size > 0) return;
    // The channel's memory goes with its last subscriber: a new one starts afresh (spec §12.2: first value).
    const byAttribute = this.#channels.get(entry);
    const channels = byAttribute?.get(channel.attribute.toLowerCase());
    channels?.delete(channel.eventType);
    if (channels?.size === 0) byAttribute?.delete(channel.attribute.toLowerCase());
    if (byAttribute?.size === 0) this.#channels.delete(entry);
  }

  #startHeartbeat(): void {
    this.#heartbeat = setInterval(() => {
      const now = Date.now();
      for (const byAttribute of this.#channels.values()) {
        for (const channels of byAttribute.values()) {
          for (const channel of channels.values()) for (const s of channel.subscribers) s.sink.heartbeat(now);
        }
      }
    }, this.#opts.heartbeatMs);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}

/** What identifies an interface: its commands and attributes with their types. */
function interfaceSignature(change: InterfaceChange): string {
  const commands = change.commands.map((c) => `${c.name}:${c.inType}:${c.outType}`).join(",");
  const attributes = change.attributes.map((a) => `${a.name}:${a.dataType}:${a.dataFormat}:${a.writable}`).join(",");
  return `${commands}|${attributes}`;
}
