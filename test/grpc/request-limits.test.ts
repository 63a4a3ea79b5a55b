import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { DevFailed, Reason } from "../../src/core/index.js";
import { MAX_NAME_BYTES } from "../../src/core/defaults.js";
import { DevState, Device, command } from "../../src/device/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { DeviceProxy } from "../../src/client/index.js";
import { fromGrpcError, loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { SERVER_TRANSPORTS } from "./grpc-test-client.js";
import { startServer } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";

/** A device whose command fails with a description of 200,000 bytes, as careless device code may. */
class Verbose extends Device {
  override initDevice(): void {
    this.setState(DevState.ON);
  }

  @command()
  Explode(): void {
    throw new DevFailed([
      { reason: "Verbose_Huge", desc: "é".repeat(100_000), origin: "Verbose::Explode" },
      ...Array.from({ length: 20 }, (_, i) => ({ reason: `Verbose_Layer${i}`, desc: "x".repeat(5_000), origin: "o".repeat(5_000) })),
    ]);
  }
}

const identity = (b: Buffer): Buffer => b;

function connect(port: number): grpc.Client {
  return new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": 64 * 1024 * 1024, "grpc.max_receive_message_length": 64 * 1024 * 1024,
  });
}

/** The first few hundred ms are plenty for an answer that needs no work; a hang is what failed before. */
const AT_ONCE_MS = 2_000;

