import type { FastifyRequest } from "fastify";
import { DevFailed, Reason } from "../core/index.js";
import type { CallContext, RequestApi } from "../server/index.js";
import { principalOf, type RestAuth } from "./rest-auth.js";

/** What every REST route plugin is given (src/http/http-server.ts builds it). */
export interface RestRouteOptions {
  /** The server's request API: the REST routes are one more adapter of it, like gRPC. */
  readonly api: RequestApi;
  /** `dserver/<server>/<instance>`: the device the admin routes talk to. */
  readonly adminDevice: string;
  /** Bearer-token checks. */
  readonly auth: RestAuth;
  /** Runs one request against the API with its context and deadline. */
  readonly call: RestCaller;
}

/** Runs API calls for a request: its CallContext, a deadline, an abort when the client goes. */
export interface RestCaller {
  /**
   * Calls `fn` with the request's context. Rejects with API_DeviceTimedOut (HTTP 503) when it
   * takes longer than the sidecar's request timeout; the device may still finish the work.
   */
  run<T>(request: FastifyRequest, operation: string, fn: (ctx: CallContext) => Promise<T>): Promise<T>;
}

/** The client as the blackbox shows it: `requested from <ip>`. */
function contextOf(request: FastifyRequest, signal: AbortSignal): CallContext {
  return {
    client: { host: request.ip, peer: `${request.ip}:${request.socket.remotePort ?? 0}`, language: "HTTP" },
    transport: "http",
    signal,
    principal: principalOf(request),
  };
}

/**
 * A RestCaller with a deadline of `timeoutMs` per request (Infinity: none). The signal in the
 * context aborts at the deadline or when the client closes the connection first.
 */
export function createRestCaller(timeoutMs: number): RestCaller {
  return {
    async run(request, operation, fn) {
      const controller = new AbortController();
      const onClose = (): void => controller.abort(new Error("the HTTP client closed the connection"));
      // The socket, not the request: a request's "close" also fires once its body is read.
      const socket = request.raw.socket;
      socket.once("close", onClose);
      let timer: NodeJS.Timeout | undefined;
      try {
        const work = fn(contextOf(request, controller.signal));
        if (!Number.isFinite(timeoutMs)) return await work;
        const deadline = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            const err = DevFailed.of(Reason.DeviceTimedOut,
              `Timeout (${timeoutMs} mS) exceeded on ${operation}; the device may still complete it`, "HTTP sidecar");
            controller.abort(err);
            reject(err);
          }, timeoutMs);
        });
        work.catch(() => undefined); // settled after the deadline: nobody waits for it any more
        return await Promise.race([work, deadline]);
      } finally {
        clearTimeout(timer);
        socket.off("close", onClose);
      }
    },
  };
}

/** A device name from the three path fields of the routes `…/{domain}/{family}/{member}`. */
export function deviceNameOf(p: { readonly domain: string; readonly family: string; readonly member: string }): string {
  return `${p.domain}/${p.family}/${p.member}`;
}
