import type { EventData } from "../../client/index.js";
import { EVENT_NAMES, EventType, Reason } from "../../core/index.js";
import { TRL_ARGUMENT } from "../client-help.js";
import { UsageError, defineClientVerb, stringOption } from "../client-verb.js";
import { eventJson, formatEventLine } from "../event-output.js";
import { ExitCode, type CliIo, type Verb } from "../verb.js";

/** The event types watch subscribes to; no Tango since 8 sends quality events, none since 10 pipe events. */
const WATCHABLE: readonly EventType[] = [
  EventType.CHANGE_EVENT, EventType.PERIODIC_EVENT, EventType.ARCHIVE_EVENT, EventType.USER_EVENT,
  EventType.ATTR_CONF_EVENT, EventType.DATA_READY_EVENT, EventType.ALARM_EVENT, EventType.INTERFACE_CHANGE_EVENT,
];

/** `--type`: one of Tango's wire names, in any case; change by default. */
function parseEventType(text: string | undefined): EventType {
  if (text === undefined) return EventType.CHANGE_EVENT;
  const found = WATCHABLE.find((t) => EVENT_NAMES[t] === text.trim().toLowerCase());
  if (found === undefined) {
    throw new UsageError(`--type ${JSON.stringify(text)}: the event type is one of ${WATCHABLE.map((t) => EVENT_NAMES[t]).join(", ")}`);
  }
  return found;
}

/** `--count`, `--for`: a positive whole number, or undefined when not given. */
function parsePositive(option: string, text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(n > 0 && Number.isSafeInteger(n))) throw new UsageError(`${option} ${JSON.stringify(text)}: give a positive whole number of ${what}`);
  return n;
}

/** Names once each, the first spelling kept: Tango names are case-insensitive. */
function uniqueNames(names: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const name of names) if (!byKey.has(name.toLowerCase())) byKey.set(name.toLowerCase(), name);
  return [...byKey.values()];
}

/** Resolves (to undefined) when `signal` aborts. */
function untilAborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener("abort", () => resolve(undefined), { once: true });
  });
}

/**
 * The notices of a broken event stream. When the server goes away every subscription gets an
 * API_EventTimeout error event (cppTango's KeepAliveThread) and is made again once the server is
 * back; the user hears of it once per device, on stderr, and once more when the last broken
 * subscription has its first event after resubscribing.
 */
class StreamNotices {
  readonly #device: string;
  readonly #io: CliIo;
  /** Broken subscriptions, by lower-case attribute and event type. */
  readonly #broken = new Set<string>();

  constructor(device: string, io: CliIo) {
    this.#device = device;
    this.#io = io;
  }

