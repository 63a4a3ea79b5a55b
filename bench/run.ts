import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { mergeLargeData, runLargeData, BARE_KINDS, ENCODINGS, ARRAY_DEVICE, type LargeDataResult } from "./large-data.js";
import { runDatabase, type DatabaseResult } from "./database.js";
import { databaseTargets, printDatabase } from "./database-report.js";
import { describeMachine } from "./machine.js";
import { eventTargets, eventsServerConfig, printEvents, runEvents, type EventsResult } from "./events.js";
import { MANY_DEVICES, runMemory, type MemoryResult } from "./memory.js";
import { printPackedArrays, runPackedArrays, type PackedArraysResult } from "./packed-arrays.js";
import { installPeers, peersInstalled, runPeers, type PeerReport } from "./peers.js";
import { runDataBasedsPeer, type DataBasedsReport } from "./peers-database.js";
import { runPyTangoPeer } from "./peers-pytango.js";
import {
  CLIENT_CPU, distScript, HAS_TASKSET, pinSelf, profileServersTo, SERVER_CPU, startProcess, type BenchProcess,
} from "./processes.js";
import { count, fixed, pct, table } from "./report.js";
import { DEVICE, OPS, REHEARSALS, runRequestReply, type RequestReplyResult, type Op } from "./request-reply.js";
import { printSecurity, runSecurity, securityTargets, type SecurityResult } from "./security.js";
import { printPeerComparison, speedTargets, type SpeedInputs } from "./speed-report.js";
import { BENCH_TRANSPORTS, type ClientTransport } from "./transports.js";

/*
 * npm run bench [-- options]: speed and memory of tango-grpc, side by side with bare grpc-js and,
 * when installed, cppTango's TangoTest with a PyTango client and PyTango to PyTango. Servers run in their own processes
 * on CPU 0, this process (every client) on CPU 1, when taskset exists. Prints markdown tables and
 * writes bench/results/latest.json. Options:
 *   --install-peers   apt-get install Debian's tango-test and python3-tango first (root, apt)
 *   --no-peers        skip part 4, and part 8's cppTango DataBaseds
 *   --only <parts>    comma-separated: request-reply, large-data, memory, peers, events, packed-arrays, security, database
 *   --quick           short windows and few runs: a smoke check, not figures to quote
 *   --cpu-prof        servers write V8 CPU profiles to bench/results/profiles/ (open them in
 *                     Chrome DevTools); for the client side, run `node --cpu-prof dist/bench/run.js`
 */

/** The Node.js major line of the Dockerfile's base image (and of CI): the figures to quote. */
const IMAGE_NODE_LINE = 24;

const PARTS = ["request-reply", "large-data", "memory", "peers", "events", "packed-arrays", "security", "database"] as const;
type Part = (typeof PARTS)[number];

const { values: flags } = parseArgs({
  options: {
    "install-peers": { type: "boolean", default: false },
    "no-peers": { type: "boolean", default: false },
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    "cpu-prof": { type: "boolean", default: false },
  },
});

