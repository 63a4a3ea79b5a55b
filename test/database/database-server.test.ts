import { expect } from "chai";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { ConfigError } from "../../src/cli/config-error.js";
import { ExitCode } from "../../src/cli/verb.js";
import { DeviceProxy } from "../../src/client/index.js";
import type { DevVarLongStringArrayValue } from "../../src/core/index.js";
import { DataBase } from "../../src/database/database.js";
import {
  runDatabaseServer, startDatabaseServer, type DatabaseServerHandle, type DatabaseServerOptions, type OpenPostgres,
} from "../../src/database/database-server.js";
import { DATA_DIR_LOCK } from "../../src/database/open-storage.js";
import { migrate } from "../../src/database/sql/migrations.js";
import { openPgliteDb } from "../../src/database/sql/pglite-db.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { FakeProcess, LogSink } from "../support/log-sink.js";
import { makeTestPki } from "../support/test-certs.js";
import { closedPort } from "../support/ports.js";

/** Collects stderr text. */
class TextSink extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Both ports picked by the OS on 127.0.0.1. */
const LOOPBACK_ENV = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_HTTP_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_PORT: "0" };

interface DeviceRow { name: string; server: string; class: string; exported: boolean; ior: string; host: string; pid: number; version: string; started: Date | null; stopped: Date | null }

/** The device rows of DataBaseds/2, read from a stopped server's data directory. */
async function deviceRows(dataDir: string): Promise<DeviceRow[]> {
  const db = await openPgliteDb({ dataDir });
  try {
    return await db.query<DeviceRow & Record<string, unknown>>(
      "SELECT name, server, class, exported, ior, host, pid, version, started, stopped FROM device ORDER BY name");
  } finally {
    await db.close();
  }
}

