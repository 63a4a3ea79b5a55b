import type { Logger } from "pino";
import { runtimeOf, type Device } from "../device/index.js";

/**
 * Deletes one device instance: its deleteDevice, then its owned tasks (aborted and awaited), each
 * bounded by `boundMs`. A hung device's deleteDevice may never return: the instance is then
 * dropped and that is logged at error level. A deleteDevice that throws is logged too.
 *
 * @internal
 */
export async function deleteInstance(device: Device, name: string, boundMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const isDeleted = await Promise.race([
      Promise.resolve(device.deleteDevice()).then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), boundMs); }),
    ]);
    if (!isDeleted) log.error({ device: name, boundMs }, "deleteDevice did not return in time; the instance is dropped");
  } catch (err) {
    log.error({ err, device: name }, "deleteDevice failed");
  } finally {
    clearTimeout(timer);
  }
  await runtimeOf(device).tasks.abort(boundMs);
}
