import { randomize, type RandomSource } from "./randomize.js";
import { RADIANS_PER_DEGREE } from "./spectra.js";

/**
 * The set values TangoTest generates its scalars from, by the attribute written (C++
 * `attr_*_write`), with init_device's values. The framework keeps each attribute's own set value
 * for clients; these only feed the generator.
 */
export interface ScalarSetValues {
  double_scalar: number;
  double_scalar_w: number;
  float_scalar: number;
  long_scalar: number;
  long_scalar_w: number;
  short_scalar: number;
  short_scalar_w: number;
  uchar_scalar: number;
  ulong_scalar: number;
  ushort_scalar: number;
}

/** init_device's set values: 256 for most, 0 for float, uchar and ushort (which then read 0). */
export function initialScalarSetValues(): ScalarSetValues {
  return {
    double_scalar: 256, double_scalar_w: 256, float_scalar: 0, long_scalar: 256, long_scalar_w: 256,
    short_scalar: 256, short_scalar_w: 256, uchar_scalar: 0, ulong_scalar: 256, ushort_scalar: 0,
  };
}

/** The generated read values of the scalar attributes, by attribute name. */
export interface GeneratedScalars {
  double_scalar: number;
  double_scalar_rww: number;
  float_scalar: number;
  long64_scalar: bigint;
  long_scalar: number;
  long_scalar_rww: number;
  short_scalar: number;
  short_scalar_ro: number;
  short_scalar_rww: number;
  uchar_scalar: number;
  ulong64_scalar: bigint;
  ulong_scalar: number;
  ushort_scalar: number;
}

/** init_device's read values, shown until the first generation. */
export function initialGeneratedScalars(): GeneratedScalars {
  return {
    double_scalar: 0, double_scalar_rww: 0, float_scalar: 0, long64_scalar: 0n, long_scalar: 0, long_scalar_rww: 0,
    short_scalar: 0, short_scalar_ro: 0, short_scalar_rww: 0, uchar_scalar: 0, ulong64_scalar: 0n, ulong_scalar: 0,
    ushort_scalar: 0,
  };
}

/** What one scalar's generator reads: the set values, the generation count and a random source. */
export interface ScalarGenerationInput {
  readonly setValues: Readonly<ScalarSetValues>;
  /** Generations so far (C++ `k`): the sines advance one degree per generation. */
  readonly count: number;
  readonly random: RandomSource;
}

/** `amplitude * sin((count % 360)°)`, TangoTest's double scalars. */
function sine(amplitude: number, count: number): number {
  return amplitude * Math.sin(RADIANS_PER_DEGREE * (count % 360));
}

/**
 * TangoTest::gen_data for scalars: integers are random in [0, set value), doubles a sine scaled
 * by the set value. The _rww and _ro attributes follow their writable sibling's set value, and
 * long64_scalar / ulong64_scalar follow long_scalar's / ulong_scalar's, as in the C++.
 */
export const SCALAR_GENERATORS: { readonly [K in keyof GeneratedScalars]: (input: ScalarGenerationInput) => GeneratedScalars[K] } = {
  double_scalar: ({ setValues, count }) => sine(setValues.double_scalar, count),
  double_scalar_rww: ({ setValues, count }) => sine(setValues.double_scalar_w, count),
  float_scalar: ({ setValues, random }) => randomize(setValues.float_scalar, random),
  long64_scalar: ({ setValues, random }) => BigInt(randomize(setValues.long_scalar, random)),
  long_scalar: ({ setValues, random }) => randomize(setValues.long_scalar, random),
  long_scalar_rww: ({ setValues, random }) => randomize(setValues.long_scalar_w, random),
  short_scalar: ({ setValues, random }) => randomize(setValues.short_scalar, random),
  short_scalar_ro: ({ setValues, random }) => randomize(setValues.short_scalar, random),
  short_scalar_rww: ({ setValues, random }) => randomize(setValues.short_scalar_w, random),
  uchar_scalar: ({ setValues, random }) => randomize(setValues.uchar_scalar, random),
  ulong64_scalar: ({ setValues, random }) => BigInt(randomize(setValues.ulong_scalar, random)),
  ulong_scalar: ({ setValues, random }) => randomize(setValues.ulong_scalar, random),
  ushort_scalar: ({ setValues, random }) => randomize(setValues.ushort_scalar, random),
};

/** Regenerates, in place, the scalars `wants` names. */
export function generateScalars(into: GeneratedScalars, input: ScalarGenerationInput, wants: (name: string) => boolean): void {
  for (const name of Object.keys(SCALAR_GENERATORS) as (keyof GeneratedScalars)[]) {
    if (wants(name)) regenerate(into, name, input);
  }
}

function regenerate<K extends keyof GeneratedScalars>(into: GeneratedScalars, name: K, input: ScalarGenerationInput): void {
  into[name] = SCALAR_GENERATORS[name](input);
}
