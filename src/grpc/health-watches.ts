import { status, type Server, type ServerWritableStream, type UntypedServiceImplementation } from "@grpc/grpc-js";

/** A grpc.health.v1.Health/Watch call in progress. */
export type HealthWatch = ServerWritableStream<unknown, unknown>;

/**
 * A registrar for grpc-health-check's `addToServer` that notes every Watch call in `watches`
 * until it ends. grpc-health-check never ends a Watch stream itself, so an open watch would hold
 * a server's graceful shutdown for its whole grace period.
 */
export function trackHealthWatches(registrar: Pick<Server, "addService">, watches: Set<HealthWatch>): Pick<Server, "addService"> {
  return {
    addService(service, implementation) {
      const watch = implementation.watch;
      if (typeof watch !== "function") {
        registrar.addService(service, implementation);
        return;
      }
      const tracked: UntypedServiceImplementation = {
        ...implementation,
        watch: (call: HealthWatch) => {
          watches.add(call);
          const forget = (): void => { watches.delete(call); };
          call.once("cancelled", forget);
          call.once("finish", forget);
          (watch as (call: HealthWatch) => void)(call);
        },
      };
      registrar.addService(service, tracked);
    },
  };
}

/**
 * Ends every Watch stream with UNAVAILABLE "the server is shutting down", after the NOT_SERVING
 * status already written to it: a watcher learns both, and the server need not wait for it.
 */
export function closeHealthWatches(watches: Set<HealthWatch>): void {
  for (const call of watches) call.emit("error", { code: status.UNAVAILABLE, details: "the server is shutting down" });
  watches.clear();
}
