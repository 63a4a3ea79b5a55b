import { ErrSeverity } from "./enums.js";
import { Reason } from "./reasons.js";

/** One level of a Tango error stack (IDL `DevError`). */
export interface DevError {
  /** Symbolic reason, e.g. `API_CommandNotFound`. */
  readonly reason: string;
  /** Human-readable description. */
  readonly desc: string;
  /** The operation or object that failed. */
  readonly origin: string;
  /** WARN, ERR (default) or PANIC. */
  readonly severity: ErrSeverity;
}

/** Input for a DevError: severity defaults to ERR. */
export type DevErrorInit = Omit<DevError, "severity"> & { severity?: ErrSeverity };

function toDevError(e: DevErrorInit): DevError {
  return { reason: e.reason, desc: e.desc, origin: e.origin, severity: e.severity ?? ErrSeverity.ERR };
}

/**
 * Tango's exception: an error stack, root cause first (spec §4.1 item 9). Everything a client can
 * see is thrown as a DevFailed; each layer that rethrows appends its own frame.
 */
export class DevFailed extends Error {
  /** "DevFailed". */
  override readonly name: string = "DevFailed";
  /** The error stack, root cause first: `errors[0]` is what went wrong, later frames where it passed. */
  readonly errors: readonly [DevError, ...DevError[]];

  constructor(errors: readonly [DevErrorInit, ...DevErrorInit[]], options?: { cause?: unknown }) {
    const list = errors.map(toDevError) as [DevError, ...DevError[]];
    super(`${list[0].reason}: ${list[0].desc}`, options);
    this.errors = list;
  }

  /** The root cause's reason. */
  get reason(): string {
    return this.errors[0].reason;
  }

  /** The root cause's description. */
  get desc(): string {
    return this.errors[0].desc;
  }

  /** A DevFailed with one ERR frame. */
  static of(reason: string, desc: string, origin: string, severity: ErrSeverity = ErrSeverity.ERR): DevFailed {
    return new DevFailed([{ reason, desc, origin, severity }]);
  }

  /** A copy of this stack with one more frame on top (the way cppTango re-throws). */
  withFrame(frame: DevErrorInit): DevFailed {
    return new DevFailed([...this.errors, frame], { cause: this.cause });
  }

  /**
   * Normalises anything caught into a DevFailed. A foreign error becomes one `API_StdException`
   * frame carrying its message; the original stays in `cause`, for logs only.
   */
  static from(err: unknown, origin: string): DevFailed {
    if (err instanceof DevFailed) return err;
    const desc = err instanceof Error ? err.message || err.name : String(err);
    return new DevFailed([{ reason: Reason.StdException, desc, origin }], { cause: err });
  }
}

/** One failed element of a multi-attribute write (IDL `NamedDevError`). */
export interface NamedDevError {
  /** The attribute name as the client sent it. */
  readonly name: string;
  /** Its index in the request. */
  readonly indexInCall: number;
  /** Its error stack, root cause first. */
  readonly errors: readonly [DevError, ...DevError[]];
}

/**
 * A multi-attribute write where some elements failed (spec §4.1 item 8, §6.7 item 6). The
 * elements not listed were written.
 */
export class MultiDevFailed extends Error {
  /** "MultiDevFailed". */
  override readonly name: string = "MultiDevFailed";

  constructor(
    /** One entry per failed element: its name, its index in the call and its error stack. */
    readonly errors: readonly [NamedDevError, ...NamedDevError[]],
  ) {
    const first = errors[0];
    super(`${first.errors[0].reason}: ${first.errors[0].desc} (attribute ${first.name}, index ${first.indexInCall})`);
  }
}
