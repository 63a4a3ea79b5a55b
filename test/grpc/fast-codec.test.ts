import { loadSync, type ServiceDefinition } from "@grpc/proto-loader";
import { expect } from "chai";
import protobuf from "protobufjs";
import { CmdArgType } from "../../src/core/index.js";
import {
  ArrayEncoding, PROTO_LOADER_OPTIONS, decodeValue, encodeValue, loadTangoProto, type WireValue,
} from "../../src/grpc/index.js";
import { resolveProtoDir } from "../../src/grpc/proto.js";

const { deviceService } = loadTangoProto();
/** proto-loader's own serializers, as a receiver or sender that knows nothing of alignment has them. */
const plain = loadSync("tango/v1/tango.proto", { ...PROTO_LOADER_OPTIONS, includeDirs: [resolveProtoDir()] })["tango.v1.Device"] as ServiceDefinition;

/** What grpc-js does with a message: the 5-byte prefix, then the message, in a buffer of its own. */
function overTheWire(serialized: Buffer): Buffer {
  const framed = Buffer.alloc(serialized.length + 5);
  serialized.copy(framed, 5);
  return framed.subarray(5);
}

function doubles(n: number, seed = 0.5): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i * 1.25 + seed);
}

/** Checks that `wire` decodes to `sent` as a view onto the received message (no copy). */
function expectInPlace(wire: WireValue | null | undefined, received: Buffer, sent: Float64Array): void {
  const value = decodeValue(wire).value as Float64Array;
  expect(value).to.be.instanceOf(Float64Array);
  expect(value.buffer, "a view onto the received message").to.equal(received.buffer);
  expect(value.byteOffset % 8).to.equal(0);
  expect(value).to.deep.equal(sent);
}

describe("the codec's fast paths: aligned raw blocks", () => {
  it("puts a large command argin where the server maps it in place, whatever precedes it", () => {
    const sent = doubles(100_000);
    for (const device of ["a/b/c", "sys/tg_test/1", "x".repeat(130), "dev/with/name7"]) {
      for (const command of ["D", "DevVarDoubleArray"]) {
        const request = { device, command, argin: encodeValue({ type: CmdArgType.DevVarDoubleArray, value: sent }, ArrayEncoding.BYTES), array_encoding: 1 };
        const received = overTheWire(deviceService.CommandInout!.requestSerialize(request));
        const decoded = deviceService.CommandInout!.requestDeserialize(received) as { device: string; command: string; argin: WireValue };
        expect([decoded.device, decoded.command]).to.deep.equal([device, command]);
        expectInPlace(decoded.argin, received, sent);
      }
    }
  });

  it("puts every large block of a multi-attribute read reply in place", () => {
    const a = doubles(1000, 1);
    const b = doubles(4097, 2);
    const c = doubles(1_000_000, 3);
    const attribute = (name: string, value: Float64Array | number, w?: Float64Array) => ({
      name, quality: 0, data_format: 1, data_type: CmdArgType.DevDouble, time: { tv_sec: "1", tv_usec: 2, tv_nsec: 0 },
      r_dim: { dim_x: typeof value === "number" ? 1 : value.length, dim_y: 0 }, w_dim: { dim_x: 0, dim_y: 0 },
      value: typeof value === "number" ? encodeValue({ type: CmdArgType.DevDouble, value }) : encodeValue({ type: CmdArgType.DevVarDoubleArray, value }, ArrayEncoding.BYTES),
      ...(w === undefined ? {} : { w_value: encodeValue({ type: CmdArgType.DevVarDoubleArray, value: w }, ArrayEncoding.BYTES) }),
      errors: [],
    });
    const reply = { values: [attribute("s", 2.5), attribute("a", a, b), attribute("c", c)] };
    const received = overTheWire(deviceService.ReadAttributes!.responseSerialize(reply));
    const decoded = deviceService.ReadAttributes!.responseDeserialize(received) as { values: Array<{ name: string; value: WireValue; w_value: WireValue | null }> };
    expect(decoded.values.map((v) => v.name)).to.deep.equal(["s", "a", "c"]);
    expect(decodeValue(decoded.values[0]?.value).value).to.equal(2.5);
    expectInPlace(decoded.values[1]?.w_value, received, b);
    expectInPlace(decoded.values[2]?.value, received, c);
    // Below 4 KiB a block is copied on receipt anyway (codec.ts) and written as before.
    expect(decodeValue(decoded.values[1]?.value).value).to.deep.equal(a);
  });

  it("writes messages without a large block byte for byte as proto-loader does", () => {
    const small = { argout: encodeValue({ type: CmdArgType.DevVarDoubleArray, value: doubles(511) }, ArrayEncoding.BYTES) };
    expect(deviceService.CommandInout!.responseSerialize(small)).to.deep.equal(plain.CommandInout!.responseSerialize(small));
    const write = { device: "a/b/c", values: [{ name: "x", value: encodeValue({ type: CmdArgType.DevDouble, value: 1 }) }] };
    expect(deviceService.WriteAttributes!.requestSerialize(write)).to.deep.equal(plain.WriteAttributes!.requestSerialize(write));
  });

  it("is read by a receiver that knows nothing of the padding", () => {
    const sent = doubles(200_000);
    const write = { device: "a/b/c", values: [{ name: "doubles", value: encodeValue({ type: CmdArgType.DevVarDoubleArray, value: sent }, ArrayEncoding.BYTES) }] };
    const received = overTheWire(deviceService.WriteAttributes!.requestSerialize(write));
    const decoded = plain.WriteAttributes!.requestDeserialize(received) as { values: Array<{ name: string; value: WireValue }> };
    expect(decoded.values[0]?.name).to.equal("doubles");
    expect(decodeValue(decoded.values[0]?.value).value).to.deep.equal(sent);
  });
});

