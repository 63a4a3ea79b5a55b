import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { status, type Client } from "@grpc/grpc-js";
import { loadSync, type ServiceDefinition } from "@grpc/proto-loader";
import { expect } from "chai";
import { Registry } from "prom-client";
import { goCodeName } from "../../src/grpc/grpc-method-record.js";
import { createGrpcServerMetrics, loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { waitFor } from "../support/wait-for.js";
import { FakeRequestApi } from "./fake-request-api.js";
import { SERVER_TRANSPORTS, createClient, createTestLogger, expectServiceError, unary } from "./grpc-test-client.js";

const { deviceService, packageDefinition } = loadTangoProto();
const healthService = packageDefinition["grpc.health.v1.Health"] as ServiceDefinition;
const reflectionService = ((): ServiceDefinition => {
  const dir = resolve(dirname(createRequire(import.meta.url).resolve("@grpc/reflection")), "../proto");
  const def = loadSync("grpc/reflection/v1/reflection.proto", { includeDirs: [dir], keepCase: true, defaults: true, oneofs: true });
  return def["grpc.reflection.v1.ServerReflection"] as ServiceDefinition;
})();

/** Go's codes.Code names, in code order: the grpc_code values dashboards filter on. */
const GO_CODES = [
  "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
  "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable",
  "DataLoss", "Unauthenticated",
];
const DEVICE = "tango.v1.Device";
const HEALTH = "grpc.health.v1.Health";
const unaryLabels = (service: string, method: string) => ({ grpc_type: "unary", grpc_service: service, grpc_method: method });

for (const transport of SERVER_TRANSPORTS) describe(`gRPC server metrics (${transport})`, () => {
  let registry: Registry;
  let server: GrpcServerHandle;
  let client: Client;

  beforeEach(async () => {
    registry = new Registry();
    server = await startGrpcServer({ transport,
      api: new FakeRequestApi(), host: "127.0.0.1", port: 0, maxMessageBytes: 16 * 1024 * 1024,
      logger: createTestLogger().logger, registry,
    });
    client = createClient(server.port);
  });
  afterEach(async () => {
    client.close();
    await server.close(2000);
  });

  /** The one series of `name` whose labels are exactly `labels` (fails if there is none). */
  async function valueOf(name: string, labels: Record<string, string | number>, metricName = name): Promise<number> {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const values = (metric?.values ?? []) as Array<{ labels: object; value: number; metricName?: string }>;
    const found = values.filter((v) => (v.metricName ?? name) === metricName && isDeepEqual(v.labels, labels));
    expect(found, `${metricName}${JSON.stringify(labels)}`).to.have.length(1);
    return found[0]?.value ?? Number.NaN;
  }

  const state = () => unary(client, deviceService, "State", { device: "test/fake/1" });

  it("counts unary calls by service, method and Go code name", async () => {
    await state();
    await state();
    await state();
    const err = await expectServiceError(unary(client, deviceService, "CommandInout", { device: "test/fake/1", command: "Nope" }));
    expect(err.code).to.equal(status.NOT_FOUND);
    await unary(client, healthService, "Check", { service: "" });

    const stateLabels = unaryLabels(DEVICE, "State");
    expect(await valueOf("grpc_server_started_total", stateLabels)).to.equal(3);
    expect(await valueOf("grpc_server_handled_total", { ...stateLabels, grpc_code: "OK" })).to.equal(3);
    expect(await valueOf("grpc_server_msg_received_total", stateLabels)).to.equal(3);
    expect(await valueOf("grpc_server_msg_sent_total", stateLabels)).to.equal(3);
    expect(await valueOf("grpc_server_handling_seconds", stateLabels, "grpc_server_handling_seconds_count")).to.equal(3);
    expect(await valueOf("grpc_server_handling_seconds", { ...stateLabels, le: "+Inf" }, "grpc_server_handling_seconds_bucket")).to.equal(3);
    expect(await valueOf("grpc_server_handling_seconds", stateLabels, "grpc_server_handling_seconds_sum")).to.be.above(0).and.below(3 * 10);

    const cmdLabels = unaryLabels(DEVICE, "CommandInout");
    expect(await valueOf("grpc_server_started_total", cmdLabels)).to.equal(1);
    expect(await valueOf("grpc_server_handled_total", { ...cmdLabels, grpc_code: "NotFound" })).to.equal(1);
    expect(await valueOf("grpc_server_handled_total", { ...cmdLabels, grpc_code: "OK" })).to.equal(0);
    expect(await valueOf("grpc_server_msg_received_total", cmdLabels)).to.equal(1);
    expect(await valueOf("grpc_server_msg_sent_total", cmdLabels)).to.equal(0); // as Go: no reply on failure

    const checkLabels = unaryLabels(HEALTH, "Check");
    expect(await valueOf("grpc_server_started_total", checkLabels)).to.equal(1);
    expect(await valueOf("grpc_server_handled_total", { ...checkLabels, grpc_code: "OK" })).to.equal(1);
  });

  it("starts every method of every served service at zero, with all 17 codes", async () => {
    const json = await registry.getMetricsAsJSON();
    const handled = json.find((m) => m.name === "grpc_server_handled_total")?.values ?? [];
    const methods = new Set(handled.map((v) => `${v.labels.grpc_service}/${v.labels.grpc_method}`));
    expect([...methods].sort()).to.deep.equal([
      ...Object.keys(deviceService).map((m) => `${DEVICE}/${m}`),
      `${HEALTH}/Check`, `${HEALTH}/List`, `${HEALTH}/Watch`,
      "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ].sort());
    expect(handled).to.have.length(methods.size * GO_CODES.length);
    expect(handled.every((v) => v.value === 0)).to.equal(true);
    for (const code of GO_CODES) {
      expect(await valueOf("grpc_server_handled_total", { ...unaryLabels(DEVICE, "BlackBox"), grpc_code: code })).to.equal(0);
    }
    const watch = { grpc_type: "server_stream", grpc_service: HEALTH, grpc_method: "Watch" };
    expect(await valueOf("grpc_server_started_total", watch)).to.equal(0);
    expect(await valueOf("grpc_server_msg_sent_total", watch)).to.equal(0);
    const reflect = { grpc_type: "bidi_stream", grpc_service: "grpc.reflection.v1alpha.ServerReflection", grpc_method: "ServerReflectionInfo" };
    expect(await valueOf("grpc_server_msg_received_total", reflect)).to.equal(0);
    expect(await valueOf("grpc_server_handling_seconds", { ...reflect, le: 0.005 }, "grpc_server_handling_seconds_bucket")).to.equal(0);
  });

  it("exposes go-grpc-prometheus's names, help texts, types and default buckets", async () => {
    await state();
    const text = await registry.metrics();
    for (const [name, type, help] of [
      ["grpc_server_started_total", "counter", "Total number of RPCs started on the server."],
      ["grpc_server_handled_total", "counter", "Total number of RPCs completed on the server, regardless of success or failure."],
      ["grpc_server_msg_received_total", "counter", "Total number of RPC stream messages received on the server."],
      ["grpc_server_msg_sent_total", "counter", "Total number of gRPC stream messages sent by the server."],
      ["grpc_server_handling_seconds", "histogram",
        "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server."],
    ]) {
      expect(text).to.include(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
    }
    const labels = 'grpc_type="unary",grpc_service="tango.v1.Device",grpc_method="State"';
    const buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
    const lines = text.split("\n").filter((l) => l.startsWith(`grpc_server_handling_seconds_bucket{${labels},`));
    expect(lines.map((l) => /le="([^"]+)"/.exec(l)?.[1])).to.deep.equal(buckets);
    expect(lines.at(-1)).to.equal(`grpc_server_handling_seconds_bucket{${labels},le="+Inf"} 1`);
    expect(text).to.include(`grpc_server_handling_seconds_count{${labels}} 1\n`);
    expect(text).to.include(`grpc_server_handled_total{${labels},grpc_code="OK"} 1\n`);
  });

  it("counts a bidi stream's messages each way", async () => {
    const info = reflectionService.ServerReflectionInfo!;
    const stream = client.makeBidiStreamRequest(info.path, info.requestSerialize, info.responseDeserialize);
    const done = new Promise<void>((res, rej) => {
      stream.on("data", () => undefined);
      stream.on("end", res);
      stream.on("error", rej);
    });
    stream.write({ host: "", list_services: "*" });
    stream.write({ host: "", file_containing_symbol: DEVICE });
    stream.end();
    await done;
    const labels = { grpc_type: "bidi_stream", grpc_service: "grpc.reflection.v1.ServerReflection", grpc_method: "ServerReflectionInfo" };
    expect(await valueOf("grpc_server_started_total", labels)).to.equal(1);
    expect(await valueOf("grpc_server_msg_received_total", labels)).to.equal(2);
    expect(await valueOf("grpc_server_msg_sent_total", labels)).to.equal(2);
    expect(await valueOf("grpc_server_handled_total", { ...labels, grpc_code: "OK" })).to.equal(1);
  });

  it("counts a server stream the client cancels as Canceled", async () => {
    const watch = healthService.Watch!;
    const stream = client.makeServerStreamRequest(watch.path, watch.requestSerialize, watch.responseDeserialize, { service: "" });
    stream.on("error", () => undefined); // the CANCELLED this test causes
    await new Promise((res) => stream.once("data", res));
    stream.cancel();
    const labels = { grpc_type: "server_stream", grpc_service: HEALTH, grpc_method: "Watch" };
    const canceled = { ...labels, grpc_code: "Canceled" };
    await waitFor(async () => (await valueOf("grpc_server_handled_total", canceled)) === 1, "Watch counted as Canceled");
    expect(await valueOf("grpc_server_msg_received_total", labels)).to.equal(1);
    expect(await valueOf("grpc_server_msg_sent_total", labels)).to.equal(1);
    expect(await valueOf("grpc_server_handled_total", { ...labels, grpc_code: "OK" })).to.equal(0);
  });

  it("counts a call whose deadline passed as DeadlineExceeded, once", async () => {
    const err = await expectServiceError(unary(client, deviceService, "CommandInout",
      { device: "test/fake/1", command: "Wait" }, { deadlineMs: 100 }));
    expect(err.code).to.equal(status.DEADLINE_EXCEEDED);
    const labels = unaryLabels(DEVICE, "CommandInout");
    await waitFor(async () => (await valueOf("grpc_server_handled_total", { ...labels, grpc_code: "DeadlineExceeded" })) === 1,
      "CommandInout counted as DeadlineExceeded");
    expect(await valueOf("grpc_server_handling_seconds", labels, "grpc_server_handling_seconds_count")).to.equal(1);
    expect(await valueOf("grpc_server_handled_total", { ...labels, grpc_code: "OK" })).to.equal(0);
  });

  it("refuses a second set of metrics in the same registry", () => {
    expect(() => createGrpcServerMetrics(registry)).to.throw(/already been registered/);
  });
});

describe("goCodeName", () => {
  it("spells every gRPC status as Go's codes.Code does", () => {
    const codes = Object.values(status).filter((v): v is number => typeof v === "number");
    expect(codes).to.have.length(17);
    expect(codes.map(goCodeName)).to.deep.equal(GO_CODES);
    expect(codes.map((c) => GO_CODES[c])).to.deep.equal(GO_CODES);
  });

  it("spells a code outside the 17 as Go prints it", () => {
    expect(goCodeName(17)).to.equal("Code(17)");
  });
});

function isDeepEqual(a: object, b: object): boolean {
  const sorted = (o: object) => JSON.stringify(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
  return sorted(a) === sorted(b);
}
