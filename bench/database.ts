import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DeviceProxy } from "../src/client/index.js";
import { startPostgresServer, whyNoPostgres, type PostgresServer } from "../test/support/postgres-server.js";
import { median, medianCalls, pooledCpuUs, type CallFigures } from "./figures.js";
import { callWindow, warmUp, type Call } from "./measure.js";
import { CLIENT_CPU, distScript, freePort, HAS_TASKSET, SERVER_CPU, startProcess, type BenchProcess } from "./processes.js";

/*
 * Part 8: the Tango database. `tango-grpc database` (the built program) on each backend: embedded
 * PostgreSQL (PGlite) in a temp data directory, and a private PostgreSQL server (initdb + postgres
 * from /usr/local/bin or Debian's packages, as the tests start it; skipped with the reason when
 * there is none), populated with DB_SERVERS servers of DEVICES_PER_SERVER devices, each exported
 * and with PROPERTIES_PER_DEVICE properties. Measured through one DeviceProxy on sys/database/2:
 * - DbImportDevice and DbGetDeviceProperty (two of a device's properties), over every device in
 *   turn, sequentially and with each of IN_FLIGHT calls outstanding;
 * - a server of REGISTERED_DEVICES PowerSupply devices (`tango-grpc serve` with TANGO_HOST and a
 *   config listing them): from spawn to /readyz 200 with every device exported in the database,
 *   the first start (DbAddServer of all its devices) and the next (the database knows them).
 * The database process (and the PostgreSQL server) run on the servers' CPU, the client here. For
 * the registration the database moves to the clients' CPU, so that the starting server has the
 * servers' CPU to itself, as on a machine of its own (this process only polls meanwhile).
 */

export const DB_SERVERS = 100;
export const DEVICES_PER_SERVER = 10;
export const PROPERTIES_PER_DEVICE = 5;
export const REGISTERED_DEVICES = 1000;
export const IN_FLIGHT = [16, 64] as const;
export const DATABASE_TARGETS = { importsPerSecond: 5000, registeredMs: 3000 } as const;

/** The program, relative to dist/bench/. */
const PROGRAM = "../src/cli/tango-grpc.js";
const POPULATE_IN_FLIGHT = 16;
const WARM_UP_CALLS = 2000;
const READY_POLL_MS = 5;
const REGISTER_TIMEOUT_MS = 60_000;
/** The class the registration's server serves: built in, no mandatory property. */
const REGISTERED_CLASS = "PowerSupply";
const SERVE_ENV = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_LOG_LEVEL: "info" };

export const DB_OPS = ["DbImportDevice", "DbGetDeviceProperty"] as const;
export type DbOp = (typeof DB_OPS)[number];
export type DbBackend = "embedded" | "postgres";
export const DB_BACKENDS: readonly DbBackend[] = ["embedded", "postgres"];

/** One operation: medians over the rounds, and the server CPU per call pooled over them. */
export interface DbOpFigures {
  sequential: CallFigures;
  /** By calls in flight (String(n)). */
  inFlight: Record<string, CallFigures>;
}

/** One start of the registration's server, ms from spawn. */
export interface RegistrationRun {
  /** /readyz answered 200 and the database listed every device exported. */
  registeredMs: number;
  /** /readyz answered 200. */
  readyzMs: number;
  /** The "Ready to accept request" log line. */
  readyLineMs: number;
}

/** Medians of the runs of one kind of start. */
export interface RegistrationFigures extends RegistrationRun {
  runs: RegistrationRun[];
}

export type DbBackendResult =
  | { available: false; note: string }
  | {
      available: true;
      ops: Record<DbOp, DbOpFigures>;
      /** The database process's CPU per call, µs, pooled over every window of the op and mode. */
      serverCpuUs: Record<DbOp, Record<string, number>>;
      /** First start: the server is new to the database. Again: it is known. */
      registration: { first: RegistrationFigures; again: RegistrationFigures };
    };

