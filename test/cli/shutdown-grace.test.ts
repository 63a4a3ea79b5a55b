import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { DeviceProxy } from "../../src/client/index.js";
import { loadTangoProto } from "../../src/grpc/index.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";

/** grpc.health.v1 ServingStatus SERVING (the proto is loaded with `enums: Number`). */
const SERVING = 1;

interface HealthClient extends grpc.Client {
  Watch(req: { service: string }): grpc.ClientReadableStream<{ status: number }>;
}

function healthClient(address: string): HealthClient {
  const pkg = grpc.loadPackageDefinition(loadTangoProto().packageDefinition) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => HealthClient } } };
  };
  return new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
}

type LogLine = Record<string, unknown>;

function logLines(sp: ServerProcess): LogLine[] {
  return sp.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as LogLine);
}

/** Sends SIGTERM and resolves once the process is gone, with how long that took, ms. */
async function terminate(sp: ServerProcess): Promise<number> {
  const startMs = performance.now();
  await sp.kill("SIGTERM"); // kill() sends SIGKILL after 5 s: a slower shutdown shows as ~5000 ms and no exit code
  return performance.now() - startMs;
}

describe("serve: shutdown within one grace period", function () {
  this.timeout(60_000);
  let sp: ServerProcess | undefined;
  const closers: Array<() => void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    await sp?.close();
    sp = undefined;
  });

  it("stops an idle server with an open health Watch stream at once on SIGTERM, cleanly (exit 0)", async () => {
    sp = await startServerProcess();
    const health = healthClient(sp.address);
    closers.push(() => health.close());
    const watch = health.Watch({ service: "" });
    closers.push(() => watch.cancel());
    const ended = new Promise<grpc.StatusObject | Error>((resolve) => {
      watch.on("status", resolve);
      watch.on("error", resolve);
    });
    await new Promise<void>((resolve) => watch.on("data", ({ status }: { status: number }) => { if (status === SERVING) resolve(); }));
    const tookMs = await terminate(sp);
    expect(tookMs, sp.output()).to.be.below(2_500);
    expect(sp.exitCode(), sp.output()).to.equal(0);
    expect(await ended).to.have.property("code", grpc.status.UNAVAILABLE);
    expect(logLines(sp).find((l) => l.msg === "shutdown complete")).to.include({ isClean: true, exitCode: 0 });
  });

  it("cuts a call running past the grace period: ends within grace + 1.5 s, logs isClean false and exits 3", async () => {
    const graceMs = 1_000;
    sp = await startServerProcess({ shutdownGraceMs: graceMs });
    const slow = new DeviceProxy(sp.trl("test/slow/1"), { timeoutMs: 30_000 });
    const spy = new DeviceProxy(sp.trl("test/slow/1"));
    closers.push(() => { slow.close(); spy.close(); });
    const call = slow.commandInout("Sleep", 20_000).then(() => "returned", (err: unknown) => err);
    await waitFor(async () => (await spy.blackBox(1))[0]?.includes("(cmd = Sleep)") === true, "Sleep started");
    const tookMs = await terminate(sp);
    expect(tookMs, sp.output()).to.be.within(graceMs, graceMs + 1_500);
    expect(sp.exitCode(), sp.output()).to.equal(3);
    expect(await call).to.not.equal("returned");
    const lines = logLines(sp);
    expect(lines.find((l) => l.msg === "shutdown grace period over with calls in progress: they are cut")).to.include({ level: 50, cutCalls: 1 });
    expect(lines.find((l) => l.msg === "shutdown complete")).to.include({ level: 50, isClean: false, cutCalls: 1, exitCode: 3 });
  });
});
