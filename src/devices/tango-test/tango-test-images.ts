import {
  attribute, AttrDataFormat, DevBoolean, DevDouble, DevFloat, DevLong, DevLong64, DevShort, DevString, DevUChar,
  DevULong, DevULong64, DevUShort, image, type Image,
} from "../../device/index.js";
import { cropStringImage, fillBeamImage, IMAGE_SIZE, keepWrittenImage, overlayImage } from "./images.js";
import type { RandomSource } from "./randomize.js";
import { fillRandom, GENERATED_MAX_VALUE, randomBooleans } from "./spectra.js";
import { randomStringImage } from "./strings.js";
import type { GenerationStep } from "./tango-test-base.js";
import { TangoTestCommands } from "./tango-test-commands.js";

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
const IMAGE = { dformat: AttrDataFormat.IMAGE, maxDimX: IMAGE_SIZE, maxDimY: IMAGE_SIZE } as const;
const STRING_IMAGE = { dformat: AttrDataFormat.IMAGE, maxDimX: 256, maxDimY: 256 } as const;
/** ushort_image_ro's side is the UShort_image_ro_size property, hence the larger maximum. */
const USHORT_IMAGE_RO = { dformat: AttrDataFormat.IMAGE, maxDimX: 8192, maxDimY: 8192 } as const;

/** The generated images, by attribute name; each generation replaces them (reads never copy). */
interface GeneratedImages {
  boolean_image_ro: boolean[];
  double_image_ro: Float64Array;
  float_image_ro: Float32Array;
  long64_image_ro: BigInt64Array;
  long_image_ro: Int32Array;
  short_image_ro: Int16Array;
  string_image_ro: string[];
  uchar_image_ro: Uint8Array;
  ulong64_image_ro: BigUint64Array;
  ulong_image_ro: Uint32Array;
  ushort_image_ro: Uint16Array;
}

// TangoTest::gen_data: beams for the numeric images, uniform noise for boolean, uchar and ushort.
const GENERATORS: { readonly [K in keyof GeneratedImages]: (random: RandomSource, ushortSize: number) => GeneratedImages[K] } = {
  boolean_image_ro: (r) => randomBooleans(PIXELS, r),
  double_image_ro: (r) => fillBeamImage(new Float64Array(PIXELS), IMAGE_SIZE, r),
  float_image_ro: (r) => fillBeamImage(new Float32Array(PIXELS), IMAGE_SIZE, r),
  long64_image_ro: (r) => fillBeamImage(new BigInt64Array(PIXELS), IMAGE_SIZE, r),
  long_image_ro: (r) => fillBeamImage(new Int32Array(PIXELS), IMAGE_SIZE, r),
  short_image_ro: (r) => fillBeamImage(new Int16Array(PIXELS), IMAGE_SIZE, r),
  string_image_ro: (r) => randomStringImage(IMAGE_SIZE, r),
  uchar_image_ro: (r) => fillRandom(new Uint8Array(PIXELS), GENERATED_MAX_VALUE, r),
  ulong64_image_ro: (r) => fillBeamImage(new BigUint64Array(PIXELS), IMAGE_SIZE, r),
  ulong_image_ro: (r) => fillBeamImage(new Uint32Array(PIXELS), IMAGE_SIZE, r),
  ushort_image_ro: (r, size) => fillRandom(new Uint16Array(size * size), GENERATED_MAX_VALUE, r),
};
const GENERATED_NAMES = Object.keys(GENERATORS) as (keyof GeneratedImages)[];

function regenerate<K extends keyof GeneratedImages>(into: Partial<GeneratedImages>, name: K, random: RandomSource, ushortSize: number): void {
  into[name] = GENERATORS[name](random, ushortSize);
}

/**
 * init_device's zero-filled images, shown until the first generation or write. They are made on
 * first read and shared by every TangoTest of the process: a device's nineteen 251 x 251 images
 * (the boolean and string ones 0.5 MB JS arrays each) would otherwise sit in memory unread.
 * Nothing writes into them: a generation or a write replaces an image.
 */
const zeroImages = new Map<string, unknown>();

function sharedZeros<T>(key: string, make: () => T): T {
  let made = zeroImages.get(key) as T | undefined;
  if (made === undefined) zeroImages.set(key, made = make());
  return made;
}

