import { expect } from "chai";
import { medianCalls, pooledCpuUs, type CallFigures, type TransferFigures } from "../../bench/figures.js";
import type { LargeDataResult } from "../../bench/large-data.js";
import { PEER_OPS, toReport, type PeerReport } from "../../bench/peers.js";
import { OPS, SETUPS, type ModeResult, type Op, type RequestReplyResult } from "../../bench/request-reply.js";
import { speedTargets, SPEED_TARGETS, type SpeedInputs } from "../../bench/speed-report.js";

/* The pure parts of the bench's per-call comparison: figures, the PyTango document, the targets. */

const SIZES = [1_000, 100_000, 1_000_000] as const;

function calls(callsPerSecond: number, clientCpuUs?: number): CallFigures {
  return { callsPerSecond, p50Ms: 1, p99Ms: 2, calls: 1000, ...(clientCpuUs === undefined ? {} : { clientCpuUs }) };
}

function mode(f: CallFigures): ModeResult {
  const figures = Object.fromEntries(SETUPS.map((s) => [s, f])) as Record<(typeof SETUPS)[number], CallFigures>;
  return { figures, serverOverheadPct: 0, stackOverheadPct: 0, serverCpuOverheadPct: 0, byTransport: { "grpc-js": f }, rounds: [] };
}

function ours(sequential: CallFigures, inFlight: CallFigures): Record<Op, RequestReplyResult> {
  return Object.fromEntries(OPS.map((op) => [op, { sequential: mode(sequential), inFlight: mode(inFlight) }])) as Record<Op, RequestReplyResult>;
}

function transfers(ms: readonly number[]): Record<string, TransferFigures> {
  return Object.fromEntries(SIZES.map((n, i) => [String(n), { msPerCall: ms[i]!, mbPerSecond: 0 }]));
}

function arrays(ms: readonly number[]): LargeDataResult {
  return {
    command: { bytes: transfers(ms), packed: {} }, spectrumRead: { bytes: {}, packed: {} }, bare: { asIs: {}, copied: {} }, samples: {},
  };
}

function peer(sequential: CallFigures, inFlight: CallFigures, arrayMs: readonly number[]): PeerReport {
  return {
    available: true, versions: { tangoTest: "t", pytango: "p", cppTango: "c" }, idleRssMB: 60,
    requestReply: Object.fromEntries(PEER_OPS.map((op) => [op, { sequential, inFlight }])) as Extract<PeerReport, { available: true }>["requestReply"],
    largeData: { command: transfers(arrayMs), spectrumRead: {}, notes: [] },
  };
}

function inputs(over: Partial<SpeedInputs>): SpeedInputs {
  return {
    rr: ours(calls(5_000, 100), calls(15_000, 60)), largeData: { "grpc-js": arrays([0.2, 2, 30]) },
    cppTango: peer(calls(6_000, 150), calls(20_000, 120), [0.25, 2.5, 31]), pyTango: peer(calls(4_000, 160), calls(4_000, 170), [1, 10, 100]),
    transports: ["grpc-js"], inFlight: 64, sizes: SIZES, ...over,
  };
}

