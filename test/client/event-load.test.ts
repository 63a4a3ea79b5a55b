import { setImmediate as yieldToLoop } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { EventType, type EventData } from "../../src/client/index.js";
import { DevDouble, DevLong, DevState, Device, attribute, command } from "../../src/device/index.js";
import { decodeEventStreamMessage, loadTangoProto, type WireEventStreamMessage } from "../../src/grpc/wire.js";
import { startEventServer, type EventServer } from "../support/event-server.js";
import { waitFor } from "../support/wait-for.js";

const MANY = 1000;

/** `n` dynamic attributes, each of whose change events the device pushes itself. */
class Many extends Device {
  override initDevice(): void {
    this.setState(DevState.ON);
    for (let i = 0; i < MANY; i++) {
      this.addAttribute({ name: `a${i}`, dtype: DevLong, read: () => 0 });
      this.setChangeEvent(`a${i}`, true, false);
    }
  }

  @command({ dtypeIn: DevLong })
  PushAll(v: number): void {
    for (let i = 0; i < MANY; i++) this.pushChangeEvent(`a${i}`, v);
  }
}

/** Pushes change events of `x` as fast as asked. */
class Fast extends Device {
  override initDevice(): void {
    this.setState(DevState.ON);
    this.setChangeEvent("x", true, false);
  }

  @attribute({ dtype: DevDouble })
  get x(): number { return 0; }

  @command({ dtypeIn: DevDouble })
  Push(v: number): void { this.pushChangeEvent("x", v); }
}

describe("events under load", function () {
  this.timeout(60_000);
  let es: EventServer;
  afterEach(async () => { await es?.close(); });

  it(`delivers the events of ${MANY} subscriptions made over one client connection`, async () => {
    es = await startEventServer({ classes: { Many }, devices: { Many: ["t/m/1"] } });
    const dev = es.proxy("t/m/1");
    const last = new Map<string, number>();
    await Promise.all(Array.from({ length: MANY }, (_, i) => dev.subscribeEvent<number>(`a${i}`, EventType.CHANGE_EVENT, (ev) => {
      if (ev.value !== undefined) last.set(ev.attribute, ev.value.value as number);
    })));
    expect(es.server.events.subscriptionCount).to.equal(MANY);
    await dev.commandInout("PushAll", 7);
    await waitFor(() => [...last.values()].filter((v) => v === 7).length === MANY, `all ${MANY} subscriptions to get the pushed event`, 20_000);
  });

  it("keeps a subscriber that stops reading from slowing another subscriber or the device, and tells it what it missed", async () => {
    es = await startEventServer({ classes: { Fast }, devices: { Fast: ["t/f/1"] }, config: { events: { heartbeatMs: 60_000, queueDepth: 50 } } });
    // The stalled subscriber: a plain grpc-js stream that is paused, so HTTP/2 flow control stops the server writing to it.
    const client = new grpc.Client(`127.0.0.1:${es.grpc.port}`, grpc.credentials.createInsecure());
    const method = loadTangoProto().deviceService.Subscribe;
    if (method === undefined) throw new Error("no Subscribe");
    const stalled = client.makeServerStreamRequest<object, WireEventStreamMessage>(method.path, method.requestSerialize as (v: object) => Buffer,
      decodeEventStreamMessage, { device: "t/f/1", attribute: "x", event_type: EventType.CHANGE_EVENT, array_encoding: 0 }, new grpc.Metadata());
    const stalledMessages: WireEventStreamMessage[] = [];
    stalled.on("data", (m: WireEventStreamMessage) => stalledMessages.push(m));
    stalled.on("error", () => undefined);
    try {
      await waitFor(() => stalledMessages.length >= 1, "the stalled subscriber's first message", 5000);
      stalled.pause();
      const dev = es.proxy("t/f/1");
      const healthy: EventData<number>[] = [];
      await dev.subscribeEvent<number>("x", EventType.CHANGE_EVENT, (ev) => { healthy.push(ev); });
      await waitFor(() => healthy.length >= 1, "the healthy subscriber's first event", 5000);
      const pushes = 20_000;
      const device = es.server.userDevices()[0]?.device as Fast;
      const start = performance.now();
      for (let i = 1; i <= pushes; i++) {
        device.Push(i);
        // as a device's own loop would: let the event loop turn now and then
        if (i % 25 === 0) await yieldToLoop();
      }
      const pushMs = performance.now() - start;
      // memory stays bounded: the stalled subscriber's queue holds at most its depth, whatever was pushed
      expect(es.server.events.queuedEventCount, "events queued on the server: the stalled queue full, no more").to.be.within(50, 2 * 50);
      await waitFor(() => healthy.length >= pushes + 1, "the healthy subscriber to get every event", 20_000);
      expect(healthy.every((e) => e.missed === 0), "the healthy subscriber missed nothing").to.equal(true);
      // the device's clients are served meanwhile
      const t0 = performance.now();
      await dev.ping();
      expect(performance.now() - t0).to.be.below(1000);
      // the stalled subscription's queue stayed within its depth while the others went on
      const counts = [...(es.server.userDevices()[0]?.metrics.events ?? [])];
      expect(counts[0]?.dropped, "events dropped for the stalled subscriber").to.be.above(0);
      expect(pushMs, "pushing never waited for the stalled subscriber").to.be.below(10_000);
      stalled.resume();
      await waitFor(() => stalledMessages.some((m) => m.missed > 0), "the stalled subscriber to be told what it missed", 10_000);
      await waitFor(() => stalledMessages.some((m) => m.events.some((e) => e.value?.value?.double_value === pushes)), "the newest event", 10_000);
      const missed = stalledMessages.reduce((sum, m) => sum + m.missed, 0);
      const received = stalledMessages.reduce((sum, m) => sum + m.events.length, 0);
      expect(missed + received, "every event was either received or counted as missed").to.equal(pushes + 1);
    } finally {
      stalled.cancel();
      client.close();
    }
  });
});