for (const transport of SERVER_TRANSPORTS) describe(`request limits on tango.v1.Device (${transport})`, function () {
  this.timeout(30_000);
  let ts: Awaited<ReturnType<typeof startServer>>;
  let handle: GrpcServerHandle;
  let client: grpc.Client;
  const proxies: DeviceProxy[] = [];

  beforeEach(async () => {
    ts = await startServer({
      classes: { ...Object.fromEntries(BUILTIN_CLASSES), Verbose },
      devices: { TangoTest: ["sys/tg_test/1"], Verbose: ["test/verbose/1"] },
    });
    handle = await startGrpcServer({ transport, api: ts.server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: ts.server.log });
    client = connect(handle.port);
  });
  afterEach(async () => {
    for (const p of proxies.splice(0)) p.close();
    client?.close();
    await handle?.close(1000);
    await ts?.close();
  });

  function proxy(device: string): DeviceProxy {
    const p = new DeviceProxy(`//127.0.0.1:${handle.port}/${device}#dbase=no`, { timeoutMs: 3_000 });
    proxies.push(p);
    return p;
  }

  /** One unary call with the method's own serializers, within AT_ONCE_MS. */
  function call(method: string, req: object): Promise<unknown> {
    const def = loadTangoProto().deviceService[method]!;
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, req, new grpc.Metadata(),
        { deadline: Date.now() + AT_ONCE_MS }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  /** One unary call of raw request bytes, within AT_ONCE_MS. */
  function callRaw(method: string, bytes: Buffer): Promise<Buffer> {
    const def = loadTangoProto().deviceService[method]!;
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(def.path, identity, identity, bytes, new grpc.Metadata(),
        { deadline: Date.now() + AT_ONCE_MS }, (err, res) => (err ? reject(err) : resolve(res!)));
    });
  }

  async function serviceError(p: Promise<unknown>): Promise<grpc.ServiceError> {
    try {
      await p;
    } catch (e) {
      return e as grpc.ServiceError;
    }
    throw new Error("the call succeeded, a failure was expected");
  }

  it("answers a Ping naming a 60,000-byte device at once, quoting a short part of it, and the connection keeps working", async () => {
    const err = await serviceError(call("Ping", { device: "a".repeat(60_000) }));
    expect(err.code, err.message).to.equal(grpc.status.INVALID_ARGUMENT);
    const df = fromGrpcError(err) as DevFailed;
    expect(df.reason).to.equal(Reason.WrongDeviceNameSyntax);
    expect(df.desc).to.contain("60000 bytes").and.to.contain(`${MAX_NAME_BYTES} bytes`);
    expect(df.desc.length).to.be.below(300);
    await call("Ping", { device: "sys/tg_test/1" });
    // A name at the limit is looked up as any other.
    const notFound = fromGrpcError(await serviceError(call("Ping", { device: "a".repeat(MAX_NAME_BYTES) }))) as DevFailed;
    expect(notFound.reason).to.equal(Reason.DeviceNotFound);
  });

  it("fails a 40,000-byte command name through DeviceProxy at once, and the next calls on the proxy work", async () => {
    const p = proxy("sys/tg_test/1");
    const started = performance.now();
    const err = await p.commandInout("C".repeat(40_000)).then(() => undefined, (e: unknown) => e);
    expect(performance.now() - started, "answered at once").to.be.below(AT_ONCE_MS);
    expect(err).to.be.instanceOf(DevFailed);
    expect((err as DevFailed).errors.some((e) => e.reason === Reason.InvalidArgs), (err as DevFailed).message).to.equal(true);
    expect(await p.commandInout("DevDouble", 2.5)).to.equal(2.5);
    expect(await p.state()).to.equal(DevState.RUNNING);
  });

  it("refuses over-long attribute and property names too", async () => {
    const long = "n".repeat(MAX_NAME_BYTES + 1);
    for (const [method, req] of [
      ["ReadAttributes", { device: "sys/tg_test/1", names: ["double_scalar", long] }],
      ["GetProperty", { device: "sys/tg_test/1", names: [long] }],
      ["PutProperty", { device: "sys/tg_test/1", properties: [{ name: long, values: ["1"] }] }],
      ["CommandInoutHistory", { device: "sys/tg_test/1", name: long, n: 1 }],
    ] as const) {
      const df = fromGrpcError(await serviceError(call(method, req))) as DevFailed;
      expect(df.reason, method).to.equal(Reason.InvalidArgs);
      expect(df.desc, method).to.contain(`${MAX_NAME_BYTES + 1} bytes`);
    }
  });

  it("delivers a DevFailed with a huge description and stack, bounded, with its root cause and outermost frames", async () => {
    const err = await serviceError(call("CommandInout", { device: "test/verbose/1", command: "Explode" }));
    expect(err.code).to.equal(grpc.status.UNKNOWN);
    expect(Buffer.byteLength(err.details)).to.be.at.most(1024);
    const df = fromGrpcError(err) as DevFailed;
    expect(df.reason).to.equal("Verbose_Huge");
    expect(Buffer.byteLength(df.desc)).to.be.at.most(1024);
    expect(df.desc.endsWith("…")).to.equal(true);
    expect(df.errors).to.have.length(6);
    expect(df.errors.at(-1)!.reason).to.equal("Verbose_Layer19");
    for (const e of df.errors) expect(Buffer.byteLength(e.origin)).to.be.at.most(256);
    await call("Ping", { device: "test/verbose/1" });
  });

  it("answers malformed request bytes INVALID_ARGUMENT with API_DecodeErr in grpc-status-details-bin", async () => {
    // Field 1 with wire type 7, which does not exist.
    const err = await serviceError(callRaw("Ping", Buffer.from([0x0f, 0x01])));
    expect(err.code, err.details).to.equal(grpc.status.INVALID_ARGUMENT);
    const df = fromGrpcError(err) as DevFailed;
    expect(df, "a DevFailed in the trailer").to.be.instanceOf(DevFailed);
    expect(df.reason).to.equal(Reason.DecodeErr);
    expect(df.desc).to.contain("tango.v1.DeviceRequest");
    await call("Ping", { device: "sys/tg_test/1" });
  });

  it("refuses a string whose declared length runs past the end of the message", async () => {
    const name = Buffer.from("sys/tg_test/1");
    const whole = Buffer.concat([Buffer.from([0x0a, name.length]), name]);
    await callRaw("Ping", whole);
    const overrun = Buffer.concat([Buffer.from([0x0a, name.length + 3]), name]);
    const err = await serviceError(callRaw("Ping", overrun));
    expect(err.code, err.details).to.equal(grpc.status.INVALID_ARGUMENT);
    const df = fromGrpcError(err) as DevFailed;
    expect(df.reason).to.equal(Reason.DecodeErr);
    expect(df.desc).to.contain("runs past the end");
  });

  it("refuses a request whose packed arrays decode past the budget, before building them", async () => {
    await handle.close(1000);
    handle = await startGrpcServer({ transport,
      api: ts.server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: ts.server.log,
      limits: { maxPackedArrayBytes: 1024 * 1024 },
    });
    client.close();
    client = connect(handle.port);
    const argin = (n: number): object => ({ type: 15, data: "uint_array", uint_array: { values: new Uint32Array(n).fill(7) } });
    // 260,000 elements decode to 1,040,000 bytes: within the budget of 1 MiB.
    await call("CommandInout", { device: "sys/tg_test/1", command: "DevVarULongArray", argin: argin(260_000) });
    const err = await serviceError(call("CommandInout", { device: "sys/tg_test/1", command: "DevVarULongArray", argin: argin(262_145) }));
    expect(err.code, err.details).to.equal(grpc.status.RESOURCE_EXHAUSTED);
    const df = fromGrpcError(err) as DevFailed;
    expect(df.reason).to.equal(Reason.MemoryAllocation);
    expect(df.desc).to.contain("limits.maxPackedArrayBytes");
    // Arrays that protobufjs builds element by element count too: a few MB of booleans or names
    // must not become hundreds of MB of JS arrays.
    const booleans = { type: 21, data: "boolean_array", boolean_array: { values: new Array<boolean>(200_000).fill(true) } };
    const refused = fromGrpcError(await serviceError(call("CommandInout", { device: "sys/tg_test/1", command: "DevVarBooleanArray", argin: booleans }))) as DevFailed;
    expect(refused.reason).to.equal(Reason.MemoryAllocation);
    const names = fromGrpcError(await serviceError(call("ReadAttributes", { device: "sys/tg_test/1", names: new Array<string>(60_000).fill("x") }))) as DevFailed;
    expect(names.reason).to.equal(Reason.MemoryAllocation);
    await call("ReadAttributes", { device: "sys/tg_test/1", names: ["double_scalar"] });
  });

  it("refuses a large request with API_MemoryAllocation when decoding it would pass limits.maxHeapBytes", async () => {
    let inUseBytes = 0;
    await handle.close(1000);
    handle = await startGrpcServer({ transport,
      api: ts.server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: ts.server.log,
      limits: { maxHeapBytes: 256 * 1024 * 1024, memoryInUse: () => inUseBytes },
    });
    client.close();
    client = connect(handle.port);
    const request = { device: "sys/tg_test/1", command: "DevVarCharArray", argin: { type: 9, data: "raw", raw: new Uint8Array(8 * 1024 * 1024) }, array_encoding: 1 };
    await call("CommandInout", request);
    // 8 MiB decoded at twice its size would pass 256 MiB from 250 MiB in use.
    inUseBytes = 250 * 1024 * 1024;
    const err = await serviceError(call("CommandInout", request));
    expect(err.code, err.details).to.equal(grpc.status.RESOURCE_EXHAUSTED);
    const df = fromGrpcError(err) as DevFailed;
    expect(df.reason).to.equal(Reason.MemoryAllocation);
    expect(df.desc).to.contain("limits.maxHeapBytes");
    // Small requests still pass, to tell the client so.
    await call("Ping", { device: "sys/tg_test/1" });
    // Refused from its length prefix meanwhile (the receive limit follows the headroom), the
    // large request passes again once memory is back and a request has refreshed the limit.
    inUseBytes = 0;
    await waitFor(async () => {
      await call("Ping", { device: "sys/tg_test/1" });
      return call("CommandInout", request).then(() => true, () => false);
    }, "a large request accepted again once memory is free");
  });
});