describe("the codec's fast paths: packed doubles and floats as blocks", () => {
  const edgy = (n: number): Float64Array => {
    const a = doubles(n);
    if (n >= 7) a.set([Number.NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE], 1);
    return a;
  };
  const commandWith = (value: Float64Array | Float32Array, type: CmdArgType) =>
    ({ device: "a/b/c", command: "C", argin: encodeValue({ type, value }, ArrayEncoding.PACKED), array_encoding: 0 });

  it("writes the bytes protobufjs writes for the same numbers, element by element", () => {
    for (const n of [0, 7, 1000, 5000]) {
      const d = commandWith(edgy(n), CmdArgType.DevVarDoubleArray);
      const asArray = { ...d, argin: { ...d.argin, double_array: { values: Array.from(d.argin.double_array!.values) } } };
      expect(deviceService.CommandInout!.requestSerialize(d), `${n} doubles`).to.deep.equal(plain.CommandInout!.requestSerialize(asArray));
      const f = commandWith(Float32Array.from(edgy(n)), CmdArgType.DevVarFloatArray);
      const fAsArray = { ...f, argin: { ...f.argin, float_array: { values: Array.from(f.argin.float_array!.values) } } };
      expect(deviceService.CommandInout!.requestSerialize(f), `${n} floats`).to.deep.equal(plain.CommandInout!.requestSerialize(fAsArray));
    }
  });

  it("reads a large packed field into a typed array with every bit kept, and a small one as proto-loader does", () => {
    const sent = edgy(100_000);
    const big = deviceService.CommandInout!.requestDeserialize(overTheWire(plain.CommandInout!.requestSerialize(
      { ...commandWith(sent, CmdArgType.DevVarDoubleArray), argin: { type: CmdArgType.DevVarDoubleArray, double_array: { values: Array.from(sent) } } },
    ))) as { argin: WireValue };
    expect(big.argin.double_array?.values).to.be.instanceOf(Float64Array);
    expect(Buffer.from((big.argin.double_array?.values as Float64Array).buffer)).to.deep.equal(Buffer.from(sent.buffer));
    const floats = Float32Array.from(sent);
    const bigF = deviceService.CommandInout!.requestDeserialize(overTheWire(deviceService.CommandInout!.requestSerialize(commandWith(floats, CmdArgType.DevVarFloatArray)))) as { argin: WireValue };
    expect(decodeValue(bigF.argin).value).to.deep.equal(floats);

    const small = commandWith(edgy(10), CmdArgType.DevVarDoubleArray);
    const bytes = deviceService.CommandInout!.requestSerialize(small);
    expect(deviceService.CommandInout!.requestDeserialize(bytes)).to.deep.equal(plain.CommandInout!.requestDeserialize(bytes));
  });

  it("reads doubles sent unpacked, one record each, as proto3 allows", () => {
    const n = 3000; // 27 kB: the fast path reads it
    const w = protobuf.Writer.create();
    w.uint32((1 << 3) | 2).string("a/b/c");
    w.uint32((3 << 3) | 2).fork().uint32((1 << 3) | 0).int32(CmdArgType.DevVarDoubleArray);
    w.uint32((18 << 3) | 2).fork();
    for (let i = 0; i < n; i++) w.uint32((1 << 3) | 1).double(i / 3);
    w.ldelim().ldelim();
    const bytes = Buffer.from(w.finish());
    expect(bytes.length).to.be.greaterThan(16 * 1024);
    const decoded = deviceService.CommandInout!.requestDeserialize(bytes) as { argin: WireValue };
    expect(decodeValue(decoded.argin).value).to.deep.equal(Float64Array.from({ length: n }, (_, i) => i / 3));
  });

  it("refuses a packed field that is not a whole number of elements", () => {
    const w = protobuf.Writer.create();
    w.uint32((3 << 3) | 2).fork().uint32((1 << 3) | 0).int32(CmdArgType.DevVarDoubleArray);
    w.uint32((18 << 3) | 2).fork().uint32((1 << 3) | 2).bytes(new Uint8Array(20_001)).ldelim().ldelim();
    expect(() => deviceService.CommandInout!.requestDeserialize(Buffer.from(w.finish()))).to.throw(RangeError, /not a whole number of elements/);
  });
});
