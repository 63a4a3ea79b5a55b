import { ErrSeverity, type DevError, type DevFailed, type MultiDevFailed } from "../core/index.js";

/**
 * How the client verbs report a Tango failure. On stderr, one line per frame of the error stack,
 * outermost first (the way cppTango prints a DevFailed), each `tango-grpc: <reason>: <desc>`;
 * further lines of a multi-line description are indented. With `--json`, stdout also gets a
 * document `{"error": …}`, so a script reading stdout always has JSON.
 */

/** One error frame as `--json` writes it. */
export interface ErrorFrameJson {
  readonly reason: string;
  readonly desc: string;
  readonly origin: string;
  /** WARN, ERR or PANIC. */
  readonly severity: string;
}

/** A DevFailed's stack, root cause first (Tango's order), as `--json` writes it. */
export function errorFramesJson(errors: readonly DevError[]): ErrorFrameJson[] {
  return errors.map((e) => ({ reason: e.reason, desc: e.desc, origin: e.origin, severity: ErrSeverity[e.severity] ?? String(e.severity) }));
}

/**
 * The stderr lines of an error stack, outermost frame first; `prefix` goes before each reason
 * (an attribute name, for a failed element of a multi-attribute call).
 */
export function formatErrorStack(errors: readonly DevError[], prefix = ""): string {
  return [...errors]
    .reverse()
    .map((e) => `tango-grpc: ${prefix}${e.reason}: ${e.desc.replace(/\n/g, "\n    ")}\n`)
    .join("");
}

/**
 * Told apart by name, not instanceof: the client is loaded with a dynamic import, which under a
 * CommonJS test runner gives a second copy of the core classes.
 */
function isMultiDevFailed(err: DevFailed | MultiDevFailed): err is MultiDevFailed {
  return err.name === "MultiDevFailed";
}

/** The stderr text of a DevFailed or a MultiDevFailed (each failed attribute named). */
export function formatTangoFailure(err: DevFailed | MultiDevFailed): string {
  if (!isMultiDevFailed(err)) return formatErrorStack(err.errors);
  return err.errors.map((e) => formatErrorStack(e.errors, `${e.name}: `)).join("");
}

/**
 * The `--json` document of a failure: `{"error": {"errors": [frames, root cause first]}}` for a
 * DevFailed; `{"error": {"failed": [{"name", "index", "errors"}]}}` for a MultiDevFailed.
 */
export function tangoFailureJson(err: DevFailed | MultiDevFailed): { error: Record<string, unknown> } {
  if (!isMultiDevFailed(err)) return { error: { errors: errorFramesJson(err.errors) } };
  return {
    error: {
      failed: err.errors.map((e) => ({ name: e.name, index: e.indexInCall, errors: errorFramesJson(e.errors) })),
    },
  };
}
