import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/run-cli.js";
import { DeviceProxy } from "../../src/client/index.js";
import type { DevVarLongStringArrayValue } from "../../src/core/index.js";
import { migrate } from "../../src/database/sql/migrations.js";
import { openPgliteDb } from "../../src/database/sql/pglite-db.js";
import { openPostgresDb } from "../../src/database/sql/postgres-db.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { runCliProcess, type CliResult } from "../support/cli-process.js";
import { sharedPostgresServer } from "../support/postgres-server.js";
import { describeBackend, forEachBackend } from "../support/test-db.js";
import { closedPort } from "../support/ports.js";

/*
 * `tango-grpc database` as users run it: a child process on ports the OS picks, its storage in a
 * temp directory (or a database of a private PostgreSQL server), reached through the CLI and a
 * DeviceProxy; stopped with SIGTERM or killed with SIGKILL and started again on the same storage.
 */

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** tsx compiles the program, and a new embedded store runs initdb: seconds each on a busy machine. */
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 15_000;
const CLI_TIMEOUT_MS = 20_000;
const LOOPBACK_ENV = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_HTTP_HOST: "127.0.0.1", TANGO_LOG_LEVEL: "info" };

/** A running `tango-grpc database`. */
interface DatabaseProcess {
  readonly grpcPort: number;
  /** What the "database ready" line said. */
  readonly ready: Record<string, unknown>;
  /** `127.0.0.1:<port>/sys/database/2`, for the CLI. */
  readonly trl: string;
  proxy(): DeviceProxy;
  /** Sends `signal` and resolves with the exit code (null when a signal ended it). */
  stop(signal: NodeJS.Signals): Promise<number | null>;
  output(): string;
}

/** Processes still to be ended, and proxies still to be closed, after each test. */
const running = new Set<ChildProcess>();
const proxies = new Set<DeviceProxy>();

/** Starts `tango-grpc database <args> --port 0 --http-port 0` and waits for its ready line. */
function startDatabase(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<DatabaseProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "database", ...args, "--port", "0", "--http-port", "0"], {
    cwd: REPO_ROOT, env: { ...process.env, ...LOOPBACK_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => { running.delete(child); resolve(code); }));
  let out = "";
  let partial = "";
  return new Promise<DatabaseProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tango-grpc database was not ready within ${START_TIMEOUT_MS} ms:\n${out}`));
    }, START_TIMEOUT_MS);
    const onEarlyExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`tango-grpc database exited (${code}) before it was ready:\n${out}`));
    };
    child.once("exit", onEarlyExit);
    child.stderr.setEncoding("utf8").on("data", (s: string) => { out += s; });
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const lines = (partial + s).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const rec = line.startsWith("{") ? JSON.parse(line) as Record<string, unknown> : {};
        if (rec.msg !== "database ready" || typeof rec.grpcPort !== "number") continue;
        clearTimeout(timer);
        child.off("exit", onEarlyExit);
        const grpcPort = rec.grpcPort;
        resolve({
          grpcPort,
          ready: rec,
          trl: `127.0.0.1:${grpcPort}/sys/database/2`,
          proxy: () => {
            const p = new DeviceProxy(`tango://127.0.0.1:${grpcPort}/sys/database/2`, { timeoutMs: 10_000 });
            proxies.add(p);
            return p;
          },
          async stop(signal) {
            closeProxies();
            child.kill(signal);
            const timeout = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
            try {
              return await exited;
            } finally {
              clearTimeout(timeout);
            }
          },
          output: () => out,
        });
      }
    });
  });
}

function closeProxies(): void {
  for (const p of proxies) p.close();
  proxies.clear();
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCliProcess(args, { timeoutMs: CLI_TIMEOUT_MS, env });
}

/** Where the suites' storages go, made at the first use and removed after the last test. */
let tempRoot: string | undefined;
function tempDir(): string {
  tempRoot ??= mkdtempSync(join(tmpdir(), "tango-grpc-database-"));
  return tempRoot;
}
let templateDir: Promise<string> | undefined;
let copies = 0;

