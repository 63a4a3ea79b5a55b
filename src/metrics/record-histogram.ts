import { Histogram, type Registry } from "prom-client";
import type { DurationRecord } from "./duration-record.js";

/** One series of a RecordHistogram: its labels and the record holding its counts. */
export interface RecordSeries<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  readonly record: DurationRecord;
}

/** Options of a RecordHistogram. */
export interface RecordHistogramOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** The bounds every record of `series` was built with, in seconds. */
  readonly buckets: readonly number[];
  readonly registry: Registry;
  /** The series to expose, read at every scrape. */
  readonly series: () => Iterable<RecordSeries<L>>;
}

/** One histogram sample as prom-client's registry formats it (the name carries the suffix). */
interface HistogramSample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  /** prom-client's `get()` merges these into `labels`; ours are already complete. */
  readonly sharedLabels: Readonly<Record<string, never>>;
  readonly value: number;
}

/**
 * A histogram read from DurationRecords at scrape time. prom-client has no public way to set a
 * histogram's counts, so this replaces the method its Registry reads a histogram through
 * (`getForPromString`, prom-client 15 lib/registry.js; its `get()` for JSON calls the same).
 * test/grpc/grpc-metrics.test.ts reads a histogram through both paths, so a prom-client change
 * shows there.
 */
export class RecordHistogram<L extends string> extends Histogram<L> {
  readonly #name: string;
  readonly #help: string;
  readonly #series: () => Iterable<RecordSeries<L>>;

  constructor(opts: RecordHistogramOptions<L>) {
    super({ name: opts.name, help: opts.help, labelNames: opts.labelNames, buckets: [...opts.buckets], registers: [opts.registry] });
    this.#name = opts.name;
    this.#help = opts.help;
    this.#series = opts.series;
  }

  async getForPromString(): Promise<{ name: string; help: string; type: "histogram"; aggregator: "sum"; values: HistogramSample[] }> {
    const values: HistogramSample[] = [];
    const sample = (suffix: string, labels: HistogramSample["labels"], value: number): void => {
      values.push({ metricName: `${this.#name}${suffix}`, labels, sharedLabels: {}, value });
    };
    for (const { labels, record } of this.#series()) {
      const cumulative = record.cumulative();
      record.bounds.forEach((le, i) => sample("_bucket", { ...labels, le }, cumulative[i] ?? 0));
      sample("_bucket", { ...labels, le: "+Inf" }, record.count);
      sample("_sum", labels, record.sumSeconds);
      sample("_count", labels, record.count);
    }
    return { name: this.#name, help: this.#help, type: "histogram", aggregator: "sum", values };
  }
}
