import type {
  AttributeConfig, DataReady, DevFailed, EventType, InterfaceChange,
} from "../core/index.js";
import type { DevicePipe } from "./pipe-calls.js";
import type { DeviceAttribute, TangoValue } from "./types.js";

/**
 * One event as a subscriber gets it (PyTango's `EventData`, `AttrConfEventData`,
 * `DataReadyEventData`, `DevIntrChangeEventData` and `PipeEventData` in one shape). Exactly one of
 * `value`, `config`, `dataReady`, `interfaceChange`, `pipe` and `error` is set.
 */
export interface EventData<V = TangoValue> {
  /** The device name, as the server declared it. */
  readonly device: string;
  /** The attribute name as the server declared it; the pipe's for pipe events; "" for interface-change events. */
  readonly attribute: string;
  /** The event type subscribed to, e.g. EventType.CHANGE_EVENT. */
  readonly eventType: EventType;
  /** Tango's name of the event type: "change", "periodic", "archive", "user_event", "attr_conf", "data_ready", "intr_change", "pipe", "alarm". */
  readonly event: string;
  /**
   * The server's number of this event among those of its (device, attribute, type); the first
   * event of a subscription (the current value) repeats the number of the last one sent. 0 for
   * an error event made by the client.
   */
  readonly sequence: number;
  /** When the server sent the event (for an error the client made: when it made it). */
  readonly serverTime: Date;
  /** When the client received it. */
  readonly receptionTime: Date;
  /** Events the server dropped for this subscriber just before this one (its queue overflowed). */
  readonly missed: number;
  /** True for the first event after the subscription came back (the server restarted, the connection returned). */
  readonly resubscribed: boolean;
  /**
   * Set for an error event: the attribute's read failed (the server's stack), the event stream
   * broke (API_EventTimeout), events were lost (API_MissedEvents), or a resubscription was refused.
   */
  readonly error?: DevFailed;
  /** The attribute as read: change, periodic, archive, alarm and user events. */
  readonly value?: DeviceAttribute<V>;
  /** The attribute's new configuration: attr_conf events. */
  readonly config?: AttributeConfig;
  /** The data type and counter: data_ready events. */
  readonly dataReady?: DataReady;
  /** The device's whole interface: intr_change events. */
  readonly interfaceChange?: InterfaceChange;
  /** The pipe as device code pushed it: pipe events. */
  readonly pipe?: DevicePipe;
}

/**
 * Receives a subscription's events, one at a time and in order: the next event is not given
 * before a returned promise settles. A callback never runs inside the transport's handlers, so a
 * slow one delays only its own subscription (whose events then wait in a bounded queue).
 */
export type EventCallback<V = TangoValue> = (event: EventData<V>) => void | Promise<void>;

/** Options of `DeviceProxy.subscribeEvent`. */
export interface SubscribeOptions {
  /**
   * When the server cannot be reached, subscribe anyway: the callback gets an error event, and
   * the subscription is made as soon as the server is there (cppTango's stateless subscription).
   * Default true. With false, `subscribeEvent` rejects instead. A server that answers and refuses
   * (unknown attribute, polling not started, …) always rejects.
   */
  readonly stateless?: boolean;
  /** Time allowed to subscribe, ms (connecting and the server's answer). Default: the proxy's timeout. */
  readonly timeoutMs?: number;
  /**
   * Events queued for a callback still busy with an earlier one, before the oldest are dropped
   * (the next event then says how many in `missed`). Default 1000.
   */
  readonly queueDepth?: number;
  /** Called when the callback throws or rejects; default: a process warning. The subscription goes on. */
  readonly onCallbackError?: (err: unknown, event: EventData) => void;
}

/** Options of `DeviceProxy.events` (the async-iterator form). */
export interface EventsOptions extends Omit<SubscribeOptions, "onCallbackError"> {
  /** Ends the iteration and unsubscribes. */
  readonly signal?: AbortSignal;
}
