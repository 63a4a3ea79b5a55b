import { setTimeout as sleep } from "node:timers/promises";
import { DevFailed, EventType, Reason } from "../core/index.js";
import {
  decodeEventStreamMessage, fromGrpcError, type ArrayEncoding, type WireEventStreamMessage,
} from "../grpc/wire.js";
import { ClientErrors } from "./client-errors.js";
import { deviceMethods, type CallError, type ClientConnection, type ServerStream } from "./connection.js";
import type { EventCallback, EventData, SubscribeOptions } from "./event-data.js";
import { EventListener } from "./event-listener.js";
import { clientErrorEvent, eventDataOf } from "./event-data-of.js";

/** What the subscriptions of a proxy read of it. */
export interface SubscriptionsSettings {
  readonly device: string;
  readonly timeoutMs: number;
  readonly arrayEncoding: ArrayEncoding;
  /** Connects within `timeoutMs`; rejects with API_ServerNotRunning or API_CantConnectToDevice. */
  connect(timeoutMs: number): Promise<void>;
}

/** Default per-callback queue (cppTango's subscriber HWM). */
const LISTENER_QUEUE_DEPTH = 1000;
/** Recovery: first and longest wait between attempts while the server is down or not ready. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 500;
/** Recovery: wait after the server refused a resubscription (the attribute went away, say). */
const REFUSED_RETRY_MS = 5000;
/** Recovery: time allowed to connect and to answer the health check. */
const PROBE_TIMEOUT_MS = 1000;

/** Why a stream could not be opened: the server refused (its DevFailed), or it could not be reached. */
class OpenFailure extends Error {
  constructor(readonly error: DevFailed, readonly isRefusal: boolean) {
    super(error.message);
  }
}

/**
 * One event channel of a proxy: an attribute and an event type, one server stream whatever the
 * number of callbacks on it (cppTango shares one subscription the same way).
 */
class Channel {
  readonly key: string;
  readonly attribute: string;
  readonly eventType: EventType;
  readonly listeners = new Set<EventListener>();
  call: ServerStream<Buffer> | undefined;
  isBroken = false;
  /** The next event is the first after a break. */
  wasBroken = false;
  heartbeatMs = 0;
  watchdog: NodeJS.Timeout | undefined;
  /** The last event given, for a callback that joins. */
  last: EventData | undefined;
  /** The text of the last error event, so that a retry that fails again does not repeat it. */
  lastError: string | undefined;
  /** The first opening, which callbacks joining meanwhile wait for too. */
  opening: Promise<void> | undefined;
  /** The stream is paused: a callback is too far behind (see EventListener.isFull). */
  isPaused = false;
  /** The server is dropping events for this subscriber: one API_MissedEvents error event per episode. */
  isMissing = false;

  constructor(key: string, attribute: string, eventType: EventType) {
    this.key = key;
    this.attribute = attribute;
    this.eventType = eventType;
  }
}

/**
 * The event subscriptions of one DeviceProxy (spec §12, DESIGN §9): a table of channels keyed
 * by (attribute, event type), each one gRPC stream on the proxy's connection. A stream that
 * breaks (the server died, restarted or shut down) or goes quiet for two heartbeats gives its
 * callbacks one error event (API_EventTimeout), then is opened again by one recovery loop as soon
 * as the server answers and reports itself ready; its next event says `resubscribed`.
 *
 * @internal
 */
export class EventSubscriptions {
  readonly #conn: ClientConnection;
  readonly #s: SubscriptionsSettings;
  readonly #channels = new Map<string, Channel>();
  readonly #byId = new Map<number, { channel: Channel; listener: EventListener }>();
  #nextId = 1;
  #recovery: Promise<void> | undefined;
  #stop = new AbortController();

  constructor(conn: ClientConnection, settings: SubscriptionsSettings) {
    this.#conn = conn;
    this.#s = settings;
  }

  /** Subscriptions now. */
  get size(): number {
    return this.#byId.size;
  }

