import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import fastifySwagger from "@fastify/swagger";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { Type } from "typebox";
import { Defaults } from "../core/index.js";
import type { AccessPolicy, Readiness, RequestApi } from "../server/index.js";
import { adminRoutes } from "./admin-routes.js";
import { createClientErrorHandler } from "./client-errors.js";
import { frameworkErrorHandler, installErrorHandlers } from "./error-handlers.js";
import { deviceRoutes } from "./device-routes.js";
import { pipeRoutes } from "./pipe-routes.js";
import { eventRoutes } from "./event-routes.js";
import { registerDocsPage } from "./docs-page.js";
import { instrumentHttp } from "./http-metrics.js";
import { lazySchemaCompilers } from "./lazy-compilers.js";
import { parseJsonBody } from "./json-value.js";
import { withCommonErrors, withOptionalBodies } from "./openapi-doc.js";
import { createRestAuth } from "./rest-auth.js";
import { createRestCaller } from "./rest-call.js";
import { httpsServerFactory, requireClientCertOnRest, type HttpTlsOptions } from "./https-listener.js";
import { HttpProblem, HttpReason, RestErrorBody } from "./rest-errors.js";

/** The REST routes' part of the sidecar (DESIGN §4). */
export interface RestOptions {
  /** The server's request API. */
  readonly api: RequestApi;
  /** `dserver/<server>/<instance>`. */
  readonly adminDevice: string;
  /** Bearer token of mutating routes (`TANGO_ADMIN_TOKEN`) when no `access` is given; unset: they answer 403. Never logged. */
  readonly adminToken?: string;
  /** The server's access policy (DeviceServer.access): who may do what, the same as on gRPC (docs/security.md). */
  readonly access?: AccessPolicy;
  /** GET routes need the token too. */
  readonly protectReads?: boolean;
  /** Longest a REST call may take before 503 API_DeviceTimedOut; Infinity: no limit. */
  readonly requestTimeoutMs: number;
}

/** Options of `startHttpServer`. */
export interface HttpServerOptions {
  /** Address to listen on, e.g. `0.0.0.0` or `127.0.0.1`. */
  readonly host: string;
  /** TCP port; 0 lets the OS choose (see `HttpServerHandle.port`). */
  readonly port: number;
  /** The one registry `/metrics` serves; the gRPC side writes to it too (DESIGN §4). */
  readonly registry: Registry;
  /** What `/readyz` reports: the device server's readiness (the gRPC health service's truth). */
  readiness(): Readiness;
  /** Fastify logs through it; requests themselves are not logged (the probes would flood it). */
  readonly logger: Logger;
  /** The REST routes under `/api/v1/`; omitted: only probes, metrics and the OpenAPI document. */
  readonly rest?: RestOptions;
  /** `info.version` of the OpenAPI document. */
  readonly version?: string;
  /**
   * Longest time a client may take to send a request's headers and body, ms; then it is answered
   * 408 HTTP_RequestTimeout and the connection closed. Default HTTP_RECEIVE_TIMEOUT_MS (30 s).
   * Answering (a slow command, an event stream) is not bounded by it.
   */
  readonly receiveTimeoutMs?: number;
  /** HTTPS on this port (certificates reloaded as they change); omitted: plain HTTP. */
  readonly tls?: HttpTlsOptions;
}

/** One route of the sidecar, as registered. */
export interface HttpRoute {
  readonly method: string;
  /** The URL template, e.g. `/api/v1/devices/:domain/:family/:member`. */
  readonly url: string;
  /** Whether /openapi.json describes it (the docs page's own routes and /openapi.json are not). */
  readonly isDocumented: boolean;
}

/** A running HTTP sidecar. */
export interface HttpServerHandle {
  /** The bound port (the OS's choice when asked for 0). */
  readonly port: number;
  /** Every route (HEAD twins of GET routes left out), in registration order. */
  readonly routes: readonly HttpRoute[];
  /** The Fastify instance, for `inject` in tests and for more routes. */
  readonly app: FastifyInstance;
  /**
   * Stops listening and closes connections: requests in progress get `graceMs` (default 2 s),
   * then their connections are dropped; later calls return the same promise.
   */
  close(graceMs?: number): Promise<void>;
}

const REST_PREFIX = "/api/v1";
const ORIGIN = "HTTP sidecar";

const HealthBody = Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false });
const ReadyBody = Type.Object({
  ready: Type.Boolean(),
  reason: Type.String({ description: "why the server is or is not ready" }),
  warnings: Type.Optional(Type.Array(Type.String(), { description: "what an operator should know, e.g. that callers without credentials may change the server" })),
}, { additionalProperties: false });

