import { setTimeout as sleep } from "node:timers/promises";
import { DeviceProxy, EventType } from "../src/client/index.js";
import { monotonicMicros, POLLED_ATTRIBUTES } from "./event-bench.js";
import { quantile } from "./figures.js";
import type { BenchProcess } from "./processes.js";
import { count, fixed, table } from "./report.js";

/*
 * Part 5: events. One attribute pushed from device code as fast as the device can, delivered to
 * 1, 10 and 100 subscribers (each its own DeviceProxy, so its own gRPC stream and connection, in
 * this process): events/s delivered per subscriber and in total, what the queues dropped, and
 * the server's CPU per event delivered. Then push-to-receive latency at 1,000 events/s (the push
 * stamps CLOCK_MONOTONIC, which every process here shares). Then polling: 100 attributes of one
 * device polled every 10 ms, read in one pass per period.
 */

export const EVENT_DEVICE = "bench/events/1";
export const POLL_DEVICE = "bench/poll/1";
const SUBSCRIBERS = [1, 10, 100] as const;
const LATENCY_RATE = 1000;
const POLL_PERIOD_MS = 10;
/**
 * Before each measurement, with the device pushing: the JIT, and new connections' HTTP/2 windows,
 * which grpc-js widens over the first second or two (a fresh stream can drop events meanwhile).
 */
const WARM_UP_MS = 2000;

/** Events delivered with this many subscribers. */
export interface ThroughputFigures {
  subscribers: number;
  /** Events the device pushed per second. */
  pushedPerSecond: number;
  /** Value events per second received by a subscriber (median over subscribers). */
  perSubscriberPerSecond: number;
  /** Value events per second received by all subscribers together. */
  totalPerSecond: number;
  /** Events the server dropped for subscribers that read too slowly, per second, all together (its metrics). */
  droppedPerSecond: number;
  /** Events the subscribers were told they missed, per second, all together (a client can be seconds behind). */
  missedPerSecond: number;
  /** Server CPU time (all threads) per event delivered, µs. */
  serverCpuUsPerEvent: number;
}

export interface EventsResult {
  /** The device pushing flat out. */
  throughput: ThroughputFigures[];
  /** The highest push rate every subscriber received without loss. */
  lossless: Array<ThroughputFigures | undefined>;
  latency: { subscribers: number; ratePerSecond: number; samples: number; p50Ms: number; p99Ms: number };
  polling: { attributes: number; periodMs: number; passesPerSecond: number; readsPerSecond: number; latePolls: number; serverCpuPercent: number };
}

export interface EventsOptions {
  /** The server process (EventBench devices EVENT_DEVICE, and POLL_DEVICE polling POLLED_ATTRIBUTES attributes every 10 ms). */
  readonly server: BenchProcess;
  readonly seconds: number;
  readonly log: (line: string) => void;
}

/** The server's config for this part. */
export function eventsServerConfig(): object {
  const polled = Array.from({ length: POLLED_ATTRIBUTES }, (_, i) => [`p${i}`, String(POLL_PERIOD_MS)]).flat();
  return {
    server: "EventBench", instance: "bench",
    events: { queueDepth: 1000 },
    classes: [{ name: "EventBench", devices: [{ name: EVENT_DEVICE }, { name: POLL_DEVICE, properties: { polled_attr: polled } }] }],
  };
}

/** How the device pushes during a measurement: flat out (as fast as it can), or at a rate a second. */
type Push = "flat out" | number;

async function throughput(address: string, server: BenchProcess, subscribers: number, seconds: number, push: Push): Promise<ThroughputFigures> {
  // With 100 streams flooding this process, a reply can wait behind seconds of events: no timeout.
  const control = new DeviceProxy(`tango://${address}/${EVENT_DEVICE}`, { timeoutMs: Infinity });
  const proxies = Array.from({ length: subscribers }, () => new DeviceProxy(`tango://${address}/${EVENT_DEVICE}`));
  const received = new Array<number>(subscribers).fill(0);
  let missed = 0;
  let isCounting = false;
  try {
    await Promise.all(proxies.map((p, i) => p.subscribeEvent("counter", EventType.CHANGE_EVENT, (ev) => {
      if (!isCounting) return;
      if (ev.value !== undefined) received[i] = (received[i] ?? 0) + 1;
      missed += ev.missed;
    })));
    if (push === "flat out") await control.commandInout("StartPushing");
    else await control.commandInout("PushAt", push);
    await sleep(WARM_UP_MS);
    const pushedAtStart = await control.commandInout<number>("Pushed");
    const droppedAtStart = await dropped(server);
    const cpuAtStart = server.cpuNs();
    const t0 = performance.now();
    isCounting = true;
    await sleep(seconds * 1000);
    isCounting = false;
    const elapsedS = (performance.now() - t0) / 1000;
    const cpuNs = server.cpuNs() - cpuAtStart;
    const total = received.reduce((a, b) => a + b, 0);
    const pushed = (await control.commandInout<number>("Pushed")) - pushedAtStart;
    const droppedInWindow = (await dropped(server)) - droppedAtStart;
    await control.commandInout("StopPushing");
    return {
      subscribers,
      pushedPerSecond: pushed / elapsedS,
      perSubscriberPerSecond: quantile([...received].sort((a, b) => a - b), 0.5) / elapsedS,
      totalPerSecond: total / elapsedS,
      droppedPerSecond: droppedInWindow / elapsedS,
      missedPerSecond: missed / elapsedS,
      serverCpuUsPerEvent: cpuNs / 1000 / Math.max(1, total),
    };
  } finally {
    for (const p of proxies) p.close();
    control.close();
  }
}

