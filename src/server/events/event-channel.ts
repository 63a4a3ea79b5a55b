import { EventType, type AttributeEventConfig, type AttributeValue, type EventRecord } from "../../core/index.js";
import type { EventCounts } from "../../metrics/index.js";
import {
  NO_THRESHOLDS, archiveDecision, isAlarmEvent, isChangeEvent, isPeriodicDue, parseBand,
  type ChangeThresholds, type EventSample,
} from "./criteria.js";
import { HubEvent, type Subscription } from "./subscription.js";

/** An attribute's event properties, parsed once per configuration (spec §6.2, §12.2). */
export interface EventProperties {
  readonly change: ChangeThresholds;
  readonly archive: ChangeThresholds;
  /** `period`, ms (PERIODIC). */
  readonly periodMs: number;
  /** `archive_period`, ms, or undefined when not set. */
  readonly archivePeriodMs: number | undefined;
}

const DEFAULT_PERIOD_MS = 1000;

function positive(text: string): number | undefined {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

const parsed = new WeakMap<AttributeEventConfig, EventProperties>();

/** The parsed event properties of a configuration; cached per configuration object. */
export function eventPropertiesOf(config: AttributeEventConfig): EventProperties {
  let props = parsed.get(config);
  if (props === undefined) {
    props = {
      change: { rel: parseBand(config.relChange), abs: parseBand(config.absChange) },
      archive: { rel: parseBand(config.archiveRelChange), abs: parseBand(config.archiveAbsChange) },
      periodMs: positive(config.period) ?? DEFAULT_PERIOD_MS,
      archivePeriodMs: positive(config.archivePeriod),
    };
    parsed.set(config, props);
  }
  return props;
}

/** State and Status have no thresholds; their period is the default. */
export const NO_EVENT_PROPERTIES: EventProperties = {
  change: NO_THRESHOLDS, archive: NO_THRESHOLDS, periodMs: DEFAULT_PERIOD_MS, archivePeriodMs: undefined,
};

/** What the judge of a polled or pushed value needs besides the channel. */
export interface Judged {
  readonly sample: AttributeValue;
  /** When the value was read (before the read, as cppTango's polling thread dates it), ms. */
  readonly timeMs: number;
  readonly props: EventProperties;
  /** false: send without the criteria (set_change_event(…, detect = false), user events). */
  readonly detect: boolean;
}

/**
 * One event channel: a device, an attribute (or "" for the device's interface) and an event
 * type, with its subscribers and what the criteria remember: the value last sent (kept per
 * event type, updated only when an event is sent, spec §12.2), the last periodic dates and
 * the channel's event counter.
 */
export class EventChannel {
  readonly device: string;
  readonly attribute: string;
  readonly eventType: EventType;
  readonly subscribers = new Set<Subscription>();
  readonly counts: EventCounts;
  /** Events sent on this channel so far: each event's sequence number. */
  sequence = 0;
  /** The value last sent; undefined until the first subscriber's first event. */
  prev: EventSample | undefined;
  /** When the last periodic (PERIODIC) or archive_period (ARCHIVE) event was sent, ms. */
  lastPeriodicMs = 0;
  /** A signature of the interface last sent (INTERFACE_CHANGE), to send only when it differs. */
  interfaceSignature: string | undefined;

  constructor(device: string, attribute: string, eventType: EventType, counts: EventCounts) {
    this.device = device;
    this.attribute = attribute;
    this.eventType = eventType;
    this.counts = counts;
  }

  /**
   * A new channel's first value is being read: a polled or pushed value offered meanwhile waits
   * for it (the last one only), then is judged against it. Sent at once, it would be judged
   * against nothing and sent as a second "first" event.
   */
  #isStarting = false;
  #waiting: { readonly j: Judged; readonly nowMs: number } | undefined;

  /** The first subscriber's first value is being read (ended by `endStart`). */
  beginStart(): void {
    this.#isStarting = true;
  }

  /** The first value of a new channel: later values are judged against it. */
  start(sample: EventSample, timeMs: number): void {
    this.prev = sample;
    this.lastPeriodicMs = timeMs;
  }

  /** The first value was read (or could not be): the value offered meanwhile, if any, is judged now. */
  endStart(): void {
    this.#isStarting = false;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting !== undefined) this.offer(waiting.j, waiting.nowMs);
  }

  /**
   * Offers a polled or pushed value (spec §12.2): when it makes an event of this channel's type
   * it becomes the value last sent and goes to every subscriber. Returns whether it was sent.
   */
  offer(j: Judged, nowMs: number): boolean {
    if (this.#isStarting && j.detect) {
      this.#waiting = { j, nowMs };
      return false;
    }
    const prev = this.prev;
    let send = prev === undefined || !j.detect;
    let isPeriodic = false;
    if (!send && prev !== undefined) {
      switch (this.eventType) {
        case EventType.CHANGE_EVENT:
          send = isChangeEvent(prev, j.sample, j.props.change);
          break;
        case EventType.PERIODIC_EVENT:
          send = isPeriodic = isPeriodicDue(j.props.periodMs, j.timeMs - this.lastPeriodicMs);
          break;
        case EventType.ARCHIVE_EVENT:
          ({ send, isPeriodic } = archiveDecision(prev, j.sample, j.props.archive, j.props.archivePeriodMs, j.timeMs - this.lastPeriodicMs));
          break;
        case EventType.ALARM_EVENT:
          send = isAlarmEvent(prev, j.sample);
          break;
        default:
          send = true;
      }
    }
    if (!send) return false;
    // archive_period counts from the last event the period made (cppTango's archive_last_periodic)
    if (isPeriodic || (prev === undefined && this.eventType === EventType.PERIODIC_EVENT)) this.lastPeriodicMs = j.timeMs;
    this.prev = j.sample;
    const failed = j.sample.errors !== undefined && j.sample.errors.length > 0;
    this.send(failed ? { errors: j.sample.errors } : { value: j.sample }, nowMs);
    return true;
  }

  /** Sends an event with this payload to every subscriber, numbered in the channel's sequence. */
  send(payload: Pick<EventRecord, "value" | "errors" | "config" | "dataReady" | "interfaceChange" | "pipe">, nowMs: number): void {
    this.sequence++;
    const sec = Math.floor(nowMs / 1000);
    const event = new HubEvent({
      device: this.device, attribute: this.attribute, eventType: this.eventType, sequence: this.sequence,
      time: { sec, usec: Math.round((nowMs - sec * 1000) * 1000) }, ...payload,
    });
    for (const s of this.subscribers) s.enqueue(event);
  }
}
