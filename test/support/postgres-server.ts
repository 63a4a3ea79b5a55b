import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import pg from "pg";

/*
 * A private PostgreSQL server for tests: initdb into a temp dir (trust auth, no password), then
 * `postgres` on 127.0.0.1 and a port the OS picked, with its socket in the same temp dir. One per
 * mocha process (sharedPostgresServer), a fresh database per test file. When this process is root
 * the server runs as `nobody` (initdb and postgres refuse root), through setpriv (util-linux).
 */

/** How long initdb may take (it writes a whole cluster; slow on a busy 2-core machine). */
const INITDB_TIMEOUT_MS = 120_000;
/** How long the server may take to accept connections once started. */
const START_TIMEOUT_MS = 60_000;
/** How long a fast shutdown (SIGINT) may take before SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;
/** How much of the server's output is kept for failure messages. */
const OUTPUT_KEEP_CHARS = 16_000;
/** Ports picked and then lost to another process before the server bound them. */
const BIND_ATTEMPTS = 3;
const READY_LINE = "database system is ready to accept connections";

/** A running PostgreSQL server on 127.0.0.1 whose superuser `postgres` needs no password. */
export interface PostgresServer {
  /** Its TCP port on 127.0.0.1. */
  readonly port: number;
  /** The temp dir holding its data and socket; removed by stop(). */
  readonly dir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database: string): string;
  /** Creates an empty database with a fresh name (`t_<random>`) and returns its name. */
  createDatabase(): Promise<string>;
  /** Drops a database, ending the sessions still connected to it. */
  dropDatabase(name: string): Promise<void>;
  /** Stops the server (SIGINT, then SIGKILL after 10 s) and removes its files. Safe to call twice. */
  stop(): Promise<void>;
  /** What the server wrote last, for failure messages. */
  output(): string;
}

/**
 * The directory holding PostgreSQL's `initdb` and `postgres`: env TANGO_TEST_PG_BIN when set (and
 * only it), else the first directory on PATH that has both, else Debian's
 * /usr/lib/postgresql/<version>/bin, newest version first; undefined when none has them.
 */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const hasBoth = (dir: string): boolean => isExecutable(join(dir, "initdb")) && isExecutable(join(dir, "postgres"));
  const chosen = env.TANGO_TEST_PG_BIN;
  if (chosen !== undefined && chosen !== "") return hasBoth(chosen) ? chosen : undefined;
  const debian = "/usr/lib/postgresql";
  let versions: string[] = [];
  try {
    versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const onPath = (env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  return [...onPath, ...versions.map((v) => join(debian, v, "bin"))].find(hasBoth);
}

/** Options of startPostgresServer. */
export interface PostgresServerOptions {
  /** Where `initdb` and `postgres` are; findPostgresBinDir() by default. */
  readonly binDir?: string | undefined;
  /** Where the server's temp dir (`tango-grpc-pg-*`) is made; the system temp dir by default. */
  readonly parentDir?: string | undefined;
}

/**
 * Starts a PostgreSQL server in a new temp dir; resolves once it accepts connections.
 *
 * @throws Error when no binaries are found (findPostgresBinDir), or initdb or the server fails
 *   (the message carries their output); the temp dir is removed then.
 */
export async function startPostgresServer(opts: PostgresServerOptions = {}): Promise<PostgresServer> {
  const binDir = opts.binDir ?? findPostgresBinDir();
  if (binDir === undefined) throw new Error(whyNoPostgres() ?? "no PostgreSQL server binaries");
  const dir = mkdtempSync(join(opts.parentDir ?? tmpdir(), "tango-grpc-pg-"));
  const dataDir = join(dir, "data");
  const asUser = runAsUser(dir);
  const env = { ...process.env, LC_ALL: "C", LANG: "C" };
  try {
    // C.UTF-8 (glibc's, built in): byte order as PGlite's C, and lower() of non-ASCII letters as
    // PGlite's, which plain C leaves unchanged on a native server.
    await run([...asUser, join(binDir, "initdb"), "-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], dir, env);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  for (let attempt = 1; ; attempt++) {
    const port = await pickFreePort();
    const args = [
      ...asUser, join(binDir, "postgres"), "-D", dataDir, "-k", dir, "-p", String(port),
      "-c", "listen_addresses=127.0.0.1",
      // A test server holds nothing worth a crash-safe write.
      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
    ];
    try {
      return await launch(args, dir, env, port);
    } catch (err) {
      const lostPort = /could not bind|Address already in use/.test(String(err));
      if (!lostPort || attempt >= BIND_ATTEMPTS) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

let shared: Promise<PostgresServer> | undefined;

/**
 * The server this process's tests share: started by the first call, the same promise after.
 * stopSharedPostgresServer stops it (test-db.ts does so after all tests).
 */
export function sharedPostgresServer(): Promise<PostgresServer> {
  shared ??= startPostgresServer();
  return shared;
}

/** Stops the shared server if one was started (or failed to start); the next call starts anew. */
export async function stopSharedPostgresServer(): Promise<void> {
  const started = shared;
  shared = undefined;
  if (started === undefined) return;
  const server = await started.catch(() => undefined);
  await server?.stop();
}

/** Why no PostgreSQL server can be started here (no binaries found), or undefined when one can. */
export function whyNoPostgres(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (findPostgresBinDir(env) !== undefined) return undefined;
  const chosen = env.TANGO_TEST_PG_BIN;
  return chosen !== undefined && chosen !== ""
    ? `no PostgreSQL server binaries (initdb and postgres) in TANGO_TEST_PG_BIN=${chosen}`
    : "no PostgreSQL server binaries (initdb and postgres) on PATH or in /usr/lib/postgresql/*/bin; install Debian's postgresql package";
}

/** Starts the server; resolves when it logs that it accepts connections. */
async function launch(args: string[], dir: string, env: NodeJS.ProcessEnv, port: number): Promise<PostgresServer> {
  const [command, ...rest] = args as [string, ...string[]];
  const child = spawn(command, rest, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (s: string): void => { out = (out + s).slice(-OUTPUT_KEEP_CHARS); };
  // If this process ends without stop() (a crash, process.exit), the server must not outlive it.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", killOnExit);
  // 'error' without 'exit' when the program could not be started at all.
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (err) => { spawnError = err; resolve(); });
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`PostgreSQL did not accept connections within ${START_TIMEOUT_MS} ms:\n${out}`));
    }, START_TIMEOUT_MS);
    const onData = (s: string): void => {
      keep(s);
      if (out.includes(READY_LINE)) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve();
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      child.off("exit", onExit);
      const why = spawnError === undefined ? `exited (${code ?? signal})` : `could not be started (${spawnError.message})`;
      reject(new Error(`PostgreSQL ${why} before it accepted connections:\n${out}`));
    };
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.stderr?.setEncoding("utf8").on("data", onData);
    child.once("exit", onExit);
    child.once("error", () => onExit(null, null));
  }).catch(async (err: unknown) => {
    await exited;
    process.off("exit", killOnExit);
    throw err;
  });
  unref(child);

  const url = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url("postgres"), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  let stopping: Promise<void> | undefined;
  return {
    port,
    dir,
    url,
    async createDatabase() {
      const name = `t_${randomBytes(6).toString("hex")}`;
      await admin(`CREATE DATABASE ${name}`);
      return name;
    },
    async dropDatabase(name) {
      if (!/^\w+$/.test(name)) throw new Error(`not a test database name: ${name}`);
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGINT");
          const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        }
        process.off("exit", killOnExit);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
    output: () => out,
  };
}

