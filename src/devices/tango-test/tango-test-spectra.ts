import {
  attribute, AttrDataFormat, DevBoolean, DevDouble, DevFloat, DevLong, DevLong64, DevShort, DevString, DevUChar,
  DevULong, DevULong64, DevUShort,
} from "../../device/index.js";
import {
  fillRandom, fillRandomBig, fillWave, GENERATED_MAX_VALUE, keepWrittenSpectrum, randomBooleans, SPECTRUM_LENGTH,
} from "./spectra.js";
import { randomStringSpectrum } from "./strings.js";
import type { GenerationStep } from "./tango-test-base.js";
import { TangoTestImages } from "./tango-test-images.js";

const SPECTRUM = { dformat: AttrDataFormat.SPECTRUM, maxDimX: 4096 } as const;
const STRING_SPECTRUM = { dformat: AttrDataFormat.SPECTRUM, maxDimX: 256 } as const;
const N = SPECTRUM_LENGTH;

/** The generated spectra, by attribute name; each generation replaces them (reads never copy). */
interface GeneratedSpectra {
  boolean_spectrum_ro: boolean[];
  double_spectrum_ro: Float64Array;
  float_spectrum_ro: Float32Array;
  long64_spectrum_ro: BigInt64Array;
  long_spectrum_ro: Int32Array;
  short_spectrum_ro: Int16Array;
  string_spectrum_ro: string[];
  uchar_spectrum_ro: Uint8Array;
  ulong64_spectrum_ro: BigUint64Array;
  ulong_spectrum_ro: Uint32Array;
  ushort_spectrum_ro: Uint16Array;
  wave: Float64Array;
}

// TangoTest::gen_data: 256 random values in [0, 256) each, and a sine scaled by ampli.
const GENERATORS: { readonly [K in keyof GeneratedSpectra]: (step: GenerationStep, ampli: number) => GeneratedSpectra[K] } = {
  boolean_spectrum_ro: (s) => randomBooleans(N, s.random),
  double_spectrum_ro: (s) => fillRandom(new Float64Array(N), GENERATED_MAX_VALUE, s.random),
  float_spectrum_ro: (s) => fillRandom(new Float32Array(N), GENERATED_MAX_VALUE, s.random),
  long64_spectrum_ro: (s) => fillRandomBig(new BigInt64Array(N), GENERATED_MAX_VALUE, s.random),
  long_spectrum_ro: (s) => fillRandom(new Int32Array(N), GENERATED_MAX_VALUE, s.random),
  short_spectrum_ro: (s) => fillRandom(new Int16Array(N), GENERATED_MAX_VALUE, s.random),
  string_spectrum_ro: (s) => randomStringSpectrum(N, s.random),
  uchar_spectrum_ro: (s) => fillRandom(new Uint8Array(N), GENERATED_MAX_VALUE, s.random),
  ulong64_spectrum_ro: (s) => fillRandomBig(new BigUint64Array(N), GENERATED_MAX_VALUE, s.random),
  ulong_spectrum_ro: (s) => fillRandom(new Uint32Array(N), GENERATED_MAX_VALUE, s.random),
  ushort_spectrum_ro: (s) => fillRandom(new Uint16Array(N), GENERATED_MAX_VALUE, s.random),
  wave: (s, ampli) => fillWave(new Float64Array(N), ampli, s.count),
};
const GENERATED_NAMES = Object.keys(GENERATORS) as (keyof GeneratedSpectra)[];

function regenerate<K extends keyof GeneratedSpectra>(into: GeneratedSpectra, name: K, step: GenerationStep, ampli: number): void {
  into[name] = GENERATORS[name](step, ampli);
}

/** init_device's zero-filled buffers, shown until the first generation. */
function emptyGeneratedSpectra(): GeneratedSpectra {
  return {
    boolean_spectrum_ro: new Array<boolean>(N).fill(false),
    double_spectrum_ro: new Float64Array(N),
    float_spectrum_ro: new Float32Array(N),
    long64_spectrum_ro: new BigInt64Array(N),
    long_spectrum_ro: new Int32Array(N),
    short_spectrum_ro: new Int16Array(N),
    string_spectrum_ro: new Array<string>(N).fill(""),
    uchar_spectrum_ro: new Uint8Array(N),
    ulong64_spectrum_ro: new BigUint64Array(N),
    ulong_spectrum_ro: new Uint32Array(N),
    ushort_spectrum_ro: new Uint16Array(N),
    wave: new Float64Array(N),
  };
}

/** The writable spectra, as last written (at most 256 elements kept). */
interface WrittenSpectra {
  boolean_spectrum: readonly boolean[];
  double_spectrum: Float64Array;
  float_spectrum: Float32Array;
  long_spectrum: Int32Array;
  short_spectrum: Int16Array;
  string_spectrum: readonly string[];
  uchar_spectrum: Uint8Array;
  ushort_spectrum: Uint16Array;
}

/** init_device's writable spectra: 256 zeros (or "") until written. */
function emptyWrittenSpectra(): WrittenSpectra {
  return {
    boolean_spectrum: new Array<boolean>(N).fill(false),
    double_spectrum: new Float64Array(N),
    float_spectrum: new Float32Array(N),
    long_spectrum: new Int32Array(N),
    short_spectrum: new Int16Array(N),
    string_spectrum: new Array<string>(N).fill(""),
    uchar_spectrum: new Uint8Array(N),
    ushort_spectrum: new Uint16Array(N),
  };
}

