import * as grpc from "@grpc/grpc-js";
import { FLOW_CONTROL_WINDOW_BYTES } from "../src/core/defaults.js";
import { raiseReceiveWindow } from "../src/grpc/server-flow-control.js";
import { CHANNEL_OPTIONS, RAW_ECHO_SERVICE, loadDeviceService } from "./wire.js";

/*
 * The baseline: a bare grpc-js server of the same tango.v1.Device service and messages, with no
 * Tango logic. Each distinct request (method and exact request bytes) is forwarded once to the
 * tango-grpc server named by --upstream, and its reply is kept; from then on the server answers
 * that request from memory. So the client sees the same call shapes and the same replies, and a
 * call costs grpc-js alone: decode the request, look it up, encode the reply.
 * It also serves RAW_ECHO_SERVICE (wire.ts), the large arrays' baseline.
 * Usage: echo-server.js --upstream 127.0.0.1:<port>. Prints the ready line with its port.
 */
const at = process.argv.indexOf("--upstream");
const upstreamAddress = at >= 0 ? process.argv[at + 1] : undefined;
if (upstreamAddress === undefined) throw new Error("usage: echo-server.js --upstream host:port");

const service = loadDeviceService();
const Upstream = grpc.makeGenericClientConstructor(service, "Device");
const upstream = new Upstream(upstreamAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as
  Record<string, (req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void>;

/** A decoded request with its wire bytes, the cache key. */
interface Keyed { readonly key: string; readonly request: unknown }

const replies = new Map<string, unknown>();
const unary: Record<string, grpc.MethodDefinition<Keyed, unknown>> = {};
const handlers: grpc.UntypedServiceImplementation = {};
for (const [name, method] of Object.entries(service)) {
  if (method.requestStream || method.responseStream) continue;
  const decode = method.requestDeserialize;
  unary[name] = {
    ...method,
    requestDeserialize: (buf: Buffer): Keyed => ({ key: `${name}:${buf.toString("latin1")}`, request: decode(buf) }),
  };
  handlers[name] = (call: grpc.ServerUnaryCall<Keyed, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    const { key, request } = call.request;
    const reply = replies.get(key);
    if (reply !== undefined) {
      cb(null, reply);
      return;
    }
    upstream[name]!.call(upstream, request, call.metadata, (err, res) => {
      if (err === null) replies.set(key, res);
      cb(err, res);
    });
  };
}

const server = new grpc.Server(CHANNEL_OPTIONS);
if (!raiseReceiveWindow(server, FLOW_CONTROL_WINDOW_BYTES)) throw new Error("cannot raise the echo server's HTTP/2 window");
server.addService(unary as grpc.ServiceDefinition, handlers);
server.addService(RAW_ECHO_SERVICE, {
  Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request),
  EchoCopy: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from(call.request)),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ msg: "Ready to accept request", grpcPort: port })}\n`);
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