/**
 * The HTTP sidecar (DESIGN §4), on its own port in the device server's process:
 * - `GET /healthz`: liveness; answering at all is the proof that the event loop turns;
 * - `GET /readyz`: 200 while every device is exported and the server is not shutting down,
 *   503 otherwise, each with `{ ready, reason }`;
 * - `GET /metrics`: the registry in the Prometheus text format, the sidecar's own request
 *   metrics included;
 * - the REST routes under `/api/v1/` (admin device, devices) when `rest` is given;
 * - `GET /openapi.json` and the docs page `/docs`, generated from the route schemas.
 * Every error is `{"errors":[{reason, description, severity, origin}]}`.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  // Typed as FastifyBaseLogger so the instance keeps Fastify's default type parameters. The
  // authorization header is redacted should a request ever be logged.
  const logger: FastifyBaseLogger = opts.logger.child({ component: "http" }, { redact: ["req.headers.authorization"] });
  const receiveTimeoutMs = opts.receiveTimeoutMs ?? Defaults.HTTP_RECEIVE_TIMEOUT_MS;
  const timeouts = { requestTimeout: receiveTimeoutMs, headersTimeout: receiveTimeoutMs, connectionsCheckingInterval: checkIntervalOf(receiveTimeoutMs) };
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    schemaController: { compilersFactory: lazySchemaCompilers() },
    // Errors in the sidecar's error body, from the router and from node:http too (error-handlers.ts).
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler: createClientErrorHandler(logger, Defaults.MAX_HTTP_URL_BYTES),
    // A request that never finishes arriving is answered 408, not waited for (Fastify's default
    // is no limit); node:http checks every connectionsCheckingInterval.
    requestTimeout: receiveTimeoutMs,
    http: timeouts,
    // A path segment is bounded by the URL's length only; names are the server's to judge.
    routerOptions: { maxParamLength: Defaults.MAX_HTTP_URL_BYTES },
    // A property a schema does not declare is refused, never silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    ...(opts.tls === undefined ? {} : { serverFactory: httpsServerFactory(opts.tls, timeouts) }),
  });
  const errorOptions = { maxUrlBytes: Defaults.MAX_HTTP_URL_BYTES };
  const routes: HttpRoute[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") routes.push({ method, url: route.url, isDocumented: route.schema?.hide !== true });
    }
  });
  instrumentHttp(app, opts.registry);
  if (opts.tls?.requireClientCert === true) requireClientCertOnRest(app, REST_PREFIX);
  installJsonParser(app);
  installErrorHandlers(app, errorOptions);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "tango-grpc HTTP sidecar",
        description: "Health, readiness, Prometheus metrics, the admin device and device access of one Tango device server. "
          + "Every error, the HTTP layer's own included, is {\"errors\":[{reason, description, severity, origin}]}, root cause first; "
          + "Tango's reasons (API_*) for Tango errors, HTTP_* for the HTTP layer's.",
        version: opts.version ?? "0.0.0",
      },
      components: {
        securitySchemes: {
          adminToken: { type: "http", scheme: "bearer", description: "the server's TANGO_ADMIN_TOKEN, or a token of its access section; its rights (READ, WRITE, ADMIN per device) decide" },
        },
      },
      tags: [
        { name: "probes", description: "liveness, readiness, metrics" },
        { name: "admin", description: "the admin device dserver/<server>/<instance> (Tango RFC 8)" },
        { name: "devices", description: "devices, in the shape of the Tango REST API v1" },
        { name: "pipes", description: "the pipes of the devices (Tango RFC 7)" },
      ],
    },
    transformObject: (documents) => ("openapiObject" in documents
      ? withCommonErrors(withOptionalBodies(documents.openapiObject), RestErrorBody)
      : documents.swaggerObject),
  });
  registerDocsPage(app, (docsApp) => installErrorHandlers(docsApp, errorOptions));

  app.get("/healthz", {
    schema: { tags: ["probes"], summary: "Liveness: the event loop answers", response: { 200: HealthBody } },
  }, async () => ({ status: "ok" as const }));
  app.get("/readyz", {
    schema: {
      tags: ["probes"], summary: "Readiness: every device exported and not shutting down (the gRPC health service's truth)",
      response: { 200: ReadyBody, 503: ReadyBody },
    },
  }, async (_request, reply) => {
    const { isReady, reason, warnings } = opts.readiness();
    return reply.code(isReady ? 200 : 503).send({ ready: isReady, reason, ...(warnings === undefined ? {} : { warnings }) });
  });
  app.get("/metrics", {
    schema: {
      tags: ["probes"], summary: "Prometheus metrics (text exposition format 0.0.4)",
      produces: ["text/plain"], response: { 200: { description: "the metrics", type: "string" } },
    },
  }, async (_request, reply) => {
    const text = await opts.registry.metrics();
    return reply.type(opts.registry.contentType).send(text);
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  if (opts.rest !== undefined) {
    const rest = opts.rest;
    const routeOptions = {
      api: rest.api,
      adminDevice: rest.adminDevice,
      auth: createRestAuth({ access: rest.access, adminToken: rest.adminToken, protectReads: rest.protectReads }),
      call: createRestCaller(rest.requestTimeoutMs),
    };
    await app.register(adminRoutes, { ...routeOptions, prefix: REST_PREFIX });
    await app.register(deviceRoutes, { ...routeOptions, prefix: REST_PREFIX });
    await app.register(pipeRoutes, { ...routeOptions, prefix: REST_PREFIX });
    await app.register(eventRoutes, { ...routeOptions, prefix: REST_PREFIX });
  }

  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  let closing: Promise<void> | undefined;
  return {
    port,
    routes,
    app,
    close: (graceMs = CLOSE_GRACE_MS) => (closing ??= closeWithin(app, graceMs)),
  };
}

/** How often node:http looks for requests past their receive timeout: a quarter of it, within [10 ms, 1 s]. */
function checkIntervalOf(receiveTimeoutMs: number): number {
  return Math.max(10, Math.min(1_000, Math.floor(receiveTimeoutMs / 4)));
}

/** How long the sidecar's close waits for requests in progress before it drops their connections, ms. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Closes the app: requests in progress (an event stream ends itself at shutdown) get `graceMs`,
 * then every connection left is dropped, so that a stuck client never holds up the server's stop.
 */
async function closeWithin(app: FastifyInstance, graceMs: number): Promise<void> {
  const closed = app.close();
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * JSON bodies keep 64-bit integers exact (bigint past 2^53, see parseJsonBody). An empty body is
 * no body: a command without argin needs none.
 */
function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") {
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      done(new HttpProblem(400, HttpReason.BadRequest, `The body is not valid JSON: ${message}`, ORIGIN), undefined);
    }
  });
}
