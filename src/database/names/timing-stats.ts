import { hostname } from "node:os";

/*
 * Per-command call statistics, as cppTango's DataBaseds keeps them (DataBaseUtils.cpp
 * init_timing_stats, DataBase.h update_timing_stats) and shows in its Timing_* attributes: for a
 * fixed set of commands, the number of successful calls and their average, minimum and maximum
 * duration in milliseconds. ResetTimingValues zeroes them. A command that fails is not counted,
 * as in cppTango, where the figures are taken at the end of the command's body.
 */

/** The commands cppTango times, in its std::map order (byte order of the names). */
export const TIMED_COMMANDS: readonly string[] = [
  "DbImportDevice", "DbExportDevice", "DbGetHostServerList", "DbGetHostList", "DbGetServerList",
  "DbGetDevicePropertyList", "DbGetClassPropertyList", "DbGetDeviceMemberList", "DbGetDeviceFamilyList",
  "DbGetDeviceDomainList", "DbGetDeviceProperty", "DbPutDeviceProperty", "DbDeleteDeviceProperty", "DbInfo",
  "DbGetDeviceClassList", "DbGetDeviceAttributeProperty", "DbPutDeviceAttributeProperty",
  "DbGetDeviceAttributeProperty2", "DbPutDeviceAttributeProperty2", "DbUnExportServer",
  "DbGetDeviceExportedList", "DbExportEvent", "DbImportEvent", "DbGetDataForServerCache",
  "DbPutClassProperty", "DbMySqlSelect", "DbGetDevicePipeProperty", "DbPutDevicePipeProperty",
].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** One command's figures; durations in milliseconds. */
export interface TimingRow {
  /** The command's name. */
  readonly command: string;
  /** Mean duration of its successful calls (0 before the first). */
  readonly averageMs: number;
  /** Shortest successful call (0 before the first). */
  readonly minimumMs: number;
  /** Longest successful call. */
  readonly maximumMs: number;
  /** Number of successful calls since the start or the last reset. */
  readonly calls: number;
}

interface Figures { totalMs: number; minimumMs: number; maximumMs: number; calls: number }

const zero = (): Figures => ({ totalMs: 0, minimumMs: 0, maximumMs: 0, calls: 0 });

/** The statistics of one DataBase device. */
export class TimingStats {
  readonly #figures = new Map<string, Figures>(TIMED_COMMANDS.map((c) => [c, zero()]));

  /** Counts one successful call of `command` that took `durationMs`; other commands are ignored. */
  record(command: string, durationMs: number): void {
    const f = this.#figures.get(command);
    if (f === undefined) return;
    f.calls += 1;
    f.totalMs += durationMs;
    if (durationMs > f.maximumMs) f.maximumMs = durationMs;
    if (durationMs < f.minimumMs || f.minimumMs === 0) f.minimumMs = durationMs;
  }

  /** Zeroes every figure (ResetTimingValues). */
  reset(): void {
    for (const command of this.#figures.keys()) this.#figures.set(command, zero());
  }

  /** The figures, one row per timed command, in TIMED_COMMANDS order. */
  rows(): TimingRow[] {
    return [...this.#figures].map(([command, f]) => ({
      command, averageMs: f.calls === 0 ? 0 : f.totalMs / f.calls, minimumMs: f.minimumMs, maximumMs: f.maximumMs, calls: f.calls,
    }));
  }

  /** Timing_info's lines: a title naming this host, the column heads, one line per command. */
  infoLines(): string[] {
    const ms = (v: number): string => v.toFixed(3).padStart(6);
    return [`TANGO Database Timing info on host ${hostname()}`, " ", "command\taverage\tminimum\tmaximum\tcalls", " ",
      ...this.rows().map((r) => `${r.command}\t${ms(r.averageMs)}\t${ms(r.minimumMs)}\t${ms(r.maximumMs)}\t${r.calls.toFixed(0)}`)];
  }
}

const STATS = new WeakMap<object, TimingStats>();

/** The statistics of the DataBase device `owner` (made on first use). */
export function timingStatsOf(owner: object): TimingStats {
  let stats = STATS.get(owner);
  if (stats === undefined) {
    stats = new TimingStats();
    STATS.set(owner, stats);
  }
  return stats;
}

/**
 * Runs one command's `work` and, when it succeeds, counts its duration in the statistics of
 * `owner` (the DataBase device). Every layer of the DataBase class wraps its timed commands so.
 */
export async function timed<T>(owner: object, command: string, work: () => Promise<T>): Promise<T> {
  const startMs = performance.now();
  const result = await work();
  timingStatsOf(owner).record(command, performance.now() - startMs);
  return result;
}
