import { createRequire } from "node:module";
import type { ValidatorFactory } from "@fastify/ajv-compiler";
import type { SerializerFactory } from "@fastify/fast-json-stringify-compiler";
import type { FastifyServerOptions } from "fastify";

const require = createRequire(import.meta.url);

/** A route validator as Fastify calls it: the result, and the last call's errors on the function. */
interface Validator {
  (data: unknown): unknown;
  errors?: unknown;
}

/** What both Fastify compiler factories are at run time: (schemas, options) → route → function. */
type Factory<F> = (externalSchemas: unknown, options: unknown) => (route: unknown) => F;

/**
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for replies), each
 * route's compiled on the route's first use instead of at start-up. Compiling every route of the
 * sidecar took about half of the server's start-up (~0.4 s here) and ~10 MB of heap, for routes
 * most servers never see called. The compiled functions are the ones Fastify builds by default,
 * from the same schemas and options (but without type coercion for bodies), so requests and
 * replies are checked and written as before;
 * only a broken schema fails at its route's first call rather than at boot (the OpenAPI and route
 * tests call the routes). Ajv and fast-json-stringify themselves load on first use too.
 *
 * @internal Used by `startHttpServer`.
 */
export function lazySchemaCompilers(): NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]> {
  const ajvFactory = once(() => (require("@fastify/ajv-compiler") as () => Factory<Validator>)());
  const serializerFactory = once(() => (require("@fastify/fast-json-stringify-compiler") as () => Factory<(doc: unknown) => string>)());

  const buildValidator: Factory<Validator> = (externalSchemas, options) => {
    const compiler = once(() => ajvFactory()(externalSchemas, options));
    // A JSON body has real types: "5" is not a number there, unlike in a path or a query.
    const bodyCompiler = once(() => ajvFactory()(externalSchemas, withoutCoercion(options)));
    return (route) => lazyValidator(() => (isBodyRoute(route) ? bodyCompiler() : compiler())(route));
  };
  const buildSerializer: Factory<(doc: unknown) => string> = (externalSchemas, options) => {
    const compiler = once(() => serializerFactory()(externalSchemas, options));
    return (route) => {
      const serialize = once(() => compiler()(route));
      return (doc) => serialize()(doc);
    };
  };
  // The packages' declared types differ from how Fastify calls them (it passes route definitions).
  return {
    buildValidator: buildValidator as unknown as ValidatorFactory,
    buildSerializer: buildSerializer as unknown as SerializerFactory,
  };
}

/** Whether Fastify asks for the validator of a request body (it passes `{ schema, httpPart, … }`). */
function isBodyRoute(route: unknown): boolean {
  return typeof route === "object" && route !== null && (route as { httpPart?: unknown }).httpPart === "body";
}

/** The Ajv options of the sidecar with type coercion off. */
function withoutCoercion(options: unknown): unknown {
  const o = (typeof options === "object" && options !== null ? options : {}) as { customOptions?: object };
  return { ...o, customOptions: { ...o.customOptions, coerceTypes: false } };
}

/** Fastify reads `errors` off the validator after a failed call, as Ajv sets it. */
function lazyValidator(build: () => Validator): Validator {
  const validator = once(build);
  const lazy: Validator = (data) => {
    const validate = validator();
    const result = validate(data);
    lazy.errors = validate.errors;
    return result;
  };
  return lazy;
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
