import { expect } from "chai";
import { Registry } from "prom-client";
import { CmdArgType, DevDouble, DevLong, DevState, Device, attribute, command } from "../../src/device/index.js";
import { EventType, Reason } from "../../src/core/index.js";
import { startHttpServer, type HttpServerHandle } from "../../src/http/index.js";
import { registerTangoMetrics } from "../../src/metrics/index.js";
import type { DeviceServer } from "../../src/server/index.js";
import { CTX, defer, expectDevFailed, startServer } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";

const DEV = "test/stuck/1";
const ADMIN = "dserver/Test/t";
/** monitorTimeoutMs 500 × hungHandlerFactor 2: a handler is hung after 1 s. */
const CONFIG = { monitorTimeoutMs: 500, hungHandlerFactor: 2, eventLoopStallMs: 1000 };

/** Releases every Hang still running (the old instances' handlers), so that nothing outlives a test. */
let releaseHung = defer();

/** A device whose Hang never returns until the test lets it, and that counts its own instances. */
class Stuck extends Device {
  static instances = 0;
  readonly instance = ++Stuck.instances;
  #writes = 0;

  override initDevice(): void {
    this.setState(DevState.ON);
  }

  @attribute({ dtype: DevDouble })
  get level(): number { return 1.5; }

  @command({ dtypeOut: DevLong })
  Instance(): number {
    return this.instance;
  }

  /** Never returns while the test holds it; then spoils its own instance, as a late handler would. */
  @command({ dtypeOut: DevLong })
  async Hang(): Promise<number> {
    await releaseHung.promise;
    this.setState(DevState.FAULT);
    this.pushEvent("level", 99);
    return ++this.#writes;
  }

  @command()
  Push(): void {
    this.pushEvent("level", 1);
  }

