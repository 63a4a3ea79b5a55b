import {
  ServerInterceptingCall, status, type Deadline, type Metadata, type ServerInterceptingCallInterface,
} from "@grpc/grpc-js";
import type { MethodRecord } from "./grpc-method-record.js";

/** What grpc-js's calls are started with: the next layer's listener (not exported by grpc-js by name). */
type InterceptingListener = Parameters<ServerInterceptingCallInterface["start"]>[0];
/** What grpc-js sends a status with. */
type SentStatus = Parameters<ServerInterceptingCallInterface["sendStatus"]>[0];

function isPastDeadline(deadline: Deadline): boolean {
  return Date.now() >= (deadline instanceof Date ? deadline.getTime() : deadline);
}

/**
 * One call as the metrics interceptor wraps it: it counts into its method's record and passes
 * everything else straight through, and it is its own listener. grpc-js's generic
 * ServerInterceptingCall with a responder and a listener allocates an intercepting listener and
 * about ten closures per call and defers every step through them; this is one object.
 *
 * Time runs from construction (the call's arrival) to the first of: the status we send, or
 * grpc-js's cancel, which also follows a normal end, and counts as DeadlineExceeded when the
 * deadline has passed, else as Canceled.
 *
 * @internal Used by grpc-metrics.ts.
 */
export class MeteredCall extends ServerInterceptingCall implements InterceptingListener {
  readonly #next: ServerInterceptingCallInterface;
  readonly #record: MethodRecord;
  readonly #startMs = performance.now();
  #listener: InterceptingListener | undefined;
  #isEnded = false;

  constructor(next: ServerInterceptingCallInterface, record: MethodRecord) {
    super(next);
    this.#next = next;
    this.#record = record;
    record.started++;
  }

  override start(listener: InterceptingListener): void {
    this.#listener = listener;
    this.#next.start(this);
  }

  override sendMetadata(metadata: Metadata): void {
    this.#next.sendMetadata(metadata);
  }

  override sendMessage(message: unknown, callback: () => void): void {
    this.#record.sent++;
    this.#next.sendMessage(message, callback);
  }

  override sendStatus(sent: SentStatus): void {
    this.#end(sent.code);
    this.#next.sendStatus(sent);
  }

  onReceiveMetadata(metadata: Metadata): void {
    this.#listener!.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    this.#record.received++;
    this.#listener!.onReceiveMessage(message);
  }

  onReceiveHalfClose(): void {
    this.#listener!.onReceiveHalfClose();
  }

  onCancel(): void {
    this.#end(isPastDeadline(this.#next.getDeadline()) ? status.DEADLINE_EXCEEDED : status.CANCELLED);
    this.#listener!.onCancel();
  }

  #end(code: number): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#record.end(code, (performance.now() - this.#startMs) / 1000);
  }
}
