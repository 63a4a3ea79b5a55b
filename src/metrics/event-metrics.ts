import type { Registry } from "prom-client";
import { TANGO_BUCKETS_SECONDS } from "./device-metrics.js";
import { RecordHistogram } from "./record-histogram.js";
import { registerRecordCounter, registerRecordGauge } from "./record-collectors.js";
import type { TangoMetricsSource } from "./tango-metrics.js";

/**
 * The polling and event metrics of the tango_* set (see registerTangoMetrics), read from each
 * device's records at scrape time:
 *
 * - `tango_events_sent_total{device, attribute, event_type}`: events written to subscribers, one
 *   per subscriber an event reached (`attribute` is "(device)" for interface-change events,
 *   `event_type` Tango's name: change, periodic, archive, user_event, attr_conf, data_ready,
 *   intr_change, alarm).
 * - `tango_events_dropped_total{device, attribute, event_type}`: events dropped from the queue of
 *   a subscriber that read too slowly (it is told how many).
 * - `tango_event_subscribers{device, attribute, event_type}`: subscriptions now.
 * - `tango_polling_duration_seconds{device, object}`: how long each poll of a polled attribute or
 *   command took (attributes read in one pass each get the pass's time).
 * - `tango_polling_late_total{device}`: polls discarded because the device's polling overran its
 *   period (reported to subscribers as API_PollThreadOutOfSync).
 *
 * Series appear with the first subscription or poll of a declared name.
 */
export function registerEventMetrics(registry: Registry, source: TangoMetricsSource): void {
  const labels = ["device", "attribute", "event_type"] as const;
  registerRecordCounter(registry, "tango_events_sent_total",
    "Total number of Tango events written to subscribers (one per subscriber reached), by attribute and event type.",
    labels, (c) => {
      for (const d of source.deviceMetrics()) {
        for (const e of d.events) c.inc({ device: d.device, attribute: e.attribute, event_type: e.eventType }, e.sent);
      }
    });
  registerRecordCounter(registry, "tango_events_dropped_total",
    "Total number of Tango events dropped from the queue of a subscriber that read too slowly, by attribute and event type.",
    labels, (c) => {
      for (const d of source.deviceMetrics()) {
        for (const e of d.events) c.inc({ device: d.device, attribute: e.attribute, event_type: e.eventType }, e.dropped);
      }
    });
  registerRecordGauge(registry, "tango_event_subscribers",
    "Tango event subscriptions now, by attribute and event type.",
    labels, (g) => {
      for (const d of source.deviceMetrics()) {
        for (const e of d.events) g.set({ device: d.device, attribute: e.attribute, event_type: e.eventType }, e.subscribers);
      }
    });
  new RecordHistogram({
    name: "tango_polling_duration_seconds",
    help: "Time one poll of a Tango attribute or command took in seconds (attributes read in one pass each get the pass's time).",
    labelNames: ["device", "object"], buckets: TANGO_BUCKETS_SECONDS, registry,
    series: function* () {
      for (const d of source.deviceMetrics()) for (const [object, record] of d.polls) yield { labels: { device: d.device, object }, record };
    },
  });
  registerRecordCounter(registry, "tango_polling_late_total",
    "Total number of Tango polls discarded because the device's polling overran its period (API_PollThreadOutOfSync).",
    ["device"], (c) => {
      for (const d of source.deviceMetrics()) c.inc({ device: d.device }, d.latePolls);
    });
}