  @command({ dtypeIn: DevLong })
  async Sleep(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  @command({ dtypeIn: DevLong, docIn: "milliseconds" })
  Block(ms: number): void {
    const end = Date.now() + ms;
    while (Date.now() < end) { /* a synchronous busy loop: the whole process stands still */ }
  }
}

describe("Hung and busy devices", function () {
  this.timeout(30_000);
  let ts: Awaited<ReturnType<typeof startServer>>;
  let server: DeviceServer;
  let registry: Registry;
  let http: HttpServerHandle | undefined;

  beforeEach(async () => {
    releaseHung = defer();
    ts = await startServer({ classes: { Stuck }, devices: { Stuck: [DEV] }, config: CONFIG });
    server = ts.server;
    registry = new Registry();
    registerTangoMetrics(registry, server, { version: "test" });
  });
  afterEach(async () => {
    releaseHung.resolve();
    await http?.close();
    http = undefined;
    await ts.close();
  });

  const run = (device: string, cmd: string, argin?: { type: CmdArgType; value: unknown }): Promise<unknown> =>
    server.api.commandInout(CTX, device, cmd, argin as never).then((v) => v.value);
  const logged = (msg: string): Record<string, unknown> | undefined => ts.logs().find((l) => l.msg === msg && l.device === DEV);

  /** Starts Hang and waits until the watchdog reports it; `late` is the hung call's outcome. */
  async function hang(): Promise<{ late: Promise<unknown> }> {
    const late = run(DEV, "Hang").then((v) => v, (err: unknown) => err);
    await waitFor(() => logged("device handler is hung: DevRestart or Init of the device replaces it") !== undefined, "the hung report", 5_000);
    return { late };
  }

  async function metric(name: string): Promise<number | undefined> {
    const line = (await registry.metrics()).split("\n").find((l) => l.startsWith(`${name}{device="${DEV}"} `));
    return line === undefined ? undefined : Number(line.split(" ")[1]);
  }

  it("reports a handler past the limit at error level, in tango_hung_handlers and in the readiness reason", async () => {
    await hang();
    expect(logged("device handler is hung: DevRestart or Init of the device replaces it")).to.include({
      level: 50, operation: "command_inout", what: "command_inout Hang", limitMs: 1000,
    });
    expect(await metric("tango_hung_handlers")).to.equal(1);
    expect(await metric("tango_hung_handlers_total")).to.equal(1);
    const readiness = server.readiness();
    expect(readiness.isReady).to.equal(true);
    expect(readiness.reason).to.match(new RegExp(`device ${DEV} is hung: command_inout Hang has run for \\d+ ms \\(limit 1000 ms\\)`));
  });

  it("after DevRestart of a hung device, answers State, reads and commands at once from a fresh instance", async () => {
    const { late } = await hang();
    await expectDevFailed(server.api.state(CTX, DEV), Reason.CommandTimedOut); // wedged until recovered
    const before = await run(DEV, "Instance").catch((err: unknown) => err);
    expect(before).to.have.property("reason", Reason.CommandTimedOut);
    await run(ADMIN, "DevRestart", { type: CmdArgType.DevString, value: DEV });
    expect(await server.api.state(CTX, DEV)).to.equal(DevState.ON);
    const [level] = await server.api.readAttributes(CTX, DEV, ["level"]);
    expect(level?.value).to.equal(1.5);
    expect(await run(DEV, "Instance")).to.equal(Stuck.instances);
    expect(await metric("tango_hung_handlers")).to.equal(0);
    expect(server.readiness().reason).to.not.include("hung");
    // The old handler ends: its result is discarded, and what it did to its instance stays there.
    releaseHung.resolve();
    const err = await late;
    expect(err).to.have.property("reason", Reason.CommandTimedOut);
    expect((err as Error).message).to.include("its result is discarded");
    expect(await server.api.state(CTX, DEV)).to.equal(DevState.ON);
  });

  it("serializes the fresh instance on its own monitor, which the old handler's late end does not release", async () => {
    const { late } = await hang();
    await run(ADMIN, "DevRestart", { type: CmdArgType.DevString, value: DEV });
    const startMs = performance.now();
    const sleeping = run(DEV, "Sleep", { type: CmdArgType.DevLong, value: 150 });
    releaseHung.resolve();
    await late;
    // State queues behind Sleep on the fresh monitor: it cannot answer before Sleep's 150 ms (the monitor waits 500).
    await server.api.state(CTX, DEV);
    expect(performance.now() - startMs).to.be.at.least(140);
    await sleeping;
  });

  it("drops the events the old instance pushes late: subscribers of the fresh one never see them", async () => {
    const sink = { wake: (): void => undefined, heartbeat: (): void => undefined, end: (): void => undefined };
    const sub = await server.api.subscribeEvent(CTX, DEV, "level", EventType.USER_EVENT, sink);
    try {
      const { late } = await hang();
      await run(ADMIN, "DevRestart", { type: CmdArgType.DevString, value: DEV });
      const before = sub.pending;
      releaseHung.resolve();
      await late;
      expect(sub.pending, "events of the replaced instance").to.equal(before);
      await run(DEV, "Push");
      expect(sub.pending, "events of the fresh instance").to.equal(before + 1);
    } finally {
      sub.close();
    }
  });

  it("after Init of a hung device, replaces it: State answers and /readyz is 200 without the hung detail", async () => {
    http = await startHttpServer({ host: "127.0.0.1", port: 0, registry, logger: ts.server.log, readiness: () => server.readiness() });
    const readyz = async (): Promise<{ status: number; reason: string }> => {
      const res = await fetch(`http://127.0.0.1:${http?.port ?? 0}/readyz`);
      return { status: res.status, reason: ((await res.json()) as { reason: string }).reason };
    };
    const first = Stuck.instances;
    await hang();
    expect((await readyz()).reason).to.include(`device ${DEV} is hung`);
    await run(DEV, "Init");
    expect(await server.api.state(CTX, DEV)).to.equal(DevState.ON);
    expect(await run(DEV, "Instance")).to.be.above(first);
    expect(await readyz()).to.deep.equal({ status: 200, reason: "every device of Test/t is exported" });
  });

  it("after the admin device's Init, exports the hung device again and /readyz is 200", async () => {
    http = await startHttpServer({ host: "127.0.0.1", port: 0, registry, logger: ts.server.log, readiness: () => server.readiness() });
    await hang();
    await run(ADMIN, "Init");
    expect(await server.api.state(CTX, DEV)).to.equal(DevState.ON);
    const res = await fetch(`http://127.0.0.1:${http.port}/readyz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ ready: true, reason: "every device of Test/t is exported" });
  });

  it("logs an event-loop stall of a synchronous busy loop, naming the device and the command, and counts it", async () => {
    await run(DEV, "Block", { type: CmdArgType.DevLong, value: 1500 });
    const msg = "event loop stalled, most likely by a synchronous device handler";
    await waitFor(() => logged(msg) !== undefined, "the stall report", 3_000);
    const line = logged(msg);
    expect(line).to.include({ level: 50, operation: "command_inout", what: "command_inout Block" });
    expect(line?.stalledMs).to.be.within(1000, 3000);
    expect(await metric("tango_event_loop_stalls_total")).to.equal(1);
    expect(await metric("tango_event_loop_stall_seconds_total")).to.be.within(1, 3);
  });
});