/** A new data directory with the schema, copied from one made once: a new one costs seconds of initdb. */
async function newDataDir(): Promise<string> {
  templateDir ??= (async () => {
    const dir = join(tempDir(), "template");
    const db = await openPgliteDb({ dataDir: dir });
    await migrate(db);
    await db.close();
    return dir;
  })();
  const template = await templateDir;
  copies += 1;
  const dir = join(tempDir(), `data-${copies}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

after("remove the database storages", () => {
  if (tempRoot !== undefined) rmSync(tempRoot, { recursive: true, force: true });
});

/** Kills what a test left running and closes its proxies. */
function endLeftovers(): void {
  closeProxies();
  for (const child of running) child.kill("SIGKILL");
}

describe("tango-grpc database: its usage", function () {
  this.timeout(CLI_TIMEOUT_MS + 5_000);

  it("explains itself in --help and in the program's help", async () => {
    let stdout = "";
    const io = { env: {}, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true } };
    expect(await runCli(["database", "--help"], io)).to.equal(0);
    expect(stdout).to.match(/^Usage: tango-grpc database \[--data <dir> \| --postgres <url>\]/);
    for (const option of ["--data <dir>", "--postgres <url>", "--instance <name>", "--port <port>", "--http-port <port>", "TANGO_DB_URL", "TANGO_DB_DATA", "TANGO_GRPC_PORT"]) {
      expect(stdout).to.contain(option);
    }
    expect(stdout).to.not.contain("TANGO_SERVER");
    stdout = "";
    expect(await runCli(["--help"], io)).to.equal(0);
    expect(stdout).to.match(/^ {2}database\s+run a Tango database server/m);
  });

  it("refuses --data with --postgres, and a port that is none, with exit code 2", async () => {
    for (const args of [["--data", "x", "--postgres", "postgres://h/db"], ["--port", "http"], ["--http-port", "70000"]]) {
      let stderr = "";
      const io = { env: {}, stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } };
      expect(await runCli(["database", ...args], io), args.join(" ")).to.equal(2);
      expect(stderr).to.match(/^tango-grpc: database: .+\nUsage: tango-grpc database/);
    }
  });
});

forEachBackend("tango-grpc database", (backend) => {
  /** The options of a new, empty storage for one test. */
  let newStorage: () => Promise<string[]>;
  /** The storage of those options, opened here (the server must not run). */
  const openStorageDb = (args: readonly string[]): Promise<SqlDb> =>
    args[0] === "--postgres" ? openPostgresDb({ url: args[1] ?? "" }) : openPgliteDb({ dataDir: args[1] ?? "" });

  before(async function () {
    this.timeout(START_TIMEOUT_MS);
    if (backend === "postgres") {
      const server = await sharedPostgresServer();
      newStorage = async () => ["--postgres", server.url(await server.createDatabase())];
    } else {
      newStorage = async () => ["--data", await newDataDir()];
    }
  });
  afterEach(endLeftovers);

  it("answers DbInfo through the CLI and imports itself as exported, with its own address", async function () {
    this.timeout(2 * START_TIMEOUT_MS);
    const storage = await newStorage();
    const db = await startDatabase(storage);
    const address = `grpc://${hostname()}:${db.grpcPort}`;
    expect(db.ready).to.include({ device: "sys/database/2", adminDevice: "dserver/DataBaseds/2", address, storage: backend === "pglite" ? "embedded" : "postgres" });

    const info = await cli(["cmd", db.trl, "DbInfo"]);
    expect(info.code, info.stderr).to.equal(0);
    expect(info.stdout).to.contain("TANGO Database sys/database/2");
    expect(info.stdout).to.match(/Devices exported {2}= 2/);

    const imported = await db.proxy().commandInout<DevVarLongStringArrayValue>("DbImportDevice", "sys/database/2");
    expect(imported.lvalue[0]).to.equal(1);
    expect(imported.lvalue[1]).to.be.above(0);
    expect(imported.svalue).to.deep.equal(["sys/database/2", address, "5", "DataBaseds/2", hostname(), "DataBase"]);
    const admin = await db.proxy().commandInout<DevVarLongStringArrayValue>("DbImportDevice", "dserver/DataBaseds/2");
    expect(admin.lvalue[0]).to.equal(1);
    expect(admin.svalue.slice(1)).to.deep.equal([address, "5", "DataBaseds/2", hostname(), "DServer"]);
    expect(await db.stop("SIGTERM")).to.equal(0);
  });

  it("exits 0 on SIGTERM, unexported, and keeps what was put for the next start", async function () {
    this.timeout(3 * START_TIMEOUT_MS);
    const storage = await newStorage();
    const first = await startDatabase(storage);
    await first.proxy().commandInout("DbAddServer", ["TangoTest/test", "sys/tg_test/1", "TangoTest"]);
    await first.proxy().commandInout("DbPutDeviceProperty", ["sys/tg_test/1", "1", "speed", "1", "4.25"]);
    expect(await first.stop("SIGTERM")).to.equal(0);
    expect(first.output()).to.contain('"msg":"database stopped"');

    const second = await startDatabase(storage);
    const dev = second.proxy();
    expect(await dev.commandInout("DbGetDeviceProperty", ["sys/tg_test/1", "speed"])).to.deep.equal(["sys/tg_test/1", "1", "speed", "1", "4.25"]);
    expect(await dev.commandInout("DbGetDeviceList", ["TangoTest/test", "*"])).to.deep.equal(["dserver/TangoTest/test", "sys/tg_test/1"]);
    // Str[6], the stopped date, was set by the unexport at the first shutdown.
    const info = await dev.commandInout<DevVarLongStringArrayValue>("DbGetDeviceInfo", "sys/database/2");
    expect(info.lvalue[0]).to.equal(1);
    expect(info.svalue[6]).to.not.equal("?");
    expect(await second.stop("SIGTERM")).to.equal(0);
  });

  it("keeps acknowledged writes through kill -9 and starts again on the same storage", async function () {
    this.timeout(3 * START_TIMEOUT_MS);
    const storage = await newStorage();
    const first = await startDatabase(storage);
    await first.proxy().commandInout("DbAddServer", ["TangoTest/test", "sys/tg_test/1", "TangoTest"]);
    await first.proxy().commandInout("DbPutServerInfo", ["TangoTest/test", "host1", "1", "3"]);
    await first.proxy().commandInout("DbPutDeviceProperty", ["sys/tg_test/1", "2", "speed", "1", "4.25", "names", "2", "a", "b"]);
    expect(await first.stop("SIGKILL")).to.equal(null);

    const second = await startDatabase(storage);
    const dev = second.proxy();
    expect(await dev.commandInout("DbGetDeviceProperty", ["sys/tg_test/1", "speed", "names"]))
      .to.deep.equal(["sys/tg_test/1", "2", "speed", "1", "4.25", "names", "2", "a", "b"]);
    expect(await dev.commandInout("DbGetDeviceList", ["TangoTest/test", "TangoTest"])).to.deep.equal(["sys/tg_test/1"]);
    expect(await dev.commandInout("DbGetServerInfo", "TangoTest/test")).to.deep.equal(["TangoTest/test", "host1", "1", "3"]);
    if (backend === "pglite") expect(second.output()).to.contain("data directory lock left by a process that is gone; taking it over");
    expect(await second.stop("SIGTERM")).to.equal(0);
  });

  it("refuses a schema newer than the program with exit code 1, naming the migration", async function () {
    this.timeout(2 * START_TIMEOUT_MS);
    const storage = await newStorage();
    const db = await openStorageDb(storage);
    try {
      await migrate(db);
      await db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from a later release')");
    } finally {
      await db.close();
    }
    const { code, stderr } = await cli(["database", ...storage, "--port", "0", "--http-port", "0"]);
    expect(code).to.equal(1);
    expect(stderr).to.match(/^tango-grpc: the database schema is newer than this program: it has migration 9999, and this tango-grpc knows migrations up to \d+\./m);
  });
});

