import * as grpc from "@grpc/grpc-js";

/*
 * gRPC's length-prefixed messages (gRPC over HTTP/2, "Length-Prefixed-Message"), as the client's
 * and the server's own transports read and write them.
 */

/** A message the stream cannot take: the call ends with this status. */
export class MessageError extends Error {
  override readonly name = "MessageError";

  constructor(readonly code: grpc.status, readonly details: string) {
    super(details);
  }
}

/** Bytes of gRPC's message prefix: a compression flag and a big-endian uint32 length. */
export const MESSAGE_PREFIX_BYTES = 5;

/** The 5-byte prefix of an uncompressed message of `length` bytes. */
function prefixOf(length: number): Buffer {
  const prefix = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES);
  prefix[0] = 0;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/** One uncompressed gRPC message as the buffers to send, prefix and message, uncopied (the stream joins them into its frames). */
export function framesOf(message: Buffer): readonly Buffer[] {
  return message.length === 0 ? [prefixOf(0)] : [prefixOf(message.length), message];
}

/**
 * Cuts the DATA of a gRPC stream into messages, whatever the frames: a message may span chunks
 * and a chunk may hold several. A message that fits one chunk is a view of it, not a copy.
 * Throws a MessageError for a message over `maxMessageBytes` (RESOURCE_EXHAUSTED, in grpc-js's
 * words) or a compressed one (neither side asks for compression).
 */
export class MessageReader {
  readonly #maxMessageBytes: number;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  /** The length of the message being read, once its prefix is in; -1 before. */
  #length = -1;

  constructor(maxMessageBytes: number) {
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Bytes received that are not a whole message yet. */
  get pendingBytes(): number {
    return this.#buffered;
  }

  /** Takes a chunk of DATA; returns the messages it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (this.#buffered === 0 && this.#length < 0) {
      // The common case: whole messages in one chunk, no copy.
      let offset = 0;
      while (chunk.length - offset >= MESSAGE_PREFIX_BYTES) {
        const length = this.#lengthAt(chunk, offset);
        if (chunk.length - offset - MESSAGE_PREFIX_BYTES < length) break;
        out.push(chunk.subarray(offset + MESSAGE_PREFIX_BYTES, offset + MESSAGE_PREFIX_BYTES + length));
        offset += MESSAGE_PREFIX_BYTES + length;
      }
      if (offset === chunk.length) return out;
      chunk = chunk.subarray(offset);
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#length < 0) {
        if (this.#buffered < MESSAGE_PREFIX_BYTES) return out;
        const head = this.#take(MESSAGE_PREFIX_BYTES);
        this.#length = this.#lengthAt(head, 0);
      }
      if (this.#buffered < this.#length) return out;
      out.push(this.#take(this.#length));
      this.#length = -1;
    }
  }

  #lengthAt(bytes: Buffer, offset: number): number {
    const flag = bytes[offset];
    const length = bytes.readUInt32BE(offset + 1);
    if (flag !== 0) {
      throw new MessageError(grpc.status.INTERNAL, "Received compressed message but \"grpc-encoding\" header was identity");
    }
    if (length > this.#maxMessageBytes) {
      throw new MessageError(grpc.status.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${this.#maxMessageBytes})`);
    }
    return length;
  }

  /** The next `n` buffered bytes (a view when they lie in one chunk). */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    // Where grpc-js puts a message, after its 5-byte prefix: the sender aligned large arrays for that (aligned-raw.ts).
    const out = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES + n).subarray(MESSAGE_PREFIX_BYTES);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0] as Buffer;
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}

