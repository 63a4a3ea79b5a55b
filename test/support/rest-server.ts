import { Registry } from "prom-client";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { startHttpServer, type HttpServerHandle } from "../../src/http/index.js";
import type { DeviceClass, DeviceServer, ServerConfig } from "../../src/server/index.js";
import { memoryLogger, startServer } from "./test-server.js";

/** The admin token the REST test servers are started with (unless `adminToken` says otherwise). */
export const TEST_TOKEN = "s3cret-test-token";

/** One HTTP answer, body parsed when it is JSON. */
export interface RestAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  readonly body: unknown;
  readonly text: string;
}

/** A DeviceServer in process with its HTTP sidecar on an OS-chosen port of 127.0.0.1. */
export interface RestServer {
  readonly server: DeviceServer;
  readonly http: HttpServerHandle;
  readonly registry: Registry;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The server's JSON log lines so far (to check, e.g., that the token is never logged). */
  logs(): Record<string, unknown>[];
  /**
   * Sends a request over real HTTP. `body` is sent as JSON unless it is a string (sent as is,
   * with `contentType` or application/json); `token` adds `Authorization: Bearer <token>`.
   */
  request(method: string, path: string, opts?: { body?: unknown; token?: string; headers?: Record<string, string>; contentType?: string }): Promise<RestAnswer>;
  close(): Promise<void>;
}

/**
 * Starts TangoTest `sys/tg_test/1` (plus `classes`/`devices` when given) and the sidecar with the
 * REST routes. Close it in afterEach/after.
 */
export async function startRestServer(opts: {
  /** Default TEST_TOKEN; null: no token configured. */
  adminToken?: string | null;
  protectReads?: boolean;
  requestTimeoutMs?: number;
  /** The sidecar's receiveTimeoutMs (default its own). */
  receiveTimeoutMs?: number;
  classes?: Record<string, DeviceClass>;
  devices?: Record<string, string[]>;
  config?: Partial<ServerConfig>;
} = {}): Promise<RestServer> {
  const classes: Record<string, DeviceClass> = { ...Object.fromEntries(BUILTIN_CLASSES), ...opts.classes };
  const devices = opts.devices ?? { TangoTest: ["sys/tg_test/1"] };
  const started = await startServer({ classes, devices, config: opts.config });
  const { server } = started;
  const registry = new Registry();
  const { logger, lines } = memoryLogger();
  const http = await startHttpServer({
    host: "127.0.0.1", port: 0, registry, logger, readiness: () => server.readiness(), version: "0.0.0-test", receiveTimeoutMs: opts.receiveTimeoutMs,
    rest: {
      api: server.api,
      adminDevice: server.adminName,
      adminToken: opts.adminToken === null ? undefined : opts.adminToken ?? TEST_TOKEN,
      protectReads: opts.protectReads ?? false,
      requestTimeoutMs: opts.requestTimeoutMs ?? 3000,
    },
  });
  const url = `http://127.0.0.1:${http.port}`;
  return {
    server, http, registry, url,
    logs: () => [...started.logs(), ...lines()],
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.body !== undefined) {
        body = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
        headers["content-type"] = o.contentType ?? "application/json";
      }
      const res = await fetch(`${url}${path}`, { method, headers, body, signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await http.close();
      await started.close();
    },
  };
}