/** Push rates tried (events a second), from low to high, for the highest one delivered without loss. */
const RATES = [500, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000];

/**
 * The highest of RATES the device can push with every subscriber receiving (nearly) all of it:
 * no event dropped, at least 98 % received within the window.
 */
async function lossless(address: string, server: BenchProcess, subscribers: number, seconds: number, log: (l: string) => void): Promise<ThroughputFigures | undefined> {
  let best: ThroughputFigures | undefined;
  for (const rate of RATES) {
    const f = await throughput(address, server, subscribers, seconds, rate);
    const isLossless = f.droppedPerSecond === 0 && f.missedPerSecond === 0 && f.perSubscriberPerSecond >= 0.98 * Math.min(rate, f.pushedPerSecond);
    log(`events: ${subscribers} subscriber(s) at ${rate}/s: ${Math.round(f.totalPerSecond)} delivered/s${isLossless ? "" : `, lossy (${Math.round(f.droppedPerSecond)} dropped/s)`}`);
    if (!isLossless) break;
    best = f;
  }
  return best;
}

async function latency(address: string, seconds: number): Promise<EventsResult["latency"]> {
  const dev = new DeviceProxy(`tango://${address}/${EVENT_DEVICE}`);
  const samples: number[] = [];
  let isCounting = false;
  try {
    await dev.subscribeEvent<number>("stamp", EventType.CHANGE_EVENT, (ev) => {
      const stamp = ev.value?.value;
      if (isCounting && typeof stamp === "number") samples.push((monotonicMicros() - stamp) / 1000);
    });
    await dev.commandInout("PushStampsAt", LATENCY_RATE);
    await sleep(1000);
    isCounting = true;
    await sleep(seconds * 1000);
    isCounting = false;
    await dev.commandInout("StopPushing");
  } finally {
    dev.close();
  }
  samples.sort((a, b) => a - b);
  return { subscribers: 1, ratePerSecond: LATENCY_RATE, samples: samples.length, p50Ms: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99) };
}

/** A sample of the server's /metrics text: the value of `name{…label="value"…}`, summed over the matching series. */
async function metric(server: BenchProcess, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) && line.includes(label)) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

/** Events the server has dropped so far on the pushed attribute (tango_events_dropped_total). */
function dropped(server: BenchProcess): Promise<number> {
  return metric(server, "tango_events_dropped_total", `attribute="counter"`);
}

async function polling(server: BenchProcess, seconds: number): Promise<EventsResult["polling"]> {
  const device = `device="${POLL_DEVICE}"`;
  const passes = (): Promise<number> => metric(server, "tango_polling_duration_seconds_count", `object="p0"`);
  const late = (): Promise<number> => metric(server, "tango_polling_late_total", device);
  const [passesAtStart, lateAtStart, cpuAtStart, t0] = [await passes(), await late(), server.cpuNs(), performance.now()];
  await sleep(seconds * 1000);
  const elapsedS = (performance.now() - t0) / 1000;
  const cpuNs = server.cpuNs() - cpuAtStart;
  const passesPerSecond = ((await passes()) - passesAtStart) / elapsedS;
  return {
    attributes: POLLED_ATTRIBUTES, periodMs: POLL_PERIOD_MS, passesPerSecond, readsPerSecond: passesPerSecond * POLLED_ATTRIBUTES,
    latePolls: (await late()) - lateAtStart, serverCpuPercent: (cpuNs / 1e9 / elapsedS) * 100,
  };
}

/**
 * Runs the events part against `server`. The polling device polls throughout; its CPU share is
 * measured first, and subtracted from nothing: it is part of the server the events come from.
 */
