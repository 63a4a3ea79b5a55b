import * as grpc from "@grpc/grpc-js";
import { Registry } from "prom-client";
import { accessOptionsFrom } from "../../src/cli/access-options.js";
import { DevFailed, MultiDevFailed } from "../../src/core/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { fromGrpcError, loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { startHttpServer, type HttpServerHandle } from "../../src/http/index.js";
import { DeviceServer, type ServerConfig } from "../../src/server/index.js";
import { memoryLogger } from "./test-server.js";

/** Secrets of the access tests' tokens (each at least 16 characters, as the schema wants inline tokens). */
export const TOKENS = {
  reader: "reader-token-0123456789",
  writer: "writer-token-0123456789",
  lab: "lab-token-0123456789abc",
  admin: "admin-token-0123456789",
} as const;

/** The access section of the tests: READ, WRITE, a per-pattern token, plus TANGO_ADMIN_TOKEN as `admin`. */
export const ACCESS_SECTION: NonNullable<ServerConfig["access"]> = {
  tokens: [
    { name: "reader", token: TOKENS.reader, rights: "READ" },
    { name: "writer", tokenEnv: "WRITER_TOKEN", rights: "WRITE" },
    { name: "lab", token: TOKENS.lab, rights: [{ devices: "*", right: "READ" }, { devices: "lab/*", right: "WRITE" }] },
  ],
  certificates: [],
};

/** The outcome of one gRPC call: its reply, or its status code and the DevFailed in its trailer. */
export type Outcome<T = unknown> = { ok: true; reply: T } | { ok: false; code: grpc.status; error: DevFailed | MultiDevFailed | undefined; details: string };

/** A server with TangoTest `sys/tg_test/1` and `lab/tg_test/1`, gRPC and the REST sidecar on 127.0.0.1. */
export interface AccessServer {
  readonly server: DeviceServer;
  readonly grpc: GrpcServerHandle;
  readonly http: HttpServerHandle;
  /** The server's JSON log lines. */
  logs(): Record<string, unknown>[];
  /** One tango.v1.Device call, with `authorization: Bearer <token>` when a token is given. */
  call<T = Record<string, unknown>>(method: string, req: object, token?: string): Promise<Outcome<T>>;
  /** Opens Subscribe and resolves with its first message's arrival or its error status. */
  subscribe(req: object, token?: string): Promise<Outcome<true>>;
  /** One REST request on the sidecar. */
  rest(method: string, path: string, opts?: { token?: string; body?: unknown }): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/**
 * Starts the access test server. `access` is the config's section (default ACCESS_SECTION),
 * resolved as `serve` does (tokenEnv from `env`, TANGO_ADMIN_TOKEN an ADMIN token).
 */
export async function startAccessServer(opts: { access?: ServerConfig["access"]; env?: NodeJS.ProcessEnv; config?: Partial<ServerConfig> } = {}): Promise<AccessServer> {
  const { logger, lines } = memoryLogger();
  const config = {
    server: "Access", instance: "t", serialization: "BY_DEVICE",
    grpc: { host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024 },
    http: { host: "127.0.0.1", port: 0, protectReads: false, requestTimeoutMs: 3000 },
    monitorTimeoutMs: 3200, blackboxDepth: 50, logLevel: "info", polling: { ringDepth: 10 }, events: { heartbeatMs: 3000, queueDepth: 1000 },
    access: opts.access ?? ACCESS_SECTION,
    classes: [{ name: "TangoTest", properties: { AllowedAccessCmd: ["DevDouble"] }, devices: [{ name: "sys/tg_test/1" }, { name: "lab/tg_test/1" }] }],
    ...opts.config,
  } as ServerConfig;
  const env = opts.env ?? { WRITER_TOKEN: TOKENS.writer, TANGO_ADMIN_TOKEN: TOKENS.admin };
  const server = new DeviceServer({ config, classes: BUILTIN_CLASSES, logger, hostName: "testhost", access: accessOptionsFrom(config, env, "test") });
  await server.start();
  const grpcHandle = await startGrpcServer({ api: server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: server.log, access: server.access });
  const http = await startHttpServer({
    host: "127.0.0.1", port: 0, registry: new Registry(), logger, readiness: () => server.readiness(),
    rest: { api: server.api, adminDevice: server.adminName, access: server.access, requestTimeoutMs: 3000 },
  });
  const Ctor = grpc.makeGenericClientConstructor(loadTangoProto().deviceService, "Device");
  const client = new Ctor(`127.0.0.1:${grpcHandle.port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, Function>;
  const metadata = (token: string | undefined): grpc.Metadata => {
    const md = new grpc.Metadata();
    md.set("tango-client-pid", "777");
    if (token !== undefined) md.set("authorization", `Bearer ${token}`);
    return md;
  };
  const failed = (err: grpc.ServiceError): Outcome<never> => ({ ok: false, code: err.code, error: fromGrpcError(err), details: err.details });
  return {
    server,
    grpc: grpcHandle,
    http,
    logs: lines,
    call<T>(method: string, req: object, token?: string): Promise<Outcome<T>> {
      const fn = client[method];
      if (fn === undefined) throw new TypeError(`no method ${method}`);
      return new Promise((resolve) => {
        fn.call(client, req, metadata(token), { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, reply: T) => {
          resolve(err === null ? { ok: true, reply } : failed(err));
        });
      });
    },
    subscribe(req: object, token?: string): Promise<Outcome<true>> {
      const fn = client.Subscribe;
      if (fn === undefined) throw new TypeError("no method Subscribe");
      return new Promise((resolve) => {
        const stream = fn.call(client, req, metadata(token), { deadline: Date.now() + 10_000 }) as grpc.ClientReadableStream<unknown>;
        stream.once("data", () => {
          stream.cancel();
          resolve({ ok: true, reply: true });
        });
        stream.on("error", (err: grpc.ServiceError) => {
          if (err.code !== grpc.status.CANCELLED) resolve(failed(err));
        });
      });
    },
    async rest(method, path, o = {}) {
      const headers: Record<string, string> = {};
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`http://127.0.0.1:${http.port}${path}`, {
        method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
      }
      return { status: res.status, body };
    },
    async close(): Promise<void> {
      client.close();
      await grpcHandle.close(1000);
      await http.close();
      await server.shutdown(1000);
    },
  };
}
