import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DB_SERVERS, DEVICES_PER_SERVER, IN_FLIGHT, PROPERTIES_PER_DEVICE, DB_OPS, type DbOp, type DbOpFigures } from "./database.js";
import { medianCalls, quantile, type CallFigures } from "./figures.js";
import { dpkgVersion, killAndWait, pythonPath, runBounded, waitExit } from "./peers.js";
import { freePort } from "./processes.js";

/*
 * Part 8's peer: cppTango's DataBaseds (Debian's tango-db) on MariaDB (Debian's mariadb-server),
 * with a PyTango client (python3-tango), doing part 8's calls in the same run. Nothing system-wide
 * is used: a private MariaDB server (mariadb-install-db into a temp dir, mariadbd on a free
 * 127.0.0.1 port, no grant tables: nothing but this run reaches it), tango-db's schema loaded into
 * it, and DataBaseds on another free port with MYSQL_HOST pointing there. Both are stopped at the
 * end. bench/peers/pytango_database_bench.py populates, measures and prints raw latencies.
 * Not installed: a note saying so (the packages are not installed by the bench: MariaDB is a
 * service-sized install).
 *
 * Environment overrides: TANGO_BENCH_DATABASEDS (default /usr/lib/tango/DataBaseds),
 * TANGO_BENCH_TANGO_DB_SCHEMA (the MySQL schema, default tango-db's dbconfig-common install
 * script), TANGO_BENCH_PYTHON (as part 4).
 */

export type DataBasedsReport =
  | { available: false; note: string }
  | { available: true; versions: string; mariadb: string; ops: Record<DbOp, DbOpFigures> };

const PACKAGES = ["tango-db", "mariadb-server", "python3-tango"] as const;
const SCHEMA_CANDIDATES = ["/usr/share/dbconfig-common/data/tango-db/install/mysql", "/usr/share/tango-db/create_db.sql"];
const READY_TIMEOUT_MS = 60_000;
const SETUP_TIMEOUT_MS = 120_000;
const OUTPUT_KEPT_CHARS = 8_000;

function dataBasedsPath(): string {
  return process.env.TANGO_BENCH_DATABASEDS ?? "/usr/lib/tango/DataBaseds";
}

function schemaPath(): string | undefined {
  const chosen = process.env.TANGO_BENCH_TANGO_DB_SCHEMA;
  return chosen !== undefined && chosen !== "" ? chosen : SCHEMA_CANDIDATES.find((p) => existsSync(p));
}

/** Why DataBaseds cannot run here, or null when it can. */
function findMissing(): string | null {
  const dpkg = spawnSync("dpkg-query", ["-W", "-f=${Package} ${Status}\n", ...PACKAGES], { encoding: "utf8", timeout: 30_000 });
  if (dpkg.error) return `not run: dpkg-query is not available; the peer is Debian's ${PACKAGES.join(", ")}`;
  const installed = new Set(dpkg.stdout.split("\n").filter((l) => l.endsWith(" install ok installed")).map((l) => l.split(" ")[0]));
  const absent = PACKAGES.filter((p) => !installed.has(p));
  if (absent.length > 0) {
    return `not installed: Debian's ${absent.join(", ")} (apt-get install ${absent.join(" ")}; the bench does not install MariaDB itself)`;
  }
  for (const binary of [dataBasedsPath(), "/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db", "/usr/bin/mariadb"]) {
    try {
      accessSync(binary, constants.X_OK);
    } catch {
      return `not run: ${binary} is not executable`;
    }
  }
  if (schemaPath() === undefined) return `not run: tango-db's MySQL schema is not at ${SCHEMA_CANDIDATES.join(" or ")} (TANGO_BENCH_TANGO_DB_SCHEMA)`;
  return null;
}

/** A child process kept until its ready line, and stopped by `stop`. */
async function startUntil(argv: readonly string[], env: NodeJS.ProcessEnv, readyText: string, what: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    if ((await waitExit(child, 10_000)).timedOut) await killAndWait(child);
  };
  const isReady = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    const onData = (s: string): void => {
      output = (output + s).slice(-OUTPUT_KEPT_CHARS);
      if (output.includes(readyText)) { clearTimeout(timer); resolve(true); }
    };
    child.stdout!.setEncoding("utf8").on("data", onData);
    child.stderr!.setEncoding("utf8").on("data", onData);
    child.once("error", (err) => { output += `\n${err.message}`; clearTimeout(timer); resolve(false); });
    child.once("exit", () => { clearTimeout(timer); resolve(false); });
  });
  if (!isReady) {
    await stop();
    throw new Error(`${what} did not start (no "${readyText}" within ${READY_TIMEOUT_MS / 1000} s):\n${output}`);
  }
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, stop };
}

