import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { DeviceServer, type CallContext, type DeviceClass, type ServerConfig } from "../../src/server/index.js";
import { DevFailed } from "../../src/core/index.js";
import { expect } from "chai";

/** A logger whose JSON lines are kept for assertions (pino's test/helper.js idea). */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  const logger = pino({ level: "info" }, sink);
  return { logger, lines: () => chunks.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The caller context of a test client. */
export const CTX: CallContext = { client: { host: "localhost", peer: "127.0.0.1:1", pid: 4242, language: "CPP" }, transport: "internal" };

/** Starts a DeviceServer in process with the given classes and devices; close it in afterEach. */
export async function startServer(opts: {
  classes: Record<string, DeviceClass>;
  devices: Record<string, string[]>;
  config?: Partial<ServerConfig>;
}): Promise<{ server: DeviceServer; logs: () => Record<string, unknown>[]; close: () => Promise<void> }> {
  const { logger, lines } = memoryLogger();
  const config: ServerConfig = {
    server: "Test", instance: "t", serialization: "BY_DEVICE",
    grpc: { host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024 },
    http: { host: "127.0.0.1", port: 0, protectReads: false, requestTimeoutMs: 3000 },
    monitorTimeoutMs: 3200, hungHandlerFactor: 3, eventLoopStallMs: 1000, shutdownGraceMs: 10000, blackboxDepth: 50, logLevel: "info", polling: { ringDepth: 10 }, events: { heartbeatMs: 3000, queueDepth: 1000 },
    classes: Object.entries(opts.devices).map(([name, devices]) => ({ name, devices: devices.map((d) => ({ name: d })) })),
    ...opts.config,
  } as ServerConfig;
  const server = new DeviceServer({ config, classes: new Map(Object.entries(opts.classes)), logger, hostName: "testhost" });
  await server.start();
  return { server, logs: lines, close: async () => { await server.shutdown(1000); } };
}

/** Awaits `p`, expects a DevFailed with `reason` at the root, and returns it. */
export async function expectDevFailed(p: Promise<unknown>, reason: string): Promise<DevFailed> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(DevFailed);
    const df = err as DevFailed;
    expect(df.reason, df.message).to.equal(reason);
    return df;
  }
  expect.fail(`expected DevFailed ${reason}, but the call succeeded`);
}

/** A deferred: resolve it from outside (nice-grpc's defer). */
export function defer<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}
