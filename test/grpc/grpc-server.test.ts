import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { Metadata, status, type Client } from "@grpc/grpc-js";
import { loadSync, type ServiceDefinition } from "@grpc/proto-loader";
import { expect } from "chai";
import { CmdArgType, DevFailed } from "../../src/core/index.js";
import {
  ArrayEncoding, CLIENT_METADATA, decodeValue, encodeValue, fromGrpcError, loadTangoProto, startGrpcServer,
  type GrpcServerHandle, type WireCommandInoutReply,
} from "../../src/grpc/index.js";
import { FakeRequestApi } from "./fake-request-api.js";
import { SERVER_TRANSPORTS, createClient, createTestLogger, expectServiceError, unary } from "./grpc-test-client.js";

const { deviceService, packageDefinition } = loadTangoProto();
const healthService = packageDefinition["grpc.health.v1.Health"] as ServiceDefinition;
const reflectionServiceOf = (version: "v1" | "v1alpha"): ServiceDefinition => {
  const dir = resolve(dirname(createRequire(import.meta.url).resolve("@grpc/reflection")), "../proto");
  const def = loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [dir], keepCase: true, defaults: true, oneofs: true });
  return def[`grpc.reflection.${version}.ServerReflection`] as ServiceDefinition;
};
/** grpc.health.v1.HealthCheckResponse.ServingStatus, as numbers (our loader's `enums: Number`). */
const SERVING = 1;
const NOT_SERVING = 2;

for (const transport of SERVER_TRANSPORTS) describe(`gRPC server (${transport})`, () => {
  let api: FakeRequestApi;
  let server: GrpcServerHandle;
  let client: Client;

  beforeEach(async () => {
    api = new FakeRequestApi();
    server = await startGrpcServer({ transport,
      api, host: "127.0.0.1", port: 0, maxMessageBytes: 16 * 1024 * 1024, logger: createTestLogger().logger,
    });
    client = createClient(server.port);
  });
  afterEach(async () => {
    client.close();
    await server.close(2000);
  });

  it("binds an OS-chosen port and runs a command with the caller's identity", async () => {
    expect(server.port).to.be.above(0);
    const metadata = new Metadata();
    metadata.set(CLIENT_METADATA.pid, "1234");
    metadata.set(CLIENT_METADATA.language, "JS");
    const argin = encodeValue({ type: CmdArgType.DevVarDoubleArray, value: Float64Array.from([1, 2.5, Number.NaN]) }, ArrayEncoding.BYTES);
    const reply = await unary<WireCommandInoutReply>(client, deviceService, "CommandInout",
      { device: "test/fake/1", command: "Echo", argin, array_encoding: ArrayEncoding.BYTES }, { metadata });
    expect(reply.argout?.data).to.equal("raw");
    expect(decodeValue(reply.argout).value).to.deep.equal(Float64Array.from([1, 2.5, Number.NaN]));
    const ctx = api.calls[0]?.ctx;
    expect(ctx?.transport).to.equal("grpc");
    expect(ctx?.client).to.include({ host: "localhost", pid: 1234, language: "JS" });
    expect(ctx?.client.peer).to.match(/^127\.0\.0\.1:\d+$/);
  });

  it("ends a failed call with the DevFailed in grpc-status-details-bin", async () => {
    const err = await expectServiceError(unary(client, deviceService, "CommandInout", { device: "test/fake/1", command: "Fail" }));
    expect(err.code).to.equal(status.UNKNOWN);
    expect(err.details).to.equal("PS_Overheated: Too hot: 95 °C");
    const df = fromGrpcError(err);
    expect(df).to.be.instanceOf(DevFailed);
    expect((df as DevFailed).errors.map((e) => e.reason)).to.deep.equal(["PS_Overheated", "API_CommandFailed"]);
  });

  it("refuses a message above maxMessageBytes", async () => {
    const argin = encodeValue({ type: CmdArgType.DevVarDoubleArray, value: new Float64Array(2_200_000) }, ArrayEncoding.BYTES);
    const err = await expectServiceError(unary(client, deviceService, "CommandInout", { device: "test/fake/1", command: "Echo", argin }));
    expect(err.code).to.equal(status.RESOURCE_EXHAUSTED);
  });

  it("reports the server SERVING and tango.v1.Device only once the caller says so", async () => {
    const check = (service: string) => unary<{ status: number }>(client, healthService, "Check", { service });
    expect((await check("")).status).to.equal(SERVING);
    expect((await check("tango.v1.Device")).status).to.equal(NOT_SERVING);
    server.setServing("tango.v1.Device", true);
    expect((await check("tango.v1.Device")).status).to.equal(SERVING);
  });

  it("turns tango.v1.Device NOT_SERVING at the first moment of shutdown", async () => {
    server.setServing("tango.v1.Device", true);
    const watch = healthService.Watch!;
    const stream = client.makeServerStreamRequest(watch.path, watch.requestSerialize,
      watch.responseDeserialize as (b: Buffer) => { status: number }, { service: "tango.v1.Device" });
    const seen: number[] = [];
    let closing: Promise<boolean> | undefined;
    const notServing = new Promise<void>((resolve, reject) => {
      stream.on("data", (m: { status: number }) => {
        seen.push(m.status);
        if (m.status === SERVING) closing = server.close(2000);
        if (m.status === NOT_SERVING) {
          stream.cancel();
          resolve();
        }
      });
      stream.on("error", (e: { code: number }) => { if (e.code !== status.CANCELLED) reject(e); });
    });
    await notServing;
    await closing;
    expect(seen).to.deep.equal([SERVING, NOT_SERVING]);
  });

  /** The replies of one reflection stream to `requests`, in order. */
  async function reflect(version: "v1" | "v1alpha", requests: readonly object[]): Promise<Array<Record<string, unknown>>> {
    const info = reflectionServiceOf(version).ServerReflectionInfo!;
    const stream = client.makeBidiStreamRequest(info.path, info.requestSerialize, info.responseDeserialize);
    const replies: Array<Record<string, unknown>> = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on("data", (m: Record<string, unknown>) => replies.push(m));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    for (const r of requests) stream.write(r);
    stream.end();
    await done;
    return replies;
  }
  const serviceNames = (reply: Record<string, unknown> | undefined): string[] =>
    (reply?.list_services_response as { service: Array<{ name: string }> }).service.map((s) => s.name);
  const fileCount = (reply: Record<string, unknown> | undefined): number =>
    (reply?.file_descriptor_response as { file_descriptor_proto: Buffer[] }).file_descriptor_proto.length;

  it("lists its services by reflection and describes tango.v1.Device", async () => {
    const replies = await reflect("v1", [{ host: "", list_services: "*" }, { host: "", file_containing_symbol: "tango.v1.Device" }]);
    expect(serviceNames(replies[0])).to.include.members(["tango.v1.Device", "grpc.health.v1.Health"]);
    expect(fileCount(replies[1])).to.be.above(0);
  });

  it("answers reflection v1alpha too, as older grpcurl asks it", async () => {
    // A describe first: reflection is built on its first call (lazy-reflection.ts).
    const replies = await reflect("v1alpha", [{ host: "", file_containing_symbol: "tango.v1.Device" }, { host: "", list_services: "*" }]);
    expect(fileCount(replies[0])).to.be.above(0);
    expect(serviceNames(replies[1])).to.include.members(["tango.v1.Device", "grpc.health.v1.Health"]);
  });

  it("closes once however often close is called", async () => {
    const first = server.close(1000);
    expect(server.close(1000)).to.equal(first);
    await first;
  });
});
