import { Counter, Gauge, type Registry } from "prom-client";

// Counters and gauges whose series are rebuilt from plain records each time the registry is
// scraped (prom-client's `collect`), so the request path never calls prom-client.

/** Registers a counter that `fill` sets from the records at every scrape. */
export function registerRecordCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[],
  fill: (counter: Counter<L>) => void): void {
  new Counter<L>({ name, help, labelNames, registers: [registry], collect() { this.reset(); fill(this); } });
}

/** Registers a gauge that `fill` sets at every scrape. */
export function registerRecordGauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[],
  fill: (gauge: Gauge<L>) => void): void {
  new Gauge<L>({ name, help, labelNames, registers: [registry], collect() { this.reset(); fill(this); } });
}
