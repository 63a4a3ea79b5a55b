import * as grpc from "@grpc/grpc-js";
import { request as httpsRequest } from "node:https";
import { Registry } from "prom-client";
import { accessOptionsFrom } from "../../src/cli/access-options.js";
import { openServerTls, type ServerTls } from "../../src/cli/serve-tls.js";
import { DevFailed, MultiDevFailed } from "../../src/core/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { fromGrpcError, loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { startHttpServer, type HttpServerHandle } from "../../src/http/index.js";
import { DeviceServer, type ServerConfig } from "../../src/server/index.js";
import type { CertFiles, TestPki } from "./test-certs.js";
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

/**
 * Who makes a test request: a bearer token's secret, or a token and/or a client certificate (the
 * identity of an mTLS connection; on a TLS server, no certificate is a connection without one).
 */
export type Caller = string | { readonly token?: string; readonly cert?: CertFiles } | undefined;

function credentialsOf(as: Caller): { token?: string; cert?: CertFiles } {
  return typeof as === "string" ? { token: as } : as ?? {};
}

/** The outcome of one gRPC call: its reply, or its status code and the DevFailed in its trailer. */
export type Outcome<T = unknown> = { ok: true; reply: T } | { ok: false; code: grpc.status; error: DevFailed | MultiDevFailed | undefined; details: string };

