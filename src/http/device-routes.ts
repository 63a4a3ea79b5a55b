import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RestRouteOptions } from "./rest-call.js";

/** Device access in the shape of the Tango REST API v1, under /api/v1/devices. */
export const deviceRoutes: FastifyPluginAsyncTypebox<RestRouteOptions> = async (app, opts) => {
  void app;
  void opts;
};
