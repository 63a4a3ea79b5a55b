import type { CallFigures } from "./figures.js";
import type { LargeDataResult } from "./large-data.js";
import type { PeerReport } from "./peers.js";
import { count, fixed, table } from "./report.js";
import { OPS, type Op, type RequestReplyResult } from "./request-reply.js";
import type { ClientTransport } from "./transports.js";

/*
 * The per-call speed side by side (issue 19): the DeviceProxy against tango-grpc on each client
 * transport, cppTango's TangoTest with a PyTango client, and PyTango to PyTango, all measured in
 * the same run; calls/s and the client's CPU time per call; and the targets, each with its ratio
 * to cppTango + PyTango beside it.
 */

/** Issue 19's targets. */
export const SPEED_TARGETS = {
  sequentialCallsPerSecond: 4_500,
  inFlightCallsPerSecond: 14_000,
  clientCpuUsPerCall: 110,
  /** The operation the call targets are of. */
  op: "command_inout DevDouble" as Op,
} as const;

/** What the speed tables and targets are made of; any part may be absent (not run, not installed). */
export interface SpeedInputs {
  rr: Record<Op, RequestReplyResult> | undefined;
  /** The large-array figures by client transport. */
  largeData: Partial<Record<ClientTransport, LargeDataResult>>;
  /** cppTango's TangoTest with the PyTango client. */
  cppTango: PeerReport | undefined;
  /** The PyTango device server with the PyTango client. */
  pyTango: PeerReport | undefined;
  transports: readonly ClientTransport[];
  inFlight: number;
  sizes: readonly number[];
}

type Mode = "sequential" | "inFlight";

/** One row of the targets table; `met` undefined when what it compares with was not measured. */
export interface TargetRow { target: string; measured: string; met: boolean | undefined }

function peerFigures(p: PeerReport | undefined, op: Op, mode: Mode): CallFigures | undefined {
  if (p?.available !== true) return undefined;
  const entry = p.requestReply[op];
  return (mode === "sequential" ? entry.sequential : entry.inFlight) ?? undefined;
}

function oursOf(s: SpeedInputs, op: Op, mode: Mode, t: ClientTransport): CallFigures | undefined {
  return s.rr?.[op][mode].byTransport[t];
}

const calls = (f: CallFigures | undefined): string => (f === undefined ? "–" : fixed(f.callsPerSecond));
const cpu = (f: CallFigures | undefined): string => (f?.clientCpuUs === undefined ? "–" : fixed(f.clientCpuUs));

/** "cppTango + PyTango 5,812 calls/s, ours 0.78× that": theirs and ours over theirs, or "not measured". */
export function ratio(ours: number, theirs: number | undefined, what: string, unit: string): string {
  if (theirs === undefined || !Number.isFinite(theirs) || theirs <= 0) return `${what}: not measured`;
  return `${what} ${count(Math.round(theirs))} ${unit}, ours ${fixed(ours / theirs, 2)}× that`;
}