const parts = new Set<Part>((flags.only?.split(",").map((p) => p.trim()) ?? [...PARTS]).map((p) => {
  if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only takes ${PARTS.join(", ")}; got "${p}"`);
  return p as Part;
}));
if (flags["no-peers"]) parts.delete("peers");

const QUICK = flags.quick;
const SETTINGS = {
  /** Large arrays: fresh servers. */
  trials: QUICK ? 1 : 3,
  /** Windows per operation and mode of the peers. */
  runs: QUICK ? 2 : 4,
  /**
   * Request-reply: pairs of fresh servers, and rounds per pair. One pair can run 30 % slower
   * than the next for its whole life, more than rounds within a pair differ: four pairs of two
   * rounds give steadier medians than three of four, in about the same time.
   */
  requestReplyTrials: QUICK ? 1 : 4,
  requestReplyRuns: 2,
  seconds: QUICK ? 0.2 : 0.25,
  inFlight: 64,
  /** The DeviceProxy's client transports (transports.ts): the DeviceProxy rows run on each. */
  transports: BENCH_TRANSPORTS,
  sizes: [1_000, 100_000, 1_000_000] as const,
  secondsPerFigure: QUICK ? 0.3 : 1,
  startRuns: QUICK ? 1 : 3,
  /** The database part: windows per operation and mode, and starts of the 1,000-device server of each kind. */
  databaseRuns: QUICK ? 1 : 5,
  /**
   * The database part's windows, s: longer than request-reply's, as one DeviceProxy against the
   * embedded store swung between 2,400 and 5,900 calls/s over windows of 0.25 s on this machine.
   */
  databaseSeconds: QUICK ? 0.2 : 1,
};

/** The figure the issue gives for cppTango's 1,000,000-double round trip on this machine, ms. */
const CPPTANGO_1M_REFERENCE_MS = 58;
const TARGETS = { overheadPct: 10, speedupVsCppTango: 2, idleRssMB: 80, manyDevicesRssMB: 150, readyMs: 1000 };

const log = (line: string): void => { process.stderr.write(`[bench] ${line}\n`); };

async function startServers(dir: string): Promise<{ ours: BenchProcess; echo: BenchProcess }> {
  const config = join(dir, "server.json");
  writeFileSync(config, JSON.stringify({
    server: "TangoTest", instance: "bench",
    classes: [
      { name: "TangoTest", devices: [{ name: DEVICE }] },
      { name: "ArrayBench", devices: [{ name: ARRAY_DEVICE }] },
    ],
  }));
  const env = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_LOG_LEVEL: "info" };
  const ours = await startProcess(distScript("./bench-server.js"), ["--config", config], env);
  try {
    const echo = await startProcess(distScript("./echo-server.js"), ["--upstream", `127.0.0.1:${ours.grpcPort}`], {});
    return { ours, echo };
  } catch (err) {
    await ours.stop();
    throw err;
  }
}

/** Runs `fn` with a fresh server process of the events part's config, stopped afterwards. */
async function withEventServer<T>(fn: (server: BenchProcess) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-bench-events-"));
  const config = join(dir, "server.json");
  writeFileSync(config, JSON.stringify(eventsServerConfig()));
  const env = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_LOG_LEVEL: "info" };
  const server = await startProcess(distScript("./bench-server.js"), ["--config", config], env);
  try {
    return await fn(server);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printRequestReply(rr: Record<Op, RequestReplyResult>): void {
  for (const [mode, label] of [["sequential", "sequential"], ["inFlight", `${SETTINGS.inFlight} in flight`]] as const) {
    console.log(`\n### Request-reply, ${label} (medians of ${SETTINGS.requestReplyTrials} × ${SETTINGS.requestReplyRuns} rounds of ${SETTINGS.seconds} s, ${SETTINGS.requestReplyTrials} pairs of fresh server processes)\n`);
    console.log(table(
      ["operation", "tango-grpc calls/s", "p50 ms", "p99 ms", "echo, TS client calls/s", "server overhead",
        "echo, grpc-js client calls/s", "stack overhead", "server CPU µs/call", "echo CPU µs/call", "server CPU overhead",
        "TS client CPU µs/call", "bare grpc-js client CPU µs/call"],
      OPS.map((op) => {
        const m = rr[op][mode];
        const f = m.figures;
        return [op, fixed(f["tango-grpc"].callsPerSecond), fixed(f["tango-grpc"].p50Ms, 3), fixed(f["tango-grpc"].p99Ms, 3),
          fixed(f["echo, TS client"].callsPerSecond), pct(m.serverOverheadPct),
          fixed(f["echo, grpc-js client"].callsPerSecond), pct(m.stackOverheadPct),
          fixed(f["tango-grpc"].serverCpuUs ?? NaN), fixed(f["echo, TS client"].serverCpuUs ?? NaN), pct(m.serverCpuOverheadPct),
          fixed(f["tango-grpc"].clientCpuUs ?? NaN), fixed(f["echo, grpc-js client"].clientCpuUs ?? NaN)];
      }),
    ));
  }
  console.log("\nServer overhead: the same TS client against tango-grpc and against the bare grpc-js echo. Stack overhead: "
    + "TS client and tango-grpc against a bare grpc-js client (same messages, metadata and deadline) and the echo. Both are "
    + "the median over rounds of (echo calls/s ÷ tango-grpc calls/s − 1), measured in the same round. Server CPU: the "
    + "server process's CPU time (all threads) per call with the TS client, its total over its total calls in all rounds; "
    + "its overhead is the median over trials of (tango-grpc ÷ echo − 1), each pooled over the trial's rounds. Client CPU: "
    + "the bench's process's CPU time per call, pooled the same way, with the TS client against tango-grpc and with the bare "
    + "grpc-js client against the echo. Before the "
    + `rounds, each trial warms up and rehearses the whole schedule ${["never", "once", "twice"][REHEARSALS] ?? `${REHEARSALS} times`}, unrecorded.`);
}

/** The bare grpc-js figures of the 1,000,000-double round trip, for the target's row. */
function bareOf1M(ld: LargeDataResult | undefined): string {
  const asIs = ld?.bare.asIs["1000000"];
  const copied = ld?.bare.copied["1000000"];
  if (asIs === undefined || copied === undefined) return "";
  return `; bare grpc-js ${fixed(asIs.msPerCall, 1)} ms (${fixed(copied.msPerCall, 1)} ms with fresh copies)`;
}

function printLargeData(ld: LargeDataResult, peers: PeerReport | undefined): void {
  console.log(`\n### Large arrays through the TS client, ${SETTINGS.transports[0]} transport (median ms per call over ${SETTINGS.trials} fresh servers; MB/s of the array, MB = 10^6 bytes)\n`);
  const cpp = peers?.available === true ? peers.largeData : undefined;
  const rows = SETTINGS.sizes.flatMap((n) => (["command", "spectrumRead"] as const).map((kind) => {
    const label = kind === "command" ? "command_inout DevVarDoubleArray (round trip)" : "spectrum read";
    const cells = ENCODINGS.flatMap((e) => {
      const f = ld[kind][e][String(n)];
      return f === undefined ? ["–", "–"] : [fixed(f.msPerCall, 2), fixed(f.mbPerSecond, 0)];
    });
    const peer = cpp?.[kind][String(n)];
    const bare = BARE_KINDS.map((b) => {
      const f = kind === "command" ? ld.bare[b][String(n)] : undefined;
      return f === undefined ? "–" : fixed(f.msPerCall, 2);
    });
    return [label, count(n), ...cells, ...bare, peer ? fixed(peer.msPerCall, 2) : "–"];
  }));
  console.log(table(["operation", "doubles", "bytes ms", "bytes MB/s", "packed ms", "packed MB/s",
    "bare grpc-js ms", "bare grpc-js, fresh copies ms", "cppTango + PyTango ms"], rows));
  console.log("\nBare grpc-js: the same 8 × n bytes echoed through grpc-js with no protobuf, the server answering with the "
    + "buffer it received; with fresh copies, each end sends a new copy of its buffer, one fresh buffer per side as an "
    + "application that builds its messages has.");
  if (cpp !== undefined && cpp.notes.length > 0) console.log(`\n${cpp.notes.map((n) => `- ${n}`).join("\n")}`);
}

function printMemory(m: MemoryResult, peers: PeerReport | undefined): void {
  console.log(`\n### Memory and start-up (medians of ${SETTINGS.startRuns} fresh processes; MB = 10^6 bytes)\n`);
  console.log(table(["server", "idle RSS MB", "RSS 1.5 s after start MB", "spawn → /readyz 200 ms", "spawn → ready log line ms"], [
    ["TangoTest (`tango-grpc serve`, no config)", fixed(m.tangoTest.idleRssMB, 1), fixed(m.tangoTest.startedRssMB, 1),
      fixed(m.tangoTest.readyzMs), fixed(m.tangoTest.readyLineMs)],
    [`${count(MANY_DEVICES)} PowerSupply devices`, fixed(m.manyDevices.idleRssMB, 1), fixed(m.manyDevices.startedRssMB, 1),
      fixed(m.manyDevices.readyzMs), fixed(m.manyDevices.readyLineMs)],
    ["bare `node` doing nothing, for scale", "–", fixed(m.bareNodeRssMB, 1), "–", "–"],
    ...(peers?.available === true ? [["cppTango TangoTest (part 4), for scale", "–", fixed(peers.idleRssMB, 1), "–", "–"]] : []),
  ]));
  console.log("\nIdle: 30 s after readiness, once V8's memory reducer has run (9 to 17 s into a quiet process here).");
}

interface TargetRow { target: string; measured: string; met: boolean | undefined }

function targets(rr: Record<Op, RequestReplyResult> | undefined, ld: LargeDataResult | undefined, mem: MemoryResult | undefined,
  peers: PeerReport | undefined): TargetRow[] {
  const rows: TargetRow[] = [];
  if (rr !== undefined) {
    const measures = [
      ["serverOverheadPct", "calls/s, same TS client (server overhead)"],
      ["stackOverheadPct", "calls/s, TS client and server against grpc-js on both ends (stack overhead)"],
      ["serverCpuOverheadPct", "server CPU per call"],
    ] as const;
    for (const [key, what] of measures) {
      for (const mode of ["sequential", "inFlight"] as const) {
        const worst = OPS.reduce((w, op) => (rr[op][mode][key] > rr[w][mode][key] ? op : w), OPS[0]);
        const v = rr[worst][mode][key];
        const median = [...OPS].map((op) => rr[op][mode][key]).sort((a, b) => a - b)[OPS.length >> 1] ?? NaN;
        rows.push({
          target: `per-call overhead ≤ ${TARGETS.overheadPct} % over bare grpc-js, ${mode === "sequential" ? "sequential" : `${SETTINGS.inFlight} in flight`}: ${what}`,
          measured: `worst ${pct(v)} (${worst}), median of the operations ${pct(median)}`, met: v <= TARGETS.overheadPct,
        });
      }
    }
  }
  const ours1M = ld?.command.bytes["1000000"];
  if (ours1M !== undefined) {
    const peer = peers?.available === true ? peers.largeData.command["1000000"] : undefined;
    const cppMs = peer?.msPerCall ?? CPPTANGO_1M_REFERENCE_MS;
    const speedup = cppMs / ours1M.msPerCall;
    rows.push({
      target: `1,000,000 doubles round trip ≥ ${TARGETS.speedupVsCppTango}× faster than cppTango`,
      measured: `${fixed(ours1M.msPerCall, 1)} ms vs ${fixed(cppMs, 1)} ms ${peer ? "(cppTango, this run)" : "(the issue's cppTango figure; peers not run)"}: ${fixed(speedup, 2)}×`
        + bareOf1M(ld),
      met: speedup >= TARGETS.speedupVsCppTango,
    });
  }
  if (mem !== undefined) {
    rows.push({
      target: `idle RSS of TangoTest ≤ ${TARGETS.idleRssMB} MB`,
      measured: `${fixed(mem.tangoTest.idleRssMB, 1)} MB (${fixed(mem.tangoTest.startedRssMB, 1)} MB 1.5 s after start)`,
      met: mem.tangoTest.idleRssMB <= TARGETS.idleRssMB,
    });
    rows.push({
      target: `RSS with ${count(MANY_DEVICES)} devices ≤ ${TARGETS.manyDevicesRssMB} MB`,
      measured: `${fixed(mem.manyDevices.idleRssMB, 1)} MB idle, ${fixed(mem.manyDevices.startedRssMB, 1)} MB 1.5 s after start`,
      met: Math.max(mem.manyDevices.idleRssMB, mem.manyDevices.startedRssMB) <= TARGETS.manyDevicesRssMB,
    });
    rows.push({ target: `ready ≤ ${TARGETS.readyMs} ms after start (TangoTest)`, measured: `${fixed(mem.tangoTest.readyzMs)} ms`, met: mem.tangoTest.readyzMs <= TARGETS.readyMs });
  }
  return rows;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const machine = describeMachine();
  const pinned = pinSelf(CLIENT_CPU);
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.node}; ${pinned ? `servers on CPU ${SERVER_CPU}, clients on CPU ${CLIENT_CPU}` : "not pinned (no taskset)"}`);
  if (!machine.node.startsWith(`v${IMAGE_NODE_LINE}.`)) {
    log(`warning: Node ${machine.node} is not the line the image ships (${IMAGE_NODE_LINE}.x); figures may not be the container's`);
  }
  if (machine.loadAverage1m > 0.5) log(`warning: the load average is ${machine.loadAverage1m}; figures will be noisy`);

  const resultsDir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  if (flags["cpu-prof"]) {
    profileServersTo(join(resultsDir, "profiles"));
    log("servers write CPU profiles to bench/results/profiles/");
  }
  if (flags["install-peers"] && !peersInstalled()) await installPeers(log);

  let rr: Record<Op, RequestReplyResult> | undefined;
  let ld: LargeDataResult | undefined;
  let mem: MemoryResult | undefined;
  let peers: PeerReport | undefined;
  let pyTango: PeerReport | undefined;
  const ldByTransport: Partial<Record<ClientTransport, LargeDataResult>> = {};
  let events: EventsResult | undefined;
  let packed: PackedArraysResult | undefined;
  let security: SecurityResult | undefined;
  let database: DatabaseResult | undefined;
  let databasePeer: DataBasedsReport | undefined;
  const securitySettings = { trials: QUICK ? 1 : 4, runs: QUICK ? 1 : 3, seconds: SETTINGS.seconds * 2, inFlight: 16 };

  if (parts.has("request-reply") || parts.has("large-data")) {
    const dir = mkdtempSync(join(tmpdir(), "tango-grpc-bench-"));
    try {
      if (parts.has("request-reply")) {
        log("part 1: request-reply");
        rr = await runRequestReply({
          startTrial: async () => {
            const { ours, echo } = await startServers(dir);
            return {
              ours: `127.0.0.1:${ours.grpcPort}`, echo: `127.0.0.1:${echo.grpcPort}`,
              oursCpuNs: () => ours.cpuNs(), echoCpuNs: () => echo.cpuNs(),
              stop: async () => { await Promise.all([ours.stop(), echo.stop()]); },
            };
          },
          trials: SETTINGS.requestReplyTrials, runs: SETTINGS.requestReplyRuns, seconds: SETTINGS.seconds, inFlight: SETTINGS.inFlight,
          transports: SETTINGS.transports, log,
        });
      }
      if (parts.has("large-data")) {
        log("part 2: large arrays");
        const trials = new Map<ClientTransport, LargeDataResult[]>(SETTINGS.transports.map((t) => [t, []]));
        for (let t = 0; t < SETTINGS.trials; t++) {
          const { ours, echo } = await startServers(dir);
          try {
            for (const [i, transport] of SETTINGS.transports.entries()) {
              trials.get(transport)!.push(await runLargeData({ ours: `127.0.0.1:${ours.grpcPort}`, echo: `127.0.0.1:${echo.grpcPort}`,
                sizes: SETTINGS.sizes, secondsPerFigure: SETTINGS.secondsPerFigure, transport, withBare: i === 0, log }));
            }
          } finally {
            await Promise.all([ours.stop(), echo.stop()]);
          }
        }
        for (const [transport, results] of trials) ldByTransport[transport] = mergeLargeData(results);
        ld = ldByTransport[SETTINGS.transports[0]];
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  if (parts.has("memory")) {
    log("part 3: memory and start-up");
    mem = await runMemory({ runs: SETTINGS.startRuns, log });
  }
  if (parts.has("peers")) {
    log("part 4: peers");
    const peerOptions = {
      runs: SETTINGS.runs, seconds: SETTINGS.seconds, inFlight: SETTINGS.inFlight, sizes: SETTINGS.sizes, log,
      ...(HAS_TASKSET ? { serverCpu: SERVER_CPU, clientCpu: CLIENT_CPU } : {}),
    };
    peers = await runPeers(peerOptions);
    log("part 4: peers, PyTango to PyTango");
    pyTango = await runPyTangoPeer(peerOptions);
  }

  if (parts.has("events")) {
    log("part 5: events");
    events = await withEventServer((server) => runEvents({ server, seconds: QUICK ? 0.5 : 2, log }));
  }

  if (parts.has("packed-arrays")) {
    log("part 6: packed integer arrays");
    packed = runPackedArrays({ quick: QUICK, log });
  }
  if (parts.has("security")) {
    log("part 7: security (the access check, TLS)");
    security = await runSecurity({ ...securitySettings, log });
  }
  if (parts.has("database")) {
    log("part 8: the Tango database");
    database = await runDatabase({ runs: SETTINGS.databaseRuns, seconds: SETTINGS.databaseSeconds, log });
    databasePeer = flags["no-peers"] ? undefined : await runDataBasedsPeer({ runs: SETTINGS.databaseRuns, seconds: SETTINGS.databaseSeconds, log });
  }

  console.log(`# tango-grpc bench, ${new Date().toISOString().slice(0, 10)}${QUICK ? " (--quick: not figures to quote)" : ""}\n`);
  console.log(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Linux ${machine.kernel}, Node ${machine.node}, `
    + `commit ${machine.commit}; ${pinned ? `servers pinned to CPU ${SERVER_CPU}, clients to CPU ${CLIENT_CPU}` : "not pinned"}; load average ${machine.loadAverage1m} at start.`);
  if (rr) printRequestReply(rr);
  if (ld) printLargeData(ld, peers);
  if (mem) printMemory(mem, peers);
  const speed: SpeedInputs = {
    rr, largeData: ldByTransport, cppTango: peers, pyTango, transports: SETTINGS.transports, inFlight: SETTINGS.inFlight, sizes: SETTINGS.sizes,
  };
  if (peers !== undefined || rr !== undefined) printPeerComparison(speed);
  if (events) printEvents(events);
  if (packed) printPackedArrays(packed);
  if (security) printSecurity(security, securitySettings);
  if (database) printDatabase(database, databasePeer);
  const rows = [...speedTargets(speed), ...targets(rr, ld, mem, peers), ...(events ? eventTargets(events) : []), ...(security ? securityTargets(security) : []),
    ...(database ? databaseTargets(database) : [])];
  if (rows.length > 0) {
    console.log("\n### Targets\n");
    console.log(table(["target", "measured", "met"], rows.map((r) => [r.target, r.measured, r.met === undefined ? "–" : r.met ? "yes" : "**no**"])));
  }
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(`\n${fixed(seconds)} s in all.`);

  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify({
    date: new Date().toISOString(), machine: { ...machine, pinned }, quick: QUICK, settings: SETTINGS, seconds,
    requestReply: rr, largeData: ld, largeDataByTransport: ldByTransport, memory: mem, peers, pyTangoPeer: pyTango, events, packedArrays: packed, security, database, databasePeer, targets: rows,
  }, null, 2)}\n`);
  log(`wrote bench/results/latest.json`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
