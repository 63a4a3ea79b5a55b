import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RestRouteOptions } from "./rest-call.js";

/** The admin device over REST (DESIGN §4), under /api/v1/admin. */
export const adminRoutes: FastifyPluginAsyncTypebox<RestRouteOptions> = async (app, opts) => {
  void app;
  void opts;
};
