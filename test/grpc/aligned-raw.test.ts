import { loadSync, type ServiceDefinition } from "@grpc/proto-loader";
import { expect } from "chai";
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

describe("aligned raw blocks", () => {
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
