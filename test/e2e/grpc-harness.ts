import * as grpc from "@grpc/grpc-js";
import { startGrpcServer, loadTangoProto, fromGrpcError, type GrpcServerHandle } from "../../src/grpc/index.js";
import { DevFailed, MultiDevFailed } from "../../src/core/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { startServer } from "../support/test-server.js";
import type { DeviceServer } from "../../src/server/index.js";

type Unary = (req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

/** A TangoTest server behind a real gRPC port on 127.0.0.1, and a plain grpc-js client. */
export interface GrpcHarness {
  readonly server: DeviceServer;
  readonly grpc: GrpcServerHandle;
  call<T = Record<string, unknown>>(method: string, req: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startTangoTest(config: Parameters<typeof startServer>[0]["config"] = {}): Promise<GrpcHarness> {
  const ts = await startServer({ classes: Object.fromEntries(BUILTIN_CLASSES), devices: { TangoTest: ["sys/tg_test/1"] }, config: { server: "TangoTest", instance: "test", ...config } });
  const handle = await startGrpcServer({ api: ts.server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: ts.server.log });
  const Ctor = grpc.makeGenericClientConstructor(loadTangoProto().deviceService, "Device");
  const client = new Ctor(`127.0.0.1:${handle.port}`, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
  }) as unknown as grpc.Client & Record<string, Unary>;
  const md = new grpc.Metadata();
  md.set("tango-client-pid", "777");
  md.set("tango-client-lang", "CPP");
  return {
    server: ts.server,
    grpc: handle,
    call<T>(method: string, req: unknown): Promise<T> {
      const fn = client[method];
      if (fn === undefined) throw new TypeError(`no method ${method}`);
      return new Promise<T>((resolve, reject) => fn.call(client, req, md, (err, res) => {
        if (err) reject(fromGrpcError(err) ?? err);
        else resolve(res as T);
      }));
    },
    async close(): Promise<void> {
      client.close();
      await handle.close(1000);
      await ts.close();
    },
  };
}

/** Awaits a call expected to fail with a DevFailed (or MultiDevFailed) and returns it. */
export async function failure(p: Promise<unknown>): Promise<DevFailed | MultiDevFailed> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DevFailed || e instanceof MultiDevFailed) return e;
    throw e;
  }
  throw new Error("the call succeeded");
}
