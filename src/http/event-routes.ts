import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { DevFailed, EVENT_NAMES, EventType, TangoErrors } from "../core/index.js";
import type { CallContext, RequestApi, Subscription } from "../server/index.js";
import { AttributeParams, DeviceParams } from "./device-schemas.js";
import { SseEventWriter } from "./event-stream.js";
import { deviceNameOf, type RestRouteOptions } from "./rest-call.js";
import { HttpProblem, HttpReason, RestErrorBody } from "./rest-errors.js";

const ORIGIN = "HTTP sidecar (event routes)";
const TAGS = ["devices"];
const DEVICE = "/devices/:domain/:family/:member";

/** The event types an attribute's stream may carry (quality and pipe events are not served: spec §12). */
const ATTRIBUTE_EVENT_TYPES = [
  EventType.CHANGE_EVENT, EventType.PERIODIC_EVENT, EventType.ARCHIVE_EVENT, EventType.USER_EVENT,
  EventType.ATTR_CONF_EVENT, EventType.DATA_READY_EVENT, EventType.ALARM_EVENT,
] as const;
/** Types whose events carry an attribute value (DevEnum values are written as labels). */
const VALUE_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  EventType.CHANGE_EVENT, EventType.PERIODIC_EVENT, EventType.ARCHIVE_EVENT, EventType.USER_EVENT, EventType.ALARM_EVENT,
]);
const TYPE_BY_NAME: ReadonlyMap<string, EventType> = new Map(ATTRIBUTE_EVENT_TYPES.map((t) => [EVENT_NAMES[t], t]));
const INTERFACE_CHANGE = EVENT_NAMES[EventType.INTERFACE_CHANGE_EVENT];

const AttributeEventsQuery = Type.Object({
  type: Type.Optional(Type.String({
    enum: ATTRIBUTE_EVENT_TYPES.map((t) => EVENT_NAMES[t]), default: EVENT_NAMES[EventType.CHANGE_EVENT],
    description: "the event type, by its Tango wire name",
  })),
}, { additionalProperties: false });
const DeviceEventsQuery = Type.Object({
  type: Type.Optional(Type.String({ enum: [INTERFACE_CHANGE], default: INTERFACE_CHANGE, description: "the event type: only intr_change" })),
}, { additionalProperties: false });

const MESSAGE_DOC = "Server-Sent Events, one message per event: `event: <type>`, `id: <sequence>`, `data: <one line of JSON>`. "
  + "The JSON is {device, attribute, event, sequence, time (ms since the Unix epoch)} and one of: value (as GET …/attributes/{attr}/value "
  + "answers), errors (the failed read's stack, root cause first), config (as GET …/attributes/{attr}/info shows it), "
  + "dataReady {dataType, counter}, interfaceChange {commands, attributes, deviceStarted}; plus missed: n when this "
  + "subscriber's queue dropped n events before it. The first event is the current value (configuration, interface); "
  + "data_ready has none. Heartbeats are comment lines `: heartbeat <ms>`. When the server shuts down: `event: error` "
  + "with {\"errors\":[…]}, then the end of the stream.";

/** The 200 response of an event stream, for OpenAPI (the stream is written by hand, not serialized). */
const EVENT_STREAM_RESPONSE = {
  description: "the event stream",
  content: {
    "text/event-stream": {
      schema: Type.String({ description: "Server-Sent Events: per event `event: <type>`, `id: <sequence>`, `data: <JSON>`; heartbeat comments" }),
    },
  },
};

/** Error responses as JSON: the route `produces` text/event-stream, which its errors are not. */
function jsonErrorResponses(...codes: readonly number[]): Record<number, object> {
  const out: Record<number, object> = {};
  for (const c of codes) out[c] = { description: "the request was refused", content: { "application/json": { schema: RestErrorBody } } };
  return out;
}

/**
 * The attribute's enum labels, for events that carry values: a DevEnum value is written as its
 * label, as `GET …/value` does. One get_attribute_config per subscription (in the blackbox with
 * the subscription); the labels are those of subscription time.
 */
async function enumLabelsOf(api: RequestApi, ctx: CallContext, device: string, subscription: Subscription): Promise<readonly string[]> {
  if (!VALUE_EVENT_TYPES.has(subscription.eventType)) return [];
  const [config] = await api.getAttributeConfig(ctx, device, [subscription.attribute]);
  return config?.enumLabels ?? [];
}

/**
 * Tango events as Server-Sent Events (DESIGN §9, the HTTP twin of gRPC Subscribe): one stream
 * per subscription, read-protected like the other GET device routes. A refusal is an ordinary
 * error response before any stream; once accepted the response is taken over from Fastify and
 * written by an SseEventWriter until the client leaves or the server ends it.
 */
