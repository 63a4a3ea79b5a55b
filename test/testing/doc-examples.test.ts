import { readFileSync } from "node:fs";
import { expect } from "chai";
import { transform } from "esbuild";
import { Device, DevDouble, DevState, attribute, command, deviceProperty } from "../../src/index.js";
import { DeviceTestContext, MultiDeviceTestContext } from "../../src/testing/index.js";

/** The device the TSDoc examples of src/testing use. */
class Motor extends Device {
  position = 0;

  @deviceProperty({ dtype: DevDouble, defaultValue: 1 })
  accessor Velocity!: number;

  override initDevice(): void { this.setState(DevState.ON); }

  @attribute({ dtype: DevDouble })
  get Position(): number { return this.position; }
  set Position(mm: number) { this.position = mm; }

  @command({ allowedIn: [DevState.ON] })
  Start(): void { this.setState(DevState.MOVING); }
}

class Controller extends Device {
  override initDevice(): void { this.setState(DevState.ON); }
}

/** The ```ts block of the first TSDoc comment of a source file, without the comment's ` * `. */
function firstExample(file: string): string {
  const text = readFileSync(new URL(`../../src/testing/${file}`, import.meta.url), "utf8");
  const found = /\/\*\*[\s\S]*?```ts\n([\s\S]*?)\s*\*\s*```/.exec(text);
  if (found?.[1] === undefined) expect.fail(`no example in ${file}`);
  return found[1].split("\n").map((line) => line.replace(/^\s*\* ?/, "")).join("\n");
}

/** Runs an example as the body of an async function, with the names it uses in scope. */
async function runExample(file: string, scope: Record<string, unknown>): Promise<void> {
  const { code } = await transform(firstExample(file), { loader: "ts", target: "node22" });
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
  await new AsyncFunction(...Object.keys(scope), code)(...Object.values(scope));
}

describe("the TSDoc examples of tango-grpc/testing", () => {
  it("runs DeviceTestContext's", async () => {
    await runExample("device-test-context.ts", { DeviceTestContext, Motor, expect });
  });

  it("runs MultiDeviceTestContext's", async () => {
    await runExample("multi-device-test-context.ts", { MultiDeviceTestContext, Motor, Controller, expect });
  });
});
