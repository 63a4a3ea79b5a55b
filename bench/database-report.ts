import {
  DATABASE_TARGETS, DB_BACKENDS, DB_OPS, IN_FLIGHT, REGISTERED_DEVICES, type DatabaseResult, type DbBackend,
} from "./database.js";
import type { DataBasedsReport } from "./peers-database.js";
import { count, fixed, table } from "./report.js";

/* Part 8's tables and target rows (bench/database.ts measures). */

const LABEL: Record<DbBackend, string> = { embedded: "embedded (PGlite)", postgres: "PostgreSQL server" };
/** The in-flight figure quoted against the throughput target. */
const QUOTED_IN_FLIGHT = String(IN_FLIGHT[IN_FLIGHT.length - 1]);

/** The part's tables: calls/s per backend and mode, the registration times, and cppTango's DataBaseds when it ran. */
export function printDatabase(result: DatabaseResult, peer: DataBasedsReport | undefined): void {
  const s = result.settings;
  console.log(`\n### Tango database: \`tango-grpc database\`, ${count(s.servers * s.devicesPerServer)} devices in ${count(s.servers)} servers, `
    + `${s.propertiesPerDevice} properties each (medians of ${s.runs} windows of ${s.seconds} s, one DeviceProxy)\n`);
  const heads = ["operation", "backend", "sequential calls/s", "p50 ms", ...IN_FLIGHT.flatMap((n) => [`${n} in flight calls/s`, "p99 ms"]),
    "server CPU µs/call sequential", `server CPU µs/call ${QUOTED_IN_FLIGHT} in flight`];
  const rows: string[][] = [];
  for (const op of DB_OPS) {
    for (const backend of DB_BACKENDS) {
      const b = result.backends[backend];
      if (!b.available) continue;
      const f = b.ops[op];
      rows.push([op, LABEL[backend], fixed(f.sequential.callsPerSecond), fixed(f.sequential.p50Ms, 3),
        ...IN_FLIGHT.flatMap((n) => [fixed(f.inFlight[String(n)]?.callsPerSecond ?? NaN), fixed(f.inFlight[String(n)]?.p99Ms ?? NaN, 2)]),
        fixed(b.serverCpuUs[op].sequential ?? NaN), fixed(b.serverCpuUs[op][QUOTED_IN_FLIGHT] ?? NaN)]);
    }
    if (peer?.available === true) {
      const f = peer.ops[op];
      rows.push([op, "cppTango DataBaseds + MariaDB (PyTango client)", fixed(f.sequential.callsPerSecond), fixed(f.sequential.p50Ms, 3),
        ...IN_FLIGHT.flatMap((n) => [fixed(f.inFlight[String(n)]?.callsPerSecond ?? NaN), fixed(f.inFlight[String(n)]?.p99Ms ?? NaN, 2)]), "–", "–"]);
    }
  }
  console.log(table(heads, rows));
  console.log("\nDbGetDeviceProperty asks for two of a device's properties; every call names the next device. "
    + "Server CPU: the database process's CPU time (all threads; not the PostgreSQL server's) per call, pooled over the windows.");

  console.log(`\n### A server of ${count(REGISTERED_DEVICES)} devices starting with TANGO_HOST (medians of ${s.runs} starts of each kind; ms from spawn)\n`);
  console.log(table(["backend", "start", "registered and ready ms", "/readyz 200 ms", "ready log line ms"],
    DB_BACKENDS.flatMap((backend) => {
      const b = result.backends[backend];
      if (!b.available) return [];
      return (["first", "again"] as const).map((kind) => {
        const f = b.registration[kind];
        return [LABEL[backend], kind === "first" ? "first (DbAddServer of every device)" : "again (known to the database)",
          fixed(f.registeredMs), fixed(f.readyzMs), fixed(f.readyLineMs)];
      });
    })));
  console.log("\nRegistered and ready: /readyz answers 200 and DbGetDeviceExportedList lists every device of the server.");
  for (const backend of DB_BACKENDS) {
    const b = result.backends[backend];
    if (!b.available) console.log(`\n${LABEL[backend]}: ${b.note}`);
  }
  console.log(`\ncppTango DataBaseds: ${peer === undefined ? "not run" : peer.available ? `${peer.versions} (MariaDB ${peer.mariadb})` : peer.note}`);
}

/** The part's target rows: imports/s on the embedded store, and the registration time on each backend. */
export function databaseTargets(result: DatabaseResult): { target: string; measured: string; met: boolean | undefined }[] {
  const rows: { target: string; measured: string; met: boolean | undefined }[] = [];
  const embedded = result.backends.embedded;
  if (embedded.available) {
    const f = embedded.ops.DbImportDevice;
    const quoted = f.inFlight[QUOTED_IN_FLIGHT]?.callsPerSecond ?? NaN;
    rows.push({
      target: `DbImportDevice ≥ ${count(DATABASE_TARGETS.importsPerSecond)} calls/s on the embedded store`,
      measured: `${fixed(quoted)} calls/s with ${QUOTED_IN_FLIGHT} in flight (${IN_FLIGHT.map((n) => `${n}: ${fixed(f.inFlight[String(n)]?.callsPerSecond ?? NaN)}`).join(", ")}; `
        + `sequential ${fixed(f.sequential.callsPerSecond)})`,
      met: quoted >= DATABASE_TARGETS.importsPerSecond,
    });
  }
  for (const backend of DB_BACKENDS) {
    const b = result.backends[backend];
    if (!b.available) continue;
    const worst = Math.max(b.registration.first.registeredMs, b.registration.again.registeredMs);
    rows.push({
      target: `${count(REGISTERED_DEVICES)}-device server registered and ready ≤ ${DATABASE_TARGETS.registeredMs / 1000} s (${LABEL[backend]})`,
      measured: `${fixed(b.registration.first.registeredMs)} ms first start, ${fixed(b.registration.again.registeredMs)} ms known`,
      met: worst <= DATABASE_TARGETS.registeredMs,
    });
  }
  return rows;
}
