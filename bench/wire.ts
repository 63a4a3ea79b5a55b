import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { FLOW_CONTROL_WINDOW_BYTES } from "../src/core/defaults.js";

/** The tango.v1.Device service as a plain grpc-js client and server see it (no tango-grpc code). */
export function loadDeviceService(): grpc.ServiceDefinition {
  const candidates = ["../proto/tango/v1/tango.proto", "../../proto/tango/v1/tango.proto"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const file = candidates.find((p) => existsSync(p));
  if (file === undefined) throw new Error("tango.proto not found");
  const def = protoLoader.loadSync(file, { keepCase: true, longs: String, enums: Number, defaults: false, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { tango: { v1: { Device: { service: grpc.ServiceDefinition } } } };
  return pkg.tango.v1.Device.service;
}

/**
 * The transport settings tango-grpc's own server and client use (src/grpc/grpc-server.ts,
 * src/client/connection.ts), so that the bare grpc-js baseline differs from us by our code alone:
 * message limits for large arrays, no channelz, a 1 MiB HTTP/2 window (the server's is raised
 * with raiseReceiveWindow, see echo-server.ts).
 */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": 256 * 1024 * 1024,
  "grpc.max_send_message_length": 256 * 1024 * 1024,
  "grpc.enable_channelz": 0,
  "grpc-node.flow_control_window": FLOW_CONTROL_WINDOW_BYTES,
};

const identity = (b: Buffer): Buffer => b;
const rawMethod = (name: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/bench.RawEcho/${name}`, requestStream: false, responseStream: false, originalName: name,
  requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
});

/**
 * The large-array baseline, served by the echo server: bytes in, the same bytes out, no protobuf
 * at all. `Echo` answers with the buffer it received; `EchoCopy` with a fresh copy of it (a
 * client of it sends a fresh copy too), as an application that builds its messages must.
 */
export const RAW_ECHO_SERVICE = { Echo: rawMethod("Echo"), EchoCopy: rawMethod("EchoCopy") } as const satisfies grpc.ServiceDefinition;
