import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer, type Server as HttpsServer } from "node:https";
import type { TLSSocket } from "node:tls";
import type { FastifyInstance } from "fastify";
import type { TlsFileWatcher, TlsMaterial } from "../server/index.js";
import { HttpProblem, HttpReason } from "./rest-errors.js";

/** TLS on the sidecar's port: the watched material, and whether REST routes need a client certificate. */
export interface HttpTlsOptions {
  readonly files: TlsFileWatcher;
  /**
   * Routes under `/api/` answer 401 to a client without a certificate signed by the client CA.
   * The handshake itself never requires one, so the kubelet's probes and Prometheus (which send
   * none) still reach /healthz, /readyz and /metrics.
   */
  readonly requireClientCert: boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function secureOptionsOf(material: TlsMaterial, files: TlsFileWatcher): { cert: Buffer; key: Buffer; ca?: Buffer } {
  return { cert: material.cert, key: material.key, ...(files.hasClientCa && material.ca !== undefined ? { ca: material.ca } : {}) };
}

/**
 * A Fastify `serverFactory` making a node:https server from the watched material; every new set
 * becomes the context of new connections (`setSecureContext`). Clients are asked for a
 * certificate when a client CA is configured, and one that does not verify is let through
 * unauthenticated (`socket.authorized` false), for the routes to decide.
 */
/** node:http's receive timeouts, which Fastify's `http` option cannot give a server it did not create. */
export interface HttpTimeouts {
  readonly requestTimeout?: number;
  readonly headersTimeout?: number;
  readonly connectionsCheckingInterval?: number;
}

export function httpsServerFactory(opts: HttpTlsOptions, timeouts: Readonly<HttpTimeouts> = {}): (handler: Handler) => Server {
  return (handler) => {
    const { files } = opts;
    const server: HttpsServer = createServer({
      ...timeouts,
      ...secureOptionsOf(files.material, files),
      requestCert: files.hasClientCa,
      rejectUnauthorized: false,
    }, handler);
    const stop = files.onChange((material) => { server.setSecureContext(secureOptionsOf(material, files)); });
    server.on("close", stop);
    // Fastify drives node:https exactly as node:http (listen, close, closeAllConnections).
    return server as unknown as Server;
  };
}

/**
 * With mutual TLS, REST routes answer 401 HTTP_Unauthorized to a client without a verified
 * certificate. A request is judged by the route it matched, not by its raw URL: the router
 * decodes percent-encoding (`/%61pi/v1/…`) and takes absolute-form targets
 * (`PUT http://host/api/v1/…`), which a test of the raw URL's prefix would let through.
 */
export function requireClientCertOnRest(app: FastifyInstance, prefix: string): void {
  app.addHook("onRequest", async (request) => {
    const path = request.routeOptions.url ?? request.url;
    if (!path.startsWith(`${prefix}/`) && path !== prefix) return;
    const socket = request.raw.socket as Partial<TLSSocket>;
    if (socket.authorized === true) return;
    throw new HttpProblem(401, HttpReason.Unauthorized,
      "This route needs a client certificate signed by the server's client CA (mutual TLS)", "HTTP sidecar");
  });
}
