/**
 * The counts behind one histogram series, as plain numbers. A call updates these instead of
 * prom-client's `observe`: prom-client 15 hashes and validates the labels on every `inc` and
 * `observe`, even through a `labels()` child (~0.7 µs each, DESIGN §8), so the request path only
 * bumps numbers here and `RecordHistogram` builds the series when the registry is scraped.
 */
export class DurationRecord {
  /** Upper bounds of the buckets, in seconds, ascending; shared by every record of a histogram. */
  readonly bounds: readonly number[];
  /** Samples per bucket, not cumulative; the last slot counts those above the largest bound. */
  readonly buckets: number[];
  sumSeconds = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.buckets = new Array<number>(bounds.length + 1).fill(0);
  }

  /** Adds one sample. A sample equal to a bound falls in that bound's bucket (Prometheus `le`). */
  observe(seconds: number): void {
    const bounds = this.bounds;
    let i = 0;
    // Linear: most samples fall in the first buckets, so this ends after a step or two.
    while (i < bounds.length && seconds > (bounds[i] ?? Infinity)) i++;
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.sumSeconds += seconds;
    this.count++;
  }

  /** Samples at or below each bound, in bound order, then all of them (the `le="+Inf"` bucket). */
  cumulative(): number[] {
    let total = 0;
    return this.buckets.map((n) => (total += n));
  }
}
