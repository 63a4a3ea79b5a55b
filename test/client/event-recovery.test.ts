import { expect } from "chai";
import { DeviceProxy, EventType, Reason, type EventData } from "../../src/client/index.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";

const DEVICE = "sys/tg_test/1";
const HEARTBEAT_MS = 500;
/** Fresh events must come this soon after the restarted server is ready. */
const BACK_WITHIN_MS = 2_000;

/** One subscription's events, in the order its callback got them. */
class Recorder {
  readonly events: EventData<number>[] = [];
  readonly callback = (ev: EventData<number>): void => { this.events.push(ev); };

  get errors(): EventData<number>[] {
    return this.events.filter((e) => e.error !== undefined);
  }

  /** The error events, for a failure message. */
  errorTexts(): string {
    return `error events:\n${this.errors.map((e) => `${e.error?.reason ?? ""}: ${e.error?.desc ?? ""}`).join("\n")}`;
  }

  values(from = 0): EventData<number>[] {
    return this.events.slice(from).filter((e) => e.value !== undefined);
  }

  /** The first event from index `from` on that matches `pred`, once it has arrived. */
  async next(pred: (e: EventData<number>) => boolean, from: number, what: string, timeoutMs: number): Promise<EventData<number>> {
    await waitFor(() => this.events.slice(from).some(pred), what, timeoutMs);
    return this.events.slice(from).find(pred) as EventData<number>;
  }
}

/**
 * The client's subscriptions against a real server process that dies (SIGKILL), freezes
 * (SIGSTOP), shuts down (SIGTERM) and comes back: one API_EventTimeout error event, then fresh
 * events once the server is back, marked `resubscribed`, with no duplicates and no leftover
 * subscription on the server.
 */
