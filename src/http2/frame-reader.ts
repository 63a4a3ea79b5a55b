import { ErrorCode, FRAME_HEADER_BYTES, ProtocolError } from "./frames.js";

/** Takes one whole frame; returns false to stop reading (the session ended). */
export type FrameHandler = (type: number, flags: number, streamId: number, payload: Buffer) => boolean;

/**
 * Cuts a socket's bytes into HTTP/2 frames (RFC 9113 §4.1). A frame cut by the socket waits for
 * its rest, which is joined alone: the chunk's remaining frames are read in place, not copied.
 *
 * @internal Used by the client's and the server's sessions.
 */
export class FrameReader {
  /** Received bytes not yet in a whole frame. */
  #pending: Buffer | undefined;
  /** The largest payload accepted (our SETTINGS_MAX_FRAME_SIZE); a longer frame is a ProtocolError. */
  readonly #maxPayloadBytes: number;

  constructor(maxPayloadBytes = 2 ** 24 - 1) {
    this.#maxPayloadBytes = maxPayloadBytes;
  }

  /** Hands every whole frame of `chunk` (after what was pending) to `onFrame`, in order. */
  push(chunk: Buffer, onFrame: FrameHandler): void {
    let data = chunk;
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      const needed = pending.length >= FRAME_HEADER_BYTES
        ? FRAME_HEADER_BYTES + ((pending[0]! << 16) | (pending[1]! << 8) | pending[2]!) - pending.length
        : FRAME_HEADER_BYTES - pending.length;
      if (chunk.length <= needed || pending.length < FRAME_HEADER_BYTES) data = Buffer.concat([pending, chunk]);
      else {
        if (!this.#frames(Buffer.concat([pending, chunk.subarray(0, needed)]), onFrame)) return;
        data = chunk.subarray(needed);
      }
    }
    this.#frames(data, onFrame);
  }

  /** Reads the frames of `data`, keeping a partial one; false when `onFrame` stopped the reading. */
  #frames(data: Buffer, onFrame: FrameHandler): boolean {
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_BYTES) {
      const length = (data[offset]! << 16) | (data[offset + 1]! << 8) | data[offset + 2]!;
      if (length > this.#maxPayloadBytes) throw new ProtocolError(`a frame of ${length} bytes, above SETTINGS_MAX_FRAME_SIZE ${this.#maxPayloadBytes}`, ErrorCode.FRAME_SIZE_ERROR);
      if (data.length - offset - FRAME_HEADER_BYTES < length) break;
      const type = data[offset + 3]!;
      const flags = data[offset + 4]!;
      const streamId = data.readUInt32BE(offset + 5) & 0x7fffffff;
      const payload = data.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length);
      offset += FRAME_HEADER_BYTES + length;
      if (!onFrame(type, flags, streamId, payload)) return false;
    }
    if (offset < data.length) {
      // A frame header over our limit is refused before its payload is buffered.
      if (data.length - offset >= 3) {
        const length = (data[offset]! << 16) | (data[offset + 1]! << 8) | data[offset + 2]!;
        if (length > this.#maxPayloadBytes) throw new ProtocolError(`a frame of ${length} bytes, above SETTINGS_MAX_FRAME_SIZE ${this.#maxPayloadBytes}`, ErrorCode.FRAME_SIZE_ERROR);
      }
      this.#pending = offset === 0 ? data : data.subarray(offset);
    }
    return true;
  }
}
