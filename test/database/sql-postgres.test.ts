import { expect } from "chai";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPostgresDb, PostgresConnectionError } from "../../src/database/sql/postgres-db.js";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { findPostgresBinDir, sharedPostgresServer, startPostgresServer } from "../support/postgres-server.js";
import { describeBackend } from "../support/test-db.js";
import { waitFor } from "../support/wait-for.js";

/** What a rejected promise rejected with (fails the test when it fulfilled). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => { throw new Error(`expected a rejection, got ${JSON.stringify(value)}`); },
    (err: unknown) => err as Error,
  );
}

/** A TCP server on 127.0.0.1 that accepts connections and never says a word. */
async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A port that nothing listens on now. */
async function closedPort(): Promise<number> {
  const silent = await startSilentServer();
  await silent.close();
  return silent.port;
}

describe("openPostgresDb: URLs and unreachable servers", () => {
  it("rejects a string that is not a URL without repeating it", async () => {
    const err = await rejection(openPostgresDb({ url: "host=db password=s3cret" }));
    expect(err.message).to.equal("the PostgreSQL URL is not valid: expected postgres://user:password@host:port/database");
  });

  it("rejects another scheme, naming it and not the password", async () => {
    const err = await rejection(openPostgresDb({ url: "mysql://tango:s3cret@db:3306/tango" }));
    expect(err.message).to.equal("the PostgreSQL URL must start with postgres:// or postgresql://, not mysql://");
  });

  it("names host, port, database and user, never the password, when nothing listens", async () => {
    const port = await closedPort();
    const err = await rejection(openPostgresDb({ url: `postgresql://tango:s3cret@127.0.0.1:${port}/tango_db` }));
    expect(err).to.be.instanceOf(PostgresConnectionError);
    expect(err.message).to.match(new RegExp(`^PostgreSQL server 127\\.0\\.0\\.1:${port} \\(database "tango_db", user "tango"\\): .*ECONNREFUSED`));
    expect(err.message).not.to.contain("s3cret");
    expect((err as PostgresConnectionError).code).to.equal("ECONNREFUSED");
  });

  it("gives up after connectTimeoutMs on a server that never answers", async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const err = await rejection(openPostgresDb({ url: `postgres://tango@127.0.0.1:${silent.port}/tango`, connectTimeoutMs: 300 }));
      expect(err).to.be.instanceOf(PostgresConnectionError);
      expect(err.message).to.contain(`127.0.0.1:${silent.port}`).and.to.match(/timeout/i);
      expect(Date.now() - started).to.be.below(5_000);
    } finally {
      await silent.close();
    }
  });
});

describe("the test PostgreSQL server's failures", () => {
  let bin: string;
  let parentDir: string;
  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), "tango-grpc-fake-pg-"));
    parentDir = join(bin, "tmp");
    mkdirSync(parentDir);
    // Run as nobody when the tests run as root.
    chmodSync(bin, 0o755);
    chmodSync(parentDir, 0o777);
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));
  const script = (name: string, body: string): void => writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });

  it("finds the binaries only in TANGO_TEST_PG_BIN when it is set", () => {
    script("initdb", "exit 0");
    expect(findPostgresBinDir({ TANGO_TEST_PG_BIN: bin, PATH: process.env.PATH })).to.equal(undefined);
    script("postgres", "exit 0");
    expect(findPostgresBinDir({ TANGO_TEST_PG_BIN: bin, PATH: "" })).to.equal(bin);
  });

  it("reports initdb's failure with its output, and leaves no temp dir", async () => {
    script("initdb", "echo 'initdb: error: the disk is on fire' >&2; exit 1");
    script("postgres", "exit 0");
    const err = await rejection(startPostgresServer({ binDir: bin, parentDir }));
    expect(err.message).to.match(/initdb .* failed/).and.to.contain("initdb: error: the disk is on fire");
    expect(readdirSync(parentDir)).to.deep.equal([]);
  });

  it("reports a server that exits before accepting connections, with its output", async () => {
    script("initdb", "exit 0");
    script("postgres", "echo 'FATAL:  no such thing' >&2; exit 3");
    const err = await rejection(startPostgresServer({ binDir: bin, parentDir }));
    expect(readdirSync(parentDir)).to.deep.equal([]);
    expect(err.message).to.match(/^PostgreSQL exited \(3\) before it accepted connections:\nFATAL: {2}no such thing/);
  });
});

describeBackend("postgres", "openPostgresDb on a running server", () => {
  it("names the database when it does not exist, with SQLSTATE 3D000", async () => {
    const server = await sharedPostgresServer();
    const err = await rejection(openPostgresDb({ url: server.url("no_such_db") }));
    expect(err).to.be.instanceOf(PostgresConnectionError);
    expect(err.message).to.equal(`PostgreSQL server 127.0.0.1:${server.port} (database "no_such_db", user "postgres"): database "no_such_db" does not exist`);
    expect((err as PostgresConnectionError).code).to.equal("3D000");
  });

  it("opens at most maxConnections connections, and queues the rest", async () => {
    const server = await sharedPostgresServer();
    const name = await server.createDatabase();
    const db = await openPostgresDb({ url: server.url(name), maxConnections: 2 });
    try {
      const rows = await Promise.all(Array.from({ length: 6 }, () =>
        db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)")));
      expect(rows).to.have.length(6);
      expect(new Set(rows.map(([r]) => r?.pid)).size).to.be.within(1, 2);
    } finally {
      await db.close();
      await server.dropDatabase(name);
    }
  });

  it("fails a transaction whose connection is killed, drops that connection and goes on serving", async () => {
    const server = await sharedPostgresServer();
    const name = await server.createDatabase();
    const db = await openPostgresDb({ url: server.url(name), maxConnections: 2 });
    try {
      await db.exec("CREATE TABLE t (n integer)");
      const err = await rejection(db.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES (1)");
        const [me] = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        await db.query("SELECT pg_terminate_backend($1)", [me?.pid ?? 0]);
        await tx.query("INSERT INTO t VALUES (2)");
      }));
      expect(err).to.be.instanceOf(PostgresConnectionError);
      expect(err.message).to.contain(`127.0.0.1:${server.port} (database "${name}"`);
      expect(await db.query("SELECT count(*) AS n FROM t")).to.deep.equal([{ n: 0 }]);
      await db.transaction(async (tx) => { await tx.query("INSERT INTO t VALUES (3)"); });
      expect(await db.query("SELECT n FROM t")).to.deep.equal([{ n: 3 }]);
    } finally {
      await db.close();
      await server.dropDatabase(name);
    }
  });

  it("survives its server going away: an idle connection's end is reported, queries fail naming the server", async () => {
    const server = await startPostgresServer();
    let db: SqlDb | undefined;
    try {
      const idleErrors: PostgresConnectionError[] = [];
      db = await openPostgresDb({ url: server.url("postgres"), onIdleError: (e) => idleErrors.push(e) });
      await db.query("SELECT 1");
      await server.stop();
      expect(existsSync(server.dir), "the server's files are removed").to.equal(false);
      await waitFor(() => idleErrors.length > 0, "the idle connection's end reported", 10_000);
      expect(idleErrors[0]?.message).to.contain(`PostgreSQL server 127.0.0.1:${server.port} (database "postgres", user "postgres")`);
      const err = await rejection(db.query("SELECT 1"));
      expect(err).to.be.instanceOf(PostgresConnectionError);
      expect((err as PostgresConnectionError).code).to.equal("ECONNREFUSED");
    } finally {
      await db?.close();
      await server.stop();
    }
  });
});