  /** Subscribes `callback`; resolves to the subscription's id once the server accepted it (see SubscribeOptions). */
  async subscribe(attribute: string, eventType: EventType, callback: EventCallback, opts: SubscribeOptions = {}): Promise<number> {
    const name = eventType === EventType.INTERFACE_CHANGE_EVENT ? "" : attribute;
    const key = `${name.toLowerCase()}\u0000${eventType}`;
    const id = this.#nextId++;
    const onError = opts.onCallbackError ?? ((err: unknown) => {
      process.emitWarning(err instanceof Error ? err : new Error(String(err)), { code: "TANGO_EVENT_CALLBACK", detail: `event callback of ${this.#s.device} ${name}` });
    });
    const listener = new EventListener(id, callback as EventCallback, opts.queueDepth ?? LISTENER_QUEUE_DEPTH, onError);
    const existing = this.#channels.get(key);
    const channel = existing ?? new Channel(key, name, eventType);
    channel.listeners.add(listener);
    this.#byId.set(id, { channel, listener });
    if (existing === undefined) {
      this.#channels.set(key, channel);
      channel.opening = this.#open(channel, opts.timeoutMs ?? this.#s.timeoutMs);
    } else if (existing.last !== undefined) {
      listener.push(existing.last);
    }
    try {
      await channel.opening;
      return id;
    } catch (err) {
      const failure = err instanceof OpenFailure ? err : new OpenFailure(DevFailed.from(err, "DeviceProxy::subscribe_event"), false);
      if (failure.isRefusal || opts.stateless === false || this.#stop.signal.aborted) {
        if (this.#byId.has(id)) this.unsubscribe(id);
        throw failure.error;
      }
      // cppTango's stateless subscription: the callback hears why, and the subscription waits for the server.
      if (!channel.isBroken) this.#broken(channel, failure.error, false);
      return id;
    } finally {
      if (existing === undefined) channel.opening = undefined;
    }
  }

  /** Removes a subscription; its channel's stream closes with its last callback. Throws API_EventNotFound. */
  unsubscribe(id: number): void {
    const found = this.#byId.get(id);
    if (found === undefined) {
      throw DevFailed.of(Reason.EventNotFound, "Failed to unsubscribe event, the event id specified does not correspond with any known one",
        "EventConsumer::unsubscribe_event()");
    }
    this.#byId.delete(id);
    found.listener.close();
    const channel = found.channel;
    channel.listeners.delete(found.listener);
    if (channel.listeners.size > 0) return;
    this.#channels.delete(channel.key);
    this.#cancel(channel);
  }

  /** Ends every subscription (the proxy is closed). */
  close(): void {
    this.#stop.abort();
    this.#stop = new AbortController();
    for (const id of [...this.#byId.keys()]) this.unsubscribe(id);
  }

  /**
   * Opens a channel's stream; resolves when the server says the subscription is in place, rejects
   * with an OpenFailure (refused, or not reached within `timeoutMs`).
   */
  async #open(channel: Channel, timeoutMs: number): Promise<void> {
    try {
      await this.#s.connect(timeoutMs);
    } catch (err) {
      throw new OpenFailure(DevFailed.from(err, "DeviceProxy::subscribe_event"), false);
    }
    const method = deviceMethods().Subscribe;
    if (method === undefined) throw new TypeError("tango.v1.Device has no method Subscribe");
    const request = { device: this.#s.device, attribute: channel.attribute, event_type: channel.eventType, array_encoding: this.#s.arrayEncoding };
    // Messages are decoded when taken, not when they arrive: while a paused stream holds some,
    // they stay compact bytes rather than many objects for the garbage collector to trace.
    const call = this.#conn.serverStream(method, request, (bytes: Buffer) => bytes);
    channel.call = call;
    channel.isPaused = false;
    await new Promise<void>((resolve, reject) => {
      let isConfirmed = false;
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => {
        if (isConfirmed) return;
        if (channel.call === call) this.#cancel(channel);
        reject(new OpenFailure(ClientErrors.deviceTimedOut(timeoutMs, this.#s.device, `subscribe ${channel.attribute}`, true), false));
      }, timeoutMs) : undefined;
      call.on("data", (bytes: Buffer) => {
        if (channel.call !== call) return;
        let message: WireEventStreamMessage;
        try {
          message = decodeEventStreamMessage(bytes);
        } catch (err) {
          // Bytes that are no stream message: the stream cannot be trusted any more.
          this.#cancel(channel);
          if (!isConfirmed) reject(new OpenFailure(ClientErrors.malformedReply(this.#s.device, "subscribe", String(err)), false));
          else this.#broken(channel, ClientErrors.malformedReply(this.#s.device, "an event stream", String(err)), true);
          return;
        }
        if (message.subscribed !== null) {
          isConfirmed = true;
          clearTimeout(timer);
          channel.heartbeatMs = message.subscribed.heartbeat_ms;
          channel.isBroken = false;
          channel.lastError = undefined;
          resolve();
        }
        this.#watch(channel);
        this.#deliver(channel, message);
      });
      call.on("error", (err: CallError) => {
        clearTimeout(timer);
        const isCurrent = channel.call === call;
        if (isCurrent) channel.call = undefined;
        const tango = fromGrpcError(err);
        const df = tango instanceof DevFailed ? tango : ClientErrors.transport(this.#s.device, "subscribe", String(err.code), err.details);
        // A refusal comes from the server before anything else; a shutdown is the server going away.
        if (!isConfirmed) reject(new OpenFailure(df, tango instanceof DevFailed && df.reason !== Reason.ShutdownInProgress));
        else if (isCurrent) this.#broken(channel, df, true);
      });
    });
  }

  /**
   * Restarts a channel's heartbeat watchdog: two heartbeats without a message mean the server is
   * gone. A paused stream is not watched: its messages wait because this client is busy.
   */
  #watch(channel: Channel): void {
    clearTimeout(channel.watchdog);
    if (channel.heartbeatMs <= 0 || channel.isPaused) return;
    channel.watchdog = setTimeout(() => {
      channel.watchdog = undefined;
      this.#cancel(channel);
      this.#broken(channel, DevFailed.of(Reason.EventTimeout,
        `no event and no heartbeat for ${2 * channel.heartbeatMs} ms (two heartbeats)`, "EventConsumer::KeepAliveThread()"), true);
    }, 2 * channel.heartbeatMs);
  }

  #cancel(channel: Channel): void {
    clearTimeout(channel.watchdog);
    channel.watchdog = undefined;
    const call = channel.call;
    channel.call = undefined;
    call?.cancel();
  }

  /**
   * A stream broke (`isLost`: cppTango's API_EventTimeout, whatever the cause, with the cause in
   * its text) or could not be opened (the cause itself): one error event, then the recovery loop.
   */
  #broken(channel: Channel, cause: DevFailed, isLost: boolean): void {
    // The lost stream's watchdog must not report it a second time.
    clearTimeout(channel.watchdog);
    channel.watchdog = undefined;
    channel.isBroken = true;
    channel.wasBroken = true;
    this.#errorEvent(channel, isLost ? DevFailed.of(Reason.EventTimeout,
      `Event channel is not responding anymore, maybe the server or event system is down\n(${cause.message})`,
      "EventConsumer::KeepAliveThread()") : cause);
    this.#recover();
  }

  /** Gives every callback of a channel an error event, unless it is the one they were given last. */
  #errorEvent(channel: Channel, cause: DevFailed): void {
    const event = clientErrorEvent(this.#s.device, channel.last?.attribute ?? channel.attribute, channel.eventType, cause);
    const text = event.error?.message;
    if (text !== undefined && text === channel.lastError) return;
    channel.lastError = text;
    channel.last = event;
    for (const l of channel.listeners) l.push(event);
  }

  #deliver(channel: Channel, message: WireEventStreamMessage): void {
    const reception = new Date();
    let missed = message.missed;
    if (missed > 0 && !channel.isMissing) {
      // Once while the server keeps dropping (building a DevFailed per message would slow this client further).
      channel.isMissing = true;
      this.#errorEvent(channel, DevFailed.of(Reason.MissedEvents,
        "Missed some events: the server dropped them because this client did not read them in time (see each event's missed count)",
        "EventConsumer::push_event()"));
    } else if (missed === 0 && message.events.length > 0) {
      channel.isMissing = false;
    }
    for (const wire of message.events) {
      const event = eventDataOf(this.#s.device, channel.eventType, wire, reception, missed, channel.wasBroken);
      missed = 0;
      channel.wasBroken = false;
      channel.last = event;
      if (event.error === undefined) channel.lastError = undefined;
      for (const l of channel.listeners) l.push(event);
    }
    this.#throttle(channel);
  }

