import { spawnSync } from "node:child_process";
import { Metadata, type Client } from "@grpc/grpc-js";
import { expect } from "chai";
import { Registry } from "prom-client";
import { DevFailed, MultiDevFailed, Reason } from "../../src/core/index.js";
import { CmdArgType, DevDouble, DevLong, DevState, Device, attribute, command } from "../../src/device/index.js";
import { fromGrpcError, loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { OPERATION_NAMES, TANGO_BUCKETS_SECONDS, registerTangoMetrics } from "../../src/metrics/index.js";
import type { DeviceServer } from "../../src/server/index.js";
import { createClient, unary } from "../grpc/grpc-test-client.js";
import { defer, startServer } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";
import { parseSamples, tableOf, type Sample } from "../support/prom-text.js";

const SENSOR_FAULT = "PS_SensorFault";
const NO_HARDWARE = "BRK_NoHardware";
let gate = defer();
/** Runs of the device code a scrape must not run (the always-executed hook, dev_state). */
let hookRuns = 0;

/** A small power supply: OFF at init, On only from OFF, a sensor that always fails. */
class Supply extends Device {
  #volts = 0;

  override initDevice(): void {
    this.setState(DevState.OFF);
  }

  override alwaysExecutedHook(): void {
    hookRuns++;
  }

  override devState(): DevState | Promise<DevState> {
    hookRuns++;
    return super.devState();
  }

  @attribute({ dtype: DevDouble })
  get voltage(): number { return this.#volts; }
  set voltage(v: number) { this.#volts = v; }

  @attribute({ dtype: DevDouble })
  get sensor(): number { throw DevFailed.of(SENSOR_FAULT, "sensor unplugged", "Supply::read_sensor"); }

  @command({ allowedIn: [DevState.OFF] })
  On(): void { this.setState(DevState.ON); }

  @command({ dtypeIn: DevLong })
  SetLevel(_level: number): void {}

  @command()
  async Hold(): Promise<void> { await gate.promise; }
}

/** A device whose init fails, so it is never exported. */
class Broken extends Device {
  override initDevice(): void {
    throw DevFailed.of(NO_HARDWARE, "no hardware", "Broken::init_device");
  }
}

const SUPPLY = "test/supply/1";
const BROKEN = "test/broken/1";
const ADMIN = "dserver/Metrics/t";
const DEVICES = [SUPPLY, BROKEN, ADMIN];
const STATES = ["ON", "OFF", "CLOSE", "OPEN", "INSERT", "EXTRACT", "MOVING", "STANDBY", "FAULT", "INIT", "RUNNING", "ALARM", "DISABLE", "UNKNOWN"];
const { deviceService } = loadTangoProto();

describe("tango_* metrics", () => {
  let ts: Awaited<ReturnType<typeof startServer>>;
  let server: DeviceServer;
  let registry: Registry;
  let grpc: GrpcServerHandle;
  let client: Client;

  beforeEach(async () => {
    gate = defer();
    ts = await startServer({
      classes: { Supply, Broken }, devices: { Supply: [SUPPLY], Broken: [BROKEN] }, config: { server: "Metrics", instance: "t" },
    });
    server = ts.server;
    registry = new Registry();
    registerTangoMetrics(registry, server, { version: "9.9.9", nodeVersion: "v20.0.0" });
    grpc = await startGrpcServer({ api: server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 16 * 1024 * 1024, logger: server.log, registry });
    client = createClient(grpc.port);
  });
  afterEach(async () => {
    gate.resolve();
    client.close();
    await grpc.close(1000);
    await ts.close();
  });

  const call = (method: string, req: object): Promise<unknown> => unary(client, deviceService, method, req, { metadata: new Metadata() });
  /** The Tango error a call failed with (decoded from the gRPC status). */
  async function failure(p: Promise<unknown>): Promise<DevFailed | MultiDevFailed> {
    try {
      await p;
    } catch (err) {
      const df = fromGrpcError(err as Parameters<typeof fromGrpcError>[0]);
      if (df !== undefined) return df;
      throw err;
    }
    throw new Error("the call succeeded, a failure was expected");
  }
  const scrape = async (): Promise<Sample[]> => parseSamples(await registry.metrics());
  const stateTable = (states: Record<string, string>): Record<string, number> => Object.fromEntries(
    DEVICES.flatMap((d) => STATES.map((s) => [`${d}|${s}`, states[d] === s ? 1 : 0])));

  it("counts a known sequence of gRPC calls exactly, by device and operation, command, attribute and reason", async () => {
    const before = await scrape();
    expect(tableOf(before, "tango_device_state", ["device", "state"])).to.deep.equal(stateTable({ [SUPPLY]: "OFF", [BROKEN]: "UNKNOWN", [ADMIN]: "ON" }));

    await call("Ping", { device: SUPPLY });
    await call("Ping", { device: SUPPLY });
    await call("CommandInout", { device: SUPPLY, command: "On" });
    expect(await failure(call("CommandInout", { device: SUPPLY, command: "On" }))).to.have.property("reason", Reason.CommandNotAllowed);
    expect(await failure(call("CommandInout", { device: SUPPLY, command: "NoSuchCommand" }))).to.have.property("reason", Reason.CommandNotFound);
    expect(await failure(call("CommandInout", { device: SUPPLY, command: "SetLevel", argin: { type: CmdArgType.DevString, string_value: "high" } })))
      .to.have.property("reason", Reason.IncompatibleCmdArgumentType);
    await call("CommandInout", { device: SUPPLY, command: "setlevel", argin: { type: CmdArgType.DevLong, int_value: 4 } });
    await call("ReadAttributes", { device: SUPPLY, names: ["voltage", "sensor", "no_such_attr", "State"] });
    await call("WriteAttributes", { device: SUPPLY, values: [{ name: "voltage", value: { type: CmdArgType.DevDouble, double_value: 2.5 } }] });
    const multi = await failure(call("WriteAttributes", { device: SUPPLY, values: [
      { name: "VOLTAGE", value: { type: CmdArgType.DevDouble, double_value: 3 } },
      { name: "no_such_attr", value: { type: CmdArgType.DevDouble, double_value: 1 } },
    ] }));
    expect(multi).to.be.instanceOf(MultiDevFailed);
    await call("State", { device: SUPPLY });
    expect(await failure(call("Ping", { device: "no/such/device" }))).to.have.property("reason", Reason.DeviceNotFound);
    expect(await failure(call("Ping", { device: BROKEN }))).to.have.property("reason", NO_HARDWARE);

    const samples = await scrape();
    const zeroRequests = Object.fromEntries(DEVICES.flatMap((d) => OPERATION_NAMES.map((op) => [`${d}|${op}`, 0])));
    expect(tableOf(samples, "tango_requests_total", ["device", "operation"])).to.deep.equal({
      ...zeroRequests,
      [`${SUPPLY}|ping`]: 2, [`${SUPPLY}|command_inout`]: 5, [`${SUPPLY}|read_attributes`]: 1,
      [`${SUPPLY}|write_attributes`]: 2, [`${SUPPLY}|state`]: 1,
      [`${BROKEN}|ping`]: 1,
      "(unknown)|ping": 1,
    });
    expect(tableOf(samples, "tango_errors_total", ["device", "reason"])).to.deep.equal({
      [`${SUPPLY}|${Reason.CommandNotAllowed}`]: 1,
      [`${SUPPLY}|${Reason.CommandNotFound}`]: 1,
      [`${SUPPLY}|${Reason.IncompatibleCmdArgumentType}`]: 1,
      [`${SUPPLY}|${SENSOR_FAULT}`]: 1,
      [`${SUPPLY}|${Reason.AttrNotFound}`]: 2,
      [`${BROKEN}|${NO_HARDWARE}`]: 1,
      [`(unknown)|${Reason.DeviceNotFound}`]: 1,
    });

    const commands = { [`${SUPPLY}|On`]: 2, [`${SUPPLY}|SetLevel`]: 2 };
    expectHistogram(samples, "tango_command_duration_seconds", ["device", "command"], commands);
    expectHistogram(samples, "tango_attribute_read_duration_seconds", ["device", "attribute"],
      { [`${SUPPLY}|voltage`]: 1, [`${SUPPLY}|sensor`]: 1, [`${SUPPLY}|State`]: 1 });
    expectHistogram(samples, "tango_attribute_write_duration_seconds", ["device", "attribute"], { [`${SUPPLY}|voltage`]: 2 });
    // Every request that took the monitor found it free: 9 samples of 0 on the supply.
    const waits = { [SUPPLY]: 9, [BROKEN]: 0, [ADMIN]: 0 };
    expectHistogram(samples, "tango_serialization_wait_seconds", ["device"], waits, { isSumZero: true });

    expect(tableOf(samples, "tango_device_state", ["device", "state"])).to.deep.equal(stateTable({ [SUPPLY]: "ON", [BROKEN]: "UNKNOWN", [ADMIN]: "ON" }));
    expect(tableOf(samples, "tango_device_exported", ["device"])).to.deep.equal({ [SUPPLY]: 1, [BROKEN]: 0, [ADMIN]: 1 });
    expect(tableOf(samples, "tango_build_info", ["version", "node_version", "idl_version"])).to.deep.equal({ "9.9.9|v20.0.0|5": 1 });

    const tango = samples.filter((s) => s.name.startsWith("tango_"));
    const labelValues = new Set(tango.flatMap((s) => Object.values(s.labels)));
    for (const sent of ["NoSuchCommand", "no_such_attr", "no/such/device", "VOLTAGE", "setlevel"]) {
      expect(labelValues.has(sent), `a series labelled ${sent}`).to.equal(false);
    }
  });

  it("times the wait of a request queued behind a busy monitor", async () => {
    const holding = call("CommandInout", { device: SUPPLY, command: "Hold" });
    await waitFor(async () => requestsOf(await scrape(), "command_inout") === 1, "Hold arrived");
    const state = call("State", { device: SUPPLY });
    await waitFor(async () => requestsOf(await scrape(), "state") === 1, "State arrived");
    gate.resolve();
    await Promise.all([holding, state]);

    const samples = await scrape();
    const count = tableOf(samples, "tango_serialization_wait_seconds_count", ["device"]);
    const sum = tableOf(samples, "tango_serialization_wait_seconds_sum", ["device"]);
    expect(count[SUPPLY]).to.equal(2);
    expect(sum[SUPPLY]).to.be.above(0);
    const hold = tableOf(samples, "tango_command_duration_seconds_sum", ["device", "command"])[`${SUPPLY}|Hold`];
    expect(hold).to.be.at.least(sum[SUPPLY] ?? Infinity);
  });

  it("shows a state change at the next scrape without running device code", async () => {
    const stateOf = async (): Promise<Record<string, number>> => tableOf(await scrape(), "tango_device_state", ["device", "state"]);
    expect((await stateOf())[`${SUPPLY}|OFF`]).to.equal(1);
    await call("CommandInout", { device: SUPPLY, command: "On" });
    const runs = hookRuns;
    const after = await stateOf();
    expect([after[`${SUPPLY}|OFF`], after[`${SUPPLY}|ON`]]).to.deep.equal([0, 1]);
    await scrape();
    expect(hookRuns, "device code runs during scrapes").to.equal(runs);
  });

  it("shows which devices a client holds locked", async () => {
    const lockedOf = async (): Promise<Record<string, number>> => tableOf(await scrape(), "tango_device_locked", ["device"]);
    expect(await lockedOf()).to.deep.equal({ [SUPPLY]: 0, [BROKEN]: 0, [ADMIN]: 0 });
    const owner = { client: { host: "lab1", peer: "127.0.0.1:1", pid: 4242 }, transport: "grpc" } as const;
    const lock = { type: CmdArgType.DevVarLongStringArray, value: { lvalue: Int32Array.of(30), svalue: [SUPPLY] } };
    await server.api.commandInout(owner, ADMIN, "LockDevice", lock);
    expect(await lockedOf()).to.deep.equal({ [SUPPLY]: 1, [BROKEN]: 0, [ADMIN]: 0 });
  });

  it("writes the text format promtool checks: help, types, _total counters, base units", async () => {
    await call("CommandInout", { device: SUPPLY, command: "On" });
    const text = await registry.metrics();
    const types = new Map([...text.matchAll(/^# TYPE (tango_\w+) (\w+)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.fromEntries(types)).to.deep.equal({
      tango_requests_total: "counter",
      tango_errors_total: "counter",
      tango_command_duration_seconds: "histogram",
      tango_attribute_read_duration_seconds: "histogram",
      tango_attribute_write_duration_seconds: "histogram",
      tango_serialization_wait_seconds: "histogram",
      tango_device_state: "gauge",
      tango_device_exported: "gauge",
      tango_device_locked: "gauge",
      tango_build_info: "gauge",
      tango_events_sent_total: "counter",
      tango_events_dropped_total: "counter",
      tango_event_subscribers: "gauge",
      tango_polling_duration_seconds: "histogram",
      tango_polling_late_total: "counter",
      tango_store_fsyncs_total: "counter",
      tango_store_commits_total: "counter",
      tango_store_records_total: "counter",
      tango_store_compactions_total: "counter",
      tango_store_write_errors_total: "counter",
      tango_store_file_bytes: "gauge",
      tango_store_live_bytes: "gauge",
      tango_hung_handlers: "gauge",
      tango_hung_handlers_total: "counter",
      tango_event_loop_stalls_total: "counter",
      tango_event_loop_stall_seconds_total: "counter",
    });
    for (const name of types.keys()) expect(text).to.match(new RegExp(`^# HELP ${name} \\S.{20,}$`, "m"));
    const les = parseSamples(text).filter((s) => s.name === "tango_command_duration_seconds_bucket").map((s) => s.labels.le);
    expect(les).to.deep.equal([...TANGO_BUCKETS_SECONDS.map(String), "+Inf"]);
  });

  it("passes promtool check metrics, every tango_* series present", async function () {
    await call("CommandInout", { device: SUPPLY, command: "On" });
    await call("ReadAttributes", { device: SUPPLY, names: ["voltage", "sensor"] });
    await call("WriteAttributes", { device: SUPPLY, values: [{ name: "voltage", value: { type: CmdArgType.DevDouble, double_value: 1 } }] });
    await failure(call("Ping", { device: "no/such/device" }));
    const text = await registry.metrics();
    // Debian's prometheus package; .ci/run installs it, so CI never skips.
    const checked = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8", timeout: 10_000 });
    if (checked.error !== undefined && process.env.CI === undefined) this.skip();
    expect(`${checked.stdout}${checked.stderr}`.trim(), "promtool's findings").to.equal("");
    expect(checked.status).to.equal(0);
  });
});

function requestsOf(samples: readonly Sample[], operation: string): number | undefined {
  return tableOf(samples, "tango_requests_total", ["device", "operation"])[`${SUPPLY}|${operation}`];
}

/** Checks one histogram: exactly these series with these counts, cumulative buckets, +Inf = count, sum > 0 (or 0). */
function expectHistogram(samples: readonly Sample[], name: string, keys: readonly string[], counts: Record<string, number>,
  opts: { isSumZero?: boolean } = {}): void {
  expect(tableOf(samples, `${name}_count`, keys), `${name}_count`).to.deep.equal(counts);
  const sums = tableOf(samples, `${name}_sum`, keys);
  expect(Object.keys(sums).sort()).to.deep.equal(Object.keys(counts).sort());
  for (const [series, count] of Object.entries(counts)) {
    const sum = sums[series] ?? Number.NaN;
    if (opts.isSumZero === true || count === 0) expect(sum, `${name}_sum{${series}}`).to.equal(0);
    else expect(sum, `${name}_sum{${series}}`).to.be.above(0);
    const buckets = tableOf(samples, `${name}_bucket`, [...keys, "le"]);
    const values = [...TANGO_BUCKETS_SECONDS.map(String), "+Inf"].map((le) => buckets[`${series}|${le}`] ?? Number.NaN);
    expect(values.at(-1), `${name}_bucket{${series},+Inf}`).to.equal(count);
    expect(values.every((v, i) => i === 0 || v >= (values[i - 1] ?? Infinity)), `${name} buckets cumulative`).to.equal(true);
    if (opts.isSumZero === true) expect(values[0], `${name}_bucket{${series},le=first}`).to.equal(count);
  }
}