const ZERO_GENERATED: { readonly [K in keyof GeneratedImages]: (ushortSize: number) => GeneratedImages[K] } = {
  boolean_image_ro: () => new Array<boolean>(PIXELS).fill(false),
  double_image_ro: () => new Float64Array(PIXELS),
  float_image_ro: () => new Float32Array(PIXELS),
  long64_image_ro: () => new BigInt64Array(PIXELS),
  long_image_ro: () => new Int32Array(PIXELS),
  short_image_ro: () => new Int16Array(PIXELS),
  string_image_ro: () => new Array<string>(PIXELS).fill(""),
  uchar_image_ro: () => new Uint8Array(PIXELS),
  ulong64_image_ro: () => new BigUint64Array(PIXELS),
  ulong_image_ro: () => new Uint32Array(PIXELS),
  ushort_image_ro: (size) => new Uint16Array(size * size),
};

function zeroGenerated<K extends keyof GeneratedImages>(name: K, ushortSize: number): GeneratedImages[K] {
  return sharedZeros(name === "ushort_image_ro" ? `${name} ${ushortSize}` : name, () => ZERO_GENERATED[name](ushortSize));
}

/** The writable images, as last written; long_image is its whole 251 x 251 buffer. */
interface WrittenImages {
  boolean_image: Image<readonly boolean[]>;
  double_image: Image<Float64Array>;
  float_image: Image<Float32Array>;
  long_image: Int32Array;
  short_image: Image<Int16Array>;
  string_image: Image<readonly string[]>;
  uchar_image: Image<Uint8Array>;
  ushort_image: Image<Uint16Array>;
}

/** init_device's writable images: 251 x 251 zeros (or "") until written, shared (see zeroImages). */
const ZERO_WRITTEN: { readonly [K in keyof WrittenImages]: () => WrittenImages[K] } = {
  boolean_image: () => image(zeroGenerated("boolean_image_ro", 0), IMAGE_SIZE, IMAGE_SIZE),
  double_image: () => image(zeroGenerated("double_image_ro", 0), IMAGE_SIZE, IMAGE_SIZE),
  float_image: () => image(zeroGenerated("float_image_ro", 0), IMAGE_SIZE, IMAGE_SIZE),
  long_image: () => zeroGenerated("long_image_ro", 0),
  short_image: () => image(zeroGenerated("short_image_ro", 0), IMAGE_SIZE, IMAGE_SIZE),
  string_image: () => image(zeroGenerated("string_image_ro", 0), IMAGE_SIZE, IMAGE_SIZE),
  uchar_image: () => image(zeroGenerated("uchar_image_ro", 0), IMAGE_SIZE, IMAGE_SIZE),
  ushort_image: () => image(zeroGenerated("ushort_image_ro", IMAGE_SIZE), IMAGE_SIZE, IMAGE_SIZE),
};

function zeroWritten<K extends keyof WrittenImages>(name: K): WrittenImages[K] {
  return sharedZeros(name, ZERO_WRITTEN[name]);
}

/** TangoTest's image attributes, in the reference's order. @internal */
export abstract class TangoTestImages extends TangoTestCommands {
  /** Generated and written images; one not there yet reads as zeros (zeroGenerated, zeroWritten). */
  #generated: Partial<GeneratedImages> = {};
  #written: Partial<WrittenImages> = {};

  protected override resetData(): void {
    super.resetData();
    this.#generated = {};
    this.#written = {};
  }

  protected override generate(step: GenerationStep): void {
    super.generate(step);
    for (const name of GENERATED_NAMES) {
      if (step.wants(name)) regenerate(this.#generated, name, step.random, this.ushortImageRoSize);
    }
  }

  #generatedImage<K extends keyof GeneratedImages>(name: K): Image<GeneratedImages[K]> {
    return image(this.#generated[name] ?? zeroGenerated(name, this.ushortImageRoSize), IMAGE_SIZE, IMAGE_SIZE);
  }

  #writtenImage<K extends keyof WrittenImages>(name: K): WrittenImages[K] {
    return this.#written[name] ?? zeroWritten(name);
  }