  /** Notes `ev`; true when it is the stream's loss, told here and not printed as an event. */
  isNotice(ev: EventData): boolean {
    const key = `${ev.attribute.toLowerCase()}\u0000${ev.eventType}`;
    if (ev.error?.reason === Reason.EventTimeout) {
      const desc = ev.error.desc.split("\n", 1)[0] ?? "";
      if (this.#broken.size === 0) this.#io.stderr.write(`tango-grpc: ${this.#device}: event stream lost (${desc}), resubscribing…\n`);
      this.#broken.add(key);
      return true;
    }
    if (ev.resubscribed && this.#broken.delete(key) && this.#broken.size === 0) {
      this.#io.stderr.write(`tango-grpc: ${this.#device}: event stream back\n`);
    }
    return false;
  }
}

/** `tango-grpc watch <trl> <attr…>`: print events as they come, until stopped. */
export const watchVerb: Verb = defineClientVerb({
  name: "watch",
  summary: "print the events of attributes as they come, until stopped",
  usage: "tango-grpc watch <trl> [<attr>...] [--type <type>] [options]",
  description: `
Subscribes to an event type of each attribute (one connection for all) and
prints each event as it comes, until SIGINT (Ctrl-C) or SIGTERM, --count or
--for; then it unsubscribes and exits 0. The first event of each attribute is
its current value (data_ready has none). One line per event:
  <time>  <device>/<attr>  <type>  #<sequence>  <value>  <quality>
The time is the value's (ISO 8601, UTC, microseconds), or when the server
sent the event; "missed N" follows when the server dropped N events before it.
attr_conf events show the type and the properties set, data_ready events the
counter, intr_change events the numbers of commands and attributes. An error
event shows "ERROR <reason>: <desc>" instead of the value.
When the server goes away, one "tango-grpc: <device>: event stream lost"
line goes to stderr; the subscriptions are made again as soon as it is back,
and "tango-grpc: <device>: event stream back" follows. change, archive and
alarm events need the attribute polled (or pushed by the device) and, for
change and archive, abs_change or rel_change set: a refused subscription
exits 1 with the server's reason.`,
  arguments: [
    [TRL_ARGUMENT[0], `${TRL_ARGUMENT[1]}; it may end in /<attribute>`],
    ["<attr>...", "attribute names (case-insensitive); none for intr_change, which is about the device"],
  ],
  optionsHelp: [
    ["--type <type>", "change (default), periodic, archive, user_event, attr_conf, data_ready, alarm or intr_change (Tango's event names)"],
    ["--count <n>", "stop after n events in all (error events not counted)"],
    ["--for <ms>", "stop after that many milliseconds"],
  ],
  options: { type: { type: "string" }, count: { type: "string" }, for: { type: "string" } },
  isJsonLines: true,
  jsonHelp: '{"device", "attribute", "event", "sequence", "time" (ISO text), "value", "wValue", "quality", "dataFormat", "dataType", "dimX", "dimY", "missed", "resubscribed"} per event, "config", "dataReady" or "interfaceChange" instead of the value for those types, "error": {"errors": [...]} for an error event; the stream notices stay on stderr',
  okHelp: "stopped by SIGINT, SIGTERM, --count or --for",
  examples: [
    "tango-grpc watch tango://localhost:50051/sys/tg_test/1 \\\n      double_scalar long_scalar --type change",
    "tango-grpc watch localhost:50051/sys/tg_test/1/double_scalar --count 10 --json",
    "tango-grpc watch localhost:50051/sys/tg_test/1 --type intr_change",
  ],
  positionals: { min: 1, max: Infinity },
  async run({ positionals: [trl = "", ...rest], values, openDeviceOrAttribute, print, io }) {
    const eventType = parseEventType(stringOption(values, "type"));
    const count = parsePositive("--count", stringOption(values, "count"), "events");
    const forMs = parsePositive("--for", stringOption(values, "for"), "milliseconds");
    const { proxy, attribute } = openDeviceOrAttribute(trl);
    const names = uniqueNames(attribute === undefined ? rest : [attribute, ...rest]);
    const isDeviceEvent = eventType === EventType.INTERFACE_CHANGE_EVENT;
    if (isDeviceEvent && names.length > 0) throw new UsageError("intr_change events are about the device: name no attribute");
    if (!isDeviceEvent && names.length === 0) throw new UsageError("name at least one attribute, after the TRL or inside it");

    const stop = new AbortController();
    const stopped = untilAborted(io.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, io.signal]));
    const timer = forMs === undefined ? undefined : setTimeout(() => stop.abort(), forMs);
    // While the server is down the client may hold no handle that keeps the process alive, and
    // the wait below must last until a stop request all the same.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const notices = new StreamNotices(proxy.name, io);
    let shown = 0;
    const show = (ev: EventData): void => {
      if (stop.signal.aborted || notices.isNotice(ev)) return;
      print(() => formatEventLine(ev), () => eventJson(ev));
      if (ev.error === undefined && ++shown === count) stop.abort();
    };
    // Nothing is printed before every subscription is made: a refusal prints only its error.
    let early: EventData[] | undefined = [];
    const onEvent = (ev: EventData): void => {
      if (early === undefined) show(ev);
      else early.push(ev);
    };
    try {
      // stateless: false, so a server that is not there fails now (exit 1), as the other verbs do.
      const options = { stateless: false };
      const subscribing = Promise.all(isDeviceEvent
        ? [proxy.subscribeEvent(EventType.INTERFACE_CHANGE_EVENT, onEvent, options)]
        : names.map((name) => proxy.subscribeEvent(name, eventType, onEvent, options)));
      // A stop request while subscribing ends the verb; closing the proxy ends the subscriptions.
      const ids = await Promise.race([subscribing, stopped]);
      if (ids === undefined) return ExitCode.Ok;
      const waiting = early;
      early = undefined;
      for (const ev of waiting) show(ev);
      await stopped;
      for (const id of ids) proxy.unsubscribeEvent(id);
      return ExitCode.Ok;
    } finally {
      clearTimeout(timer);
      clearInterval(keepAlive);
    }
  },
});