describe("event subscriptions across server failures", function () {
  this.timeout(60_000);
  let sp: ServerProcess;
  const proxies: DeviceProxy[] = [];

  function proxy(): DeviceProxy {
    const p = new DeviceProxy(sp.trl(DEVICE), { timeoutMs: 3_000 });
    proxies.push(p);
    return p;
  }

  /** The server's tango_event_subscribers for double_scalar's change events. */
  async function subscribersOnServer(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${sp.httpPort}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(`tango_event_subscribers{device="${DEVICE}",attribute="double_scalar",event_type="change"}`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
  }

  /** Sequence numbers only go up among the events of one server run: nothing was delivered twice. */
  function expectNoDuplicates(values: EventData<number>[]): void {
    for (let i = 1; i < values.length; i++) {
      expect((values[i] as EventData<number>).sequence, `event ${i} after ${(values[i - 1] as EventData<number>).sequence}`)
        .to.be.above((values[i - 1] as EventData<number>).sequence);
    }
  }

  /** A subscription to double_scalar's change events that has had three events. */
  async function subscribed(): Promise<Recorder> {
    const rec = new Recorder();
    await proxy().subscribeEvent<number>("double_scalar", EventType.CHANGE_EVENT, rec.callback);
    await waitFor(() => rec.values().length >= 3, "three events", 10_000);
    return rec;
  }

  before(async () => {
    // double_scalar changes every 100 ms (Sleep_period) by far more than abs_change and is polled
    // as often: a change event every poll. Heartbeats every 500 ms.
    sp = await startServerProcess({
      tangoTest: {
        properties: { polled_attr: ["double_scalar", "100"], Sleep_period: ["100"] },
        attributeProperties: { double_scalar: { abs_change: "0.01" } },
      },
      events: { heartbeatMs: HEARTBEAT_MS },
    });
  });
  after(async () => { await sp?.close(); });
  afterEach(async function () {
    for (const p of proxies.splice(0)) p.close();
    sp.signal("SIGCONT");
    if (this.currentTest?.state === "failed") {
      await sp.kill();
      await sp.restart();
    }
  });

  it("gives one API_EventTimeout error event when the server is killed, then fresh events within 2 s of its restart, once each", async () => {
    const rec = await subscribed();

    await sp.kill("SIGKILL");
    const lost = await rec.next((e) => e.error !== undefined, 0, "the error event", 5_000);
    expect(lost.error?.reason).to.equal(Reason.EventTimeout);
    expect(lost.attribute).to.equal("double_scalar");
    // The client tries again while the server is down: still one error event.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const beforeRestart = rec.events.length;

    await sp.restart();
    const readyAt = Date.now();
    const back = await rec.next((e) => e.value !== undefined, beforeRestart, "a fresh event after the restart", BACK_WITHIN_MS + 1_000);
    expect(back.receptionTime.getTime() - readyAt, "ms from readiness to the first fresh event").to.be.at.most(BACK_WITHIN_MS);
    expect(back.resubscribed).to.equal(true);

    await waitFor(() => rec.values(beforeRestart).length >= 5, "five events after the restart", 5_000);
    expect(rec.errors.length, rec.errorTexts()).to.equal(1);
    const after = rec.values(beforeRestart);
    expect(after.filter((e) => e.resubscribed), "events marked resubscribed").to.have.length(1);
    expectNoDuplicates(after);
    expect(await subscribersOnServer(), "subscriptions on the restarted server").to.equal(1);
  });

  it("notices a frozen server (SIGSTOP) within two heartbeats, and is back once it thaws", async () => {
    const rec = await subscribed();

    const stoppedAt = Date.now();
    sp.signal("SIGSTOP");
    const lost = await rec.next((e) => e.error !== undefined, 0, "the error event", 5_000);
    expect(lost.error?.reason).to.equal(Reason.EventTimeout);
    expect(lost.error?.desc).to.contain("two heartbeats");
    // The last message came before the freeze: the watchdog fires at most two heartbeats later
    // (plus a timer's lateness on a busy machine).
    expect(lost.receptionTime.getTime() - stoppedAt, "ms from SIGSTOP to the error event").to.be.at.most(2 * HEARTBEAT_MS + 300);
    const beforeThaw = rec.events.length;

    sp.signal("SIGCONT");
    const back = await rec.next((e) => e.value !== undefined, beforeThaw, "a fresh event after SIGCONT", 5_000);
    expect(back.resubscribed).to.equal(true);
    await waitFor(() => rec.values(beforeThaw).length >= 3, "three events after the thaw", 5_000);
    expect(rec.errors.length, rec.errorTexts()).to.equal(1);
    expectNoDuplicates(rec.values(beforeThaw));
    // The stream the client gave up on is gone from the server too.
    await waitFor(async () => (await subscribersOnServer()) === 1, "one subscription left on the server", 5_000);
  });

  it("subscribes while the server is down (stateless): an error event now, the events once it starts", async () => {
    await sp.kill("SIGKILL");
    const rec = new Recorder();
    const dev = proxy();
    const id = await dev.subscribeEvent<number>("double_scalar", EventType.CHANGE_EVENT, rec.callback);
    expect(id).to.be.a("number");
    const down = await rec.next((e) => e.error !== undefined, 0, "the error event", 5_000);
    expect(down.error?.reason).to.equal(Reason.ServerNotRunning);
    expect(rec.values()).to.have.length(0);

    await sp.restart();
    const readyAt = Date.now();
    const first = await rec.next((e) => e.value !== undefined, 0, "the first event", BACK_WITHIN_MS + 1_000);
    expect(first.receptionTime.getTime() - readyAt).to.be.at.most(BACK_WITHIN_MS);
    expect(rec.errors.length, rec.errorTexts()).to.equal(1);
    // and a subscription that does not want to wait is refused at once
    await sp.kill("SIGKILL");
    const refused = await proxy().subscribeEvent("double_scalar", EventType.CHANGE_EVENT, () => undefined, { stateless: false })
      .then(() => undefined, (err: unknown) => err);
    expect(refused).to.have.property("reason", Reason.ServerNotRunning);
    await sp.restart();
  });

  it("resubscribes after a graceful shutdown (SIGTERM ends the streams with API_ShutdownInProgress)", async () => {
    const rec = await subscribed();

    await sp.kill("SIGTERM");
    const lost = await rec.next((e) => e.error !== undefined, 0, "the error event", 5_000);
    expect(lost.error?.reason).to.equal(Reason.EventTimeout);
    expect(lost.error?.desc).to.contain("shut");
    const beforeRestart = rec.events.length;

    await sp.restart();
    const back = await rec.next((e) => e.value !== undefined, beforeRestart, "a fresh event after the restart", BACK_WITHIN_MS + 1_000);
    expect(back.resubscribed).to.equal(true);
    expect(rec.errors.length, rec.errorTexts()).to.equal(1);
    expect(await subscribersOnServer()).to.equal(1);
  });
});
