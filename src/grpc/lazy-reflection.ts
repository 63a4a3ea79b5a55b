import type { Server, ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";

type Registrar = Pick<Server, "addService">;

/** The services a ReflectionService adds, by name, with their handlers. */
function servicesOf(reflection: ReflectionService): Map<string, { definition: ServiceDefinition; handlers: UntypedServiceImplementation }> {
  const services = new Map<string, { definition: ServiceDefinition; handlers: UntypedServiceImplementation }>();
  reflection.addToServer({
    addService(definition, handlers) {
      const path = Object.values(definition)[0]?.path ?? "";
      services.set(path.slice(1, path.lastIndexOf("/")), { definition, handlers: handlers as UntypedServiceImplementation });
    },
  });
  return services;
}

/**
 * Adds server reflection (v1 and v1alpha) over `describe()`'s package definition, built on the
 * first reflection call rather than at start-up: @grpc/reflection decodes and indexes every file
 * descriptor, twice (once per version), when constructed, ~60 ms of the server's start-up and
 * memory that stays, for a service a few tools use. The services themselves are added now, from
 * a ReflectionService over nothing, so a server lists and answers them as before.
 *
 * @internal Used by `startGrpcServer`.
 */
export function addLazyReflection(registrar: Registrar, describe: () => PackageDefinition): void {
  let real: ReturnType<typeof servicesOf> | undefined;
  for (const [name, { definition, handlers }] of servicesOf(new ReflectionService({}))) {
    const lazy: UntypedServiceImplementation = {};
    for (const method of Object.keys(handlers)) {
      lazy[method] = (call: unknown, callback?: unknown) => {
        real ??= servicesOf(new ReflectionService(describe()));
        const handler = real.get(name)?.handlers[method] as ((call: unknown, callback?: unknown) => void) | undefined;
        if (handler === undefined) throw new Error(`@grpc/reflection no longer serves ${name}/${method}`);
        handler(call, callback);
      };
    }
    registrar.addService(definition, lazy);
  }
}