export interface DatabaseResult {
  settings: { servers: number; devicesPerServer: number; propertiesPerDevice: number; registeredDevices: number; runs: number; seconds: number };
  backends: Record<DbBackend, DbBackendResult>;
}

export interface DatabaseOptions {
  /** Windows per operation and mode; registration starts of each kind. */
  runs: number;
  seconds: number;
  log: (line: string) => void;
}

/** The device names of the populated database. */
export function benchDevices(): string[] {
  return Array.from({ length: DB_SERVERS * DEVICES_PER_SERVER }, (_, i) => `bench/db${Math.floor(i / DEVICES_PER_SERVER) + 1}/${(i % DEVICES_PER_SERVER) + 1}`);
}

/** A database process on storage `args`, with its proxy; stop() ends both. */
async function startDatabase(args: readonly string[]): Promise<{ proc: BenchProcess; proxy: DeviceProxy; tangoHost: string; stop(): Promise<void> }> {
  const proc = await startProcess(distScript(PROGRAM), ["database", "--port", "0", "--http-port", "0", ...args], SERVE_ENV);
  const tangoHost = `127.0.0.1:${proc.grpcPort}`;
  const proxy = new DeviceProxy(`tango://${tangoHost}/sys/database/2#dbase=no`, { timeoutMs: 30_000 });
  return { proc, proxy, tangoHost, stop: async () => { proxy.close(); await proc.stop(); } };
}

/** Runs `work` over `items`, `inFlight` at a time. */
async function each<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** DbAddServer, DbExportDevice and DbPutDeviceProperty for the populated database. */
async function populate(db: DeviceProxy): Promise<void> {
  const devices = benchDevices();
  const servers = Array.from({ length: DB_SERVERS }, (_, s) => s);
  await each(servers, POPULATE_IN_FLIGHT, (s) => db.commandInout("DbAddServer", [`BenchDb/s${s + 1}`,
    ...devices.slice(s * DEVICES_PER_SERVER, (s + 1) * DEVICES_PER_SERVER).flatMap((d) => [d, "BenchDevice"])]));
  await each(devices, POPULATE_IN_FLIGHT, (d) => db.commandInout("DbExportDevice", [d, "grpc://bench-host:50051", "bench-host", "4242", "6"]));
  await each(devices, POPULATE_IN_FLIGHT, (d) => db.commandInout("DbPutDeviceProperty",
    [d, String(PROPERTIES_PER_DEVICE), ...Array.from({ length: PROPERTIES_PER_DEVICE }, (_, p) => [`prop_${p + 1}`, "1", `${d} value ${p + 1}`]).flat()]));
}

/** Each operation as a call over every device in turn; the first reply of each is checked. */
async function dbCalls(db: DeviceProxy): Promise<Record<DbOp, Call>> {
  const devices = benchDevices();
  let i = 0;
  let j = 0;
  const imported = await db.commandInout("DbImportDevice", devices[0]!) as { lvalue: Int32Array; svalue: string[] };
  if (imported.lvalue[0] !== 1 || imported.svalue[1] !== "grpc://bench-host:50051") throw new Error(`DbImportDevice answered ${JSON.stringify(imported)}`);
  const props = await db.commandInout("DbGetDeviceProperty", [devices[0]!, "prop_1", "prop_2"]) as string[];
  if (props.length !== 8 || props[4] !== `${devices[0]} value 1`) throw new Error(`DbGetDeviceProperty answered ${JSON.stringify(props)}`);
  return {
    DbImportDevice: () => db.commandInout("DbImportDevice", devices[i++ % devices.length]!),
    DbGetDeviceProperty: () => db.commandInout("DbGetDeviceProperty", [devices[j++ % devices.length]!, "prop_1", "prop_2"]),
  };
}

