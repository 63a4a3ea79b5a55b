/** One polling result and when it was taken. */
export interface PollRecord<T> {
  /** When the poll started, ms since the epoch (cppTango's insert date). */
  readonly timeMs: number;
  readonly value: T;
}

/**
 * The circular buffer of one polled object (spec §11.1 items 1 and 7): the newest `depth`
 * results, oldest overwritten first.
 */
export class PollRing<T> {
  readonly #slots: (PollRecord<T> | undefined)[];
  #next = 0;
  #count = 0;

  constructor(depth: number) {
    if (!Number.isInteger(depth) || depth < 1) throw new TypeError(`a polling ring holds at least one record (depth ${depth})`);
    this.#slots = new Array<PollRecord<T> | undefined>(depth);
  }

  get depth(): number {
    return this.#slots.length;
  }

  get size(): number {
    return this.#count;
  }

  get isEmpty(): boolean {
    return this.#count === 0;
  }

  push(timeMs: number, value: T): void {
    this.#slots[this.#next] = { timeMs, value };
    this.#next = (this.#next + 1) % this.#slots.length;
    if (this.#count < this.#slots.length) this.#count++;
  }

  /** The newest record, or undefined when the ring is empty. */
  newest(): PollRecord<T> | undefined {
    return this.#count === 0 ? undefined : this.#at(0);
  }

  /** The newest `n` records (fewer if the ring holds fewer), newest first. */
  latest(n: number): PollRecord<T>[] {
    const k = Math.min(Math.max(0, Math.floor(n)), this.#count);
    const out: PollRecord<T>[] = new Array(k);
    for (let i = 0; i < k; i++) out[i] = this.#at(i);
    return out;
  }

  /** Time between the newest `k + 1` records, newest first (spec §11.4 "Delta between last records"). */
  deltasMs(k: number): number[] {
    const records = this.latest(k + 1);
    const out: number[] = [];
    for (let i = 0; i + 1 < records.length; i++) out.push((records[i] as PollRecord<T>).timeMs - (records[i + 1] as PollRecord<T>).timeMs);
    return out;
  }

  /** The i-th newest record (0: the newest); i < size. */
  #at(i: number): PollRecord<T> {
    const len = this.#slots.length;
    return this.#slots[(this.#next - 1 - i + len * 2) % len] as PollRecord<T>;
  }
}