/** Lets this process end while the server runs: the 'exit' hook then kills it. */
function unref(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
}

/** Runs a program to its end (bounded); rejects with its output when it fails. */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const [command, ...rest] = args as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(command, rest, { cwd, env, timeout: INITDB_TIMEOUT_MS, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
      if (err === null) resolve();
      else reject(new Error(`${args.join(" ")} failed (${err.killed ? `killed after ${INITDB_TIMEOUT_MS} ms` : err.message}):\n${stdout}${stderr}`));
    });
  });
}

/**
 * The prefix (setpriv, from util-linux) that runs a program as `nobody` when this process is root
 * (PostgreSQL refuses to run as root), after giving `dir` to that user, and that has the kernel
 * send it SIGINT if this process dies without stopping it (killed, or ended by a signal that
 * skips 'exit' handlers). setpriv execs the program itself: the pid we signal is the server's.
 * Not root and no setpriv: no prefix, and a server that this process's death leaves running.
 */
function runAsUser(dir: string): string[] {
  const setpriv = findOnPath("setpriv");
  const isRoot = process.getuid?.() === 0;
  if (setpriv === undefined) {
    if (isRoot) throw new Error("this process is root, and PostgreSQL refuses root: setpriv (util-linux) is needed to run it as nobody");
    return [];
  }
  if (!isRoot) return [setpriv, "--pdeathsig=SIGINT", "--"];
  const { uid, gid } = nobody();
  chownSync(dir, uid, gid);
  return [setpriv, `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--pdeathsig=SIGINT", "--"];
}

/** The uid and gid of `nobody`, from /etc/passwd (65534 when it is not listed). */
function nobody(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("nobody:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  return { uid: Number(uid ?? 65534), gid: Number(gid ?? 65534) };
}

function findOnPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/bin", "/usr/sbin", "/sbin"];
  return dirs.filter((d) => d !== "").map((d) => join(d, name)).find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port free on 127.0.0.1 now (the OS picks it; the server binds it right after). */
async function pickFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("the OS gave no TCP port");
  return address.port;
}
