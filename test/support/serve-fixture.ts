// A real device server process for client tests: the `serve` code path with TangoTest plus a
// SlowDevice whose commands take as long as asked. Run: node --import tsx serve-fixture.ts -c <file>
import { setTimeout as sleep } from "node:timers/promises";
import { DevLong, DevState, Device, command } from "../../src/device/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { runServe } from "../../src/cli/serve.js";

/** Commands that take time: Sleep waits without blocking, Block holds the event loop. */
export class SlowDevice extends Device {
  override initDevice(): void {
    this.setState(DevState.ON);
  }

  @command({ dtypeIn: DevLong, docIn: "milliseconds" })
  async Sleep(ms: number): Promise<void> {
    await sleep(ms);
  }

  @command({ dtypeIn: DevLong, docIn: "milliseconds" })
  Block(ms: number): void {
    const end = Date.now() + ms;
    while (Date.now() < end) { /* busy: the server cannot answer anything meanwhile */ }
  }
}

const configIndex = process.argv.indexOf("-c");
const configFile = configIndex > 0 ? process.argv[configIndex + 1] : undefined;
const classes = new Map([...BUILTIN_CLASSES, ["SlowDevice", SlowDevice]]);
process.exit(await runServe({ configFile, env: {}, classes }));
