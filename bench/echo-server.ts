import * as grpc from "@grpc/grpc-js";
import { CHANNEL_OPTIONS, loadDeviceService } from "./wire.js";

/*
 * The baseline: a bare grpc-js server with the same service and messages, whose CommandInout
 * echoes the argin with no Tango logic. Prints its port on stdout, then serves until killed.
 */
const server = new grpc.Server(CHANNEL_OPTIONS);
server.addService(loadDeviceService(), {
  CommandInout: (call: grpc.ServerUnaryCall<{ argin?: unknown }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    cb(null, { argout: call.request.argin });
  },
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ msg: "Ready to accept request", grpcPort: port })}\n`);
});