/** A server with TangoTest `sys/tg_test/1` and `lab/tg_test/1`, gRPC and the REST sidecar on 127.0.0.1. */
export interface AccessServer {
  readonly server: DeviceServer;
  readonly grpc: GrpcServerHandle;
  readonly http: HttpServerHandle;
  /** The server's JSON log lines. */
  logs(): Record<string, unknown>[];
  /** One tango.v1.Device call, with `authorization: Bearer <token>` when a token is given, on a connection with the caller's certificate. */
  call<T = Record<string, unknown>>(method: string, req: object, as?: Caller): Promise<Outcome<T>>;
  /** Opens Subscribe and resolves with its first message's arrival or its error status. */
  subscribe(req: object, as?: Caller): Promise<Outcome<true>>;
  /** One REST request on the sidecar (HTTPS on a TLS server, a new connection with the certificate given). */
  rest(method: string, path: string, opts?: { token?: string; cert?: CertFiles; body?: unknown }): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** TLS on both ports from a test PKI: a server certificate signed by its CA, which is also the client CA. */
export interface AccessServerTls {
  readonly pki: TestPki;
  /** Mutual TLS (default true): the gRPC handshake needs a verified certificate, REST routes answer 401 without one. */
  readonly requireClientCert?: boolean;
}

/**
 * Starts the access test server. `access` is the config's section (default ACCESS_SECTION),
 * resolved as `serve` does (tokenEnv from `env`, TANGO_ADMIN_TOKEN an ADMIN token). With `tls`,
 * both ports speak TLS as `serve` sets them up, and clients dial them with the caller's certificate.
 */
export async function startAccessServer(opts: {
  access?: ServerConfig["access"]; env?: NodeJS.ProcessEnv; config?: Partial<ServerConfig>; tls?: AccessServerTls;
} = {}): Promise<AccessServer> {
  const { logger, lines } = memoryLogger();
  const serverCert = opts.tls?.pki.server();
  const config = {
    server: "Access", instance: "t", serialization: "BY_DEVICE",
    grpc: { host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024 },
    http: { host: "127.0.0.1", port: 0, protectReads: false, requestTimeoutMs: 3000 },
    monitorTimeoutMs: 3200, blackboxDepth: 50, logLevel: "info", polling: { ringDepth: 10 }, events: { heartbeatMs: 3000, queueDepth: 1000 },
    access: opts.access ?? ACCESS_SECTION,
    classes: [{ name: "TangoTest", properties: { AllowedAccessCmd: ["DevDouble"] }, devices: [{ name: "sys/tg_test/1" }, { name: "lab/tg_test/1" }] }],
    ...(opts.tls === undefined || serverCert === undefined ? {} : {
      tls: {
        certFile: serverCert.certFile, keyFile: serverCert.keyFile, clientCaFile: opts.tls.pki.ca.certFile,
        requireClientCert: opts.tls.requireClientCert ?? true, reloadIntervalMs: 60_000,
      },
    }),
    ...opts.config,
  } as ServerConfig;
  const env = opts.env ?? { WRITER_TOKEN: TOKENS.writer, TANGO_ADMIN_TOKEN: TOKENS.admin };
  const server = new DeviceServer({ config, classes: BUILTIN_CLASSES, logger, hostName: "testhost", access: accessOptionsFrom(config, env, "test") });
  await server.start();
  const tls: ServerTls | undefined = await openServerTls(config, undefined, server.log);
  const withTls = tls === undefined ? {} : { tls };
  const grpcHandle = await startGrpcServer({
    api: server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: server.log, access: server.access, ...withTls,
  });
  const http = await startHttpServer({
    host: "127.0.0.1", port: 0, registry: new Registry(), logger, readiness: () => server.readiness(), ...withTls,
    rest: { api: server.api, adminDevice: server.adminName, access: server.access, requestTimeoutMs: 3000 },
  });
  const ca = opts.tls?.pki.ca.cert;
  const Ctor = grpc.makeGenericClientConstructor(loadTangoProto().deviceService, "Device");
  type Client = grpc.Client & Record<string, Function>;
  /** One channel per client certificate (the certificate belongs to the connection). */
  const clients = new Map<CertFiles | undefined, Client>();
  const clientOf = (cert: CertFiles | undefined): Client => {
    let client = clients.get(cert);
    if (client === undefined) {
      const credentials = ca === undefined ? grpc.credentials.createInsecure()
        : grpc.credentials.createSsl(ca, cert?.key ?? null, cert?.cert ?? null);
      // The certificate names localhost and 127.0.0.1; dialling the address with the name as authority avoids DEP0123.
      const options = ca === undefined ? {} : { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" };
      client = new Ctor(`127.0.0.1:${grpcHandle.port}`, credentials, options) as unknown as Client;
      clients.set(cert, client);
    }
    return client;
  };
  const metadata = (token: string | undefined): grpc.Metadata => {
    const md = new grpc.Metadata();
    md.set("tango-client-pid", "777");
    if (token !== undefined) md.set("authorization", `Bearer ${token}`);
    return md;
  };
  const failed = (err: grpc.ServiceError): Outcome<never> => ({ ok: false, code: err.code, error: fromGrpcError(err), details: err.details });
  const restRequest = (method: string, path: string, headers: Record<string, string>, body: string | undefined, cert: CertFiles | undefined): Promise<{ status: number; text: string }> => {
    if (ca === undefined) {
      return fetch(`http://127.0.0.1:${http.port}${path}`, { method, headers, body, signal: AbortSignal.timeout(10_000) })
        .then(async (res) => ({ status: res.status, text: await res.text() }));
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest({
        host: "127.0.0.1", port: http.port, path, method, headers, servername: "localhost", ca, agent: false, timeout: 10_000,
        ...(cert === undefined ? {} : { cert: cert.cert, key: cert.key }),
      }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => { text += chunk; });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("timeout", () => req.destroy(new Error("HTTPS request timed out")));
      req.on("error", reject);
      req.end(body);
    });
  };
  return {
    server,
    grpc: grpcHandle,
    http,
    logs: lines,
    call<T>(method: string, req: object, as?: Caller): Promise<Outcome<T>> {
      const { token, cert } = credentialsOf(as);
      const client = clientOf(cert);
      const fn = client[method];
      if (fn === undefined) throw new TypeError(`no method ${method}`);
      return new Promise((resolve) => {
        fn.call(client, req, metadata(token), { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, reply: T) => {
          resolve(err === null ? { ok: true, reply } : failed(err));
        });
      });
    },
    subscribe(req: object, as?: Caller): Promise<Outcome<true>> {
      const { token, cert } = credentialsOf(as);
      const client = clientOf(cert);
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
      const { status, text } = await restRequest(method, path, headers, o.body === undefined ? undefined : JSON.stringify(o.body), o.cert);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
      }
      return { status, body };
    },
    async close(): Promise<void> {
      for (const client of clients.values()) client.close();
      await grpcHandle.close(1000);
      await http.close();
      await server.shutdown(1000);
      tls?.files.close();
    },
  };
}