export const eventRoutes: FastifyPluginAsyncTypebox<RestRouteOptions> = async (app, opts) => {
  const { api, auth, call } = opts;
  app.addHook("onRequest", auth.onRequest);
  const errors = (...codes: number[]): Record<number, object> => jsonErrorResponses(...codes, ...auth.readAuthErrors);

  const open = new Set<SseEventWriter>();
  // Fastify closes its server after preClose and waits for every response: streams still open
  // then (the device server normally ended them already, at its shutdown) end here.
  app.addHook("preClose", async () => {
    for (const writer of [...open]) writer.end(TangoErrors.shutdownInProgress());
  });

  /** Subscribes, then streams; a refusal rejects before anything is written. */
  const stream = async (request: FastifyRequest, reply: FastifyReply, device: string, attribute: string, type: EventType): Promise<void> => {
    const writer = new SseEventWriter(reply.raw, () => open.delete(writer));
    open.add(writer);
    try {
      const what = `device ${device}, ${attribute === "" ? "" : `attribute ${attribute}, `}${EVENT_NAMES[type]} events`;
      const { subscription, enumLabels } = await call.run(request, what, async (ctx) => {
        // The deadline passed or the client left: nobody will read the subscription.
        const checkWanted = (): void => {
          if (ctx.signal?.aborted === true) throw DevFailed.from(ctx.signal.reason, ORIGIN);
        };
        const subscription = await api.subscribeEvent(ctx, device, attribute, type, writer);
        try {
          checkWanted();
          const enumLabels = await enumLabelsOf(api, ctx, device, subscription);
          checkWanted();
          return { subscription, enumLabels };
        } catch (err) {
          subscription.close();
          throw err;
        }
      });
      const shutdown = writer.endReason;
      if (shutdown !== undefined) {
        subscription.close();
        throw shutdown;
      }
      reply.hijack();
      writer.start(subscription, enumLabels);
    } catch (err) {
      open.delete(writer);
      throw err;
    }
  };

  app.get(`${DEVICE}/attributes/:attr/events`, {
    // A HEAD twin would subscribe and stream nothing.
    exposeHeadRoute: false,
    schema: {
      tags: TAGS, operationId: "streamAttributeEvents", ...auth.readSecurity, produces: ["text/event-stream"],
      summary: "Streams an attribute's events (change, periodic, archive, …) as Server-Sent Events",
      description: "Subscribes to one event type of the attribute, as a Tango client's subscribe_event, and streams the events until "
        + "the client closes the connection. Refusals (unknown attribute, API_AttributePollingNotStarted, "
        + `API_EventPropertiesNotSet) are JSON error responses before any stream. ${MESSAGE_DOC}`,
      params: AttributeParams, querystring: AttributeEventsQuery,
      response: { 200: EVENT_STREAM_RESPONSE, ...errors(400, 404, 503) },
    },
  }, async (request, reply) => {
    const name = request.query.type ?? EVENT_NAMES[EventType.CHANGE_EVENT];
    const type = TYPE_BY_NAME.get(name);
    if (type === undefined) {
      throw new HttpProblem(400, HttpReason.BadRequest, `Unknown event type ${name}; the types are ${[...TYPE_BY_NAME.keys()].join(", ")}`, ORIGIN);
    }
    await stream(request, reply, deviceNameOf(request.params), request.params.attr, type);
  });

  app.get(`${DEVICE}/events`, {
    exposeHeadRoute: false,
    schema: {
      tags: TAGS, operationId: "streamDeviceEvents", ...auth.readSecurity, produces: ["text/event-stream"],
      summary: "Streams the device's interface-change events as Server-Sent Events",
      description: "Subscribes to the device's interface-change events (intr_change): the first is the current interface, then one "
        + `each time commands or attributes are added or removed, or Init changed them. ${MESSAGE_DOC}`,
      params: DeviceParams, querystring: DeviceEventsQuery,
      response: { 200: EVENT_STREAM_RESPONSE, ...errors(400, 404, 503) },
    },
  }, async (request, reply) => {
    const name = request.query.type ?? INTERFACE_CHANGE;
    if (name !== INTERFACE_CHANGE) {
      throw new HttpProblem(400, HttpReason.BadRequest, `Unknown device event type ${name}; a device has only ${INTERFACE_CHANGE}`, ORIGIN);
    }
    await stream(request, reply, deviceNameOf(request.params), "", EventType.INTERFACE_CHANGE_EVENT);
  });
};
