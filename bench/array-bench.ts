import { attribute, AttrDataFormat, AttrWriteType, DevDouble, DevState, Device } from "../src/device/index.js";

/** The longest array the bench sends: 2^20 doubles, 8 MiB. */
export const MAX_BENCH_DOUBLES = 1 << 20;

/**
 * The bench's large-spectrum device: TangoTest's spectra hold at most 4096 values, so the large
 * reads go to `doubles`, a read-write DevDouble spectrum of up to 2^20 values that reads back
 * what was last written (the array itself, never a copy).
 */
export class ArrayBench extends Device {
  #doubles: Float64Array<ArrayBufferLike> = new Float64Array(0);

  override initDevice(): void {
    this.setState(DevState.ON);
  }

  @attribute({
    dtype: DevDouble, dformat: AttrDataFormat.SPECTRUM, maxDimX: MAX_BENCH_DOUBLES, access: AttrWriteType.READ_WRITE,
    description: "Reads back the doubles last written",
  })
  get doubles(): Float64Array<ArrayBufferLike> { return this.#doubles; }
  set doubles(v: Float64Array<ArrayBufferLike>) { this.#doubles = v; }
}
