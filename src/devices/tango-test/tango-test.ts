import {
  attribute, AttrWriteType, DevBoolean, DevDouble, DevFailed, DevFloat, DevLong, DevLong64, DevShort, DevString,
  DevUChar, DevULong, DevULong64, DevUShort, DevVarDoubleArray, pipe, pipeBlob,
} from "../../device/index.js";
import type { PipeBlob, PipeReadResult } from "../../device/index.js";
import { generateScalars, initialGeneratedScalars, initialScalarSetValues } from "./scalars.js";
import type { GenerationStep } from "./tango-test-base.js";
import { TangoTestSpectra } from "./tango-test-spectra.js";

/** The error `throw_exception` raises on every read, as TangoTest::read_throw_exception does. */
const THROW_EXCEPTION_REASON = "exception test";
const THROW_EXCEPTION_DESC = "here is the exception you requested";
const THROW_EXCEPTION_ORIGIN = "TangoTest::read_throw_exception";

/** init_device's values of the pipe's data elements (pi_str, pi_long, pi_short). */
const PIPE_STRING = "The string";
const PIPE_LONG = 666;
const PIPE_SHORT = 12;

/** What `rw_pipe` reads until something is written to it: a string, a long and a double array. */
function initialRwPipe(): PipeBlob {
  return pipeBlob("rw_pipe").add("str", DevString, "The string").add("long", DevLong, 666)
    .add("double_array", DevVarDoubleArray, [1.5, 2.5, 3.5]).build();
}

/** init_device's values of the two scalars that read back what was written. */
function initialStoredScalars(): { boolean_scalar: boolean; string_scalar: string } {
  return { boolean_scalar: true, string_scalar: "Default string" };
}

/**
 * TangoTest, cppTango's reference test device, ported from TangoTest.cpp: an echo command for
 * every Tango type, and an attribute of every type and format whose values are generated.
 *
 * - Generated values: random integers in [0, 256) for the spectra, numeric images a "beam",
 *   `wave` a sine scaled by `ampli`, and the scalars random in [0, set value) or a sine scaled by
 *   it. With `Mthreaded_impl` ≠ 0 (the default) they change every `Sleep_period` ms (default
 *   2000) and the device is RUNNING; with 0 every read generates new values and the state is left
 *   as it was (UNKNOWN), as in the C++.
 * - Writable spectra and images read back what was written (long_image as its full 251 x 251
 *   buffer); `boolean_scalar` and `string_scalar` too.
 * - `no_value` never has a value (API_AttrValueNotSet); `throw_exception` always fails with
 *   reason "exception test".
 * - The pipe `string_long_short_ro` (read only, "Pipe example") reads a blob named "" of three
 *   data elements: FirstDE "The string" (DevString), SecondDE 666 (DevLong), ThirdDE 12
 *   (DevShort), the values init_device sets.
 * - Not in cppTango's TangoTest: the pipe `rw_pipe` (read-write) reads back the last blob written
 *   to it; until then (and after Init) a blob "rw_pipe" of a string, a long and a double array.
 * - `SwitchStates` toggles RUNNING and FAULT. The two Crash commands fail a background task
 *   instead of crashing the process.
 */
export class TangoTest extends TangoTestSpectra {
  #setValues = initialScalarSetValues();
  #generated = initialGeneratedScalars();
  #stored = initialStoredScalars();
  #rwPipe = initialRwPipe();

  protected override resetData(): void {
    super.resetData();
    this.#rwPipe = initialRwPipe();
    this.#setValues = initialScalarSetValues();
    this.#generated = initialGeneratedScalars();
    this.#stored = initialStoredScalars();
  }