  /**
   * Stops reading a channel's stream while a callback is too far behind, and reads again once
   * every callback has caught up: the server's queue for this subscriber then holds the events,
   * and drops the oldest when it is full (the subscriber hears how many it missed).
   */
  #throttle(channel: Channel): void {
    const call = channel.call;
    if (call === undefined || channel.isPaused) return;
    const full = [...channel.listeners].filter((l) => l.isFull);
    if (full.length === 0) return;
    channel.isPaused = true;
    clearTimeout(channel.watchdog);
    call.pause();
    let waiting = full.length;
    for (const l of full) {
      l.onRoom = () => {
        if (--waiting > 0 || channel.call !== call) return;
        channel.isPaused = false;
        this.#watch(channel);
        call.resume();
      };
    }
  }

  /** Starts the recovery loop unless it runs. */
  #recover(): void {
    if (this.#recovery !== undefined) return;
    const signal = this.#stop.signal;
    this.#recovery = this.#recoverLoop(signal).catch((err: unknown) => {
      // A bug, not the server: every broken channel's callbacks hear of it, and the loop starts again.
      const df = DevFailed.from(err, "EventConsumer::KeepAliveThread()");
      for (const c of this.#channels.values()) if (c.isBroken) this.#errorEvent(c, df);
    }).finally(() => {
      this.#recovery = undefined;
      if (!signal.aborted && [...this.#channels.values()].some((c) => c.isBroken)) this.#recover();
    });
  }

  /** Reopens the broken channels once the server answers and is ready; never rejects. */
  async #recoverLoop(signal: AbortSignal): Promise<void> {
    let delayMs = RETRY_MIN_MS;
    while (!signal.aborted) {
      const broken = [...this.#channels.values()].filter((c) => c.isBroken && c.call === undefined);
      if (broken.length === 0) return;
      let waitMs = delayMs;
      try {
        await this.#s.connect(PROBE_TIMEOUT_MS);
        if (await this.#conn.isServing(Date.now() + PROBE_TIMEOUT_MS)) {
          const results = await Promise.allSettled(broken.map((c) => this.#open(c, this.#s.timeoutMs)));
          results.forEach((r, i) => {
            if (r.status === "fulfilled") return;
            const failure = r.reason instanceof OpenFailure ? r.reason : new OpenFailure(DevFailed.from(r.reason, "DeviceProxy::subscribe_event"), false);
            if (failure.isRefusal) {
              waitMs = REFUSED_RETRY_MS;
              this.#errorEvent(broken[i] as Channel, failure.error);
            }
          });
          if (results.every((r) => r.status === "fulfilled")) delayMs = RETRY_MIN_MS;
        }
      } catch (err) {
        // Connecting failed (the server is still down): try again shortly.
        if (!(err instanceof DevFailed)) throw err;
      }
      if (signal.aborted) return;
      if ([...this.#channels.values()].every((c) => !c.isBroken)) return;
      await sleep(waitMs, undefined, { signal }).catch((err: unknown) => {
        if (!signal.aborted) throw err;
      });
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    }
  }
}
