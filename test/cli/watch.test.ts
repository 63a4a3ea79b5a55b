import { expect } from "chai";
import { runCli } from "../../src/cli/run-cli.js";
import type { CliIo } from "../../src/cli/verb.js";
import { DevFailed } from "../../src/core/index.js";
import { DevDouble, DevLong, DevState, DevString, Device, attribute, command } from "../../src/device/index.js";
import { startEventServer, type EventServer } from "../support/event-server.js";
import { waitFor } from "../support/wait-for.js";

/** Pushes the events a test asks for, through its commands. */
class Pusher extends Device {
  #level = 0;

  override initDevice(): void {
    this.setState(DevState.ON);
    this.setChangeEvent("level", true, false);
    this.setDataReadyEvent("level", true);
  }

  @attribute({ dtype: DevDouble })
  get level(): number { return this.#level; }

  /** Polled, with a change threshold: change events come from the polling. */
  @attribute({ dtype: DevDouble, pollingPeriod: 20, absChange: 1 })
  get polled(): number { return this.#level; }

  @attribute({ dtype: DevDouble })
  get plain(): number { return 0; }

  @command({ dtypeIn: DevDouble })
  Push(v: number): void {
    this.#level = v;
    this.pushChangeEvent("level", v);
  }

  @command()
  PushError(): void {
    this.pushChangeEvent("level", DevFailed.of("Pusher_SensorLost", "sensor unplugged\nat the back", "Pusher::PushError"));
  }

  @command({ dtypeIn: DevLong })
  Ready(counter: number): void { this.pushDataReadyEvent("level", counter); }

  @command({ dtypeIn: DevDouble })
  User(v: number): void { this.pushEvent("level", v); }

  @command({ dtypeIn: DevString })
  AddOne(name: string): void { this.addAttribute({ name, dtype: DevLong, read: () => 1 }); }
}

const DEVICE = "test/pusher/1";
/** Every run stops by itself after this long at the latest, whatever happens to the test. */
const RUN_BOUND_MS = "15000";
const TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z`;

/** A `tango-grpc` run in this process: its output so far, its exit code, and its stop request. */
interface WatchRun {
  readonly done: Promise<number>;
  readonly stop: AbortController;
  stdout(): string;
  stderr(): string;
  lines(): string[];
}

describe("tango-grpc watch", function () {
  this.timeout(20_000);
  let es: EventServer;
  const runs: WatchRun[] = [];

  beforeEach(async () => { es = await startEventServer({ classes: { Pusher }, devices: { Pusher: [DEVICE] } }); });
  afterEach(async () => {
    for (const run of runs.splice(0)) {
      run.stop.abort();
      await run.done;
    }
    await es?.close();
  });

  function watch(...args: string[]): WatchRun {
    let out = "";
    let err = "";
    const stop = new AbortController();
    const io: CliIo = {
      env: {},
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text) },
      signal: stop.signal,
    };
    const run: WatchRun = {
      done: runCli(["watch", ...args, ...(args.includes("--for") ? [] : ["--for", RUN_BOUND_MS])], io),
      stop,
      stdout: () => out,
      stderr: () => err,
      lines: () => out.split("\n").filter((line) => line !== ""),
    };
    runs.push(run);
    return run;
  }

  const trl = (): string => es.trl(DEVICE);
  const cmd = (name: string, argin?: unknown): Promise<unknown> => es.proxy(DEVICE).commandInout(name, argin);
  const linesSeen = (run: WatchRun, n: number, what: string): Promise<void> => waitFor(() => run.lines().length >= n, what);

  it("prints the current value, then each event, one line each, and stops after --count with exit code 0", async () => {
    const run = watch(trl(), "level", "--count", "3");
    await linesSeen(run, 1, "the current value");
    await cmd("Push", 1.5);
    await cmd("Push", -2.25);
    expect(await run.done).to.equal(0);
    expect(run.stderr()).to.equal("");
    const lines = run.lines();
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(new RegExp(`^${TIME}  ${DEVICE}/level  change  #\\d+  0  ATTR_VALID$`));
    expect(lines[1]).to.match(new RegExp(`^${TIME}  ${DEVICE}/level  change  #\\d+  1\\.5  ATTR_VALID$`));
    expect(lines[2]).to.match(new RegExp(`^${TIME}  ${DEVICE}/level  change  #\\d+  -2\\.25  ATTR_VALID$`));
    const sequences = lines.map((line) => Number(/#(\d+)/.exec(line)?.[1]));
    expect(sequences[2]).to.equal((sequences[1] ?? NaN) + 1);
    await waitFor(() => es.server.events.subscriptionCount === 0, "the server sees the subscription end");
  });

  it("writes one JSON document a line with --json, in read --json's shapes", async () => {
    const run = watch(`${trl()}/level`, "--count", "2", "--json");
    await linesSeen(run, 1, "the current value");
    await cmd("Push", 3.5);
    expect(await run.done).to.equal(0);
    const docs = run.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(docs).to.have.length(2);
    expect(docs[1]).to.deep.include({
      device: DEVICE, attribute: "level", event: "change", value: 3.5, quality: "ATTR_VALID", dataFormat: "SCALAR",
      dataType: "DevDouble", dimX: 1, dimY: 0, missed: 0, resubscribed: false,
    });
    expect(docs[1]?.time).to.match(new RegExp(`^${TIME}$`));
    expect(docs[1]?.sequence).to.be.a("number");
  });

  it("prints error events on stdout, root reason and the first line of its description, and does not count them", async () => {
    const run = watch(trl(), "level", "--count", "2");
    await linesSeen(run, 1, "the current value");
    await cmd("PushError");
    await linesSeen(run, 2, "the error event");
    await cmd("Push", 1);
    expect(await run.done).to.equal(0);
    const lines = run.lines();
    expect(lines).to.have.length(3);
    expect(lines[1]).to.match(new RegExp(`^${TIME}  ${DEVICE}/level  change  #\\d+  ERROR  Pusher_SensorLost: sensor unplugged$`));
    expect(run.stderr()).to.equal("");
  });

  it("writes an error event's stack with --json", async () => {
    const run = watch(trl(), "level", "--count", "2", "--json");
    await linesSeen(run, 1, "the current value");
    await cmd("PushError");
    await cmd("Push", 1);
    expect(await run.done).to.equal(0);
    expect(run.lines()).to.have.length(3);
    const doc = JSON.parse(run.lines()[1] ?? "") as { error?: { errors?: unknown[] }; value?: unknown };
    expect(doc.value).to.equal(undefined);
    expect(doc.error?.errors?.[0]).to.deep.include({ reason: "Pusher_SensorLost", desc: "sensor unplugged\nat the back", severity: "ERR" });
  });

  it("watches several attributes, each named once whatever its case, in the TRL or after it", async () => {
    const run = watch(`${trl()}/level`, "polled", "LEVEL", "--count", "4");
    await linesSeen(run, 2, "the current values");
    await waitFor(() => es.server.events.subscriptionCount === 2, "two subscriptions");
    await cmd("Push", 5);
    expect(await run.done).to.equal(0);
    const names = run.lines().map((line) => line.split("  ")[1]);
    expect(names.filter((n) => n === `${DEVICE}/level`)).to.have.length(2);
    expect(names.filter((n) => n === `${DEVICE}/polled`)).to.have.length(2);
  });

  it("shows data_ready counters, user events, attr_conf summaries and intr_change counts", async () => {
    const ready = watch(trl(), "level", "--type", "data_ready", "--count", "1");
    await waitFor(() => es.server.events.subscriptionCount === 1, "the data_ready subscription");
    await cmd("Ready", 7);
    expect(await ready.done).to.equal(0);
    expect(ready.lines()[0]).to.match(new RegExp(`^${TIME}  ${DEVICE}/level  data_ready  #\\d+  counter 7$`));

    const user = watch(trl(), "level", "--type", "USER_EVENT", "--count", "2");
    await linesSeen(user, 1, "the current value");
    await cmd("User", 4);
    expect(await user.done).to.equal(0);
    expect(user.lines()[1]).to.match(new RegExp(`^${TIME}  ${DEVICE}/level  user_event  #\\d+  4  ATTR_VALID$`));

    const conf = watch(trl(), "level", "--type", "attr_conf", "--count", "2");
    await linesSeen(conf, 1, "the current configuration");
    await es.proxy(DEVICE).setAttributeConfig({ name: "level", set: { label: "Water level", unit: "mm", absChange: "0.5" } });
    expect(await conf.done).to.equal(0);
    expect(conf.lines()[1]).to.match(new RegExp(`^${TIME}  ${DEVICE}/level  attr_conf  #\\d+  DevDouble SCALAR READ  `));
    expect(conf.lines()[1]).to.contain('label="Water level"').and.contain("unit=mm").and.contain("abs_change=0.5");

    const intr = watch(trl(), "--type", "intr_change", "--count", "2");
    await linesSeen(intr, 1, "the current interface");
    await cmd("AddOne", "extra");
    expect(await intr.done).to.equal(0);
    const [first, second] = intr.lines();
    const attributes = (line: string | undefined): number => Number(/(\d+) attributes/.exec(line ?? "")?.[1]);
    expect(first).to.match(new RegExp(`^${TIME}  ${DEVICE}  intr_change  #\\d+  \\d+ commands, \\d+ attributes$`));
    expect(attributes(second)).to.equal(attributes(first) + 1);
  });

  it("stops cleanly when its signal aborts (SIGINT, SIGTERM in the real process): unsubscribed, exit code 0", async () => {
    const run = watch(trl(), "level");
    await linesSeen(run, 1, "the current value");
    expect(es.server.events.subscriptionCount).to.equal(1);
    run.stop.abort();
    expect(await run.done).to.equal(0);
    await waitFor(() => es.server.events.subscriptionCount === 0, "the server sees the subscription end");
    await cmd("Push", 9);
    expect(run.lines()).to.have.length(1);
  });

  it("stops after --for milliseconds with exit code 0", async () => {
    const start = Date.now();
    const run = watch(trl(), "level", "--for", "300");
    expect(await run.done).to.equal(0);
    expect(Date.now() - start).to.be.at.least(290);
    expect(run.lines()).to.have.length(1);
  });

  it("refuses a subscription the server refuses with the error stack on stderr and exit code 1, printing no event", async () => {
    const run = watch(trl(), "level", "plain");
    expect(await run.done).to.equal(1);
    expect(run.stdout()).to.equal("");
    expect(run.stderr()).to.equal(
      "tango-grpc: API_AttributePollingNotStarted: The polling (necessary to send events) for the attribute plain is not started\n");
    await waitFor(() => es.server.events.subscriptionCount === 0, "the server sees level's subscription end");

    const missing = watch(trl(), "nope", "--json");
    expect(await missing.done).to.equal(1);
    expect(missing.stderr()).to.equal("tango-grpc: API_AttrNotFound: nope attribute not found\n");
    expect(missing.lines()).to.have.length(1);
    expect(JSON.parse(missing.stdout())).to.have.nested.property("error.errors[0].reason", "API_AttrNotFound");
  });

  it("refuses usage errors with exit code 2 and the usage on stderr, before connecting", async () => {
    const cases: Array<[string[], RegExp]> = [
      [[trl()], /name at least one attribute/],
      [[trl(), "level", "--type", "quality"], /--type "quality": the event type is one of change, periodic, archive, user_event, attr_conf, data_ready, alarm, intr_change/],
      [[trl(), "level", "--count", "0"], /--count "0": give a positive whole number of events/],
      [[trl(), "level", "--count", "many"], /--count "many"/],
      [[trl(), "level", "--type", "intr_change"], /intr_change events are about the device: name no attribute/],
      [["no-address/sys/tg_test/1", "level"], /API_WrongDeviceNameSyntax: .* has no host:port/],
      [[trl(), "level", "--colour"], /Unknown option '--colour'/],
    ];
    for (const [args, problem] of cases) {
      const run = watch(...args);
      expect(await run.done, args.join(" ")).to.equal(2);
      expect(run.stderr(), args.join(" ")).to.match(problem).and.contain("Usage: tango-grpc watch <trl>");
      expect(run.stdout()).to.equal("");
    }
  });

  it("documents its options, output and an example in --help, within 80 columns", async () => {
    let out = "";
    const code = await runCli(["watch", "--help"], { env: {}, stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } });
    expect(code).to.equal(0);
    for (const part of ["--type <type>", "--count <n>", "--for <ms>", "JSON lines", "event stream lost", "tango-grpc watch tango://localhost:50051/sys/tg_test/1"]) {
      expect(out).to.contain(part);
    }
    expect(Math.max(...out.split("\n").map((line) => line.length))).to.be.at.most(80);
    let program = "";
    await runCli(["--help"], { env: {}, stdout: { write: (t: string) => (program += t) }, stderr: { write: () => true } });
    expect(program).to.match(/^ {2}watch\s+print the events/m);
  });
});
