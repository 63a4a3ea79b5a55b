import { startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import type { DeviceClass, DeviceServer, ServerConfig } from "../../src/server/index.js";
import { DeviceProxy } from "../../src/client/index.js";
import { startServer } from "./test-server.js";

/** A DeviceServer in process behind a real gRPC port on 127.0.0.1, and the proxies a test makes on it. */
export interface EventServer {
  readonly server: DeviceServer;
  readonly grpc: GrpcServerHandle;
  /** `tango://127.0.0.1:<port>/<device>`. */
  trl(device: string): string;
  /** A DeviceProxy closed by `close`. */
  proxy(device: string, opts?: ConstructorParameters<typeof DeviceProxy>[1]): DeviceProxy;
  /** Closes the proxies, shuts the server down (its event streams end first), then the gRPC server. */
  close(): Promise<void>;
}

export async function startEventServer(opts: {
  classes: Record<string, DeviceClass>;
  devices: Record<string, string[]>;
  config?: Partial<ServerConfig>;
}): Promise<EventServer> {
  const ts = await startServer({ ...opts, config: { events: { heartbeatMs: 500, queueDepth: 1000 }, ...opts.config } });
  const grpc = await startGrpcServer({ api: ts.server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: ts.server.log });
  ts.server.grpcAddress = `127.0.0.1:${grpc.port}`;
  const proxies: DeviceProxy[] = [];
  const trl = (device: string): string => `tango://127.0.0.1:${grpc.port}/${device}`;
  return {
    server: ts.server,
    grpc,
    trl,
    proxy(device, o) {
      const p = new DeviceProxy(trl(device), o);
      proxies.push(p);
      return p;
    },
    async close() {
      for (const p of proxies.splice(0)) p.close();
      await ts.close();
      await grpc.close(1000);
    },
  };
}
