// Container health check (the Dockerfile's HEALTHCHECK, docker-compose's healthcheck): exits 0
// only when the HTTP sidecar's /readyz answers 200, i.e. every device is exported and the server
// is not shutting down (docs/http-sidecar.md). Plain node, no dependencies.
//
// The port is TANGO_HTTP_PORT, which the server reads too (env overrides the config file), so
// both agree; the sidecar must listen on 127.0.0.1 or 0.0.0.0 (the default).
const TIMEOUT_MS = 3000;
const port = process.env.TANGO_HTTP_PORT?.trim() || "8080";
const url = `http://127.0.0.1:${port}/readyz`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = await res.text();
  if (res.status !== 200) console.error(`healthcheck: GET ${url}: ${res.status} ${body}`);
  process.exitCode = res.status === 200 ? 0 : 1;
} catch (err) {
  // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a timeout, ...).
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  console.error(`healthcheck: GET ${url} failed: ${err instanceof Error ? err.message : String(err)}${cause}`);
  process.exitCode = 1;
}
