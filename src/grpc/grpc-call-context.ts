import type { ServerUnaryCall } from "@grpc/grpc-js";

/** What the context needs of a call, unary or streaming: its cancellation. */
type CancellableCall = Pick<ServerUnaryCall<unknown, unknown>, "cancelled" | "once" | "off">;
import type { CallContext, ClientIdentity, Connection, Principal } from "../server/index.js";
import type { ConnectionTracker } from "./connection-tracker.js";

/**
 * The CallContext of one gRPC call. Its `signal` (aborted when the client cancels, which grpc-js
 * also does when the deadline passes) is made on first use: an AbortSignal costs ~10 µs to build
 * here, more than the rest of a typical request's own work, and most requests never look at it.
 *
 * @internal Used by the device service.
 */
export class GrpcCallContext implements CallContext {
  readonly transport = "grpc";
  readonly client: ClientIdentity;
  readonly principal: Principal | undefined;
  readonly #call: CancellableCall;
  readonly #connections: ConnectionTracker | undefined;
  #controller: AbortController | undefined;
  #onCancelled: (() => void) | undefined;

  constructor(call: CancellableCall, client: ClientIdentity, principal?: Principal, connections?: ConnectionTracker) {
    this.#call = call;
    this.client = client;
    this.principal = principal;
    this.#connections = connections;
  }

  /** The connection the call came on, looked up by its peer only when asked (LockDevice does). */
  get connection(): Connection | undefined {
    return this.#connections?.find(this.client.peer);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#call.cancelled) controller.abort();
      else this.#call.once("cancelled", (this.#onCancelled = () => controller.abort()));
    }
    return this.#controller.signal;
  }

  /** The call has ended: stop listening for its cancellation. */
  end(): void {
    if (this.#onCancelled !== undefined) this.#call.off("cancelled", this.#onCancelled);
  }
}
