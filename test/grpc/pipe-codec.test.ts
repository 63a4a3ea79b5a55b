import { expect } from "chai";
import {
  CmdArgType, DispLevel, PipeWriteType, ValueCoercionError, type PipeBlob, type PipeDataElement,
} from "../../src/core/index.js";
import { PIPE_BLOB_MAX_DEPTH, PIPE_MAX_DATA_ELEMENTS } from "../../src/core/defaults.js";
import {
  ArrayEncoding, decodePipeBlob, decodePipeConfig, decodePipeConfigUpdate, decodePipeValue, encodePipeBlob,
  encodePipeConfig, encodePipeConfigUpdate, encodePipeValue, loadTangoProto, type WirePipeBlob, type WirePipeValue,
  type WireWritePipeRequest,
} from "../../src/grpc/index.js";
import { PIPE_ELEMENT_SAMPLES } from "../support/pipe-samples.js";

const T = CmdArgType;
const { deviceService } = loadTangoProto();


const everyType: PipeBlob = {
  name: "all",
  elements: [
    ...PIPE_ELEMENT_SAMPLES.map(([name, value]): PipeDataElement => ({ name, value })),
    { name: "inner", blob: { name: "in", elements: [{ name: "x", value: { type: T.DevDouble, value: 1 } }, { name: "deeper", blob: { name: "d", elements: [] } }] } },
  ],
};

/** A blob through the real protobuf serializers of WritePipe's request, as client and server meet it. */
function throughWritePipe(blob: WirePipeBlob): WirePipeBlob | null {
  const def = deviceService.WritePipe!;
  const bytes = def.requestSerialize({ device: "a/b/c", name: "p", blob });
  return (def.requestDeserialize(bytes) as WireWritePipeRequest).blob;
}

function throughReadPipeReply(value: WirePipeValue): WirePipeValue {
  const def = deviceService.ReadPipe!;
  return def.responseDeserialize(def.responseSerialize(value)) as WirePipeValue;
}

/** A wire blob nested `depth` blobs deep (the root is depth 1). */
function nested(depth: number): WirePipeBlob {
  let blob: WirePipeBlob = { name: `b${depth}`, elements: [{ name: "x", data: "value", value: { type: T.DevLong, data: "int_value", int_value: 1 } }] };
  for (let d = depth - 1; d >= 1; d--) blob = { name: `b${d}`, elements: [{ name: "in", data: "blob", blob }] };
  return blob;
}

function decodeError(w: WirePipeBlob): ValueCoercionError {
  try {
    decodePipeBlob(w);
  } catch (e) {
    expect(e).to.be.instanceOf(ValueCoercionError);
    return e as ValueCoercionError;
  }
  expect.fail("the blob was decoded");
}

