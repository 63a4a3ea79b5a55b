import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { runCliProcess, type CliResult } from "../support/cli-process.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";

/** The watch process lives through a server kill and restart; it is killed if it outlives this. */
const WATCH_BOUND_MS = 60_000;
/** Starting a process from source (tsx compiles it) takes seconds on a loaded machine. */
const START_MS = 20_000;
const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z {2}sys\/tg_test\/1\/double_scalar {2}change {2}#\d+ {2}-?\d[\d.e+-]* {2}ATTR_VALID$/;

/** A real `tango-grpc watch` process against a real server process killed and restarted. */
describe("tango-grpc watch across a server restart", function () {
  this.timeout(WATCH_BOUND_MS + 30_000);
  let sp: ServerProcess;
  let child: ChildProcess | undefined;

  before(async () => {
    // double_scalar changes every 100 ms (Sleep_period) by far more than abs_change, and is polled
    // as often: a change event every poll. Heartbeats every 500 ms notice a dead server in 1 s.
    sp = await startServerProcess({
      tangoTest: {
        properties: { polled_attr: ["double_scalar", "100"], Sleep_period: ["100"] },
        attributeProperties: { double_scalar: { abs_change: "0.01" } },
      },
      events: { heartbeatMs: 500 },
    });
  });
  after(async () => { await sp?.close(); });
  afterEach(() => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    child = undefined;
  });

  it("keeps printing events, says once that the stream was lost and once that it is back, and stops on SIGINT with 0", async () => {
    let stdout = "";
    let stderr = "";
    const result: Promise<CliResult> = runCliProcess(["watch", sp.trl("sys/tg_test/1"), "double_scalar"], {
      timeoutMs: WATCH_BOUND_MS,
      onSpawn: (c) => {
        child = c;
        c.stdout?.on("data", (chunk: unknown) => { stdout += String(chunk); });
        c.stderr?.on("data", (chunk: unknown) => { stderr += String(chunk); });
      },
    });
    const lines = (): string[] => stdout.split("\n").filter((line) => line !== "");
    const failed = (): string => `stdout:\n${stdout}\nstderr:\n${stderr}\nserver:\n${sp.output().slice(-2000)}`;

    await waitFor(() => lines().length >= 3, `three events (${failed()})`, START_MS);
    await sp.kill("SIGKILL");
    await waitFor(() => stderr.includes("event stream lost"), `the stream lost notice (${failed()})`, 10_000);
    const beforeRestart = lines().length;
    await sp.restart();
    await waitFor(() => stderr.includes("event stream back"), `the stream back notice (${failed()})`, START_MS);
    await waitFor(() => lines().length >= beforeRestart + 3, `three events after the restart (${failed()})`, 10_000);

    child?.kill("SIGINT");
    const { code } = await result;
    expect(code, failed()).to.equal(0);
    for (const line of lines()) expect(line).to.match(LINE);
    expect(stderr.split("\n").filter((line) => line !== "")).to.deep.equal([
      "tango-grpc: sys/tg_test/1: event stream lost (Event channel is not responding anymore, maybe the server or event system is down), resubscribing…",
      "tango-grpc: sys/tg_test/1: event stream back",
    ]);
  });
});
