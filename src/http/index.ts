// The HTTP sidecar (DESIGN §4): health, readiness and metrics beside the gRPC server.

export { startHttpServer } from "./http-server.js";
export type { HttpServerOptions, HttpServerHandle } from "./http-server.js";
