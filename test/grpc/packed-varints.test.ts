import { loadSync, type ServiceDefinition } from "@grpc/proto-loader";
import { expect } from "chai";
import { CmdArgType as T } from "../../src/core/index.js";
import { ArrayEncoding, PROTO_LOADER_OPTIONS, decodeValue, encodeValue, loadTangoProto, type WireValue } from "../../src/grpc/index.js";
import { resolveProtoDir } from "../../src/grpc/proto.js";
import { seededRandom } from "../devices/seeded-random.js";
import { withRequestLimits } from "../../src/grpc/request-decoding.js";
import { decodeDeferredArrays, encodeInSlices, hasDeferredArrays } from "../../src/grpc/sliced-values.js";
import { fastRoot } from "../../src/grpc/fast-codec.js";
import { tangoProtoFile } from "../../src/grpc/proto.js";

const { deviceService } = loadTangoProto();
/** proto-loader's own (de)serializers: what every other protobuf implementation reads and writes. */
const plain = loadSync("tango/v1/tango.proto", { ...PROTO_LOADER_OPTIONS, includeDirs: [resolveProtoDir()] })["tango.v1.Device"] as ServiceDefinition;
const fast = deviceService.CommandInout!;
const slow = plain.CommandInout!;

const INT32 = [0, 1, -1, 127, 128, -64, -65, 0x7fffffff, -0x80000000, 300, -300, 16383, 16384];
const UINT32 = [0, 1, 127, 128, 255, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 0xffffffff];
const INT64 = [0n, 1n, -1n, 63n, -64n, 2n ** 31n, -(2n ** 31n), 2n ** 35n, 2n ** 56n, 2n ** 63n - 1n, -(2n ** 63n)];
const UINT64 = [0n, 1n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 49n, 2n ** 56n, 2n ** 63n, 2n ** 64n - 1n];

const CASES: Array<[string, T, ArrayLike<number> | ArrayLike<bigint>]> = [
  ["DevVarCharArray", T.DevVarCharArray, Uint8Array.from([0, 1, 127, 128, 255])],
  ["DevVarShortArray", T.DevVarShortArray, Int16Array.from([0, 1, -1, 32767, -32768, 200])],
  ["DevVarUShortArray", T.DevVarUShortArray, Uint16Array.from([0, 1, 128, 65535])],
  ["DevVarLongArray", T.DevVarLongArray, Int32Array.from(INT32)],
  ["DevVarULongArray", T.DevVarULongArray, Uint32Array.from(UINT32)],
  ["DevVarLong64Array", T.DevVarLong64Array, BigInt64Array.from(INT64)],
  ["DevVarULong64Array", T.DevVarULong64Array, BigUint64Array.from(UINT64)],
];

/** The same Value with its array as the plain JS array proto-loader's encoder wants. */
function asPlain(wire: WireValue): WireValue {
  const field = wire.data!;
  const values = Array.from((wire[field] as { values: ArrayLike<number | bigint> }).values, (x) => (typeof x === "bigint" ? String(x) : x));
  return { ...wire, [field]: { values } };
}

