import { expect } from "chai";
import { createServer, type Server as NetServer } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { ConfigError } from "../../src/cli/load-config.js";
import { runServe } from "../../src/cli/serve.js";
import { loadTangoProto } from "../../src/grpc/index.js";
import { FakeProcess, LogSink, type LogLine } from "../support/log-sink.js";

/** grpc.health.v1 ServingStatus numbers (the proto is loaded with `enums: Number`). */
const SERVING = 1;
const NOT_SERVING = 2;
const WAIT_MS = 5_000;
const ENV = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0" };

type Callback<T> = (err: grpc.ServiceError | null, reply: T) => void;
interface HealthClient extends grpc.Client {
  Check(req: { service: string }, cb: Callback<{ status: number }>): void;
  Watch(req: { service: string }): grpc.ClientReadableStream<{ status: number }>;
}
interface DeviceClient extends grpc.Client {
  CommandInout(req: { device: string; command: string }, cb: Callback<unknown>): void;
}
type ClientConstructor<T> = new (address: string, credentials: grpc.ChannelCredentials) => T;

function clientsFor(port: number): { health: HealthClient; device: DeviceClient } {
  const pkg = grpc.loadPackageDefinition(loadTangoProto().packageDefinition) as unknown as {
    grpc: { health: { v1: { Health: ClientConstructor<HealthClient> } } };
    tango: { v1: { Device: ClientConstructor<DeviceClient> } };
  };
  const address = `127.0.0.1:${port}`;
  const credentials = grpc.credentials.createInsecure();
  return { health: new pkg.grpc.health.v1.Health(address, credentials), device: new pkg.tango.v1.Device(address, credentials) };
}

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => { fn((err, reply) => (err ? reject(err) : resolve(reply))); });
}



function withinWait<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe("runServe", () => {
  let proc: FakeProcess;
  let logs: LogSink;
  let run: Promise<number> | undefined;
  const closers: Array<() => void> = [];

  beforeEach(() => {
    proc = new FakeProcess();
    logs = new LogSink();
    run = undefined;
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    if (run !== undefined) {
      proc.emit("SIGTERM", "SIGTERM");
      await withinWait(run, "shutdown after the test");
    }
  });

  async function startServe(env: NodeJS.ProcessEnv = ENV): Promise<LogLine> {
    run = runServe({ env, logDestination: logs, process: proc });
    return withinWait(Promise.race([logs.waitFor("Ready to accept request"), run.then(() => expect.fail("runServe ended early"))]), "startup");
  }

  it("logs cppTango's ready line once serving, and both health services report SERVING", async () => {
    const ready = await startServe();
    expect(ready).to.include({ level: 30, host: "127.0.0.1", server: "TangoTest", instance: "test", adminDevice: "dserver/TangoTest/test" });
    expect(ready.grpcPort).to.be.a("number").above(0);
    const { health } = clientsFor(ready.grpcPort as number);
    closers.push(() => health.close());
    expect(await call<{ status: number }>((cb) => health.Check({ service: "" }, cb))).to.deep.equal({ status: SERVING });
    expect(await call<{ status: number }>((cb) => health.Check({ service: "tango.v1.Device" }, cb))).to.deep.equal({ status: SERVING });
  });

  it("on SIGTERM turns readiness off first, shuts down, removes its signal handlers and resolves 0", async () => {
    const ready = await startServe();
    const { health } = clientsFor(ready.grpcPort as number);
    closers.push(() => health.close());
    const watch = health.Watch({ service: "tango.v1.Device" });
    closers.push(() => watch.cancel());
    const statuses: number[] = [];
    const notServing = new Promise<void>((resolve) => {
      watch.on("data", ({ status }: { status: number }) => {
        statuses.push(status);
        if (status === SERVING) proc.emit("SIGTERM", "SIGTERM");
        if (status === NOT_SERVING) { watch.cancel(); resolve(); }
      });
      watch.on("error", () => undefined); // the cancel above ends the stream with CANCELLED
    });
    await withinWait(notServing, "NOT_SERVING on the health watch");
    expect(await withinWait(run ?? Promise.reject(new Error("not started")), "shutdown")).to.equal(0);
    run = undefined;
    expect(statuses).to.deep.equal([SERVING, NOT_SERVING]);
    expect(logs.find("shutting down")).to.include({ cause: "SIGTERM" });
    expect(logs.find("shutdown complete")).to.include({ isClean: true });
    expect(proc.listenerCount("SIGTERM") + proc.listenerCount("SIGINT")).to.equal(0);
    expect(proc.exitCodes).to.deep.equal([]);
  });

  it("shuts down after the admin command Kill has replied", async () => {
    const ready = await startServe();
    const { device } = clientsFor(ready.grpcPort as number);
    closers.push(() => device.close());
    await call((cb) => device.CommandInout({ device: "dserver/TangoTest/test", command: "Kill" }, cb));
    expect(await withinWait(run ?? Promise.reject(new Error("not started")), "shutdown after Kill")).to.equal(0);
    run = undefined;
    expect(logs.find("shutting down")).to.include({ cause: "Kill" });
  });

  it("exits at once with code 1 on a second signal", async () => {
    await startServe();
    proc.emit("SIGINT", "SIGINT");
    proc.emit("SIGTERM", "SIGTERM");
    expect(proc.exitCodes).to.deep.equal([1]);
    expect(logs.lines.find((l) => l.level === 60)).to.include({ signal: "SIGTERM" });
    await withinWait(run ?? Promise.reject(new Error("not started")), "shutdown");
    run = undefined;
  });

  it("logs a failed startup at fatal level with the error and resolves 1", async () => {
    const blocker: NetServer = createServer();
    closers.push(() => blocker.close());
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    const code = await withinWait(runServe({ env: { ...ENV, TANGO_GRPC_PORT: String(port) }, logDestination: logs, process: proc }), "startup failure");
    expect(code).to.equal(1);
    const fatal = logs.find("startup failed");
    expect(fatal?.level).to.equal(60);
    expect(JSON.stringify(fatal?.err)).to.contain("EADDRINUSE");
    expect(logs.find("Ready to accept request")).to.equal(undefined);
    expect(proc.listenerCount("SIGTERM")).to.equal(0);
  });

  it("throws a ConfigError before starting anything when a configured class is unknown", async () => {
    let caught: unknown;
    try {
      await runServe({ env: ENV, classes: new Map(), logDestination: logs, process: proc });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as ConfigError).message).to.contain('classes[0].name: unknown device class "TangoTest"');
    expect(logs.lines).to.deep.equal([]);
    expect(proc.listenerCount("SIGTERM")).to.equal(0);
  });
});
