import { performance, type EventLoopUtilization } from "node:perf_hooks";

/** How often the process's load is sampled, ms. */
const SAMPLE_MS = 50;
/** Above this share of time busy, writers wait and write more at a time. */
const BUSY_UTILIZATION = 0.7;
/** How long a writer waits under load: one message then carries what this time brings. */
export const BUSY_WRITE_DELAY_MS = 4;
/** The least time between two messages of one stream, ms: faster events share messages. */
export const STREAM_WRITE_GAP_MS = 1;

/**
 * When event streams should write (DESIGN §8: grpc-js costs about 10 µs of server time per
 * message whatever its size, and a few µs of the client's). An idle server writes each event at
 * once, so latency stays low, but a stream writes at most one message per STREAM_WRITE_GAP_MS:
 * events faster than that share messages, which spares the client as much as the server. A
 * busy server (its event loop more than 70 % utilised over the last 50 ms) lets each stream
 * gather BUSY_WRITE_DELAY_MS of events into one message, so that a hundred subscribers cost a
 * hundred messages every few milliseconds instead of one per event each.
 *
 * @internal One per gRPC server.
 */
export class WritePacer {
  #last: EventLoopUtilization = performance.eventLoopUtilization();
  #sampledAt = performance.now();
  #isBusy = false;

  /** How long a stream with new events, which last wrote `sinceLastWriteMs` ago, should wait before writing them, ms (0: now). */
  delayMs(sinceLastWriteMs: number): number {
    const now = performance.now();
    if (now - this.#sampledAt >= SAMPLE_MS) {
      const current = performance.eventLoopUtilization();
      this.#isBusy = performance.eventLoopUtilization(current, this.#last).utilization > BUSY_UTILIZATION;
      this.#last = current;
      this.#sampledAt = now;
    }
    return Math.max(this.#isBusy ? BUSY_WRITE_DELAY_MS : 0, STREAM_WRITE_GAP_MS - sinceLastWriteMs);
  }
}
