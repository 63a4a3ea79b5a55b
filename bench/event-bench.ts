import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { DevDouble, DevLong, DevState, Device, attribute, command } from "../src/device/index.js";

/** Change events pushed per turn of the event loop when pushing as fast as the device can. */
const BURST = 64;
/** Attributes of the polling measurement. */
export const POLLED_ATTRIBUTES = 100;

/** CLOCK_MONOTONIC in µs: the same clock in every process of this machine, so a stamp pushed here is compared there. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * The bench's event source: `counter` pushed as fast as the device can or at a given rate
 * (change events, no criteria), `stamp` pushed at a given rate with the push's monotonic time in
 * µs, and POLLED_ATTRIBUTES scalars `p0`… for polling.
 */
export class EventBench extends Device {
  #counter = 0;
  #stop: AbortController | undefined;

  override initDevice(): void {
    this.setState(DevState.ON);
    this.setChangeEvent("counter", true, false);
    this.setChangeEvent("stamp", true, false);
    for (let i = 0; i < POLLED_ATTRIBUTES; i++) this.addAttribute({ name: `p${i}`, dtype: DevDouble, read: () => this.#counter + i });
  }

  override deleteDevice(): void {
    this.#stop?.abort();
  }

  @attribute({ dtype: DevDouble })
  get counter(): number { return this.#counter; }

  @attribute({ dtype: DevDouble })
  get stamp(): number { return monotonicMicros(); }

  /** Events pushed so far. */
  @command({ dtypeOut: DevDouble })
  Pushed(): number { return this.#counter; }

  /** Pushes `counter` change events until StopPushing: BURST per turn of the event loop, so that streams are written between bursts. */
  @command()
  StartPushing(): void {
    const stop = this.#restart();
    this.runTask("push", async (signal) => {
      while (!signal.aborted && !stop.signal.aborted) {
        for (let i = 0; i < BURST; i++) this.pushChangeEvent("counter", ++this.#counter);
        await nextTurn();
      }
    });
  }

  /** Pushes `counter` change events `rate` times a second until StopPushing. */
  @command({ dtypeIn: DevLong })
  PushAt(rate: number): void {
    this.#pushAt(rate, () => this.pushChangeEvent("counter", ++this.#counter));
  }

  /** Pushes `stamp` change events `rate` times a second until StopPushing, each with its push's monotonic time in µs. */
  @command({ dtypeIn: DevLong })
  PushStampsAt(rate: number): void {
    this.#pushAt(rate, () => this.pushChangeEvent("stamp", monotonicMicros()));
  }

  /** Runs `push` `rate` times a second on a drift-free schedule: each millisecond, the pushes due by then. */
  #pushAt(rate: number, push: () => void): void {
    const stop = this.#restart();
    this.runTask("rate", async (signal) => {
      const start = performance.now();
      let pushed = 0;
      while (!signal.aborted && !stop.signal.aborted) {
        const due = Math.floor(((performance.now() - start) * rate) / 1000);
        for (; pushed < due; pushed++) push();
        await sleep(1);
      }
    });
  }

  @command()
  StopPushing(): void {
    this.#stop?.abort();
    this.#stop = undefined;
  }

  #restart(): AbortController {
    this.#stop?.abort();
    this.#stop = new AbortController();
    return this.#stop;
  }
}