/** Polls /readyz from now on until 200, then the database until every device is exported; ms since `since`. */
async function timeRegistration(httpPort: number, db: DeviceProxy, pattern: string, since: number): Promise<{ readyzMs: number; registeredMs: number }> {
  const deadline = since + REGISTER_TIMEOUT_MS;
  let readyzMs: number | undefined;
  while (performance.now() < deadline) {
    if (readyzMs === undefined) {
      try {
        const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
        await res.arrayBuffer();
        if (res.status === 200) readyzMs = performance.now() - since;
      } catch {
        // not listening yet
      }
    }
    if (readyzMs !== undefined) {
      const exported = await db.commandInout("DbGetDeviceExportedList", pattern) as string[];
      if (exported.length >= REGISTERED_DEVICES) return { readyzMs, registeredMs: performance.now() - since };
    }
    await sleep(READY_POLL_MS);
  }
  throw new Error(`the ${REGISTERED_DEVICES}-device server was not ready and registered within ${REGISTER_TIMEOUT_MS} ms`);
}

/** Starts a REGISTERED_DEVICES-device server registered with `tangoHost`; times it and stops it. */
async function startRegistered(dir: string, tangoHost: string, db: DeviceProxy, instance: string): Promise<RegistrationRun> {
  const config = join(dir, `${instance}.json`);
  writeFileSync(config, JSON.stringify({
    server: REGISTERED_CLASS, instance,
    classes: [{ name: REGISTERED_CLASS, devices: Array.from({ length: REGISTERED_DEVICES }, (_, i) => ({ name: `bench/${instance}/${i + 1}` })) }],
  }));
  const httpPort = await freePort();
  const spawnedAt = performance.now();
  const started = startProcess(distScript(PROGRAM), ["serve", "--config", config], { ...SERVE_ENV, TANGO_HTTP_PORT: String(httpPort), TANGO_HOST: tangoHost });
  const timing = timeRegistration(httpPort, db, `bench/${instance}/*`, spawnedAt);
  let proc: BenchProcess | undefined;
  try {
    proc = await started;
    const { readyzMs, registeredMs } = await timing;
    return { readyzMs, registeredMs, readyLineMs: proc.readyMs };
  } finally {
    await timing.catch(() => undefined);
    await proc?.stop();
  }
}

function mediansOf(runs: RegistrationRun[]): RegistrationFigures {
  const of = (key: keyof RegistrationRun): number => median(runs.map((r) => r[key]));
  return { registeredMs: of("registeredMs"), readyzMs: of("readyzMs"), readyLineMs: of("readyLineMs"), runs };
}

/** Moves a process (every thread) to `cpu`, when taskset exists. */
function pin(pid: number | string, cpu: string): void {
  if (HAS_TASKSET) spawnSync("taskset", ["-a", "-p", "-c", cpu, String(pid)], { stdio: "ignore" });
}

/** The PostgreSQL server's postmaster (its backends are its children, and inherit its CPUs). */
function postmasterPid(pg: PostgresServer): string {
  return readFileSync(join(pg.dir, "data", "postmaster.pid"), "utf8").split("\n")[0] ?? "";
}

/** Moves the PostgreSQL server and its running backends to `cpu`. */
function pinPostgres(pg: PostgresServer, cpu: string): void {
  const postmaster = postmasterPid(pg);
  pin(postmaster, cpu);
  const children = spawnSync("pgrep", ["-P", postmaster], { encoding: "utf8" }).stdout ?? "";
  for (const pid of children.split("\n").filter((p) => p !== "")) pin(pid, cpu);
}

