import type { Registry } from "prom-client";
import { registerRecordCounter, registerRecordGauge } from "./record-collectors.js";

/** The property store's counts, as `PropertyStore.stats()` gives them (metrics/ does not import server/). */
export interface StoreCounts {
  readonly fsyncs: number;
  readonly commits: number;
  readonly records: number;
  readonly compactions: number;
  readonly writeErrors: number;
  readonly fileBytes: number;
  readonly liveBytes: number;
}

/**
 * The property store's metrics (all 0 without a store file), read at scrape time:
 *
 * - `tango_store_fsyncs_total`: fsync calls (appends, snapshots, their directory). Puts made
 *   while a write is running share the next fsync, so under load this grows slower than
 *   `tango_store_records_total`.
 * - `tango_store_commits_total`, `tango_store_records_total`: writes to the journal, and the
 *   puts and deletes they carried.
 * - `tango_store_compactions_total`: snapshots written (compactions, migrations).
 * - `tango_store_write_errors_total`: writes that failed and were rolled back (the log says why).
 * - `tango_store_file_bytes`, `tango_store_live_bytes`: the file's size, and the run-time
 *   properties' size as counted against `store.maxBytes`.
 */
export function registerStoreMetrics(registry: Registry, stats: () => StoreCounts): void {
  const counters: ReadonlyArray<readonly [string, keyof StoreCounts, string]> = [
    ["tango_store_fsyncs_total", "fsyncs", "Total number of fsync calls of the property store; concurrent puts share one."],
    ["tango_store_commits_total", "commits", "Total number of writes to the property store's journal, each carrying one or more puts."],
    ["tango_store_records_total", "records", "Total number of property puts and deletes made durable in the property store."],
    ["tango_store_compactions_total", "compactions", "Total number of snapshots of the property store written (compactions and migrations)."],
    ["tango_store_write_errors_total", "writeErrors", "Total number of property store writes that failed and were rolled back."],
  ];
  for (const [name, key, help] of counters) registerRecordCounter(registry, name, help, [], (c) => c.inc(stats()[key]));
  registerRecordGauge(registry, "tango_store_file_bytes", "Size of the property store file in bytes.", [], (g) => g.set(stats().fileBytes));
  registerRecordGauge(registry, "tango_store_live_bytes", "Size of the properties set at run time in bytes, as counted against store.maxBytes.", [],
    (g) => g.set(stats().liveBytes));
}