describe("packed integer arrays as typed arrays (packed-varints.ts)", () => {
  for (const [name, type, value] of CASES) {
    it(`writes a ${name} as the same bytes as protobufjs and reads them back as its typed array`, () => {
      const wire = encodeValue({ type, value }, ArrayEncoding.PACKED);
      const bytes = fast.responseSerialize({ argout: wire });
      expect(bytes.equals(slow.responseSerialize({ argout: asPlain(wire) })), "same bytes as protobufjs").to.equal(true);
      const back = fast.responseDeserialize(bytes) as { argout: WireValue };
      expect(decodeValue(back.argout).value).to.deep.equal(value);
      const viaPlain = decodeValue((slow.responseDeserialize(bytes) as { argout: WireValue }).argout);
      expect(viaPlain.value, "protobufjs reads the same values").to.deep.equal(value);
    });
  }

  it("matches protobufjs on 2,000 random arrays of every integer type", () => {
    const random = seededRandom(20261206);
    const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo));
    for (let i = 0; i < 2000; i++) {
      const [, type, sample] = CASES[i % CASES.length]!;
      const n = int(0, 40);
      const Ctor = (sample as unknown as { constructor: new (n: number) => { [k: number]: number | bigint } }).constructor;
      const value = new Ctor(n);
      const wide = typeof sample[0] === "bigint";
      for (let k = 0; k < n; k++) {
        value[k] = wide ? BigInt.asIntN(64, BigInt(int(-(2 ** 31), 2 ** 31)) << BigInt(int(0, 33))) : int(-(2 ** 32), 2 ** 32);
      }
      const wire = encodeValue({ type, value }, ArrayEncoding.PACKED);
      const bytes = fast.responseSerialize({ argout: wire });
      expect(bytes.equals(slow.responseSerialize({ argout: asPlain(wire) })), `case ${i}`).to.equal(true);
      expect(decodeValue((fast.responseDeserialize(bytes) as { argout: WireValue }).argout).value, `case ${i}`).to.deep.equal(value);
    }
  });

  it("reads elements sent unpacked, one record each, as valid proto3 allows", () => {
    // CommandInoutReply.argout (1) → Value.uint_array (14?) is looked up, not assumed: encode one
    // packed, then rewrite its values as unpacked records.
    const wire = encodeValue({ type: T.DevVarULongArray, value: Uint32Array.from([5, 300]) }, ArrayEncoding.PACKED);
    const packed = fast.responseSerialize({ argout: wire });
    // ...0a 03 05 ac 02 → 08 05 08 ac 02: the same length, so the outer lengths stay right.
    const at = packed.indexOf(Buffer.from([0x0a, 0x03, 0x05, 0xac, 0x02]));
    expect(at).to.be.greaterThan(0);
    const unpacked = Buffer.from(packed);
    Buffer.from([0x08, 0x05, 0x08, 0xac, 0x02]).copy(unpacked, at);
    expect(decodeValue((fast.responseDeserialize(unpacked) as { argout: WireValue }).argout).value).to.deep.equal(Uint32Array.from([5, 300]));
  });

  it("writes packed integer arrays in every reply that holds Values, command history included", () => {
    const value = encodeValue({ type: T.DevVarLongArray, value: Int32Array.from([1, -2, 3]) }, ArrayEncoding.PACKED);
    const history = deviceService.CommandInoutHistory!;
    const bytes = history.responseSerialize({ records: [{ value, errors: [] }] });
    const back = history.responseDeserialize(bytes) as { records: Array<{ value: WireValue }> };
    expect(decodeValue(back.records[0]!.value).value).to.deep.equal(Int32Array.from([1, -2, 3]));
    const read = deviceService.ReadAttributes!;
    const values = read.responseDeserialize(read.responseSerialize({ values: [{ name: "a", value, w_value: value }] })) as { values: Array<{ w_value: WireValue }> };
    expect(decodeValue(values.values[0]!.w_value).value).to.deep.equal(Int32Array.from([1, -2, 3]));
  });

  describe("large arrays, in slices", () => {
    const limited = withRequestLimits(deviceService, { maxPackedArrayBytes: 1024 * 1024 * 1024 }).CommandInout!;
    const big = 3 * 1024 * 1024;
    const LARGE: Array<[string, T, ArrayLike<number> | ArrayLike<bigint>]> = [
      ["DevVarCharArray", T.DevVarCharArray, Uint8Array.from({ length: big }, (_, i) => (i * 7) & 255)],
      ["DevVarShortArray", T.DevVarShortArray, Int16Array.from({ length: big }, (_, i) => (i * 31) - 30000)],
      ["DevVarULongArray", T.DevVarULongArray, Uint32Array.from({ length: big / 2 }, (_, i) => (i * 2654435761) >>> 0)],
      ["DevVarLong64Array", T.DevVarLong64Array, BigInt64Array.from({ length: big / 8 }, (_, i) => BigInt(i) * -3_000_000_007n)],
    ];
    for (const [name, type, value] of LARGE) {
      it(`decodes a large packed ${name} of a request in slices into its own typed array`, async () => {
        const bytes = fast.requestSerialize({ device: "a/b/c", command: "X", argin: encodeValue({ type, value }, ArrayEncoding.PACKED), array_encoding: 0 });
        const req = limited.requestDeserialize(bytes) as { argin: WireValue };
        expect(hasDeferredArrays(req), "left for later").to.equal(true);
        await decodeDeferredArrays(req);
        expect(hasDeferredArrays(req)).to.equal(false);
        const decoded = decodeValue(req.argin).value;
        expect(decoded).to.be.instanceOf((value as object).constructor);
        expect(decoded).to.deep.equal(value);
      });

      it(`encodes a large packed ${name} reply in slices to the same bytes as at once`, async () => {
        const reply = { argout: encodeValue({ type, value }, ArrayEncoding.PACKED) };
        const atOnce = fast.responseSerialize(reply);
        const sliced = await encodeInSlices(fastRoot(tangoProtoFile()).lookupType("tango.v1.CommandInoutReply"),
          { argout: encodeValue({ type, value }, ArrayEncoding.PACKED) });
        expect(sliced.equals(atOnce)).to.equal(true);
      });
    }

    it("keeps a DevVarCharArray with an element over 255 as decoded, for coerce to refuse by its index", async () => {
      const values = new Uint32Array(big).fill(1);
      values[big - 1] = 256;
      const bytes = fast.requestSerialize({ device: "a/b/c", command: "X", argin: { type: T.DevVarCharArray, data: "uint_array", uint_array: { values } } });
      const req = limited.requestDeserialize(bytes) as { argin: WireValue };
      await decodeDeferredArrays(req);
      expect(req.argin.uint_array?.values).to.be.instanceOf(Uint32Array);
      expect(() => decodeValue(req.argin)).to.not.throw();
    });
  });
});