describeBackend("pglite", "tango-grpc database with a device server and clients that use it", () => {
  afterEach(endLeftovers);

  /** `tango-grpc serve --server TangoTest --instance test`, its devices from the database at `tangoHost`; resolves once ready. */
  function startServer(tangoHost: string): Promise<{ stop(): Promise<number | null> }> {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--server", "TangoTest", "--instance", "test"], {
      cwd: REPO_ROOT,
      env: {
        ...process.env, ...LOOPBACK_ENV, TANGO_GRPC_PORT: "0", TANGO_HTTP_PORT: "0", TANGO_HOST: tangoHost,
        TANGO_ADVERTISE_ADDRESS: "127.0.0.1", TANGO_SHUTDOWN_GRACE_MS: "3000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => { running.delete(child); resolve(code); }));
    let out = "";
    child.stderr.setEncoding("utf8").on("data", (t: string) => { out += t; });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server was not ready within ${START_TIMEOUT_MS} ms:\n${out}`)), START_TIMEOUT_MS);
      const onEarlyExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code}) before it was ready:\n${out}`));
      };
      child.once("exit", onEarlyExit);
      child.stdout.setEncoding("utf8").on("data", (t: string) => {
        out += t;
        if (!out.includes('"msg":"Ready to accept request"')) return;
        clearTimeout(timer);
        child.off("exit", onEarlyExit);
        resolve({
          stop: async () => {
            child.kill("SIGTERM");
            const timeout = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
            try {
              return await exited;
            } finally {
              clearTimeout(timeout);
            }
          },
        });
      });
    });
  }

  it("serves a server started with TANGO_HOST and no config, and clients find it and the database by name", async function () {
    this.timeout(3 * START_TIMEOUT_MS);
    const db = await startDatabase(["--data", await newDataDir()], { TANGO_ADVERTISE_ADDRESS: "127.0.0.1" });
    const tangoHost = `127.0.0.1:${db.grpcPort}`;
    await db.proxy().commandInout("DbAddServer", ["TangoTest/test", "sys/tg_test/1", "TangoTest"]);
    const server = await startServer(tangoHost);

    const byName = await cli(["state", "sys/tg_test/1"], { TANGO_HOST: tangoHost });
    expect(byName.code, byName.stderr).to.equal(0);
    expect(byName.stdout.trim()).to.equal("RUNNING");
    const itself = await cli(["state", "sys/database/2"], { TANGO_HOST: tangoHost });
    expect(itself.stdout.trim(), itself.stderr).to.equal("ON");

    expect(await server.stop()).to.equal(0);
    const imported = await db.proxy().commandInout<DevVarLongStringArrayValue>("DbImportDevice", "sys/tg_test/1");
    expect(imported.lvalue[0]).to.equal(0);
    expect(imported.svalue.slice(3)).to.deep.equal(["TangoTest/test", hostname(), "TangoTest"]);
    expect(await db.stop("SIGTERM")).to.equal(0);
  });
});

