/*
 * HTTP/2's frames (RFC 9113 §4 and §6) as our own sessions write and read them, the client's
 * (src/client/transport/wire-session.ts) and the server's (src/grpc/h2/): the 9-byte frame
 * header, the frame types, flags, settings and error codes they use.
 */

/** A frame the peer should not have sent: a connection error (RFC 9113 §5.4.1), ended with GOAWAY. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";

  /** The HTTP/2 error code the GOAWAY carries. */
  constructor(message: string, readonly code: number = ErrorCode.PROTOCOL_ERROR) {
    super(message);
  }
}

/** A header block that cannot be decoded: a connection error COMPRESSION_ERROR (RFC 7540 §4.3), raised by HPACK (hpack.ts, huffman.ts). */
export class HpackError extends Error {
  override readonly name = "HpackError";
}

/** Bytes of a frame header: a 24-bit length, the type, the flags and a 31-bit stream id. */
export const FRAME_HEADER_BYTES = 9;

/** The client connection preface (RFC 9113 §3.4), before the client's first SETTINGS. */
export const CONNECTION_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** The initial flow-control window of a stream and of the connection (RFC 9113 §6.9.2). */
export const DEFAULT_WINDOW_BYTES = 65_535;

/** The largest frame payload a peer accepts until it says otherwise (SETTINGS_MAX_FRAME_SIZE). */
export const DEFAULT_MAX_FRAME_BYTES = 16_384;

/** The largest window or window increment (RFC 9113 §6.9.1). */
export const MAX_WINDOW_BYTES = 2 ** 31 - 1;

/**
 * DATA shorter than this is copied into the buffer of its frame header; longer DATA is written as
 * it is, after its header (the sessions cork their writes, so it still leaves in one system call).
 */
export const DATA_COPY_LIMIT_BYTES = 4 * 1024;

export const FrameType = {
  DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7,
  WINDOW_UPDATE: 8, CONTINUATION: 9,
} as const;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

export const Setting = {
  HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5,
  MAX_HEADER_LIST_SIZE: 6,
} as const;

/** HTTP/2's error codes (RFC 9113 §7), the values of RST_STREAM and GOAWAY. */
export const ErrorCode = {
  NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, SETTINGS_TIMEOUT: 4, STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6, REFUSED_STREAM: 7, CANCEL: 8, COMPRESSION_ERROR: 9, CONNECT_ERROR: 10,
  ENHANCE_YOUR_CALM: 11, INADEQUATE_SECURITY: 12, HTTP_1_1_REQUIRED: 13,
} as const;

/** Writes a frame header at `offset` of `out`. */
export function putFrameHeader(out: Buffer, offset: number, length: number, type: number, flags: number, streamId: number): void {
  out[offset] = (length >>> 16) & 0xff;
  out[offset + 1] = (length >>> 8) & 0xff;
  out[offset + 2] = length & 0xff;
  out[offset + 3] = type;
  out[offset + 4] = flags;
  out.writeUInt32BE(streamId, offset + 5);
}

/** One frame with its payload, as a new buffer. */
export function frameOf(type: number, flags: number, streamId: number, payload?: Buffer): Buffer {
  const length = payload?.length ?? 0;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  putFrameHeader(out, 0, length, type, flags, streamId);
  payload?.copy(out, FRAME_HEADER_BYTES);
  return out;
}

/** A frame whose payload is one 32-bit value (RST_STREAM's code, WINDOW_UPDATE's increment). */
export function frameOfUint32(type: number, streamId: number, value: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  putFrameHeader(out, 0, 4, type, 0, streamId);
  out.writeUInt32BE(value, FRAME_HEADER_BYTES);
  return out;
}

/** A SETTINGS frame of `[id, value]` pairs. */
export function settingsFrameOf(settings: readonly (readonly [number, number])[]): Buffer {
  const payload = Buffer.allocUnsafe(6 * settings.length);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, 6 * i);
    payload.writeUInt32BE(value, 6 * i + 2);
  });
  return frameOf(FrameType.SETTINGS, 0, 0, payload);
}

/** A GOAWAY frame: the last stream id processed and the error code. */
export function goawayFrameOf(lastStreamId: number, code: number): Buffer {
  const payload = Buffer.allocUnsafe(8);
  payload.writeUInt32BE(lastStreamId, 0);
  payload.writeUInt32BE(code, 4);
  return frameOf(FrameType.GOAWAY, 0, 0, payload);
}

/** A header block as HEADERS, then CONTINUATION frames for what is beyond `maxFrame` bytes. */
export function headerFramesOf(block: Buffer, streamId: number, endStream: boolean, maxFrame: number): Buffer {
  const parts = Math.max(1, Math.ceil(block.length / maxFrame));
  const out = Buffer.allocUnsafe(parts * FRAME_HEADER_BYTES + block.length);
  let at = 0;
  for (let i = 0; i < parts; i++) {
    const piece = block.subarray(i * maxFrame, Math.min(block.length, (i + 1) * maxFrame));
    const flags = (i === 0 && endStream ? Flag.END_STREAM : 0) | (i === parts - 1 ? Flag.END_HEADERS : 0);
    putFrameHeader(out, at, piece.length, i === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, flags, streamId);
    piece.copy(out, at + FRAME_HEADER_BYTES);
    at += FRAME_HEADER_BYTES + piece.length;
  }
  return out;
}

/** A frame's payload less its padding (PADDED flag) and HEADERS's priority fields; undefined when malformed. */
export function unpadded(payload: Buffer, flags: number, type: number): Buffer | undefined {
  let start = 0;
  let end = payload.length;
  if ((flags & Flag.PADDED) !== 0) {
    if (payload.length < 1) return undefined;
    start = 1;
    end -= payload[0]!;
  }
  if (type === FrameType.HEADERS && (flags & Flag.PRIORITY) !== 0) start += 5;
  return start > end ? undefined : payload.subarray(start, end);
}
