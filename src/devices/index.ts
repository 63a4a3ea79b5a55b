import type { Device } from "../device/index.js";
import { PowerSupply } from "./power-supply/power-supply.js";
import { TangoTest } from "./tango-test/tango-test.js";

export { PowerSupply } from "./power-supply/power-supply.js";
export { TangoTest } from "./tango-test/tango-test.js";

/** The device classes this package ships, by Tango class name: what a config may name. */
export const BUILTIN_CLASSES: ReadonlyMap<string, new () => Device> = new Map<string, new () => Device>([
  ["TangoTest", TangoTest],
  ["PowerSupply", PowerSupply],
]);