describeBackend("pglite", "tango-grpc database's data directory", () => {
  afterEach(endLeftovers);

  it("exits 1 with a readable message when the data directory cannot be made", async () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "");
    const { code, stderr } = await cli(["database", "--data", join(file, "db"), "--port", "0", "--http-port", "0"]);
    expect(code).to.equal(1);
    expect(stderr).to.match(/^tango-grpc: cannot create the data directory \S+a-file\/db: .*ENOTDIR/m);
  });

  it("refuses a second server on a data directory in use", async function () {
    this.timeout(2 * START_TIMEOUT_MS);
    const dataDir = await newDataDir();
    const first = await startDatabase(["--data", dataDir]);
    const second = await cli(["database", "--data", dataDir, "--port", "0", "--http-port", "0"]);
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain(`tango-grpc: the data directory ${dataDir} is in use by process`);
    expect(await first.stop("SIGTERM")).to.equal(0);
  });
});

describeBackend("postgres", "tango-grpc database's PostgreSQL server", () => {
  afterEach(endLeftovers);

  it("retries an unreachable server with backoff, then exits 1 saying so, without the password", async () => {
    const url = `postgres://tango:s3cret@127.0.0.1:${await closedPort()}/tango`;
    const { code, stdout, stderr } = await cli(["database", "--postgres", url, "--port", "0", "--http-port", "0"], { TANGO_DB_CONNECT_TIMEOUT_MS: "1500" });
    expect(code).to.equal(1);
    expect(stderr).to.match(/^tango-grpc: cannot reach the PostgreSQL server at postgres:\/\/tango:\*{4}@127\.0\.0\.1:\d+\/tango \(\d attempts in [\d.]+ s\): .*ECONNREFUSED/m);
    const retries = stdout.split("\n").filter((l) => l.includes('"msg":"PostgreSQL server not reachable; retrying"'));
    expect(retries.length).to.be.at.least(2);
    expect(stdout + stderr).to.not.contain("s3cret");
  });

  it("exits 1 at once when the server refuses the connection for good", async () => {
    const server = await sharedPostgresServer();
    const { code, stdout, stderr } = await cli(["database", "--postgres", server.url("no_such_database"), "--port", "0", "--http-port", "0"]);
    expect(code).to.equal(1);
    expect(stderr).to.match(/^tango-grpc: the PostgreSQL server at \S+ refused the connection: .*no_such_database/m);
    expect(stdout).to.not.contain("PostgreSQL server not reachable; retrying");
  });
});
