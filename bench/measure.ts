import { quantile, type CallFigures } from "./figures.js";

/** One call of a measurement; resolves when the reply is in. */
export type Call = () => Promise<unknown>;

/**
 * Runs `call` for `seconds` with `concurrency` calls outstanding at all times (1: one after
 * another), and returns calls/s and the p50/p99 latency of the calls that finished in the window,
 * this process's CPU time per call (the client's: every thread of the bench's process, which runs
 * nothing but this window's calls meanwhile), and with `serverCpuNs` (a reading of the server's
 * CPU time, ns) the server's CPU time per call.
 */
export async function callWindow(call: Call, concurrency: number, seconds: number, serverCpuNs?: () => number): Promise<CallFigures> {
  const latencies: number[] = [];
  const cpuAtStart = serverCpuNs?.();
  const clientCpuAtStart = process.cpuUsage();
  const startedAt = performance.now();
  const end = startedAt + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - startedAt) / 1000;
  const clientCpu = process.cpuUsage(clientCpuAtStart);
  const cpu = cpuAtStart === undefined || serverCpuNs === undefined ? undefined : serverCpuNs() - cpuAtStart;
  latencies.sort((a, b) => a - b);
  return {
    callsPerSecond: latencies.length / elapsedS, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99),
    calls: latencies.length, clientCpuUs: (clientCpu.user + clientCpu.system) / latencies.length,
    ...(cpu === undefined ? {} : { serverCpuUs: cpu / 1000 / latencies.length }),
  };
}

/** Runs `call` `count` times, `concurrency` at a time: warms up the JIT and the connections. */
export async function warmUp(call: Call, count: number, concurrency = 1): Promise<void> {
  let left = count;
  const worker = async (): Promise<void> => {
    while (left-- > 0) await call();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Times `call` one after another until it has run at least `minCalls` times and `minSeconds` have passed (at most `maxCalls`); returns each call's ms. */
export async function timeCalls(call: Call, opts: { minCalls: number; maxCalls: number; minSeconds: number }): Promise<number[]> {
  const times: number[] = [];
  const end = performance.now() + opts.minSeconds * 1000;
  while (times.length < opts.maxCalls && (times.length < opts.minCalls || performance.now() < end)) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return times;
}