/** A pid that no process has: a child's, once it has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

describe("the database server (startDatabaseServer)", function () {
  this.timeout(60_000);
  let root: string;
  /** A data directory with the schema, made once: a new PGlite directory costs seconds. */
  let template: string;
  let dirCount = 0;
  const started: DatabaseServerHandle[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "tango-grpc-dbserver-"));
    template = join(root, "template");
    const db = await openPgliteDb({ dataDir: template });
    await migrate(db);
    await db.close();
  });
  afterEach(async () => {
    for (const handle of started.splice(0)) await handle.stop();
  });
  after(() => { rmSync(root, { recursive: true, force: true }); });

  /** A copy of the template data directory. */
  function newDataDir(): string {
    dirCount += 1;
    const dir = join(root, `data-${dirCount}`);
    cpSync(template, dir, { recursive: true });
    return dir;
  }

  function options(dataDir: string, extra: Partial<DatabaseServerOptions> = {}): DatabaseServerOptions & { log: LogSink; stderr: TextSink } {
    const log = new LogSink();
    const stderr = new TextSink();
    return { storage: { kind: "embedded", dataDir }, databaseClass: DataBase, env: LOOPBACK_ENV, ...extra, logDestination: log, log, stderr };
  }

  async function start(opts: DatabaseServerOptions): Promise<DatabaseServerHandle> {
    const handle = await startDatabaseServer(opts);
    started.push(handle);
    return handle;
  }

  describe("embedded storage", () => {
    it("serves sys/database/2 of class DataBase and exports it and its admin device with its own address", async () => {
      const dataDir = newDataDir();
      const opts = options(dataDir);
      const handle = await start(opts);
      expect(handle.device).to.equal("sys/database/2");
      expect(handle.adminDevice).to.equal("dserver/DataBaseds/2");
      expect(handle.address).to.equal(`grpc://${hostname()}:${handle.grpcPort}`);
      const ready = opts.log.find("database ready");
      expect(ready).to.include({ device: "sys/database/2", address: handle.address, grpcPort: handle.grpcPort, storage: "embedded", location: dataDir });

      const dev = new DeviceProxy(`tango://127.0.0.1:${handle.grpcPort}/sys/database/2`);
      try {
        expect(await dev.info()).to.include({ devClass: "DataBase", serverId: "DataBaseds/2" });
        const imported = await dev.commandInout<DevVarLongStringArrayValue>("DbImportDevice", "sys/database/2");
        expect([...imported.lvalue]).to.deep.equal([1, process.pid]);
        expect(imported.svalue).to.deep.equal(["sys/database/2", handle.address, "5", "DataBaseds/2", hostname(), "DataBase"]);
      } finally {
        dev.close();
      }
      expect(await handle.stop()).to.equal(ExitCode.Ok);

      const rows = await deviceRows(dataDir);
      expect(rows.map((r) => [r.name, r.server, r.class])).to.deep.equal([
        ["dserver/DataBaseds/2", "DataBaseds/2", "DServer"],
        ["sys/database/2", "DataBaseds/2", "DataBase"],
      ]);
      for (const row of rows) {
        // Unexported at shutdown as DbUnExportServer does: address, host and pid stay.
        expect(row).to.include({ exported: false, ior: handle.address, host: hostname(), pid: process.pid, version: "5" });
        expect(row.started).to.be.an.instanceOf(Date);
        expect(row.stopped).to.be.an.instanceOf(Date);
      }
    });

    it("exports itself again at the next start, keeping its rows", async () => {
      const dataDir = newDataDir();
      const first = await start(options(dataDir));
      await first.stop();
      const opts = options(dataDir);
      const second = await start(opts);
      expect(opts.log.find("database storage open")).to.deep.include({ migrationsApplied: [] });
      await second.stop();
      expect((await deviceRows(dataDir)).map((r) => r.name)).to.deep.equal(["dserver/DataBaseds/2", "sys/database/2"]);
    });

    it("runs another instance as sys/database/<instance>, whatever TANGO_SERVER and TANGO_INSTANCE say", async () => {
      const opts = options(newDataDir(), { instance: "7", env: { ...LOOPBACK_ENV, TANGO_SERVER: "Other", TANGO_INSTANCE: "9" } });
      const handle = await start(opts);
      expect([handle.device, handle.adminDevice]).to.deep.equal(["sys/database/7", "dserver/DataBaseds/7"]);
    });

    it("exports itself at the advertised address, and as grpcs:// over TLS", async () => {
      const pki = makeTestPki();
      try {
        const server = pki.server();
        const opts = options(newDataDir(), {
          env: { ...LOOPBACK_ENV, TANGO_ADVERTISE_ADDRESS: "db.example", TANGO_TLS_CERT_FILE: server.certFile, TANGO_TLS_KEY_FILE: server.keyFile },
        });
        const handle = await start(opts);
        expect(handle.address).to.equal(`grpcs://db.example:${handle.grpcPort}`);
        const dev = new DeviceProxy(`tango+tls://localhost:${handle.grpcPort}/sys/database/2`, { tls: { ca: pki.ca.cert } });
        try {
          const imported = await dev.commandInout<DevVarLongStringArrayValue>("DbImportDevice", "dserver/DataBaseds/2");
          expect(imported.svalue[1]).to.equal(handle.address);
        } finally {
          dev.close();
        }
      } finally {
        pki.remove();
      }
    });

    it("does not register with a database given by TANGO_HOST: it is the database", async () => {
      const opts = options(newDataDir(), { env: { ...LOOPBACK_ENV, TANGO_HOST: `127.0.0.1:${await closedPort()}` } });
      await start(opts);
      expect(opts.log.find("listening; exporting the devices")).to.not.have.property("tangoHost");
      expect(opts.log.find("database ready")).to.not.equal(undefined);
    });

    it("takes a port given as an option over its TANGO_* variable", async () => {
      const opts = options(newDataDir(), { grpcPort: 0, env: { ...LOOPBACK_ENV, TANGO_GRPC_PORT: "not a port" } });
      const handle = await start(opts);
      expect(handle.grpcPort).to.be.above(0);
    });

    it("stops, exit code 0, when SIGTERM comes while it starts, and leaves the directory free", async () => {
      const dataDir = newDataDir();
      const proc = new FakeProcess();
      const opts = options(dataDir, { process: proc });
      const run = runDatabaseServer(opts);
      await opts.log.waitFor("database storage open");
      proc.emit("SIGTERM", "SIGTERM");
      expect(await run).to.equal(ExitCode.Ok);
      expect(proc.listenerCount("SIGTERM") + proc.listenerCount("SIGINT")).to.equal(0);
      expect(existsSync(join(dataDir, DATA_DIR_LOCK))).to.equal(false);
      expect(opts.log.find("database ready")).to.equal(undefined);
    });

    it("refuses an unusable TANGO_* variable before it opens anything", async () => {
      const dataDir = join(root, "never-made");
      const err = await startDatabaseServer(options(dataDir, { env: { ...LOOPBACK_ENV, TANGO_HTTP_PORT: "many" } })).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.an.instanceOf(ConfigError);
      expect((err as Error).message).to.contain("env TANGO_HTTP_PORT");
      expect(existsSync(dataDir)).to.equal(false);
    });
  });

  describe("a data directory it cannot use", () => {
    async function refusal(dataDir: string): Promise<{ code: number; stderr: string; log: LogSink }> {
      const opts = options(dataDir);
      const code = await runDatabaseServer(opts);
      return { code, stderr: opts.stderr.text, log: opts.log };
    }

    it("exits 1 saying it cannot create the directory", async () => {
      const file = join(root, "a-file");
      writeFileSync(file, "x");
      const { code, stderr, log } = await refusal(join(file, "db"));
      expect(code).to.equal(ExitCode.Failure);
      expect(stderr).to.match(/^tango-grpc: cannot create the data directory .*a-file\/db: .*ENOTDIR/);
      expect(log.find("startup failed: the database storage cannot be used")).to.include({ level: 60 });
    });

    it("exits 1 when the directory holds other things and no database", async () => {
      const dir = join(root, "home-like");
      mkdirSync(dir);
      writeFileSync(join(dir, "notes.txt"), "mine");
      const { code, stderr } = await refusal(dir);
      expect(code).to.equal(ExitCode.Failure);
      expect(stderr).to.contain(`the data directory ${dir} is not empty and holds no database (it has notes.txt)`);
      expect(readFileSync(join(dir, "notes.txt"), "utf8")).to.equal("mine");
    });

    it("exits 1 when a running process holds the directory", async () => {
      const dataDir = newDataDir();
      const started = readFileSync(`/proc/${process.ppid}/stat`, "utf8");
      const field = started.slice(started.lastIndexOf(")") + 2).split(" ")[19];
      writeFileSync(join(dataDir, DATA_DIR_LOCK), JSON.stringify({ pid: process.ppid, host: hostname(), started: field }));
      const { code, stderr } = await refusal(dataDir);
      expect(code).to.equal(ExitCode.Failure);
      expect(stderr).to.contain(`is in use by process ${process.ppid}`);
    });

    it("takes over a lock left by a process that is gone", async () => {
      const dataDir = newDataDir();
      const pid = await deadPid();
      writeFileSync(join(dataDir, DATA_DIR_LOCK), JSON.stringify({ pid, host: hostname() }));
      const opts = options(dataDir);
      await start(opts);
      expect(opts.log.find("data directory lock left by a process that is gone; taking it over")).to.deep.include({ previousOwner: { pid, host: hostname() } });
      expect(JSON.parse(readFileSync(join(dataDir, DATA_DIR_LOCK), "utf8"))).to.include({ pid: process.pid });
    });

    it("refuses a schema newer than the program, naming its migrations", async () => {
      const dataDir = newDataDir();
      const db = await openPgliteDb({ dataDir });
      await db.query("INSERT INTO schema_migrations (version, name) VALUES (998, 'future'), (999, 'more future')");
      await db.close();
      const { code, stderr } = await refusal(dataDir);
      expect(code).to.equal(ExitCode.Failure);
      expect(stderr).to.match(/the database schema is newer than this program: it has migrations 998, 999, and this tango-grpc knows migrations up to \d+/);
    });
  });

  describe("a PostgreSQL server (the connection stood in for)", () => {
    let shared: SqlDb;
    const url = "postgres://tango:s3cret@db.example:5432/tango";
    before(async () => {
      shared = await openPgliteDb();
      await migrate(shared);
    });
    after(() => shared.close());

    /** Fails `failures` times with `code`, then hands out the shared database (never closed by the server). */
    function flakyServer(failures: number, code = "ECONNREFUSED"): { open: OpenPostgres; attempts: () => number } {
      let attempts = 0;
      const open: OpenPostgres = async () => {
        attempts += 1;
        if (attempts <= failures) throw Object.assign(new Error(`connect ${code} db.example:5432`), { code });
        return { ...shared, close: async () => undefined };
      };
      return { open, attempts: () => attempts };
    }

    function pgOptions(open: OpenPostgres, extra: Partial<DatabaseServerOptions> = {}): ReturnType<typeof options> {
      return options("", { storage: { kind: "postgres", url }, openPostgres: open, ...extra });
    }

    it("retries while the server cannot be reached, logging each failure without the password", async () => {
      const server = flakyServer(2);
      const opts = pgOptions(server.open);
      const handle = await start(opts);
      expect(server.attempts()).to.equal(3);
      const retries = opts.log.lines.filter((l) => l.msg === "PostgreSQL server not reachable; retrying");
      expect(retries.map((l) => [l.attempt, l.retryInMs])).to.deep.equal([[1, 250], [2, 500]]);
      expect(opts.log.find("database ready")).to.include({ storage: "postgres", location: "postgres://tango:****@db.example:5432/tango" });
      expect(JSON.stringify(opts.log.lines)).to.not.contain("s3cret");
      await handle.stop();
    });

    it("gives up after the connect timeout with exit code 1 and a readable message", async () => {
      const opts = pgOptions(flakyServer(Infinity).open, { connectTimeoutMs: 1_000 });
      const code = await runDatabaseServer(opts);
      expect(code).to.equal(ExitCode.Failure);
      expect(opts.stderr.text).to.match(/^tango-grpc: cannot reach the PostgreSQL server at postgres:\/\/tango:\*\*\*\*@db\.example:5432\/tango \(\d attempts in [\d.]+ s\): connect ECONNREFUSED db\.example:5432\n$/);
    });

    it("fails at once when the server refuses for good (a wrong password)", async () => {
      const server = flakyServer(Infinity, "28P01");
      const opts = pgOptions(server.open);
      expect(await runDatabaseServer(opts)).to.equal(ExitCode.Failure);
      expect(server.attempts()).to.equal(1);
      expect(opts.stderr.text).to.contain("the PostgreSQL server at postgres://tango:****@db.example:5432/tango refused the connection: connect 28P01");
    });

    it("stops waiting and exits 0 when asked to stop before it could start", async () => {
      const proc = new FakeProcess();
      const opts = pgOptions(flakyServer(Infinity).open, { process: proc });
      const run = runDatabaseServer(opts);
      await opts.log.waitFor("PostgreSQL server not reachable; retrying");
      proc.emit("SIGTERM", "SIGTERM");
      expect(await run).to.equal(ExitCode.Ok);
      expect(opts.log.find("stop requested before the database started")).to.not.equal(undefined);
      expect(proc.listenerCount("SIGTERM")).to.equal(0);
    });
  });
});
