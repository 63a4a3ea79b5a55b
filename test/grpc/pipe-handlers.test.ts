import { status, type Client } from "@grpc/grpc-js";
import type { ServiceDefinition } from "@grpc/proto-loader";
import { expect } from "chai";
import {
  CmdArgType, DispLevel, PipeWriteType, Reason, type PipeBlob,
} from "../../src/core/index.js";
import {
  ArrayEncoding, decodePipeConfig, decodePipeValue, encodePipeBlob, loadTangoProto, startGrpcServer,
  type GrpcServerHandle, type WirePipeConfigReply, type WirePipeValue,
} from "../../src/grpc/index.js";
import { FakeRequestApi } from "./fake-request-api.js";
import { createClient, createTestLogger, expectDevFailed, unary } from "./grpc-test-client.js";

const { deviceService } = loadTangoProto();
const DEVICE = "test/fake/1";

/** Protobuf bytes of a length-delimited field. */
function field(no: number, body: Buffer): Buffer {
  const len: number[] = [];
  let n = body.length;
  while (n > 127) {
    len.push((n & 127) | 128);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([(no << 3) | 2, ...len]), body]);
}

/** A WritePipeRequest whose blob nests `depth` blobs, built as bytes (the encoder refuses such depths). */
function deepWritePipeRequest(depth: number): Buffer {
  let blob: Buffer = Buffer.alloc(0);
  for (let d = 0; d < depth; d++) blob = field(2, Buffer.concat([field(1, Buffer.from("in")), field(3, blob)])); // elements[0] {name, blob}
  return Buffer.concat([field(1, Buffer.from(DEVICE)), field(2, Buffer.from("echo")), field(3, blob)]);
}

