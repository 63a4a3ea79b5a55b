import { expect } from "chai";
import { once } from "node:events";
import { connect } from "node:net";
import { Registry } from "prom-client";
import { Device, DevState } from "../../src/device/index.js";
import { startHttpServer, type HttpServerHandle } from "../../src/http/index.js";
import { DeviceServer, type ServerConfig } from "../../src/server/index.js";
import { defer, memoryLogger } from "../support/test-server.js";

/** A device whose init waits for the test, or fails when its name says so. */
const gate = { opened: defer() };
class Gated extends Device {
  override async initDevice(): Promise<void> {
    if (this.name.endsWith("/broken")) throw new Error("no hardware");
    await gate.opened.promise;
    this.setState(DevState.ON);
  }
}

function configWith(devices: string[]): ServerConfig {
  return {
    server: "Probe", instance: "t", serialization: "BY_DEVICE",
    grpc: { host: "127.0.0.1", port: 0, maxMessageBytes: 4 * 1024 * 1024, transport: "http2" },
    http: { host: "127.0.0.1", port: 0, protectReads: false, requestTimeoutMs: 3000 },
    monitorTimeoutMs: 3200, hungHandlerFactor: 3, eventLoopStallMs: 1000, shutdownGraceMs: 10000, blackboxDepth: 50, logLevel: "info", polling: { ringDepth: 10 }, events: { heartbeatMs: 3000, queueDepth: 1000 },
    classes: [{ name: "Gated", devices: devices.map((name) => ({ name })) }],
  };
}

describe("HTTP health and readiness probes", () => {
  let server: DeviceServer;
  let http: HttpServerHandle;
  let registry = new Registry();

  /** Starts the sidecar, then the server; `started` settles once every device is exported. */
  async function start(devices: string[]): Promise<{ started: Promise<void> }> {
    gate.opened = defer();
    const { logger } = memoryLogger();
    server = new DeviceServer({ config: configWith(devices), classes: new Map([["Gated", Gated]]), logger, hostName: "testhost" });
    registry = new Registry();
    http = await startHttpServer({ host: "127.0.0.1", port: 0, registry, logger, readiness: () => server.readiness() });
    return { started: server.start() };
  }
  afterEach(async () => {
    gate.opened.resolve();
    await server.shutdown(1000);
    await http.close();
  });

  async function probe(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`http://127.0.0.1:${http.port}${path}`);
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  }

  it("is live at once, ready only once every device is exported, and unready from the start of shutdown", async () => {
    const { started } = await start(["test/gated/1"]);
    expect(await probe("/healthz")).to.deep.equal({ status: 200, body: { status: "ok" } });
    expect(await probe("/readyz")).to.deep.equal({ status: 503, body: { ready: false, reason: "the devices are being exported" } });
    gate.opened.resolve();
    await started;
    expect(await probe("/readyz")).to.deep.equal({ status: 200, body: { ready: true, reason: "every device of Probe/t is exported" } });
    const stopping = server.shutdown(1000);
    expect((await probe("/readyz")).body).to.deep.equal({ ready: false, reason: "the device server is shutting down" });
    expect((await probe("/healthz")).status).to.equal(200);
    await stopping;
  });

  it("stays unready, naming the device, while one device failed its init", async () => {
    const { started } = await start(["test/gated/1", "test/gated/broken"]);
    gate.opened.resolve();
    await started;
    const { status, body } = await probe("/readyz");
    expect(status).to.equal(503);
    expect(body).to.deep.equal({ ready: false, reason: "device test/gated/broken is not exported: its init failed (no hardware)" });
  });

  it("serves the registry as Prometheus text", async () => {
    const { started } = await start(["test/gated/1"]);
    gate.opened.resolve();
    await started;
    const res = await fetch(`http://127.0.0.1:${http.port}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal(registry.contentType);
  });

  it("closes within its grace time although a client left a request half sent", async () => {
    const { started } = await start(["test/gated/1"]);
    gate.opened.resolve();
    await started;
    const socket = connect(http.port, "127.0.0.1");
    socket.on("error", () => undefined);
    await once(socket, "connect");
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"); // no blank line: the request never ends
    const socketClosed = once(socket, "close");
    const t0 = performance.now();
    await http.close();
    expect(performance.now() - t0, "ms to close").to.be.below(4_000);
    await socketClosed;
  });
});
