// The HTTP sidecar (DESIGN §4): health, readiness and metrics beside the gRPC server.

export { startHttpServer } from "./http-server.js";
export type { HttpServerOptions, HttpServerHandle } from "./http-server.js";
export { pipeBlobFromJson, pipeBlobToJson } from "./pipe-json.js";
export type { PipeBlobJson, PipeElementJson } from "./pipe-json.js";
export { parseJsonBody } from "./json-value.js";
