import { DevFailed, Reason } from "../../core/index.js";

/**
 * The store file cannot be used as it is: it is damaged (bad lines before the end, a wrong shape,
 * empty) or cannot be read. Raised at startup only, naming the file and each problem; `serve`
 * exits with its own code, and `--repair` moves a damaged file aside instead.
 */
export class StoreFileError extends Error {
  override readonly name = "StoreFileError";
  /** True when the file is damaged (repairable), false when it could not be read at all. */
  readonly isDamaged: boolean;

  constructor(readonly path: string, readonly problems: readonly string[], isDamaged: boolean, options?: { cause?: unknown }) {
    super(isDamaged
      ? `The property store ${path} is damaged: ${problems.join("; ")}. Start with --repair to move it aside and keep what can be read.`
      : `The property store ${path} cannot be read: ${problems.join("; ")}`, options);
    this.isDamaged = isDamaged;
  }
}

/** A write to the store failed: the change was rolled back. Never names the file (it is logged). */
export function storeWriteFailed(owner: string, err: unknown): DevFailed {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return DevFailed.of(Reason.DatabaseFileError,
    `The properties of ${owner} could not be saved: the property store could not be written${code === undefined ? "" : ` (${code})`}. `
    + "Nothing was changed; the server log has the details.", "PropertyStore::put");
}

/** One property's values are larger than `store.maxPropertyBytes`. */
export function propertyTooLarge(owner: string, name: string, sizeBytes: number, maxBytes: number): DevFailed {
  return DevFailed.of(Reason.InvalidArgs,
    `Property ${name} of ${owner} is ${sizeBytes} bytes, more than the ${maxBytes} bytes a property may hold (store.maxPropertyBytes)`,
    "PropertyStore::put");
}

/** The store would grow past `store.maxBytes`. */
export function storeFull(owner: string, sizeBytes: number, maxBytes: number): DevFailed {
  return DevFailed.of(Reason.DatabaseFileError,
    `The properties of ${owner} were not saved: the property store would hold ${sizeBytes} bytes, more than its limit of ${maxBytes} bytes (store.maxBytes)`,
    "PropertyStore::put");
}