/** The part on one backend, on a database process given `args` for its storage. */
async function runBackend(args: readonly string[], opts: DatabaseOptions, label: string, pg?: PostgresServer): Promise<DbBackendResult & { available: true }> {
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-bench-db-"));
  const database = await startDatabase(args);
  try {
    const { proxy, proc } = database;
    const t0 = performance.now();
    await populate(proxy);
    opts.log(`database [${label}]: populated ${DB_SERVERS * DEVICES_PER_SERVER} devices in ${Math.round(performance.now() - t0)} ms`);
    const calls = await dbCalls(proxy);
    const modes = [1, ...IN_FLIGHT];
    const windows = Object.fromEntries(DB_OPS.map((op) => [op, Object.fromEntries(modes.map((n) => [n, [] as CallFigures[]]))])) as
      Record<DbOp, Record<number, CallFigures[]>>;
    for (const op of DB_OPS) await warmUp(calls[op], WARM_UP_CALLS, 16);
    for (let r = 0; r < opts.runs; r++) {
      for (const op of DB_OPS) {
        for (const n of modes) windows[op][n]!.push(await callWindow(calls[op], n, opts.seconds, () => proc.cpuNs()));
      }
    }
    const ops = Object.fromEntries(DB_OPS.map((op) => [op, {
      sequential: medianCalls(windows[op][1]!),
      inFlight: Object.fromEntries(IN_FLIGHT.map((n) => [String(n), medianCalls(windows[op][n]!)])),
    }])) as Record<DbOp, DbOpFigures>;
    const serverCpuUs = Object.fromEntries(DB_OPS.map((op) => [op, Object.fromEntries(modes.map((n) => [n === 1 ? "sequential" : String(n), pooledCpuUs(windows[op][n]!)]))])) as
      Record<DbOp, Record<string, number>>;
    for (const op of DB_OPS) {
      opts.log(`database [${label}]: ${op} ${Math.round(ops[op].sequential.callsPerSecond)} calls/s sequential, `
        + IN_FLIGHT.map((n) => `${Math.round(ops[op].inFlight[String(n)]!.callsPerSecond)} with ${n} in flight`).join(", "));
    }
    pin(proc.pid, CLIENT_CPU);
    if (pg !== undefined) pinPostgres(pg, CLIENT_CPU);
    const first: RegistrationRun[] = [];
    const again: RegistrationRun[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const instance = `reg${r + 1}`;
      first.push(await startRegistered(dir, database.tangoHost, proxy, instance));
      again.push(await startRegistered(dir, database.tangoHost, proxy, instance));
      opts.log(`database [${label}]: ${REGISTERED_DEVICES} devices registered and ready in ${Math.round(first.at(-1)!.registeredMs)} ms (first start), `
        + `${Math.round(again.at(-1)!.registeredMs)} ms (known)`);
    }
    return { available: true, ops, serverCpuUs, registration: { first: mediansOf(first), again: mediansOf(again) } };
  } finally {
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both backends, one after the other; PostgreSQL is skipped, with the reason, when it cannot run here. */
export async function runDatabase(opts: DatabaseOptions): Promise<DatabaseResult> {
  const settings = {
    servers: DB_SERVERS, devicesPerServer: DEVICES_PER_SERVER, propertiesPerDevice: PROPERTIES_PER_DEVICE,
    registeredDevices: REGISTERED_DEVICES, runs: opts.runs, seconds: opts.seconds,
  };
  const dataDir = mkdtempSync(join(tmpdir(), "tango-grpc-bench-pglite-"));
  let embedded: DbBackendResult;
  try {
    embedded = await runBackend(["--data", join(dataDir, "db")], opts, "embedded");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const missing = whyNoPostgres();
  if (missing !== undefined) {
    opts.log(`database [postgres]: skipped: ${missing}`);
    return { settings, backends: { embedded, postgres: { available: false, note: `skipped: ${missing}` } } };
  }
  const pg = await startPostgresServer();
  try {
    pinPostgres(pg, SERVER_CPU);
    const name = await pg.createDatabase();
    const postgres = await runBackend(["--postgres", pg.url(name)], opts, "postgres", pg);
    return { settings, backends: { embedded, postgres } };
  } finally {
    await pg.stop();
  }
}
