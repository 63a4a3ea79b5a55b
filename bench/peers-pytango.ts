import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { findPeerScript, pythonPath, runClient, startPeerServer, toReport, type PeerOptions, type PeerReport } from "./peers.js";
import { freePort } from "./processes.js";

/*
 * Part 4 of `npm run bench`, PyTango to PyTango: bench/peers/pytango_server.py, a high-level
 * PyTango device with the commands and attributes of TangoTest that the peers' client calls,
 * driven by the same client (bench/peers/pytango_bench.py) in the same way as cppTango's
 * TangoTest: the same operations, windows, 64 in flight through cppTango's asynchronous API (or
 * 64 threads for ping), and the same large arrays. Needs only Debian's python3-tango.
 */

const DEVICE = "sys/tg_test/1";
const CHECK_TIMEOUT_MS = 30_000;
/** As long as peers.ts lets TangoTest settle before reading its RSS. */
const IDLE_SETTLE_MS = 1_500;

/** What the peers' report calls the server, for the table's heading. */
const SERVER_LABEL = "PyTango high-level device (bench/peers/pytango_server.py)";

/** Why the PyTango server cannot run here, or null when it can. */
function findMissingPyTango(): string | null {
  const py = spawnSync(pythonPath(), ["-c", "import tango, numpy"], { encoding: "utf8", timeout: CHECK_TIMEOUT_MS });
  if (py.error || py.status !== 0) {
    const why = py.error?.message ?? (py.stderr.trim().split("\n").at(-1) ?? "");
    return `skipped: ${pythonPath()} (TANGO_BENCH_PYTHON) cannot import tango and numpy: ${why}; run \`npm run bench -- --install-peers\` (needs apt)`;
  }
  return null;
}

/**
 * The PyTango device server with the PyTango client: request-reply and large-data figures, as
 * runPeers gives for cppTango's TangoTest, or `available: false` with the reason. The server is
 * always stopped.
 */
export async function runPyTangoPeer(opts: PeerOptions): Promise<PeerReport> {
  const missing = findMissingPyTango();
  if (missing !== null) {
    opts.log(`peers: PyTango server ${missing}`);
    return { available: false, note: missing };
  }
  const canPin = spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;
  const port = await freePort();
  const argv = [pythonPath(), findPeerScript("pytango_server.py"), "test", "-nodb", "-dlist", DEVICE, "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`];
  const server = await startPeerServer("the PyTango server", argv, port, canPin ? opts.serverCpu : undefined, opts.log);
  try {
    await sleep(IDLE_SETTLE_MS);
    const idleRssMB = server.rssBytes() / 1e6;
    const raw = await runClient(`tango://127.0.0.1:${port}/${DEVICE}#dbase=no`, opts, canPin ? opts.clientCpu : undefined);
    return { ...toReport(raw, SERVER_LABEL), idleRssMB };
  } finally {
    await server.stop();
  }
}
