import { EventEmitter } from "node:events";
import * as grpc from "@grpc/grpc-js";
import type { CallError, ServerStream } from "../connection.js";
import { callErrorOf } from "./grpc-frames.js";
import type { CallEnd, WireCall } from "./wire-call.js";

/**
 * A server-streaming call of the http2 transport (a WireCall), with the events of grpc-js's ClientReadableStream that
 * the client uses: `data` (each message, decoded), `error` (a status other than OK, CANCELLED
 * after cancel() included, as grpc-js says it), `end` (OK).
 *
 * @internal
 */
export class Http2ServerStream<Res> extends EventEmitter implements ServerStream<Res> {
  #call: WireCall | undefined;
  /** Why the call ended, when this stream ended it (a message it could not decode). */
  #failure: CallEnd | undefined;
  readonly #decode: (bytes: Buffer) => Res;

  constructor(decode: (bytes: Buffer) => Res) {
    super();
    this.#decode = decode;
  }

  /** Binds the stream to its call (made after this object, which receives its messages). */
  attach(call: WireCall): void {
    this.#call = call;
  }

  /** A message of the call, decoded; one that cannot be decoded ends the call INTERNAL. */
  message(bytes: Buffer): void {
    let value: Res;
    try {
      value = this.#decode(bytes);
    } catch (err) {
      this.#failure = { code: grpc.status.INTERNAL, details: `Response message parsing error: ${String(err)}`, metadata: new grpc.Metadata() };
      this.#call?.cancel();
      return;
    }
    this.emit("data", value);
  }

  /** The call ended. */
  ended(call: CallEnd): void {
    const end = this.#failure ?? call;
    if (end.code === grpc.status.OK) this.emit("end");
    else if (this.listenerCount("error") > 0) this.emit("error", callErrorOf(end.code, end.details, end.metadata) satisfies CallError);
    this.emit("status", end);
  }

  /** Ends the call (RST_STREAM CANCEL); an `error` CANCELLED follows, as with grpc-js. */
  cancel(): void {
    this.#call?.cancel();
  }

  /** Stops reading: the server's flow-control window fills and it waits. */
  pause(): this {
    this.#call?.pause();
    return this;
  }

  /** Reads again after pause(). */
  resume(): this {
    this.#call?.resume();
    return this;
  }
}
