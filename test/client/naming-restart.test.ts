import { createServer } from "node:net";
import { expect } from "chai";
import { DevState, DeviceProxy, EventType, Reason, type EventData } from "../../src/client/index.js";
import { runCli } from "../../src/cli/run-cli.js";
import { expectDevFailed } from "../support/test-server.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";
import { startFakeDatabase, type FakeDatabase } from "./naming-fake-database.js";

/** A port of 127.0.0.1 on which nothing listens (the OS gave it, then it was let go). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve, reject) => server.close((err) => (err === undefined ? resolve() : reject(err))));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Runs the CLI in this process with `env`; resolves to its exit code and output. */
async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { env, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

/** spec §15, §10.3: a proxy whose name the database resolves finds its server again after a restart elsewhere. */
describe("names through the Tango database across server restarts", function () {
  this.timeout(90_000);
  let db: FakeDatabase;
  const servers: ServerProcess[] = [];
  const proxies: DeviceProxy[] = [];
  const track = (p: DeviceProxy): DeviceProxy => {
    proxies.push(p);
    return p;
  };
  async function startServer(): Promise<ServerProcess> {
    const sp = await startServerProcess();
    servers.push(sp);
    return sp;
  }

  before(async () => { db = await startFakeDatabase(); });
  after(async () => { await db?.close(); });
  afterEach(async () => {
    for (const p of proxies.splice(0)) p.close();
    await Promise.all(servers.splice(0).map((sp) => sp.close()));
    db.state.reset();
  });

  it("imports the device again before reconnecting, and so finds a server restarted on another port", async () => {
    const first = await startServer();
    db.state.export("sys/tg_test/1", first.port);
    const dev = track(new DeviceProxy("sys/tg_test/1", { tangoHost: db.address }));
    expect(await dev.commandInout("DevDouble", 1.5)).to.equal(1.5);
    expect(await dev.state()).to.equal(DevState.RUNNING);
    expect(db.state.count("DbImportDevice")).to.equal(1);

    await first.kill("SIGKILL");
    const second = await startServer();
    expect(second.port).to.not.equal(first.port);
    db.state.export("sys/tg_test/1", second.port);
    // A command too: it was not sent before the reconnection, so it runs, without an exception.
    expect(await dev.commandInout("DevDouble", 2.5)).to.equal(2.5);
    expect(dev.address).to.equal(second.address);
    expect(db.state.count("DbImportDevice")).to.equal(2);

    // Killed (-9): the database still says the old address, and nothing listens there.
    await second.kill("SIGKILL");
    await expectDevFailed(dev.commandInout("DevDouble", 3), Reason.ServerNotRunning);
    // Stopped cleanly (DbUnExportServer): the database says so.
    db.state.devices.set("sys/tg_test/1", { isExported: false, ior: `grpc://${second.address}` });
    await expectDevFailed(dev.state(), Reason.DeviceNotExported);
    expect(db.state.count("DbImportDevice"), "one import per new channel").to.equal(4);
  });

  it("brings event subscriptions back from a server restarted on another port", async () => {
    const first = await startServer();
    db.state.export("sys/tg_test/1", first.port);
    const dev = track(new DeviceProxy("sys/tg_test/1", { tangoHost: db.address }));
    const events: EventData[] = [];
    await dev.subscribeEvent("double_scalar", EventType.ATTR_CONF_EVENT, (ev) => { events.push(ev); });
    await waitFor(() => events.some((e) => e.config !== undefined), "the first attr_conf event", 10_000);

    await first.kill("SIGKILL");
    const second = await startServer();
    db.state.export("sys/tg_test/1", second.port);
    await waitFor(() => events.some((e) => e.resubscribed && e.error === undefined), "the subscription back on the new server", 20_000);
    expect(dev.address).to.equal(second.address);
  });
});

describe("TANGO_HOST with several databases, and the CLI", function () {
  this.timeout(60_000);
  let db: FakeDatabase;
  let sp: ServerProcess;
  const proxies: DeviceProxy[] = [];
  const named = (name: string, tangoHost: string): DeviceProxy => {
    const p = new DeviceProxy(name, { tangoHost });
    proxies.push(p);
    return p;
  };

  before(async () => {
    [db, sp] = await Promise.all([startFakeDatabase(), startServerProcess()]);
  });
  after(async () => {
    await Promise.all([db?.close(), sp?.close()]);
  });
  beforeEach(() => {
    db.state.reset();
    db.state.export("sys/tg_test/1", sp.port);
  });
  afterEach(() => {
    for (const p of proxies.splice(0)) p.close();
  });

  it("tries the databases in turn: the first is down, the second answers", async () => {
    const down = await deadPort();
    const dev = named("sys/tg_test/1", `127.0.0.1:${down},${db.address}`);
    expect(await dev.commandInout("DevLong", 5)).to.equal(5);
    // A device server that is no database counts as one that does not answer.
    const notDb = named("sys/tg_test/1", `${sp.address},${db.address}`);
    expect(await notDb.state()).to.equal(DevState.RUNNING);
    expect(db.state.count("DbImportDevice")).to.equal(2);
  });

  it("says API_CantConnectToDatabase on top of the last failure when no database answers", async () => {
    const [a, b] = [await deadPort(), await deadPort()];
    const start = Date.now();
    const df = await expectDevFailed(named("sys/tg_test/1", `127.0.0.1:${a},127.0.0.1:${b}`).state(), Reason.ServerNotRunning);
    expect(Date.now() - start, "refused connections fail at once").to.be.lessThan(3_000);
    expect(df.desc).to.contain("Failed to connect to device sys/database/2").and.contain(`127.0.0.1:${b}`);
    expect(df.errors.at(-1)).to.include({
      reason: Reason.CantConnectToDatabase,
      desc: `Failed to connect to any database of 127.0.0.1:${a},127.0.0.1:${b} (each was tried in turn)`,
    });
    const one = await expectDevFailed(named("sys/tg_test/1", `127.0.0.1:${a}`).state(), Reason.ServerNotRunning);
    expect(one.errors.at(-1)?.desc).to.equal(`Failed to connect to database on 127.0.0.1:${a}`);
  });

  it("lets the CLI name a device, or its alias, with TANGO_HOST", async () => {
    db.state.deviceAliases.set("tg", "sys/tg_test/1");
    expect(await cli(["state", "sys/tg_test/1"], { TANGO_HOST: db.address })).to.deep.equal({ code: 0, stdout: "RUNNING\n", stderr: "" });
    expect(await cli(["cmd", "tg", "DevLong", "42"], { TANGO_HOST: db.address })).to.include({ code: 0, stdout: "42\n" });
    const down = await cli(["state", "no/such/device"], { TANGO_HOST: db.address });
    expect(down.code).to.equal(1);
    expect(down.stderr).to.contain("API_DeviceNotDefined: Can't connect to device no/such/device")
      .and.contain("DB_DeviceNotDefined: device no/such/device not defined in the database !");
    const unset = await cli(["state", "sys/tg_test/1"], {});
    expect(unset.code).to.equal(2);
    expect(unset.stderr).to.contain("API_WrongDeviceNameSyntax").and.contain("TANGO_HOST");
  });
});
