import type { FastifyInstance } from "fastify";
import { Counter, Histogram, type Registry } from "prom-client";

type HttpLabel = "method" | "route" | "status_code";
const LABELS: readonly HttpLabel[] = ["method", "route", "status_code"];

/** Route label of a request no route matched: the path itself would make labels unbounded. */
const UNMATCHED_ROUTE = "unmatched";

/**
 * The sidecar's own request metrics, in the shape of fastify-metrics and express-prom-bundle:
 * `http_requests_total` and `http_request_duration_seconds`, labelled by method, route template
 * (`/api/v1/devices/:domain/:family/:member`, never the raw path) and status code.
 */
export function instrumentHttp(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter<HttpLabel>({
    name: "http_requests_total", help: "Total number of HTTP requests the sidecar answered.", labelNames: LABELS, registers: [registry],
  });
  const duration = new Histogram<HttpLabel>({
    name: "http_request_duration_seconds", help: "Time from an HTTP request's arrival to its response, in seconds.",
    labelNames: LABELS, registers: [registry],
  });
  app.addHook("onResponse", async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}
