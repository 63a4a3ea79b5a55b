import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";

/**
 * Route schema key saying that the body may be left out (a command without argin). @fastify/swagger
 * marks every body required; `withOptionalBodies` clears that for the operations carrying it.
 */
export const OPTIONAL_BODY = "x-body-optional";

type OpenApiDocument = Parameters<NonNullable<FastifyDynamicSwaggerOptions["transformObject"]>>[0] extends infer D
  ? D extends { openapiObject: infer O } ? O : never : never;

export function withOptionalBodies(doc: OpenApiDocument): OpenApiDocument {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item ?? {})) {
      if (typeof op !== "object" || op === null || !(OPTIONAL_BODY in op)) continue;
      const body = (op as { requestBody?: { required?: boolean } }).requestBody;
      if (body !== undefined) body.required = false;
    }
  }
  return doc;
}