/** TangoTest's spectrum attributes, in the reference's order. @internal */
export abstract class TangoTestSpectra extends TangoTestImages {
  #generated = emptyGeneratedSpectra();
  #written = emptyWrittenSpectra();
  /** The `ampli` set value, which scales `wave`; init_device sets it to 1. */
  #waveAmplitude = 1;

  protected override resetData(): void {
    super.resetData();
    this.#generated = emptyGeneratedSpectra();
    this.#written = emptyWrittenSpectra();
    this.#waveAmplitude = 1;
  }

  protected override generate(step: GenerationStep): void {
    super.generate(step);
    for (const name of GENERATED_NAMES) {
      if (step.wants(name)) regenerate(this.#generated, name, step, this.#waveAmplitude);
    }
  }

  /** For the `ampli` attribute, declared with the scalars: takes effect at the next generation. */
  protected setWaveAmplitude(ampli: number): void {
    this.#waveAmplitude = ampli;
  }

  @attribute({ dtype: DevBoolean, ...SPECTRUM })
  get boolean_spectrum(): readonly boolean[] { return this.#written.boolean_spectrum; }
  set boolean_spectrum(v: readonly boolean[]) { this.#written.boolean_spectrum = keepWrittenSpectrum(v); }

  @attribute({ dtype: DevBoolean, ...SPECTRUM })
  get boolean_spectrum_ro(): boolean[] { return this.#generated.boolean_spectrum_ro; }

  @attribute({ dtype: DevDouble, ...SPECTRUM })
  get double_spectrum(): Float64Array { return this.#written.double_spectrum; }
  set double_spectrum(v: Float64Array) { this.#written.double_spectrum = keepWrittenSpectrum(v); }

  @attribute({ dtype: DevDouble, ...SPECTRUM })
  get double_spectrum_ro(): Float64Array { return this.#generated.double_spectrum_ro; }

  @attribute({ dtype: DevFloat, ...SPECTRUM, description: "A float spectrum attribute" })
  get float_spectrum(): Float32Array { return this.#written.float_spectrum; }
  set float_spectrum(v: Float32Array) { this.#written.float_spectrum = keepWrittenSpectrum(v); }

  @attribute({ dtype: DevFloat, ...SPECTRUM })
  get float_spectrum_ro(): Float32Array { return this.#generated.float_spectrum_ro; }

  @attribute({ dtype: DevLong64, ...SPECTRUM })
  get long64_spectrum_ro(): BigInt64Array { return this.#generated.long64_spectrum_ro; }

  @attribute({ dtype: DevLong, ...SPECTRUM })
  get long_spectrum(): Int32Array { return this.#written.long_spectrum; }
  set long_spectrum(v: Int32Array) { this.#written.long_spectrum = keepWrittenSpectrum(v); }

  @attribute({ dtype: DevLong, ...SPECTRUM })
  get long_spectrum_ro(): Int32Array { return this.#generated.long_spectrum_ro; }

  @attribute({ dtype: DevShort, ...SPECTRUM })
  get short_spectrum(): Int16Array { return this.#written.short_spectrum; }
  set short_spectrum(v: Int16Array) { this.#written.short_spectrum = keepWrittenSpectrum(v); }

  @attribute({ dtype: DevShort, ...SPECTRUM })
  get short_spectrum_ro(): Int16Array { return this.#generated.short_spectrum_ro; }

  @attribute({ dtype: DevString, ...STRING_SPECTRUM })
  get string_spectrum(): readonly string[] { return this.#written.string_spectrum; }
  set string_spectrum(v: readonly string[]) { this.#written.string_spectrum = keepWrittenSpectrum(v); }

  @attribute({ dtype: DevString, ...STRING_SPECTRUM })
  get string_spectrum_ro(): string[] { return this.#generated.string_spectrum_ro; }

  @attribute({ dtype: DevUChar, ...SPECTRUM, description: "An unsigned char spectrum attribute", minValue: 0, maxValue: 255 })
  get uchar_spectrum(): Uint8Array { return this.#written.uchar_spectrum; }
  set uchar_spectrum(v: Uint8Array) { this.#written.uchar_spectrum = keepWrittenSpectrum(v); }

  @attribute({ dtype: DevUChar, ...SPECTRUM })
  get uchar_spectrum_ro(): Uint8Array { return this.#generated.uchar_spectrum_ro; }

  @attribute({ dtype: DevULong64, ...SPECTRUM })
  get ulong64_spectrum_ro(): BigUint64Array { return this.#generated.ulong64_spectrum_ro; }

  @attribute({ dtype: DevULong, ...SPECTRUM })
  get ulong_spectrum_ro(): Uint32Array { return this.#generated.ulong_spectrum_ro; }

  @attribute({ dtype: DevUShort, ...SPECTRUM, description: "An unsigned short spectrum attribute" })
  get ushort_spectrum(): Uint16Array { return this.#written.ushort_spectrum; }
  set ushort_spectrum(v: Uint16Array) { this.#written.ushort_spectrum = keepWrittenSpectrum(v); }

  @attribute({ dtype: DevUShort, ...SPECTRUM })
  get ushort_spectrum_ro(): Uint16Array { return this.#generated.ushort_spectrum_ro; }

  @attribute({ dtype: DevDouble, ...SPECTRUM })
  get wave(): Float64Array { return this.#generated.wave; }
}