/** A private MariaDB server with tango-db's schema in database `tango`; resolves with its port. */
async function startMariaDb(dir: string): Promise<{ port: number; stop(): Promise<void> }> {
  const dataDir = join(dir, "mysql");
  mkdirSync(dataDir);
  const isRoot = process.getuid?.() === 0;
  // mariadbd refuses root unless told to; as root the files and the server belong to mysql (the package's user).
  if (isRoot) spawnSync("chown", ["-R", "mysql:mysql", dir], { stdio: "ignore" });
  const user = isRoot ? ["--user=mysql"] : [];
  await runBounded("/usr/bin/mariadb-install-db", ["--no-defaults", `--datadir=${dataDir}`, ...user, "--skip-test-db", "--auth-root-authentication-method=normal"], process.env, SETUP_TIMEOUT_MS);
  const port = await freePort();
  const socket = join(dir, "mysql.sock");
  const server = await startUntil(["/usr/sbin/mariadbd", "--no-defaults", `--datadir=${dataDir}`, ...user, `--socket=${socket}`, `--port=${port}`,
    "--bind-address=127.0.0.1", "--skip-grant-tables", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=2"],
  process.env, "ready for connections", "mariadbd");
  try {
    const client = ["--no-defaults", `--socket=${socket}`, "-u", "root"];
    await runBounded("/usr/bin/mariadb", [...client, "-e", "CREATE DATABASE tango"], process.env, SETUP_TIMEOUT_MS);
    await runBounded("sh", ["-c", `exec /usr/bin/mariadb "$@" tango < "${schemaPath()!}"`, "sh", ...client], process.env, SETUP_TIMEOUT_MS);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { port, stop: server.stop };
}

function figuresOf(w: unknown, where: string): CallFigures {
  const elapsedS = (w as { elapsedS?: unknown }).elapsedS;
  const latencies = (w as { latenciesMs?: unknown }).latenciesMs;
  if (typeof elapsedS !== "number" || !Array.isArray(latencies) || latencies.length === 0 || !latencies.every((x) => typeof x === "number")) {
    throw new Error(`the PyTango database client's JSON has no valid window at ${where}`);
  }
  const sorted = [...(latencies as number[])].sort((a, b) => a - b);
  return { callsPerSecond: sorted.length / elapsedS, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

function windowsOf(v: unknown, where: string): CallFigures {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`the PyTango database client's JSON has no windows at ${where}`);
  return medianCalls(v.map((w, i) => figuresOf(w, `${where}[${i}]`)));
}

/** Runs the client script against `trl`; its JSON document as figures. */
async function runClient(trl: string, opts: { runs: number; seconds: number; log: (line: string) => void }): Promise<{ versions: string; ops: Record<DbOp, DbOpFigures> }> {
  const script = ["./peers/pytango_database_bench.py", "../../bench/peers/pytango_database_bench.py"]
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url))).find((p) => existsSync(p));
  if (script === undefined) throw new Error("bench/peers/pytango_database_bench.py not found");
  const dir = mkdtempSync(join(tmpdir(), "tango-bench-pytango-db-"));
  const out = join(dir, "figures.json");
  let text: string;
  try {
    const params = JSON.stringify({
      trl, servers: DB_SERVERS, devices_per_server: DEVICES_PER_SERVER, properties: PROPERTIES_PER_DEVICE,
      seconds: opts.seconds, runs: opts.runs, in_flight: IN_FLIGHT, out,
    });
    const output = await runBounded(pythonPath(), [script, params], process.env, 300_000 + opts.runs * 6 * opts.seconds * 1000);
    if (!existsSync(out)) throw new Error(`the PyTango database client wrote no figures:\n${output}`);
    text = readFileSync(out, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const doc = JSON.parse(text) as { versions?: { pytango?: string; cppTango?: string }; ops?: Record<string, { sequential?: unknown; inFlight?: Record<string, unknown> }> };
  const ops = Object.fromEntries(DB_OPS.map((op) => {
    const o = doc.ops?.[op];
    return [op, {
      sequential: windowsOf(o?.sequential, `${op}.sequential`),
      inFlight: Object.fromEntries(IN_FLIGHT.map((n) => [String(n), windowsOf(o?.inFlight?.[String(n)], `${op}.inFlight.${n}`)])),
    }];
  })) as Record<DbOp, DbOpFigures>;
  return { versions: `DataBaseds ${dpkgVersion("tango-db")}, cppTango ${doc.versions?.cppTango ?? "?"}, PyTango ${doc.versions?.pytango ?? "?"}`, ops };
}

/** cppTango's DataBaseds on a private MariaDB, measured as part 8; or why not. Everything started is stopped. */
export async function runDataBasedsPeer(opts: { runs: number; seconds: number; log: (line: string) => void }): Promise<DataBasedsReport> {
  const missing = findMissing();
  if (missing !== null) {
    opts.log(`database peer: ${missing}`);
    return { available: false, note: missing };
  }
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-bench-databaseds-"));
  try {
    const maria = await startMariaDb(dir);
    try {
      const port = await freePort();
      const env = { ...process.env, MYSQL_HOST: `127.0.0.1:${maria.port}`, MYSQL_USER: "root", MYSQL_PASSWORD: "", MYSQL_DATABASE: "tango", TANGO_HOST: `127.0.0.1:${port}` };
      const ds = await startUntil([dataBasedsPath(), "2", "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`], env, "Ready to accept request", "DataBaseds");
      try {
        opts.log(`database peer: DataBaseds on 127.0.0.1:${port}, MariaDB on ${maria.port}`);
        const result = await runClient(`tango://127.0.0.1:${port}/sys/database/2`, opts);
        return { available: true, ...result, mariadb: dpkgVersion("mariadb-server") };
      } finally {
        await ds.stop();
      }
    } finally {
      await maria.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

