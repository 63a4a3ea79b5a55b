import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Metadata } from "@grpc/grpc-js";
import { expect } from "chai";
import { CmdArgType, DevFailed, DevState, Reason } from "../../src/core/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { decodeValue, encodeValue } from "../../src/grpc/codec.js";
import { ArrayEncoding } from "../../src/grpc/wire-types.js";
import {
  DEVICE_SERVICE_NAME, STATUS_DETAILS_KEY, fromGrpcError, loadTangoProto, startGrpcServer, type GrpcServerHandle,
} from "../../src/grpc/index.js";
import { SERVER_TRANSPORTS } from "../grpc/grpc-test-client.js";
import type { CallContext, RequestApi } from "../../src/server/index.js";
import { startServer } from "../support/test-server.js";

const CLIENT = fileURLToPath(new URL("../support/grpc-core-client.py", import.meta.url));

/** One call for the C-core client (test/support/grpc-core-client.py). */
interface CoreCall {
  readonly path: string;
  readonly request: string;
  readonly kind?: "unary" | "stream";
  readonly metadata?: ReadonlyArray<readonly [string, string]>;
  readonly repeat?: number;
  readonly take?: number;
  readonly timeout?: number;
}
interface CoreResult {
  readonly code: string;
  readonly details: string;
  readonly replies: string[];
  readonly trailers: Array<[string, string]>;
}

/** Runs the calls through gRPC's C core (python3-grpcio), bounded by 60 s. */
function coreCalls(port: number, calls: readonly CoreCall[]): Promise<CoreResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [CLIENT], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`grpc-core-client.py exited ${code}: ${Buffer.concat(err).toString()}`));
      else resolve(JSON.parse(Buffer.concat(out).toString()) as CoreResult[]);
    });
    child.stdin.end(JSON.stringify({ port, calls }));
  });
}

/** Debian's python, which imports Debian's python3-grpcio (a python of pyenv or a venv first on PATH may not). */
const PYTHON = "/usr/bin/python3";
/** Whether Debian's python3-grpcio is here; CI installs it (.ci/run), so there a missing one fails the suite. */
const hasGrpcCore = spawnSync(PYTHON, ["-c", "import grpc"], { stdio: "ignore" }).status === 0;

for (const transport of SERVER_TRANSPORTS) describe(`gRPC's C core (python3-grpcio) as a client of the ${transport} server`, function () {
  this.timeout(90_000);
  let ts: Awaited<ReturnType<typeof startServer>>;
  let handle: GrpcServerHandle;
  /** The peer (address and port: the connection) of every Ping. */
  let pingPeers: string[];
  const { deviceService } = loadTangoProto();
  const hex = (method: string, req: object): string => deviceService[method]!.requestSerialize(req).toString("hex");
  const reply = <T>(method: string, h: string): T => deviceService[method]!.responseDeserialize(Buffer.from(h, "hex")) as T;

  before(function () {
    if (!hasGrpcCore && process.env.CI !== "true") this.skip();
  });
  beforeEach(async () => {
    ts = await startServer({ classes: Object.fromEntries(BUILTIN_CLASSES), devices: { TangoTest: ["sys/tg_test/1"] } });
    pingPeers = [];
    const real = ts.server.api;
    const ping = (ctx: CallContext, device: string): Promise<void> => {
      pingPeers.push(ctx.client.peer);
      return real.ping(ctx, device);
    };
    // The server's own API, its methods called on it (they use private fields), Ping noted first.
    const api = new Proxy(real, {
      get: (target, key) => {
        if (key === "ping") return ping;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) satisfies RequestApi;
    handle = await startGrpcServer({ transport, api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 << 20, logger: ts.server.log });
    handle.setServing(DEVICE_SERVICE_NAME, true);
  });
  afterEach(async () => {
    await handle?.close(1000);
    await ts?.close();
  });

  it("makes unary calls, 300 in a row on one connection with metadata (HPACK's dynamic table), and reads errors and health", async () => {
    const device = { device: "sys/tg_test/1" };
    const [state, pings, missing, health] = await coreCalls(handle.port, [
      { path: "/tango.v1.Device/State", request: hex("State", device) },
      { path: "/tango.v1.Device/Ping", request: hex("Ping", device), repeat: 300,
        metadata: [["tango-client-lang", "PY"], ["x-trace", "a".repeat(300)], ["x-token-bin", "00ff10"]] },
      { path: "/tango.v1.Device/State", request: hex("State", { device: "no/such/device" }) },
      { path: "/grpc.health.v1.Health/Watch", request: "", kind: "stream", take: 1 },
    ]);
    expect(reply<{ state: number }>("State", state!.replies[0]!).state).to.equal(DevState.RUNNING);
    expect(pings!.code, pings!.details).to.equal("OK");
    // All on one connection: C core retries a call the server dropped with its connection on a new one,
    // so a server that lost HPACK's table (C core indexes its headers) would still answer every call.
    expect(pingPeers).to.have.length(300);
    expect(new Set(pingPeers).size).to.equal(1);
    expect(missing!.code).to.equal("NOT_FOUND");
    const metadata = new Metadata();
    for (const [key, value] of missing!.trailers) if (key === STATUS_DETAILS_KEY) metadata.set(key, Buffer.from(value, "hex"));
    const df = fromGrpcError({ metadata });
    expect(df).to.be.instanceOf(DevFailed);
    expect((df as DevFailed).reason).to.equal(Reason.DeviceNotFound);
    expect(health!.replies).to.deep.equal(["0801"]); // HealthCheckResponse { status: SERVING }
  });

  it("sends and receives 1,000,000 doubles (8 MB each way) and 1,000 bit-exact", async () => {
    const values = Float64Array.from({ length: 1_000_000 }, (_, i) => i * 0.25 - 7);
    const request = hex("CommandInout", {
      device: "sys/tg_test/1", command: "DevVarDoubleArray", array_encoding: ArrayEncoding.BYTES,
      argin: encodeValue({ type: CmdArgType.DevVarDoubleArray, value: values }, ArrayEncoding.BYTES),
    });
    // And 1,000 doubles, a reply that fits one frame: its headers are laid out to align the array (status-blocks.ts).
    const small = values.subarray(0, 1_000);
    const smallRequest = hex("CommandInout", {
      device: "sys/tg_test/1", command: "DevVarDoubleArray", array_encoding: ArrayEncoding.BYTES,
      argin: encodeValue({ type: CmdArgType.DevVarDoubleArray, value: small }, ArrayEncoding.BYTES),
    });
    const results = await coreCalls(handle.port, [
      { path: "/tango.v1.Device/CommandInout", request },
      { path: "/tango.v1.Device/CommandInout", request: smallRequest, repeat: 3 },
    ]);
    for (const [result, sent] of [[results[0]!, values], [results[1]!, small]] as const) {
      expect(result.code, result.details).to.equal("OK");
      const argout = decodeValue(reply<{ argout: Parameters<typeof decodeValue>[0] }>("CommandInout", result.replies[0]!).argout);
      expect(argout.type).to.equal(CmdArgType.DevVarDoubleArray);
      const got = argout.value as Float64Array;
      expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(sent.buffer, sent.byteOffset, sent.byteLength))).to.equal(true);
    }
  });
});
