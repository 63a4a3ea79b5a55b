import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { DevFailed, DeviceProxy, EventType, type EventData } from "../../src/client/index.js";
import { parseSamples } from "../support/prom-text.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";

/** promtool from Debian's `prometheus` package; `.ci/run` installs it, so CI never skips. */
function promtool(): string | undefined {
  const found = spawnSync("promtool", ["--version"], { encoding: "utf8", timeout: 10_000 });
  return found.error === undefined && found.status === 0 ? "promtool" : undefined;
}

/** The value of the one sample whose name and labels are exactly these (label order ignored). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels);
  return parseSamples(text).find((s) => s.name === name && want.length === Object.keys(s.labels).length
    && want.every(([k, v]) => s.labels[k] === v))?.value;
}

describe("/metrics of a real server process", function () {
  this.timeout(30_000);
  let sp: ServerProcess;
  let text: string;

  before(async () => {
    // double_scalar polled every 100 ms and changing as often: the event and polling series have data.
    sp = await startServerProcess({
      tangoTest: {
        properties: { polled_attr: ["double_scalar", "100"], Sleep_period: ["100"] },
        attributeProperties: { double_scalar: { abs_change: "0.01" } },
      },
    });
    const dev = new DeviceProxy(sp.trl("sys/tg_test/1"));
    try {
      const events: EventData[] = [];
      await dev.subscribeEvent("double_scalar", EventType.CHANGE_EVENT, (ev) => { events.push(ev); });
      await waitFor(() => events.filter((e) => e.value !== undefined).length >= 3, "three change events", 10_000);
      for (let i = 0; i < 3; i++) await dev.commandInout("DevDouble", i + 0.5);
      await dev.readAttribute("double_scalar");
      await dev.commandInout("NoSuchCommand").then(() => expect.fail("an unknown command succeeded"), (err: unknown) => {
        expect(err).to.be.instanceOf(DevFailed);
      });
      const health = await fetch(`http://127.0.0.1:${sp.httpPort}/readyz`);
      expect(health.status).to.equal(200);
      const res = await fetch(`http://127.0.0.1:${sp.httpPort}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
      text = await res.text();
    } finally {
      dev.close();
    }
  });
  after(async () => { await sp?.close(); });

  it("counts the calls made, on the gRPC side and the sidecar's", () => {
    const method = { grpc_type: "unary", grpc_service: "tango.v1.Device", grpc_method: "CommandInout" };
    expect(sample(text, "grpc_server_handled_total", { ...method, grpc_code: "OK" })).to.equal(3);
    expect(sample(text, "grpc_server_handled_total", { ...method, grpc_code: "NotFound" })).to.equal(1);
    expect(sample(text, "grpc_server_started_total", method)).to.equal(4);
    expect(sample(text, "http_requests_total", { method: "GET", route: "/readyz", status_code: "200" })).to.equal(1);
    expect(sample(text, "process_resident_memory_bytes", {})).to.be.greaterThan(0);
  });

  it("counts the events sent and the subscribers, and times the polls", () => {
    const channel = { device: "sys/tg_test/1", attribute: "double_scalar", event_type: "change" };
    expect(sample(text, "tango_event_subscribers", channel)).to.equal(1);
    expect(sample(text, "tango_events_sent_total", channel)).to.be.at.least(3);
    expect(sample(text, "tango_events_dropped_total", channel)).to.equal(0);
    expect(sample(text, "tango_polling_duration_seconds_count", { device: "sys/tg_test/1", object: "double_scalar" })).to.be.at.least(3);
    expect(sample(text, "tango_polling_late_total", { device: "sys/tg_test/1" })).to.be.a("number");
  });

  it("passes promtool check metrics with no problem reported", function () {
    const tool = promtool();
    if (tool === undefined) {
      if (process.env.CI !== undefined && process.env.CI !== "") expect.fail("promtool is missing in CI: .ci/run installs Debian's prometheus package");
      this.skip();
    }
    const checked = spawnSync(tool, ["check", "metrics"], { input: text, encoding: "utf8", timeout: 10_000 });
    expect(checked.error).to.equal(undefined);
    expect(`${checked.stdout}${checked.stderr}`.trim(), "promtool's findings").to.equal("");
    expect(checked.status).to.equal(0);
  });
});
