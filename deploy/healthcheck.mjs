// Container health check (the Dockerfile's HEALTHCHECK, docker-compose's healthcheck): exits 0
// only when the HTTP sidecar's /readyz answers 200, i.e. every device is exported and the server
// is not shutting down (docs/http-sidecar.md). Plain node, no dependencies.
//
// The port is TANGO_HTTP_PORT, which the server reads too (env overrides the config file), so
// both agree; the sidecar must listen on 127.0.0.1 or 0.0.0.0 (the default).
//
// TLS (docs/tls.md): with TANGO_TLS_CERT_FILE set the sidecar speaks HTTPS, and so does this
// check. When TLS comes from the config file instead, the first scheme's connection fails and the
// other one is tried. The server's certificate is not verified: this is the process checking
// itself over loopback, where its name is not 127.0.0.1, as the kubelet's HTTPS probes do. The
// sidecar never asks the probes for a client certificate, even with mutual TLS.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

const TIMEOUT_MS = 3000;
const port = process.env.TANGO_HTTP_PORT?.trim() || "8080";
const isTls = (process.env.TANGO_TLS_CERT_FILE?.trim() ?? "") !== "";
const schemes = isTls ? ["https", "http"] : ["http", "https"];

/** GET /readyz with one scheme: the status and body, or throws when no HTTP answer came. */
function getReadyz(scheme) {
  const request = scheme === "https" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1", port, path: "/readyz", timeout: TIMEOUT_MS, agent: false,
      ...(scheme === "https" ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => { body += chunk; });
      res.on("end", () => resolve({ status: res.statusCode, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end();
  });
}

const failures = [];
for (const scheme of schemes) {
  const url = `${scheme}://127.0.0.1:${port}/readyz`;
  try {
    const { status, body } = await getReadyz(scheme);
    if (status !== 200) console.error(`healthcheck: GET ${url}: ${status} ${body}`);
    process.exitCode = status === 200 ? 0 : 1;
    failures.length = 0;
    break;
  } catch (err) {
    failures.push(`GET ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
if (failures.length > 0) {
  for (const failure of failures) console.error(`healthcheck: ${failure}`);
  process.exitCode = 1;
}
