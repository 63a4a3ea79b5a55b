import type { ServerWritableStream } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { EVENT_BATCH_MAX } from "../core/defaults.js";
import { DevFailed, EventType, Reason, type DevFailed as DevFailedType } from "../core/index.js";
import type { CallContext, EventSink, RequestApi, Subscription } from "../server/index.js";
import { encodeEventPart, encodeHeartbeat, encodeMissedPart, encodeSubscribedPart } from "./event-frames.js";
import { toGrpcStatus } from "./status.js";
import type { WritePacer } from "./write-pacing.js";
import type { WireSubscribeRequest } from "./wire-messages.js";
import { ArrayEncoding } from "./wire-types.js";

const ORIGIN = "tango.v1.Device/Subscribe";

/** What a Subscribe handler is given besides the call. */
export interface SubscribeContext {
  readonly api: RequestApi;
  readonly ctx: CallContext;
  readonly log: Logger;
  /** When to write (shared by the server's streams). */
  readonly pacer: WritePacer;
  /** Called once the call has ended, however (for the call's context). */
  readonly onEnd: () => void;
}

function requestError(desc: string, reason: string = Reason.InvalidArgs): DevFailedType {
  return DevFailed.of(reason, desc, ORIGIN);
}

/**
 * One Subscribe call (tango.v1.Device/Subscribe): the subscription's sink on a gRPC server stream.
 * Events are written when the stream can take them, as many as the subscription holds per
 * message (up to EVENT_BATCH_MAX), each event's bytes encoded once for all its subscribers; while
 * the client does not read (the stream's buffer is full), nothing more is written and the
 * subscription's bounded queue drops its oldest events. A refusal ends the call before any
 * message, with the DevFailed as its status; a server shutdown ends it with UNAVAILABLE.
 *
 * @internal Used by the device service.
 */
export class EventStreamWriter implements EventSink {
  readonly #call: ServerWritableStream<WireSubscribeRequest, Buffer>;
  readonly #c: SubscribeContext;
  readonly #encoding: ArrayEncoding;
  readonly #encodingKey: string;
  #subscription: Subscription | undefined;
  #isScheduled = false;
  /** Set while a paced write waits (WritePacer). */
  #pacedTimer: NodeJS.Timeout | undefined;
  /** When the last message was written (performance.now()). */
  #lastWriteMs = -Infinity;
  #isBlocked = false;
  #isEnded = false;
  /** The first message carries the `subscribed` part. */
  #subscribedPart: Buffer | undefined;

  constructor(call: ServerWritableStream<WireSubscribeRequest, Buffer>, c: SubscribeContext) {
    this.#call = call;
    this.#c = c;
    this.#encoding = call.request.array_encoding === ArrayEncoding.BYTES ? ArrayEncoding.BYTES : ArrayEncoding.PACKED;
    this.#encodingKey = `grpc:${this.#encoding}`;
  }

  /** Checks the request and subscribes; the stream is then served until it ends. Never throws. */
  start(): void {
    const req = this.#call.request;
    this.#call.once("cancelled", () => this.#finish());
    if (req.device.length === 0) {
      this.#fail(requestError("The request names no device (field `device` is empty)", Reason.WrongDeviceNameSyntax));
      return;
    }
    if (!(req.event_type in EventType)) {
      this.#fail(requestError(`Unknown event type ${req.event_type}`));
      return;
    }
    // Both outcomes are handled: a refusal becomes the call's status.
    this.#c.api.subscribeEvent(this.#c.ctx, req.device, req.attribute, req.event_type as EventType, this).then(
      (subscription) => {
        if (this.#isEnded) {
          subscription.close();
          return;
        }
        this.#subscription = subscription;
        this.#subscribedPart = encodeSubscribedPart(subscription.heartbeatMs, subscription.queueDepth);
        this.#flush();
      },
      (err: unknown) => this.#fail(err),
    );
  }

  wake(pending: number): void {
    if (this.#isBlocked || this.#isEnded) return;
    if (this.#isScheduled) {
      // A full batch waits: write it now rather than at the paced time.
      if (this.#pacedTimer !== undefined && pending >= (this.#subscription?.fullBatch ?? EVENT_BATCH_MAX)) {
        clearTimeout(this.#pacedTimer);
        this.#pacedTimer = undefined;
        setImmediate(this.#scheduledFlush);
      }
      return;
    }
    this.#isScheduled = true;
    // After the current turn at least: pushes made together go out in one message; later when
    // this stream wrote very recently or the server is busy (WritePacer).
    const delayMs = this.#c.pacer.delayMs(performance.now() - this.#lastWriteMs);
    if (delayMs <= 0) setImmediate(this.#scheduledFlush);
    else this.#pacedTimer = setTimeout(this.#scheduledFlush, delayMs);
  }

  readonly #scheduledFlush = (): void => {
    this.#isScheduled = false;
    this.#pacedTimer = undefined;
    this.#flush();
  };

  heartbeat(timeMs: number): void {
    if (this.#isBlocked || this.#isEnded || this.#subscription === undefined) return;
    this.#write(encodeHeartbeat(timeMs));
  }

  end(reason: DevFailedType): void {
    this.#fail(reason);
  }

  #flush(): void {
    const subscription = this.#subscription;
    if (subscription === undefined) return;
    while (!this.#isBlocked && !this.#isEnded) {
      const batch = subscription.take(EVENT_BATCH_MAX);
      const first = this.#subscribedPart;
      if (batch.events.length === 0 && first === undefined) return;
      const parts: Buffer[] = [];
      if (first !== undefined) parts.push(first);
      this.#subscribedPart = undefined;
      for (const event of batch.events) parts.push(event.encoded(this.#encodingKey, (r) => encodeEventPart(r, this.#encoding)));
      if (batch.missed > 0) parts.push(encodeMissedPart(batch.missed));
      this.#write(parts.length === 1 ? parts[0] as Buffer : Buffer.concat(parts));
    }
  }

  #write(message: Buffer): void {
    this.#lastWriteMs = performance.now();
    if (this.#call.write(message)) return;
    this.#isBlocked = true;
    this.#call.once("drain", () => {
      this.#isBlocked = false;
      this.#flush();
    });
  }

  /** Ends the call with an error status (a refusal, the shutdown). */
  #fail(err: unknown): void {
    if (this.#isEnded) return;
    this.#call.emit("error", toGrpcStatus(err, this.#c.log));
    this.#finish();
  }

  #finish(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#subscription?.close();
    this.#c.onEnd();
  }
}