  protected override generate(step: GenerationStep): void {
    super.generate(step);
    generateScalars(this.#generated, { setValues: this.#setValues, count: step.count, random: step.random }, step.wants);
  }

  /** Amplitude of `wave`, from the next generation on. */
  @attribute({ dtype: DevDouble })
  set ampli(v: number) { this.setWaveAmplitude(v); }

  @attribute({ dtype: DevBoolean, description: "A boolean scalar attribute" })
  get boolean_scalar(): boolean { return this.#stored.boolean_scalar; }
  set boolean_scalar(v: boolean) { this.#stored.boolean_scalar = v; }

  @attribute({ dtype: DevDouble })
  get double_scalar(): number { return this.#generated.double_scalar; }
  set double_scalar(v: number) { this.#setValues.double_scalar = v; }

  @attribute({ dtype: DevDouble, access: AttrWriteType.READ_WITH_WRITE, writableAttrName: "double_scalar_w" })
  get double_scalar_rww(): number { return this.#generated.double_scalar_rww; }

  @attribute({ dtype: DevDouble })
  set double_scalar_w(v: number) { this.#setValues.double_scalar_w = v; }

  @attribute({ dtype: DevFloat, description: "A float attribute" })
  get float_scalar(): number { return this.#generated.float_scalar; }
  set float_scalar(v: number) { this.#setValues.float_scalar = v; }

  // Generated from long_scalar's set value, as in the C++: this set value only goes to clients.
  @attribute({ dtype: DevLong64 })
  get long64_scalar(): bigint { return this.#generated.long64_scalar; }
  set long64_scalar(_v: bigint) {}

  @attribute({ dtype: DevLong })
  get long_scalar(): number { return this.#generated.long_scalar; }
  set long_scalar(v: number) { this.#setValues.long_scalar = v; }

  @attribute({ dtype: DevLong, access: AttrWriteType.READ_WITH_WRITE, writableAttrName: "long_scalar_w" })
  get long_scalar_rww(): number { return this.#generated.long_scalar_rww; }

  @attribute({ dtype: DevLong })
  set long_scalar_w(v: number) { this.#setValues.long_scalar_w = v; }

  /** Never sets a value, so a read fails with API_AttrValueNotSet. */
  @attribute({ dtype: DevLong })
  get no_value(): undefined { return undefined; }

  @attribute({ dtype: DevShort })
  get short_scalar(): number { return this.#generated.short_scalar; }
  set short_scalar(v: number) { this.#setValues.short_scalar = v; }

  @attribute({ dtype: DevShort })
  get short_scalar_ro(): number { return this.#generated.short_scalar_ro; }

  @attribute({ dtype: DevShort, access: AttrWriteType.READ_WITH_WRITE, writableAttrName: "short_scalar_w" })
  get short_scalar_rww(): number { return this.#generated.short_scalar_rww; }

  @attribute({ dtype: DevShort })
  set short_scalar_w(v: number) { this.#setValues.short_scalar_w = v; }

  @attribute({ dtype: DevString })
  get string_scalar(): string { return this.#stored.string_scalar; }
  set string_scalar(v: string) { this.#stored.string_scalar = v; }

  @attribute({ dtype: DevLong })
  get throw_exception(): number {
    throw DevFailed.of(THROW_EXCEPTION_REASON, THROW_EXCEPTION_DESC, THROW_EXCEPTION_ORIGIN);
  }

  @attribute({ dtype: DevUChar })
  get uchar_scalar(): number { return this.#generated.uchar_scalar; }
  set uchar_scalar(v: number) { this.#setValues.uchar_scalar = v; }

  // Generated from ulong_scalar's set value, as in the C++: this set value only goes to clients.
  @attribute({ dtype: DevULong64 })
  get ulong64_scalar(): bigint { return this.#generated.ulong64_scalar; }
  set ulong64_scalar(_v: bigint) {}

  @attribute({ dtype: DevUShort })
  get ushort_scalar(): number { return this.#generated.ushort_scalar; }
  set ushort_scalar(v: number) { this.#setValues.ushort_scalar = v; }

  @attribute({ dtype: DevULong })
  get ulong_scalar(): number { return this.#generated.ulong_scalar; }
  set ulong_scalar(v: number) { this.#setValues.ulong_scalar = v; }

  /** TangoTest::read_string_long_short_ro: pi_str, pi_long and pi_short as init_device sets them. */
  @pipe({ description: "Pipe example" })
  get string_long_short_ro(): PipeReadResult {
    return pipeBlob("").add("FirstDE", DevString, PIPE_STRING).add("SecondDE", DevLong, PIPE_LONG).add("ThirdDE", DevShort, PIPE_SHORT);
  }

  /** A read-write pipe that echoes (tango-grpc's addition to TangoTest, for clients to try writes on). */
  @pipe({ description: "Read-write pipe example: reads back the last blob written" })
  get rw_pipe(): PipeReadResult {
    return this.#rwPipe;
  }
  set rw_pipe(blob: PipeBlob) {
    this.#rwPipe = blob;
  }
}