  @attribute({ dtype: DevBoolean, ...IMAGE })
  get boolean_image(): Image<readonly boolean[]> { return this.#writtenImage("boolean_image"); }
  set boolean_image(v: Image<readonly boolean[]>) { this.#written.boolean_image = keepWrittenImage(v); }

  @attribute({ dtype: DevBoolean, ...IMAGE, label: "boolean_image" })
  get boolean_image_ro(): Image<boolean[]> { return this.#generatedImage("boolean_image_ro"); }

  @attribute({ dtype: DevDouble, ...IMAGE })
  get double_image(): Image<Float64Array> { return this.#writtenImage("double_image"); }
  set double_image(v: Image<Float64Array>) { this.#written.double_image = keepWrittenImage(v); }

  @attribute({ dtype: DevDouble, ...IMAGE })
  get double_image_ro(): Image<Float64Array> { return this.#generatedImage("double_image_ro"); }

  @attribute({ dtype: DevFloat, ...IMAGE })
  get float_image(): Image<Float32Array> { return this.#writtenImage("float_image"); }
  set float_image(v: Image<Float32Array>) { this.#written.float_image = keepWrittenImage(v); }

  @attribute({ dtype: DevFloat, ...IMAGE, label: "float_image", description: "A float image attribute", minValue: 0, maxValue: 255 })
  get float_image_ro(): Image<Float32Array> { return this.#generatedImage("float_image_ro"); }

  @attribute({ dtype: DevLong64, ...IMAGE })
  get long64_image_ro(): Image<BigInt64Array> { return this.#generatedImage("long64_image_ro"); }

  // TangoTest::read_long_image always sends its whole 251 x 251 buffer, whatever was written:
  // a write only overwrites the buffer's first pixels. We keep that quirk.
  @attribute({ dtype: DevLong, ...IMAGE })
  get long_image(): Image<Int32Array> { return image(this.#writtenImage("long_image"), IMAGE_SIZE, IMAGE_SIZE); }
  set long_image(v: Image<Int32Array>) { this.#written.long_image = overlayImage(this.#writtenImage("long_image"), v); }

  @attribute({ dtype: DevLong, ...IMAGE })
  get long_image_ro(): Image<Int32Array> { return this.#generatedImage("long_image_ro"); }

  @attribute({ dtype: DevShort, ...IMAGE })
  get short_image(): Image<Int16Array> { return this.#writtenImage("short_image"); }
  set short_image(v: Image<Int16Array>) { this.#written.short_image = keepWrittenImage(v); }

  @attribute({ dtype: DevShort, ...IMAGE })
  get short_image_ro(): Image<Int16Array> { return this.#generatedImage("short_image_ro"); }

  // Declared up to 256 x 256, but TangoTest keeps at most 251 x 251 of what is written.
  @attribute({ dtype: DevString, ...STRING_IMAGE })
  get string_image(): Image<readonly string[]> { return this.#writtenImage("string_image"); }
  set string_image(v: Image<readonly string[]>) { this.#written.string_image = cropStringImage(v, IMAGE_SIZE); }

  @attribute({ dtype: DevString, ...STRING_IMAGE })
  get string_image_ro(): Image<string[]> { return this.#generatedImage("string_image_ro"); }

  @attribute({ dtype: DevUChar, ...IMAGE })
  get uchar_image(): Image<Uint8Array> { return this.#writtenImage("uchar_image"); }
  set uchar_image(v: Image<Uint8Array>) { this.#written.uchar_image = keepWrittenImage(v); }

  @attribute({ dtype: DevUChar, ...IMAGE, label: "uchar_image", description: "An unsigned char image attribute", minValue: 0, maxValue: 255 })
  get uchar_image_ro(): Image<Uint8Array> { return this.#generatedImage("uchar_image_ro"); }

  @attribute({ dtype: DevULong64, ...IMAGE })
  get ulong64_image_ro(): Image<BigUint64Array> { return this.#generatedImage("ulong64_image_ro"); }

  @attribute({ dtype: DevULong, ...IMAGE })
  get ulong_image_ro(): Image<Uint32Array> { return this.#generatedImage("ulong_image_ro"); }

  @attribute({ dtype: DevUShort, ...IMAGE })
  get ushort_image(): Image<Uint16Array> { return this.#writtenImage("ushort_image"); }
  set ushort_image(v: Image<Uint16Array>) { this.#written.ushort_image = keepWrittenImage(v); }

  @attribute({ dtype: DevUShort, ...USHORT_IMAGE_RO, description: "An unsigned short image attribute", minValue: 0, maxValue: 255 })
  get ushort_image_ro(): Image<Uint16Array> {
    const size = this.ushortImageRoSize;
    return image(this.#generated.ushort_image_ro ?? zeroGenerated("ushort_image_ro", size), size, size);
  }
}