describe("pipe codec", () => {
  for (const encoding of [ArrayEncoding.PACKED, ArrayEncoding.BYTES]) {
    it(`carries every element type and nested blobs through protobuf (${ArrayEncoding[encoding]})`, () => {
      const back = decodePipeBlob(throughWritePipe(encodePipeBlob(everyType, encoding)));
      expect(back).to.deep.equal(everyType);
    });
  }

  it("sends numeric arrays as raw bytes with BYTES and packed otherwise", () => {
    const blob: PipeBlob = { name: "", elements: [{ name: "d", value: { type: T.DevVarDoubleArray, value: Float64Array.from([1]) } }] };
    expect(encodePipeBlob(blob, ArrayEncoding.BYTES).elements[0]?.value?.data).to.equal("raw");
    expect(encodePipeBlob(blob, ArrayEncoding.PACKED).elements[0]?.value?.data).to.equal("double_array");
  });

  it("carries a large integer array through the fast path", () => {
    const big = Int32Array.from({ length: 50_000 }, (_, i) => i - 25_000);
    const blob: PipeBlob = { name: "big", elements: [{ name: "in", blob: { name: "", elements: [{ name: "l", value: { type: T.DevVarLongArray, value: big } }] } }] };
    expect(decodePipeBlob(throughWritePipe(encodePipeBlob(blob)))).to.deep.equal(blob);
  });

  it("reads a pipe value back with its name and time, and a blob left unset as an empty one", () => {
    const value = { name: "p", time: { sec: 1_700_000_000, usec: 123_456 }, blob: everyType };
    expect(decodePipeValue(throughReadPipeReply(encodePipeValue(value, ArrayEncoding.BYTES)))).to.deep.equal(value);
    expect(decodePipeValue({ name: "p", time: null, blob: null })).to.deep.equal({ name: "p", time: { sec: 0, usec: 0 }, blob: { name: "", elements: [] } });
  });

  it(`accepts blobs nested ${PIPE_BLOB_MAX_DEPTH} deep and refuses one more, naming where`, () => {
    expect(() => decodePipeBlob(nested(PIPE_BLOB_MAX_DEPTH))).not.to.throw();
    const e = decodeError(nested(PIPE_BLOB_MAX_DEPTH + 1));
    expect(e.message).to.equal(`blob ${Array.from({ length: PIPE_BLOB_MAX_DEPTH }, () => "in").join("/")} nests deeper than ${PIPE_BLOB_MAX_DEPTH} blobs`);
  });

  it("refuses a blob nested thousands deep without overflowing the stack, also when encoding", () => {
    expect(decodeError(nested(20_000)).message).to.match(/nests deeper than/);
    let deep: PipeBlob = { name: "", elements: [] };
    for (let i = 0; i < 20_000; i++) deep = { name: "", elements: [{ name: "in", blob: deep }] };
    expect(() => encodePipeBlob(deep)).to.throw(ValueCoercionError, /nests deeper than/);
  });

  it(`refuses more than ${PIPE_MAX_DATA_ELEMENTS} data elements, nested ones counted`, () => {
    const element = { name: "x", data: "value" as const, value: { type: T.DevLong, data: "int_value" as const, int_value: 1 } };
    const half = Array.from({ length: PIPE_MAX_DATA_ELEMENTS / 2 }, () => element);
    expect(() => decodePipeBlob({ name: "", elements: half })).not.to.throw();
    const e = decodeError({ name: "", elements: [...half, { name: "in", data: "blob", blob: { name: "", elements: half } }] });
    expect(e.message).to.equal(`the blob holds more than ${PIPE_MAX_DATA_ELEMENTS} data elements`);
  });

  it("refuses malformed elements with the element's path", () => {
    const inner = (e: WirePipeBlob["elements"][number]): WirePipeBlob => ({ name: "", elements: [{ name: "in", data: "blob", blob: { name: "", elements: [e] } }] });
    expect(decodeError(inner({ name: "x" })).message).to.equal("data element in/x carries neither a value nor a blob");
    expect(decodeError(inner({ name: "x", data: "value", value: { type: T.DevVoid, data: "int_value", int_value: 1 } })).message)
      .to.equal("data element in/x carries a value without its type");
    expect(decodeError(inner({ name: "x", data: "value", value: { type: T.DevShort, data: "int_value", int_value: 70_000 } })).message)
      .to.match(/^data element in\/x: 70000 .*DevShort/);
    expect(decodeError(inner({ name: "x", data: "value", value: { type: T.DevDouble, data: "string_value", string_value: "1" } })).message)
      .to.equal("data element in/x: a DevDouble cannot travel in string_value");
    expect(decodeError(inner({ name: "x", data: "value", value: { type: T.DevPipeBlob, data: "int_value", int_value: 1 } })).message)
      .to.match(/^data element in\/x: /);
    expect(decodeError(inner({ name: "x", data: "value", value: { type: T.DevVarDoubleArray, data: "raw", raw: new Uint8Array(7) } })).message)
      .to.equal("data element in/x: raw length 7 is not a multiple of 8 bytes (DevVarDoubleArray)");
    expect(decodeError(inner({ name: "é".repeat(600), data: "value", value: { type: T.DevLong, data: "int_value", int_value: 1 } })).message)
      .to.equal("a data element name of blob in is longer than 1024 bytes");
  });

  it("decodes an unset blob as an empty one, for the server to refuse", () => {
    expect(decodePipeBlob(null)).to.deep.equal({ name: "", elements: [] });
    expect(decodePipeBlob(throughWritePipe({ name: "", elements: [] }))).to.deep.equal({ name: "", elements: [] });
  });

  it("carries configurations, and only the fields an update sets", () => {
    const config = { name: "p", description: "d", label: "l", level: DispLevel.EXPERT, writable: PipeWriteType.PIPE_READ_WRITE };
    expect(decodePipeConfig(encodePipeConfig(config))).to.deep.equal(config);
    const def = deviceService.SetPipeConfig!;
    const sent = def.requestDeserialize(def.requestSerialize({
      device: "a/b/c", configs: [encodePipeConfigUpdate({ name: "p", label: "L" }), encodePipeConfigUpdate({ name: "q", description: "" })],
    })) as { configs: Parameters<typeof decodePipeConfigUpdate>[0][] };
    expect(sent.configs.map(decodePipeConfigUpdate)).to.deep.equal([{ name: "p", label: "L" }, { name: "q", description: "" }]);
  });
});
