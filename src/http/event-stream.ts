import type { ServerResponse } from "node:http";
import { Defaults, type DevFailed, type EventRecord } from "../core/index.js";
import type { EventSink, Subscription } from "../server/index.js";
import { eventJson } from "./event-json.js";
import { restErrorOf } from "./rest-errors.js";

/** One event's SSE message, made once for all its SSE subscribers (HubEvent.encoded). */
interface SseMessage {
  /** The `event:` and `id:` lines. */
  readonly head: string;
  /** The `data:` line's JSON, without `missed`. */
  readonly json: string;
  /** The whole message, as written when nothing was missed before it. */
  readonly frame: Buffer;
}

/** HubEvent encoding key of SSE messages. */
const ENCODING_KEY = "sse";

/**
 * The response headers of an event stream. `no-cache` and `x-accel-buffering: no` keep proxies
 * (nginx) from holding events back; `connection: close`: the connection ends with the stream
 * rather than idle in keep-alive, where it would hold up the HTTP server's close.
 */
const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
  connection: "close",
} as const;

function encodeMessage(record: EventRecord, enumLabels: readonly string[]): SseMessage {
  const body = eventJson(record, enumLabels);
  const head = `event: ${body.event}\nid: ${body.sequence}\n`;
  // JSON.stringify escapes line breaks: the data is one line, as SSE needs.
  const json = JSON.stringify(body);
  return { head, json, frame: Buffer.from(`${head}data: ${json}\n\n`, "utf8") };
}

/** The message with `"missed": n` added, for the subscriber whose queue dropped n events before it. */
function withMissed(message: SseMessage, missed: number): Buffer {
  return Buffer.from(`${message.head}data: ${message.json.slice(0, -1)},"missed":${missed}}\n\n`, "utf8");
}

/**
 * One subscription's sink on an HTTP response as Server-Sent Events: the HTTP twin of the gRPC
 * EventStreamWriter (src/grpc/event-stream.ts). Each event is one message `event: <type>`,
 * `id: <sequence>`, `data: <JSON>`, its bytes made once for every SSE subscriber; events are
 * written while the response takes them, and while it does not (the client does not read) the
 * subscription's bounded queue drops its oldest. Heartbeats are comment lines. The server's end
 * (shutdown) is an `event: error` message with the error body, then the end of the response;
 * the client's going away closes the subscription.
 *
 * @internal Used by the event routes.
 */
export class SseEventWriter implements EventSink {
  readonly #res: ServerResponse;
  readonly #onEnd: () => void;
  #subscription: Subscription | undefined;
  #enumLabels: readonly string[] = [];
  #isScheduled = false;
  #isBlocked = false;
  #isEnded = false;
  /** Why the server ended the subscription before the stream started. */
  #endReason: DevFailed | undefined;

  /** `onEnd` is called once when the stream is over, whichever side ended it. */
  constructor(res: ServerResponse, onEnd: () => void) {
    this.#res = res;
    this.#onEnd = onEnd;
  }

  /** Set when the server ended the subscription (shutdown) before `start`: the request's answer. */
  get endReason(): DevFailed | undefined {
    return this.#endReason;
  }

  /**
   * Sends the status and headers, then the events the subscription holds (its first is the
   * current value). `enumLabels` are the attribute's, for DevEnum values. The caller has taken
   * the response over from Fastify (`reply.hijack()`).
   */
  start(subscription: Subscription, enumLabels: readonly string[]): void {
    if (this.#isEnded || this.#res.destroyed) {
      subscription.close();
      this.#finish();
      return;
    }
    this.#subscription = subscription;
    this.#enumLabels = enumLabels;
    // The response's close: the client went away, or the response ended (then #finish is a no-op).
    this.#res.once("close", () => this.#finish());
    this.#res.writeHead(200, SSE_HEADERS);
    // A data-ready stream has no first event: the client learns at once that it is subscribed.
    this.#res.flushHeaders();
    this.#flush();
  }

  wake(): void {
    if (this.#isScheduled || this.#isBlocked || this.#isEnded) return;
    this.#isScheduled = true;
    // After the current turn: pushes made together go out in one write.
    setImmediate(() => {
      this.#isScheduled = false;
      this.#flush();
    });
  }

  heartbeat(timeMs: number): void {
    if (this.#isBlocked || this.#isEnded || this.#subscription === undefined) return;
    this.#write(Buffer.from(`: heartbeat ${timeMs}\n\n`, "utf8"));
  }

  end(reason: DevFailed): void {
    if (this.#isEnded) return;
    if (this.#subscription === undefined) {
      // Not streaming yet: the route answers with the reason as an ordinary error response.
      this.#endReason = reason;
      this.#isEnded = true;
      this.#onEnd();
      return;
    }
    // Written even when the client is slow: the response buffers it and ends after it (a client
    // that stopped reading does not hold up the HTTP server's close: Node drops ended responses).
    this.#res.end(`event: error\ndata: ${JSON.stringify(restErrorOf(reason))}\n\n`, "utf8");
    this.#finish();
  }

  #flush(): void {
    const subscription = this.#subscription;
    if (subscription === undefined) return;
    while (!this.#isBlocked && !this.#isEnded) {
      const batch = subscription.take(Defaults.EVENT_BATCH_MAX);
      if (batch.events.length === 0) return;
      const frames = batch.events.map((event, i) => {
        const message = event.encoded(ENCODING_KEY, (r) => encodeMessage(r, this.#enumLabels));
        return i === 0 && batch.missed > 0 ? withMissed(message, batch.missed) : message.frame;
      });
      this.#write(frames.length === 1 ? frames[0] as Buffer : Buffer.concat(frames));
    }
  }

  #write(chunk: Buffer): void {
    if (this.#res.write(chunk)) return;
    this.#isBlocked = true;
    this.#res.once("drain", () => {
      this.#isBlocked = false;
      this.#flush();
    });
  }

  #finish(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#subscription?.close();
    this.#onEnd();
  }
}
