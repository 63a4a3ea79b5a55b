import { expect } from "chai";
import { AttrDataFormat, AttrQuality, CmdArgType, type AttributeValue, EventType } from "../../src/core/index.js";
import { parseBand } from "../../src/server/events/criteria.js";
import { EventChannel, type EventProperties } from "../../src/server/events/event-channel.js";
import { Subscription } from "../../src/server/events/subscription.js";

/*
 * A new channel's first event is the value read for its first subscriber; a poll that lands while
 * that read is in flight is judged against it once it is in place, not sent as a second first.
 */

const PROPS: EventProperties = {
  change: { rel: parseBand("Not specified"), abs: parseBand("1") },
  archive: { rel: parseBand("Not specified"), abs: parseBand("Not specified") },
  periodMs: 1000,
  archivePeriodMs: undefined,
};

function reading(value: number, timeMs: number): AttributeValue {
  return {
    name: "polled", quality: AttrQuality.ATTR_VALID, dataFormat: AttrDataFormat.SCALAR, dataType: CmdArgType.DevDouble,
    time: { sec: Math.floor(timeMs / 1000), usec: 0 }, rDim: { x: 1, y: 0 }, wDim: { x: 0, y: 0 }, value,
  } as AttributeValue;
}

function channelWithSubscriber(): { channel: EventChannel; sent: () => unknown[] } {
  const counts = { attribute: "polled", eventType: "change", sent: 0, dropped: 0, subscribers: 0 };
  const channel = new EventChannel("t/s/1", "polled", EventType.CHANGE_EVENT, counts);
  const sub = new Subscription({
    id: 1, device: "t/s/1", attribute: "polled", eventType: EventType.CHANGE_EVENT, counts, queueDepth: 10, heartbeatMs: 60_000,
    sink: { wake: () => undefined, heartbeat: () => undefined, end: () => undefined }, onClose: () => undefined,
  });
  channel.subscribers.add(sub);
  sub.release(undefined);
  return { channel, sent: () => sub.take(10).events.map((e) => e.record.value?.value) };
}

describe("event channel start", () => {
  it("judges a poll that came during the first read against the first value: the same value sends nothing", () => {
    const { channel, sent } = channelWithSubscriber();
    channel.beginStart();
    expect(channel.offer({ sample: reading(0, 1000), timeMs: 1000, props: PROPS, detect: true }, 1000)).to.equal(false);
    channel.start(reading(0, 1001), 1001);
    channel.endStart();
    expect(sent()).to.deep.equal([]);
    channel.offer({ sample: reading(0.5, 1020), timeMs: 1020, props: PROPS, detect: true }, 1020);
    channel.offer({ sample: reading(1, 1040), timeMs: 1040, props: PROPS, detect: true }, 1040);
    expect(sent()).to.deep.equal([1]);
  });

  it("sends the waiting poll once the first value is in place when it passes the criteria, and only the last one", () => {
    const { channel, sent } = channelWithSubscriber();
    channel.beginStart();
    channel.offer({ sample: reading(3, 1000), timeMs: 1000, props: PROPS, detect: true }, 1000);
    channel.offer({ sample: reading(5, 1020), timeMs: 1020, props: PROPS, detect: true }, 1020);
    channel.start(reading(0, 1001), 1001);
    channel.endStart();
    expect(sent()).to.deep.equal([5]);
  });

  it("sends at once what is pushed without the criteria (detect false), starting or not", () => {
    const { channel, sent } = channelWithSubscriber();
    channel.beginStart();
    channel.offer({ sample: reading(0, 1000), timeMs: 1000, props: PROPS, detect: false }, 1000);
    expect(sent()).to.deep.equal([0]);
    channel.endStart();
    expect(sent()).to.deep.equal([]);
  });
});
