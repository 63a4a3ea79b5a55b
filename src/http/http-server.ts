import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Readiness } from "../server/index.js";

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
}

/** A running HTTP sidecar. */
export interface HttpServerHandle {
  /** The bound port (the OS's choice when asked for 0). */
  readonly port: number;
  /** The Fastify instance, for `inject` in tests and for more routes. */
  readonly app: FastifyInstance;
  /** Stops listening and closes connections; later calls return the same promise. */
  close(): Promise<void>;
}

/**
 * The HTTP sidecar (DESIGN §4), on its own port in the device server's process:
 * - `GET /healthz`: liveness; answering at all is the proof that the event loop turns;
 * - `GET /readyz`: 200 while every device is exported and the server is not shutting down,
 *   503 otherwise, each with `{ ready, reason }`;
 * - `GET /metrics`: the registry in the Prometheus text format.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  // Typed as FastifyBaseLogger so the instance keeps Fastify's default type parameters.
  const logger: FastifyBaseLogger = opts.logger.child({ component: "http" });
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const { isReady, reason } = opts.readiness();
    return reply.code(isReady ? 200 : 503).send({ ready: isReady, reason });
  });
  app.get("/metrics", async (_request, reply) => {
    const text = await opts.registry.metrics();
    return reply.type(opts.registry.contentType).send(text);
  });
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  let closing: Promise<void> | undefined;
  return {
    port,
    app,
    close: () => (closing ??= app.close()),
  };
}
