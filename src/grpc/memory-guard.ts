import { getHeapStatistics } from "node:v8";
import { DevFailed, Reason } from "../core/index.js";
import { DECODE_COST_FACTOR, MEMORY_GUARD_MIN_REQUEST_BYTES } from "../core/defaults.js";

/*
 * The server-wide memory guard (`limits.maxHeapBytes`): a large request is refused with
 * API_MemoryAllocation (RESOURCE_EXHAUSTED) when decoding it could take the process past the
 * configured memory, instead of growing until the container is killed. The memory counted is
 * the V8 heap in use plus the memory of Buffers and typed arrays (`external`), which is where
 * large values live. It also keeps grpc-js's receive limit at what the headroom allows, so that
 * an oversized request is refused from its 5-byte length prefix, before grpc-js buffers it twice
 * (once in chunks, once joined).
 */

/** What the guard needs; tests inject `memoryInUse`. */
export interface MemoryGuardOptions {
  /** The memory not to pass, bytes. */
  readonly maxHeapBytes: number;
  /** The largest message the server accepts at all (`grpc.maxMessageBytes`). */
  readonly maxMessageBytes: number;
  /** Memory in use now, bytes; defaults to V8's used heap plus external memory. */
  readonly memoryInUse?: () => number;
}

/** The smallest receive limit the guard sets: small requests always get through, to say why. */
const MIN_RECEIVE_LIMIT_BYTES = 4 * 1024 * 1024;

/** V8's own figures: cheaper than process.memoryUsage(), which also reads the RSS. */
function processMemoryInUse(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/** @internal Used by the request decoder of `startGrpcServer`. */
export class MemoryGuard {
  readonly #maxHeapBytes: number;
  readonly #maxMessageBytes: number;
  readonly #memoryInUse: () => number;

  constructor(opts: MemoryGuardOptions) {
    this.#maxHeapBytes = opts.maxHeapBytes;
    this.#maxMessageBytes = opts.maxMessageBytes;
    this.#memoryInUse = opts.memoryInUse ?? processMemoryInUse;
  }

  /**
   * The refusal of a request of `bytes` (already received: it is counted in the memory in use),
   * or undefined when it may be decoded. Small requests are never refused.
   */
  check(bytes: number, origin: string): DevFailed | undefined {
    if (bytes < MEMORY_GUARD_MIN_REQUEST_BYTES) return undefined;
    const inUse = this.#memoryInUse();
    const needed = inUse + DECODE_COST_FACTOR * bytes;
    if (needed <= this.#maxHeapBytes) return undefined;
    return DevFailed.of(Reason.MemoryAllocation,
      `Not enough memory to decode a request of ${bytes} bytes: ${mib(inUse)} MiB are in use and the server is limited to ${mib(this.#maxHeapBytes)} MiB (limits.maxHeapBytes)`,
      origin);
  }

  /**
   * The largest request to accept next: what the headroom can take (a received message is held
   * twice while grpc-js joins its chunks), within [MIN_RECEIVE_LIMIT_BYTES, maxMessageBytes].
   */
  receiveLimit(): number {
    const headroom = this.#maxHeapBytes - this.#memoryInUse();
    const fits = Math.floor(headroom / (DECODE_COST_FACTOR + 1));
    return Math.min(this.#maxMessageBytes, Math.max(MIN_RECEIVE_LIMIT_BYTES, fits));
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(0);
}
