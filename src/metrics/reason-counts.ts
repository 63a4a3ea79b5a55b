/**
 * Most distinct `reason` labels one device's tango_errors_total gets. The API_ reasons are a
 * fixed set (spec §18), but device code may throw any string, even one built from a value; past
 * this many, new reasons count under OTHER_REASON, so the series stay bounded.
 */
export const MAX_REASON_LABELS = 50;

/** The `reason` label of the errors past the cap. */
export const OTHER_REASON = "other";

/** Error counts by reason, with at most `maxReasons` distinct reasons plus OTHER_REASON. */
export class ReasonCounts {
  readonly #counts = new Map<string, number>();
  readonly #maxReasons: number;

  constructor(maxReasons = MAX_REASON_LABELS) {
    this.#maxReasons = maxReasons;
  }

  /** Counts one error; a new reason past the cap counts as OTHER_REASON. */
  count(reason: string): void {
    const known = this.#counts.get(reason);
    if (known !== undefined) {
      this.#counts.set(reason, known + 1);
      return;
    }
    const key = this.#counts.size < this.#maxReasons ? reason : OTHER_REASON;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** Each reason seen and its count, in the order first seen. */
  entries(): IterableIterator<[string, number]> {
    return this.#counts.entries();
  }
}
