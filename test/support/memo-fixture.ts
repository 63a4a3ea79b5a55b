// A real device server process with memorized attributes, for the persistence tests: the `serve`
// code path with the Memo class. Run: node --import tsx memo-fixture.ts -c <file>
import { DevDouble, DevLong, DevState, DevString, Device, attribute } from "../../src/device/index.js";
import { runServe } from "../../src/cli/serve.js";

/** What the write methods of this process saw, oldest first. */
const seen: string[] = [];

/** A device whose memorized attributes show what was restored: `speed` by its set value, `gain` by a write at start. */
export class Memo extends Device {
  #speed = 0;
  #gain = 0;

  override initDevice(): void {
    this.setState(DevState.ON);
  }

  @attribute({ dtype: DevDouble, memorized: true, unit: "mm/s" })
  get speed(): number { return this.#speed; }
  set speed(v: number) { this.#speed = v; }

  @attribute({ dtype: DevLong, memorized: true, hwMemorized: true })
  get gain(): number { return this.#gain; }
  set gain(v: number) {
    seen.push(`gain=${v}`);
    this.#gain = v;
  }

  /** The writes this process's devices saw, comma-separated. */
  @attribute({ dtype: DevString })
  get seen(): string { return seen.join(","); }
}

const configIndex = process.argv.indexOf("-c");
const configFile = configIndex > 0 ? process.argv[configIndex + 1] : undefined;
process.exit(await runServe({ configFile, env: {}, classes: new Map([["Memo", Memo]]) }));