/** The per-call table: calls/s and client CPU per call of every operation, for every client and server pair measured. */
export function printPeerComparison(s: SpeedInputs): void {
  console.log("\n### Per-call speed: the DeviceProxy beside cppTango's TangoTest and a PyTango device, both with a PyTango client\n");
  for (const [name, p] of [["cppTango + PyTango", s.cppTango], ["PyTango → PyTango", s.pyTango]] as const) {
    if (p === undefined) {
      console.log(`${name}: not run (part 4, peers)`);
      continue;
    }
    console.log(p.available ? `${name}: ${p.versions.tangoTest}, cppTango ${p.versions.cppTango}, PyTango ${p.versions.pytango}; server idle RSS ${fixed(p.idleRssMB, 1)} MB`
      : `${name}: ${p.note}`);
  }
  const proxyHeads = (what: string): string[] => s.transports.map((t) => `DeviceProxy (${t}) ${what}`);
  for (const [mode, label] of [["sequential", "sequential"], ["inFlight", `${s.inFlight} in flight`]] as const) {
    console.log(`\n#### ${label}: calls/s, and client CPU µs per call\n`);
    console.log(table(
      ["operation", "cppTango + PyTango calls/s", "PyTango → PyTango calls/s", ...proxyHeads("calls/s"),
        "PyTango client CPU µs/call (cppTango server)", "PyTango client CPU µs/call (PyTango server)", ...proxyHeads("client CPU µs/call")],
      OPS.map((op) => {
        const cpp = peerFigures(s.cppTango, op, mode);
        const py = peerFigures(s.pyTango, op, mode);
        const ours = s.transports.map((t) => oursOf(s, op, mode, t));
        return [op, calls(cpp), calls(py), ...ours.map(calls), cpu(cpp), cpu(py), ...ours.map(cpu)];
      }),
    ));
  }
  console.log("\nClient CPU: the client process's CPU time (all its threads) over each window, per call; for the DeviceProxy the "
    + "bench's own process (`process.cpuUsage()`), which runs nothing but the window's calls, pooled over the rounds; for "
    + "PyTango the python process (`time.process_time()`), pooled over the windows. In flight, PyTango uses cppTango's "
    + "asynchronous API (64 threads for ping).");
  const notes = [...new Set(OPS.map((op) => (s.cppTango?.available === true ? s.cppTango.requestReply[op].note : undefined))
    .filter((n): n is string => n !== undefined))];
  if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join("\n")}`);
}

/** Issue 19's targets, for each client transport, with the ratio to cppTango + PyTango beside each. */
export function speedTargets(s: SpeedInputs): TargetRow[] {
  const rows: TargetRow[] = [];
  const op = SPEED_TARGETS.op;
  const many = s.transports.length > 1;
  for (const t of s.transports) {
    const on = many ? ` (${t})` : "";
    const seq = oursOf(s, op, "sequential", t);
    const flying = oursOf(s, op, "inFlight", t);
    const cppSeq = peerFigures(s.cppTango, op, "sequential");
    const cppFlying = peerFigures(s.cppTango, op, "inFlight");
    const pySeq = peerFigures(s.pyTango, op, "sequential");
    if (seq !== undefined) {
      rows.push({
        target: `DeviceProxy${on} sequential ${op} ≥ ${count(SPEED_TARGETS.sequentialCallsPerSecond)} calls/s`,
        measured: `${count(Math.round(seq.callsPerSecond))} calls/s; ${ratio(seq.callsPerSecond, cppSeq?.callsPerSecond, "cppTango + PyTango", "calls/s")}`,
        met: seq.callsPerSecond >= SPEED_TARGETS.sequentialCallsPerSecond,
      });
      rows.push({
        target: `DeviceProxy${on} sequential ${op} ≥ PyTango → PyTango in the same run`,
        measured: `${count(Math.round(seq.callsPerSecond))} calls/s; ${ratio(seq.callsPerSecond, pySeq?.callsPerSecond, "PyTango → PyTango", "calls/s")}; `
          + ratio(seq.callsPerSecond, cppSeq?.callsPerSecond, "cppTango + PyTango", "calls/s"),
        met: pySeq === undefined ? undefined : seq.callsPerSecond >= pySeq.callsPerSecond,
      });
    }
    if (flying !== undefined) {
      rows.push({
        target: `DeviceProxy${on} ${s.inFlight} in flight ${op} ≥ ${count(SPEED_TARGETS.inFlightCallsPerSecond)} calls/s`,
        measured: `${count(Math.round(flying.callsPerSecond))} calls/s; ${ratio(flying.callsPerSecond, cppFlying?.callsPerSecond, "cppTango + PyTango", "calls/s")}`,
        met: flying.callsPerSecond >= SPEED_TARGETS.inFlightCallsPerSecond,
      });
    }
    for (const [mode, f, peer] of [["sequential", seq, cppSeq], [`${s.inFlight} in flight`, flying, cppFlying]] as const) {
      if (f?.clientCpuUs === undefined) continue;
      rows.push({
        target: `DeviceProxy${on} client CPU per call ≤ ${SPEED_TARGETS.clientCpuUsPerCall} µs, ${op}, ${mode}`,
        measured: `${fixed(f.clientCpuUs)} µs; ${ratio(f.clientCpuUs, peer?.clientCpuUs, "PyTango client with cppTango", "µs")}`,
        met: f.clientCpuUs <= SPEED_TARGETS.clientCpuUsPerCall,
      });
    }
    const ld = s.largeData[t];
    const cppArrays = s.cppTango?.available === true ? s.cppTango.largeData.command : undefined;
    for (const n of s.sizes) {
      const ours = ld?.command.bytes[String(n)];
      if (ours === undefined) continue;
      const theirs = cppArrays?.[String(n)] ?? undefined;
      rows.push({
        target: `DeviceProxy${on} DevVarDoubleArray round trip of ${count(n)} doubles ≤ cppTango's in the same run`,
        measured: `${fixed(ours.msPerCall, n >= 100_000 ? 1 : 2)} ms; `
          + (theirs === undefined ? "cppTango + PyTango: not measured" : `cppTango + PyTango ${fixed(theirs.msPerCall, n >= 100_000 ? 1 : 2)} ms, ours ${fixed(ours.msPerCall / theirs.msPerCall, 2)}× that`),
        met: theirs === undefined ? undefined : ours.msPerCall <= theirs.msPerCall,
      });
    }
  }
  return rows;
}
