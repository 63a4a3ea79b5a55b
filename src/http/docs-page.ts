import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import fastifyPlugin from "fastify-plugin";

/** Where the docs page lives. */
export const DOCS_PREFIX = "/docs";

/**
 * Serves the Swagger UI docs page under DOCS_PREFIX from a Fastify instance of its own, built on
 * the first request to it. Swagger UI brings @fastify/static, its assets and their routes: ~2 MB
 * of RSS for the life of a server that, in a fleet, nobody browses. `app` keeps two hidden routes
 * that hand the request to that instance; it reads the document from `app.swagger()`, so the page
 * always shows the routes `app` has. The instance shares `app`'s logger, gets `prepare`'s error
 * handlers and is closed with `app`.
 */
export function registerDocsPage(app: FastifyInstance, prepare: (docsApp: FastifyInstance) => void): void {
  let docs: Promise<FastifyInstance> | undefined;
  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    docs ??= buildDocsApp(app, prepare).catch((err: unknown) => {
      docs = undefined; // the next request tries again
      throw err;
    });
    const docsApp = await docs;
    void reply.hijack();
    docsApp.routing(request.raw, reply.raw);
  };
  app.get(DOCS_PREFIX, { schema: { hide: true } }, serve);
  app.get(`${DOCS_PREFIX}/*`, { schema: { hide: true } }, serve);
  app.addHook("onClose", async () => {
    const built = docs;
    docs = undefined;
    if (built !== undefined) await (await built.catch(() => undefined))?.close();
  });
}

async function buildDocsApp(app: FastifyInstance, prepare: (docsApp: FastifyInstance) => void): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import("@fastify/swagger-ui");
  const docsApp = Fastify({ loggerInstance: app.log, logController: new LogController({ disableRequestLogging: true }) });
  prepare(docsApp);
  // Swagger UI needs @fastify/swagger's `swagger()`; here it is `app`'s.
  await docsApp.register(fastifyPlugin(async (instance) => {
    instance.decorate("swagger", app.swagger.bind(app));
  }, { name: "@fastify/swagger" }));
  await docsApp.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  await docsApp.ready();
  return docsApp;
}
