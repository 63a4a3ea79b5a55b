import {
  DevFailed, MultiDevFailed, truncateUtf8, type DevError, type NamedDevError,
} from "../core/index.js";
import {
  MAX_ERROR_DESC_BYTES, MAX_ERROR_ELEMENTS, MAX_ERROR_FIELD_BYTES, MAX_ERROR_FRAMES, MAX_NAME_BYTES,
  QUOTED_NAME_BYTES,
} from "../core/defaults.js";

/*
 * Error stacks cut to a size that always fits in trailers. A description may echo anything a
 * client sent (a 60,000-byte device name) or anything device code wrote; grpc-js puts the status
 * message and the base64 `grpc-status-details-bin` in one HTTP/2 header block, and a block over
 * the peer's limit makes the peer drop the stream, so the call never ends (issue finding 2).
 * Whatever raised the error, it is bounded here, in the one place it becomes trailers.
 */

function boundFrame(e: DevError): DevError {
  return {
    reason: truncateUtf8(e.reason, MAX_ERROR_FIELD_BYTES),
    desc: truncateUtf8(e.desc, MAX_ERROR_DESC_BYTES),
    origin: truncateUtf8(e.origin, MAX_ERROR_FIELD_BYTES),
    severity: e.severity,
  };
}

/**
 * The frames to send: all when few; else the root causes and the outermost frames, which say what
 * failed and what the client called. Root cause first, as always.
 */
function boundFrames(errors: readonly [DevError, ...DevError[]]): [DevError, ...DevError[]] {
  const kept = errors.length <= MAX_ERROR_FRAMES
    ? errors
    : [...errors.slice(0, MAX_ERROR_FRAMES / 2), ...errors.slice(errors.length - MAX_ERROR_FRAMES / 2)];
  const [first, ...rest] = kept as [DevError, ...DevError[]];
  return [boundFrame(first), ...rest.map(boundFrame)];
}

function isBounded(e: DevError): boolean {
  return e.desc.length <= MAX_ERROR_DESC_BYTES / 3 && e.reason.length <= MAX_ERROR_FIELD_BYTES / 3
    && e.origin.length <= MAX_ERROR_FIELD_BYTES / 3;
}

/** `df` itself when it already fits (the usual case: no copy), else a bounded copy. */
export function boundDevFailed(df: DevFailed): DevFailed {
  if (df.errors.length <= MAX_ERROR_FRAMES && df.errors.every(isBounded)) return df;
  return new DevFailed(boundFrames(df.errors), { cause: df.cause });
}

/**
 * A MultiDevFailed whose elements are bounded as a DevFailed is. Every element stays (the ones
 * left out would read as written), but after the first MAX_ERROR_ELEMENTS each keeps only its
 * root cause with a short description.
 */
export function boundMultiDevFailed(mdf: MultiDevFailed): MultiDevFailed {
  const elements = mdf.errors.map((n, i): NamedDevError => {
    if (i < MAX_ERROR_ELEMENTS) return { name: truncateUtf8(n.name, MAX_NAME_BYTES), indexInCall: n.indexInCall, errors: boundFrames(n.errors) };
    const root = n.errors[0];
    return {
      name: truncateUtf8(n.name, QUOTED_NAME_BYTES),
      indexInCall: n.indexInCall,
      errors: [{ ...boundFrame(root), desc: truncateUtf8(root.desc, QUOTED_NAME_BYTES) }],
    };
  });
  return new MultiDevFailed(elements as [NamedDevError, ...NamedDevError[]]);
}