describe("bench: issue 19's targets (speed-report)", () => {
  it("has one row per target, all met when the DeviceProxy beats every threshold and peer", () => {
    const rows = speedTargets(inputs({}));
    expect(rows.map((r) => r.target)).to.deep.equal([
      `DeviceProxy sequential ${SPEED_TARGETS.op} ≥ 4,500 calls/s`,
      `DeviceProxy sequential ${SPEED_TARGETS.op} ≥ PyTango → PyTango in the same run`,
      `DeviceProxy 64 in flight ${SPEED_TARGETS.op} ≥ 14,000 calls/s`,
      `DeviceProxy client CPU per call ≤ 110 µs, ${SPEED_TARGETS.op}, sequential`,
      `DeviceProxy client CPU per call ≤ 110 µs, ${SPEED_TARGETS.op}, 64 in flight`,
      "DeviceProxy DevVarDoubleArray round trip of 1,000 doubles ≤ cppTango's in the same run",
      "DeviceProxy DevVarDoubleArray round trip of 100,000 doubles ≤ cppTango's in the same run",
      "DeviceProxy DevVarDoubleArray round trip of 1,000,000 doubles ≤ cppTango's in the same run",
    ]);
    expect(rows.map((r) => r.met)).to.deep.equal([true, true, true, true, true, true, true, true]);
    expect(rows[0]!.measured).to.equal("5,000 calls/s; cppTango + PyTango 6,000 calls/s, ours 0.83× that");
    expect(rows[1]!.measured).to.contain("PyTango → PyTango 4,000 calls/s, ours 1.25× that");
    expect(rows[3]!.measured).to.equal("100 µs; PyTango client with cppTango 150 µs, ours 0.67× that");
    expect(rows[7]!.measured).to.equal("30.0 ms; cppTango + PyTango 31.0 ms, ours 0.97× that");
  });

  it("fails each target that the figures miss", () => {
    const rows = speedTargets(inputs({
      rr: ours(calls(4_400, 111), calls(13_999, 200)), largeData: { "grpc-js": arrays([0.3, 2, 32]) },
      pyTango: peer(calls(4_401, 160), calls(4_000, 170), [1, 10, 100]),
    }));
    expect(rows.map((r) => r.met)).to.deep.equal([false, false, false, false, false, false, true, false]);
  });

  it("leaves a comparison undecided, and says so, when the peers were not measured", () => {
    const absent: PeerReport = { available: false, note: "skipped" };
    const rows = speedTargets(inputs({ cppTango: absent, pyTango: undefined }));
    expect(rows.map((r) => r.met)).to.deep.equal([true, undefined, true, true, true, undefined, undefined, undefined]);
    expect(rows[0]!.measured).to.equal("5,000 calls/s; cppTango + PyTango: not measured");
    expect(rows[5]!.measured).to.equal("0.20 ms; cppTango + PyTango: not measured");
  });

  it("has no rows for parts not run", () => {
    expect(speedTargets(inputs({ rr: undefined, largeData: {} }))).to.deep.equal([]);
  });
});

describe("bench: client CPU per call (figures, the PyTango document)", () => {
  it("pools the client CPU of windows over their calls, not a median of windows", () => {
    const windows = [{ ...calls(1, 100), calls: 100 }, { ...calls(1, 10), calls: 900 }];
    expect(pooledCpuUs(windows, "clientCpuUs")).to.equal(19);
    expect(medianCalls(windows).clientCpuUs).to.equal(19);
    expect(pooledCpuUs(windows)).to.be.NaN; // no server CPU in these windows
    expect(medianCalls([calls(1, 5), calls(1)]).clientCpuUs).to.equal(undefined);
  });

  function document(cpuS: unknown): unknown {
    const window = { elapsedS: 0.5, latenciesMs: [1, 2, 3, 4], ...(cpuS === undefined ? {} : { cpuS }) };
    return {
      versions: { pytango: "9.3.6", cppTango: "9.3.4" },
      requestReply: Object.fromEntries(PEER_OPS.map((op) => [op, { sequential: [window], inFlight: null, note: null }])),
      largeData: { command: { 1000: [0.5] }, spectrumRead: { 1000: null }, notes: [] },
    };
  }

  it("reads the PyTango client's CPU time per window as µs per call", () => {
    const report = toReport(document(0.002), "server");
    expect(report.requestReply["command_inout DevDouble"].sequential.clientCpuUs).to.be.closeTo(500, 1e-9);
    expect(report.requestReply.ping.sequential.callsPerSecond).to.equal(8);
  });

  it("takes a document without CPU times, and refuses a bad one", () => {
    expect(toReport(document(undefined), "server").requestReply.ping.sequential.clientCpuUs).to.equal(undefined);
    expect(() => toReport(document("1"), "server")).to.throw(/cpuS/);
    expect(() => toReport(document(-1), "server")).to.throw(/cpuS/);
  });
});