describe("tango.v1.Device pipe handlers", () => {
  let api: FakeRequestApi;
  let server: GrpcServerHandle;
  let client: Client;

  beforeEach(async () => {
    api = new FakeRequestApi();
    server = await startGrpcServer({ api, host: "127.0.0.1", port: 0, maxMessageBytes: 16 * 1024 * 1024, logger: createTestLogger().logger });
    client = createClient(server.port);
  });
  afterEach(async () => {
    client.close();
    await server.close(2000);
  });

  const call = <Res>(method: string, req: object, service: ServiceDefinition = deviceService) => unary<Res>(client, service, method, req);


  it("answers GetPipeConfig and passes only the fields SetPipeConfig sets", async () => {
    const reply = await call<WirePipeConfigReply>("GetPipeConfig", { device: DEVICE, names: ["ECHO"] });
    expect(reply.configs.map(decodePipeConfig)).to.deep.equal([
      { name: "echo", label: "echo", description: "No description", level: DispLevel.OPERATOR, writable: PipeWriteType.PIPE_READ_WRITE },
    ]);
    await call("SetPipeConfig", { device: DEVICE, configs: [{ name: "echo", label: "Echo" }, { name: "echo", description: "" }] });
    expect(api.calls.map((c) => [c.method, c.args[1]])).to.deep.equal([
      ["getPipeConfig", ["ECHO"]],
      ["setPipeConfig", [{ name: "echo", label: "Echo" }, { name: "echo", description: "" }]],
    ]);
  });

  it("writes a blob of nested blobs and typed arrays, then reads it back as bytes when asked", async () => {
    const blob: PipeBlob = {
      name: "b",
      elements: [
        { name: "d", value: { type: CmdArgType.DevVarDoubleArray, value: Float64Array.from([1.5, -2]) } },
        { name: "in", blob: { name: "inner", elements: [{ name: "l", value: { type: CmdArgType.DevLong64, value: -(2n ** 63n) } }] } },
      ],
    };
    await call("WritePipe", { device: DEVICE, name: "echo", blob: encodePipeBlob(blob) });
    expect(api.pipeBlob).to.deep.equal(blob);
    const read = await call<WirePipeValue>("ReadPipe", { device: DEVICE, name: "echo", array_encoding: ArrayEncoding.BYTES });
    expect(read.blob?.elements[0]?.value?.data).to.equal("raw");
    expect(decodePipeValue(read)).to.deep.equal({ name: "echo", time: { sec: 1, usec: 2 }, blob });
    const written = await call<WirePipeValue>("WriteReadPipe", {
      device: DEVICE, name: "echo", blob: encodePipeBlob({ name: "", elements: [{ name: "s", value: { type: CmdArgType.DevString, value: "x" } }] }),
    });
    expect(decodePipeValue(written).blob).to.deep.equal({ name: "", elements: [{ name: "s", value: { type: CmdArgType.DevString, value: "x" } }] });
  });

  it("decodes a large packed integer array of a nested element in slices before the handler runs", async () => {
    const big = Int32Array.from({ length: 400_000 }, (_, i) => (i % 2 === 0 ? -i : i));
    const blob: PipeBlob = { name: "", elements: [{ name: "in", blob: { name: "", elements: [{ name: "l", value: { type: CmdArgType.DevVarLongArray, value: big } }] } }] };
    await call("WritePipe", { device: DEVICE, name: "echo", blob: encodePipeBlob(blob) });
    expect(api.pipeBlob).to.deep.equal(blob);
    const back = decodePipeValue(await call<WirePipeValue>("ReadPipe", { device: DEVICE, name: "echo" }));
    expect(back.blob).to.deep.equal(blob);
  });

  it("refuses a malformed blob as API_PipeWrongArg without calling the server", async () => {
    const blob = { name: "", elements: [{ name: "in", data: "blob", blob: { name: "", elements: [{ name: "x", data: "value", value: { type: CmdArgType.DevShort, int_value: 70_000 } }] } }] };
    for (const method of ["WritePipe", "WriteReadPipe"]) {
      const df = await expectDevFailed(call(method, { device: DEVICE, name: "echo", blob }), status.INVALID_ARGUMENT, Reason.PipeWrongArg);
      expect(df.desc).to.match(/^Cannot decode the blob for pipe echo: data element in\/x: 70000 /);
      expect(df.errors[0].origin).to.equal(`tango.v1.Device/${method}`);
    }
    expect(api.calls).to.have.length(0);
  });

  it("refuses a blob nested past the bound as API_PipeWrongArg, and one past protobuf's as API_DecodeErr", async () => {
    const raw = { ...deviceService, WritePipe: { ...deviceService.WritePipe!, requestSerialize: (b: object) => b as Buffer } };
    const df = await expectDevFailed(call("WritePipe", deepWritePipeRequest(40), raw), status.INVALID_ARGUMENT, Reason.PipeWrongArg);
    expect(df.desc).to.match(/^Cannot decode the blob for pipe echo: blob (in\/){31}in nests deeper than 32 blobs$/);
    // protobufjs stops at 100 nested messages (a blob level is two), before any of our code runs.
    const deep = await expectDevFailed(call("WritePipe", deepWritePipeRequest(3000), raw), status.INVALID_ARGUMENT, Reason.DecodeErr);
    expect(deep.desc).to.match(/^The request is not a valid tango.v1.WritePipeRequest \(\d+ bytes\): maximum nesting depth exceeded$/);
    expect(api.calls).to.have.length(0);
    await call("Ping", { device: DEVICE });
  });

  it("refuses a pipe name over the limit, naming it a pipe", async () => {
    const df = await expectDevFailed(call("ReadPipe", { device: DEVICE, name: "p".repeat(2000) }), status.INVALID_ARGUMENT, Reason.InvalidArgs);
    expect(df.desc).to.match(/^The pipe name is 2000 bytes long; names are limited to 1024 bytes: "p{61}…"$/);
    expect(api.calls).to.have.length(0);
  });

  it("passes the server's errors through", async () => {
    await expectDevFailed(call("ReadPipe", { device: "no/such/dev", name: "echo" }), status.NOT_FOUND, Reason.DeviceNotFound);
    await expectDevFailed(call("GetPipeConfig", { device: "" }), status.INVALID_ARGUMENT, Reason.WrongDeviceNameSyntax);
  });
});
