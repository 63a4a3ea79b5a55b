import type { Http2Server, Http2Session, ServerOptions } from "node:http2";
import type { Server } from "@grpc/grpc-js";

/** The two grpc-js 1.14 internals this file relies on, as they are at run time. */
interface ServerInternals {
  commonServerOptions?: ServerOptions;
  _setupHandlers?: (http2Server: Http2Server | null, ...rest: unknown[]) => void;
}

/**
 * Raises the HTTP/2 receive window of a grpc-js server, per stream and per connection, to
 * `windowBytes`. grpc-js reads `grpc-node.flow_control_window` on the client only (grpc-node
 * PR #3058 would add it to the server), so a server keeps Node's 64 KiB windows and a client
 * sending a large argin waits a round trip per 64 KiB. Call it before `bindAsync`.
 *
 * It reaches two grpc-js internals: the options every HTTP/2 server is created with (the stream
 * window, sent in the first SETTINGS frame) and the hook that wires up each HTTP/2 server (to
 * raise each session's connection window as it arrives). Returns false, changing nothing, when
 * grpc-js no longer has them; test/grpc/server-flow-control.test.ts checks the windows a client
 * sees. Remove once grpc-js reads the option on the server.
 *
 * @internal Used by `startGrpcServer`.
 */
export function raiseReceiveWindow(server: Server, windowBytes: number): boolean {
  const internals = server as unknown as ServerInternals;
  const options = internals.commonServerOptions;
  const setupHandlers = internals._setupHandlers;
  if (typeof options !== "object" || options === null || typeof setupHandlers !== "function") return false;
  options.settings = { ...options.settings, initialWindowSize: windowBytes };
  internals._setupHandlers = function (this: unknown, http2Server, ...rest) {
    setupHandlers.call(this, http2Server, ...rest);
    http2Server?.on("session", (session: Http2Session) => session.setLocalWindowSize(windowBytes));
  };
  return true;
}
