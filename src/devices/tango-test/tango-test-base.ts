import { setTimeout as sleep } from "node:timers/promises";
import { Device, DevLong, DevShort, DevState, deviceProperty } from "../../device/index.js";
import type { RandomSource } from "./randomize.js";

/** One run of TangoTest's `gen_data`, handed to every layer of the class. @internal */
export interface GenerationStep {
  /** The generation's number on this device (C++ `k`); drives the sine phase. */
  readonly count: number;
  readonly random: RandomSource;
  /** True when the attribute of that (declared) name is to be generated now. */
  wants(name: string): boolean;
}

/** Name of the owned task that starts a new generation every Sleep_period ms (C++ DataGenerator). */
const DATA_GENERATOR_TASK = "DataGenerator";
/** TangoTest's code defaults for the two properties its class declares without a default. */
const DEFAULT_MTHREADED_IMPL = 1;
const DEFAULT_SLEEP_PERIOD_MS = 2000;

/** Waits `ms`; false when `signal` ended the wait instead (the loop's normal way out). */
async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (err) {
    if (signal.aborted) return false;
    throw err;
  }
}

/**
 * TangoTest's properties, lifecycle and data generation. Each attribute layer above it keeps its
 * own data and overrides `resetData` and `generate`, calling `super`. @internal
 *
 * Multi-threaded, the C++ regenerates every attribute each Sleep_period in its own thread. Here
 * an owned task only starts a new generation each period, and each attribute is generated at
 * its first read in that generation: clients see the same thing (values change once per
 * period), but the event loop never stalls on images nobody reads.
 */
export abstract class TangoTestBase extends Device {
  /** Generations started so far; like the C++ static `k`, an Init does not reset it. */
  #generationCount = 0;
  /** The generation each attribute's data belongs to, by declared name. */
  readonly #generatedIn = new Map<string, number>();
  #isMultiThreaded = true;
  #sleepPeriodMs = DEFAULT_SLEEP_PERIOD_MS;
  #ushortImageRoSize = 0;
  #stopGenerator: AbortController | undefined;

  // Descriptions and defaults exactly as TangoTestClass.cpp declares them (the wizard shows them),
  // unclosed parentheses included; the first two have no declared default, only a code one.
  @deviceProperty({ dtype: DevShort, description: "Multi-threaded implementation (true/false" })
  accessor Mthreaded_impl!: number;

  @deviceProperty({ dtype: DevLong, description: "Data generation period (in ms" })
  accessor Sleep_period!: number;

  @deviceProperty({ dtype: DevLong, description: "Size of the ushort_image_ro attribute", defaultValue: 251 })
  accessor UShort_image_ro_size!: number;

  override initDevice(): void {
    this.#isMultiThreaded = ((this.Mthreaded_impl as number | undefined) ?? DEFAULT_MTHREADED_IMPL) !== 0;
    this.#sleepPeriodMs = Math.max(0, (this.Sleep_period as number | undefined) ?? DEFAULT_SLEEP_PERIOD_MS);
    this.#ushortImageRoSize = Math.max(0, this.UShort_image_ro_size);
    this.#generatedIn.clear();
    this.resetData();
    // TangoTest.cpp returns here, before set_state(RUNNING), when not multi-threaded: the state
    // stays what it was (UNKNOWN on first init) and every read generates its own data instead.
    if (!this.#isMultiThreaded) return;
    const stop = new AbortController();
    this.#stopGenerator = stop;
    this.runTask(DATA_GENERATOR_TASK, (signal) => this.#runGenerator(AbortSignal.any([signal, stop.signal])));
    this.setState(DevState.RUNNING);
  }

  override deleteDevice(): void {
    this.#stopGenerator?.abort();
    this.#stopGenerator = undefined;
  }

  override readAttrHardware(names: readonly string[]): void {
    if (!this.#isMultiThreaded) {
      // As the C++ runs gen_data before every read: one new generation per read call.
      const wanted = new Set(names);
      this.#generate(this.#generationCount++, (name) => wanted.has(name));
      return;
    }
    const current = this.#generationCount;
    const stale = new Set(names.filter((name) => this.#generatedIn.get(name) !== current));
    if (stale.size === 0) return;
    this.#generate(current, (name) => stale.has(name));
    for (const name of stale) this.#generatedIn.set(name, current);
  }

  /** Puts this layer's data back to its init_device values. Overrides call `super.resetData()`. */
  protected resetData(): void {}

  /** Regenerates this layer's generated data that `step` wants. Overrides call `super.generate(step)`. */
  protected generate(_step: GenerationStep): void {}

  /** Side of `ushort_image_ro`: the UShort_image_ro_size property as read at init. */
  protected get ushortImageRoSize(): number {
    return this.#ushortImageRoSize;
  }

  /** What DumpExecutionState reports. */
  protected executionState(): Record<string, unknown> {
    return {
      state: DevState[this.getState()],
      isMultiThreaded: this.#isMultiThreaded,
      isDataGeneratorRunning: this.#stopGenerator !== undefined,
      sleepPeriodMs: this.#sleepPeriodMs,
      generationCount: this.#generationCount,
      ushortImageRoSize: this.#ushortImageRoSize,
    };
  }

  #generate(count: number, wants: (name: string) => boolean): void {
    this.generate({ count, random: Math.random, wants });
  }

  async #runGenerator(signal: AbortSignal): Promise<void> {
    while (await sleepUnlessAborted(this.#sleepPeriodMs, signal)) this.#generationCount++;
  }
}
