/*
 * The figures every part of `npm run bench` reports, and the statistics over repeated runs.
 * Every figure printed is a median; every comparison is a ratio taken within one run.
 */

/** Throughput and latency of one measurement window. */
export interface CallFigures {
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Calls the figures are of; absent where only rates are known (the peers' windows). */
  calls?: number;
  /** The server process's CPU time per call (all its threads), µs; absent when not measured. */
  serverCpuUs?: number;
  /**
   * The client process's CPU time per call (all its threads), µs: the bench's own process for
   * DeviceProxy (`process.cpuUsage()`, with nothing else running in it during the window), the
   * python process for the PyTango client; absent when not measured.
   */
  clientCpuUs?: number;
}

/** One large-data measurement: time per call and the array's bytes per second (MB = 10^6 bytes). */
export interface TransferFigures {
  msPerCall: number;
  mbPerSecond: number;
}

/** The median (upper median for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  return quantile([...xs].sort((a, b) => a - b), 0.5);
}

/** The p-quantile of sorted values (nearest rank); NaN for none. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Per-field medians of several windows' figures. */
export function medianCalls(runs: readonly CallFigures[]): CallFigures {
  const cpu = runs.map((r) => r.serverCpuUs).filter((us): us is number => us !== undefined);
  const clientCpu = runs.map((r) => r.clientCpuUs).filter((us): us is number => us !== undefined);
  return {
    callsPerSecond: median(runs.map((r) => r.callsPerSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    ...(cpu.length === runs.length && cpu.length > 0 ? { serverCpuUs: median(cpu) } : {}),
    ...(clientCpu.length === runs.length && clientCpu.length > 0 ? { clientCpuUs: pooledCpuUs(runs, "clientCpuUs") } : {}),
  };
}

/**
 * The server (or, with `which`, the client) CPU time per call of several windows pooled: their
 * total CPU time over their total calls, µs; NaN when a window lacks either. A short window's CPU
 * time is lumpy (a 40 ms full GC, a burst of background compiles), so the pool is the cost per
 * call, and a median of windows not.
 */
export function pooledCpuUs(runs: readonly CallFigures[], which: "serverCpuUs" | "clientCpuUs" = "serverCpuUs"): number {
  let cpuUs = 0;
  let calls = 0;
  for (const r of runs) {
    const us = r[which];
    if (us === undefined || r.calls === undefined) return NaN;
    cpuUs += us * r.calls;
    calls += r.calls;
  }
  return calls === 0 ? NaN : cpuUs / calls;
}

/** Transfer figures from the time per call in ms and the array's size in bytes. */
export function transferOf(msPerCall: number, arrayBytes: number): TransferFigures {
  return { msPerCall, mbPerSecond: arrayBytes / 1e6 / (msPerCall / 1000) };
}
