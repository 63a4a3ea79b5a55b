import { DevFailed, type AttributeValue, type DevError } from "../core/index.js";
import { ClientErrors } from "./client-errors.js";
import type { DeviceAttribute, TangoValue } from "./types.js";

/** A decoded attribute value as the user sees it; a failed one carries its DevFailed. */
export function toDeviceAttribute(av: AttributeValue, device: string): DeviceAttribute {
  const errors = av.errors;
  const base = {
    name: av.name,
    value: av.value as TangoValue | undefined,
    wValue: av.wValue as TangoValue | undefined,
    quality: av.quality,
    time: av.time,
    date: new Date(av.time.sec * 1000 + Math.floor(av.time.usec / 1000)),
    dataFormat: av.dataFormat,
    dataType: av.dataType,
    dimX: av.rDim.x,
    dimY: av.rDim.y,
    wDimX: av.wDim.x,
    wDimY: av.wDim.y,
  };
  if (errors === undefined || !isStack(errors)) return base;
  return { ...base, error: new DevFailed(errors).withFrame(ClientErrors.readFailedFrame(device, av.name)) };
}

function isStack(errors: readonly DevError[]): errors is readonly [DevError, ...DevError[]] {
  return errors.length > 0;
}
