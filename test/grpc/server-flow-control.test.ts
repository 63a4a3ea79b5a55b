import { once } from "node:events";
import { connect, type ClientHttp2Session } from "node:http2";
import { expect } from "chai";
import { CmdArgType } from "../../src/core/index.js";
import { FLOW_CONTROL_WINDOW_BYTES } from "../../src/core/defaults.js";
import {
  ArrayEncoding, decodeValue, encodeValue, loadTangoProto, startGrpcServer, type GrpcServerHandle, type WireCommandInoutReply,
} from "../../src/grpc/index.js";
import { waitFor } from "../support/wait-for.js";
import { FakeRequestApi } from "./fake-request-api.js";
import { createClient, createTestLogger, unary } from "./grpc-test-client.js";

// What a peer sees of the server's HTTP/2 receive windows: grpc-js alone leaves both at 64 KiB.
describe("gRPC server receive window", () => {
  let server: GrpcServerHandle;
  let session: ClientHttp2Session | undefined;
  let lines: Array<Record<string, unknown>>;

  beforeEach(async () => {
    const log = createTestLogger();
    lines = log.lines;
    server = await startGrpcServer({
      api: new FakeRequestApi(), host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: log.logger,
    });
  });
  afterEach(async () => {
    session?.destroy();
    await server.close(2000);
  });

  it("advertises FLOW_CONTROL_WINDOW_BYTES per stream and per connection", async () => {
    const s = connect(`http://127.0.0.1:${server.port}`);
    session = s;
    const [settings] = (await once(s, "remoteSettings")) as [{ initialWindowSize?: number }];
    expect(settings.initialWindowSize).to.equal(FLOW_CONTROL_WINDOW_BYTES);
    await waitFor(() => (s.state.remoteWindowSize ?? 0) >= FLOW_CONTROL_WINDOW_BYTES, "the connection WINDOW_UPDATE");
    expect(lines.filter((l) => l.level === 40)).to.deep.equal([]);
  });

  it("echoes an argin eight times the window intact", async () => {
    const client = createClient(server.port);
    try {
      const n = FLOW_CONTROL_WINDOW_BYTES; // 8 bytes each
      const sent = Float64Array.from({ length: n }, (_, i) => i * 0.5);
      const argin = encodeValue({ type: CmdArgType.DevVarDoubleArray, value: sent }, ArrayEncoding.BYTES);
      const reply = await unary<WireCommandInoutReply>(client, loadTangoProto().deviceService, "CommandInout",
        { device: "test/fake/1", command: "Echo", argin, array_encoding: ArrayEncoding.BYTES });
      expect(decodeValue(reply.argout).value).to.deep.equal(sent);
    } finally {
      client.close();
    }
  });
});