export async function runEvents(opts: EventsOptions): Promise<EventsResult> {
  const address = `127.0.0.1:${opts.server.grpcPort}`;
  opts.log(`events: polling ${POLLED_ATTRIBUTES} attributes every ${POLL_PERIOD_MS} ms`);
  const admin = await DeviceProxy.adminOf(address);
  try {
    await sleep(1000); // the polling settles after start-up
    const poll = await polling(opts.server, opts.seconds);
    // The push measurements run without the polling device's load.
    await admin.commandInout("StopPolling");
    const results: ThroughputFigures[] = [];
    const best: Array<ThroughputFigures | undefined> = [];
    for (const n of SUBSCRIBERS) {
      opts.log(`events: pushing as fast as the device can to ${n} subscriber(s)`);
      results.push(await throughput(address, opts.server, n, opts.seconds, "flat out"));
      best.push(await lossless(address, opts.server, n, opts.seconds, opts.log));
    }
    opts.log(`events: latency at ${LATENCY_RATE} events/s`);
    const lat = await latency(address, opts.seconds);
    return { throughput: results, lossless: best, latency: lat, polling: poll };
  } finally {
    admin.close();
  }
}

/** The part's tables. */
export function printEvents(r: EventsResult): void {
  console.log("\n### Events: one attribute pushed from device code\n");
  const row = (how: string, t: ThroughputFigures): string[] => [how, String(t.subscribers), count(Math.round(t.pushedPerSecond)),
    count(Math.round(t.perSubscriberPerSecond)), count(Math.round(t.totalPerSecond)), count(Math.round(t.droppedPerSecond)), fixed(t.serverCpuUsPerEvent, 2)];
  console.log(table(["device pushes", "subscribers", "pushed events/s", "delivered per subscriber events/s", "delivered in total events/s",
    "dropped events/s", "server CPU µs/event delivered"], [
    ...r.throughput.map((t) => row("as fast as it can", t)),
    ...r.lossless.flatMap((t) => (t === undefined ? [] : [row("highest rate without loss", t)])),
  ]));
  console.log("\nEach subscriber is its own DeviceProxy (its own connection and stream) in the bench's process, on the clients' CPU; "
    + "delivered: value events its callback got. Dropped: events the server's per-subscriber queues dropped because their "
    + "subscriber read too slowly, from the server's tango_events_dropped_total (each subscriber is told how many once it reads that far, "
    + "which can be seconds later: the connections' buffers hold that much). As fast as it can: bursts of 64 pushes per turn of the device's "
    + `event loop, far more than a client can read, so most are dropped. Without loss: the highest of ${RATES.map(count).join(", ")} `
    + "events/s at which no event was dropped and each subscriber got at least 98 % of them in the window.");
  const l = r.latency;
  console.log(`\nPush-to-receive latency at ${count(l.ratePerSecond)} events/s, ${l.subscribers} subscriber: p50 ${fixed(l.p50Ms, 3)} ms, `
    + `p99 ${fixed(l.p99Ms, 3)} ms (${count(l.samples)} events; from the device's push to the callback).`);
  const p = r.polling;
  console.log(`\nPolling ${p.attributes} attributes every ${p.periodMs} ms (one read pass per period): ${fixed(p.passesPerSecond, 1)} passes/s, `
    + `${count(Math.round(p.readsPerSecond))} attribute reads/s, ${p.latePolls} late polls, server CPU ${fixed(p.serverCpuPercent, 1)} %.`);
}

/** The best delivery with this many subscribers: flat out, or the highest lossless rate. */
function bestOf(r: EventsResult, subscribers: number): ThroughputFigures | undefined {
  const all = [...r.throughput, ...r.lossless].filter((t): t is ThroughputFigures => t !== undefined && t.subscribers === subscribers);
  return all.reduce<ThroughputFigures | undefined>((b, t) => (b === undefined || t.totalPerSecond > b.totalPerSecond ? t : b), undefined);
}

/** The issue's targets for events. */
export function eventTargets(r: EventsResult): Array<{ target: string; measured: string; met: boolean }> {
  const one = bestOf(r, 1);
  const hundred = bestOf(r, 100);
  const rows: Array<{ target: string; measured: string; met: boolean }> = [];
  if (one !== undefined) rows.push({ target: "≥ 50,000 events/s to one subscriber", measured: `${count(Math.round(one.totalPerSecond))} events/s`, met: one.totalPerSecond >= 50_000 });
  if (hundred !== undefined) {
    rows.push({ target: "≥ 200,000 events/s in total to 100 subscribers", measured: `${count(Math.round(hundred.totalPerSecond))} events/s`, met: hundred.totalPerSecond >= 200_000 });
  }
  rows.push({ target: "p99 push-to-receive ≤ 5 ms at 1,000 events/s", measured: `${fixed(r.latency.p99Ms, 3)} ms (p50 ${fixed(r.latency.p50Ms, 3)} ms)`, met: r.latency.p99Ms <= 5 });
  return rows;
}
