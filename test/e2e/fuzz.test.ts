import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { fromGrpcError, loadTangoProto } from "../../src/grpc/index.js";
import type { RandomSource } from "../../src/devices/tango-test/randomize.js";
import { seededRandom } from "../devices/seeded-random.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";

/*
 * A fuzz test of every RPC of tango.v1.Device against a real server process: random bytes,
 * well-formed protobuf with fields of the wrong wire types, valid messages with random values of
 * mismatched types, huge names and arrays, and valid messages cut short or with bytes flipped.
 * Every call must end in time with OK or a status carrying a Tango DevFailed (grpc-js's own
 * RESOURCE_EXHAUSTED for an oversized message aside), the server answers Ping after each batch,
 * and it never exits. The seed is fixed, so a failure replays; FUZZ_SEED picks another.
 */

const SEED = Number(process.env["FUZZ_SEED"] ?? 20261206);
const CASES = 2_400;
const BATCH = 48;
const CALL_DEADLINE_MS = 15_000;
const STREAM_DEADLINE_MS = 300;
const identity = (b: Buffer): Buffer => b;

const TEST_DEVICE = "sys/tg_test/1";
/** Commands that only echo or change state: the Crash ones log an error we need not provoke. */
const COMMANDS = [
  "DevBoolean", "DevDouble", "DevFloat", "DevLong", "DevLong64", "DevShort", "DevString", "DevULong", "DevULong64",
  "DevUShort", "DevVarCharArray", "DevVarDoubleArray", "DevVarDoubleStringArray", "DevVarFloatArray", "DevVarLong64Array",
  "DevVarLongArray", "DevVarLongStringArray", "DevVarShortArray", "DevVarStringArray", "DevVarULong64Array",
  "DevVarULongArray", "DevVarUShortArray", "DevVoid", "DumpExecutionState", "SwitchStates", "State", "Status",
];
const ATTRIBUTES = [
  "double_scalar", "long_scalar", "short_scalar", "string_scalar", "boolean_scalar", "uchar_scalar", "ulong_scalar",
  "double_spectrum", "long_spectrum", "uchar_spectrum", "string_spectrum", "boolean_spectrum", "double_image",
  "ushort_image", "float_spectrum", "State", "Status", "throw_exception", "no_value",
];
/** Value's oneof members (tango.proto). */
const MEMBERS = [
  "boolean_value", "int_value", "uint_value", "long64_value", "ulong64_value", "float_value", "double_value", "string_value",
  "state_value", "encoded_value", "boolean_array", "int_array", "uint_array", "long64_array", "ulong64_array", "float_array",
  "double_array", "string_array", "state_array", "encoded_array", "long_string_array", "double_string_array", "raw",
] as const;

class Fuzzer {
  constructor(private readonly random: RandomSource) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 256);
    return b;
  }

  text(max: number): string {
    const n = this.int(0, max);
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.chance(0.9) ? this.int(32, 127) : this.int(0, 0xd7ff));
    return s;
  }

  /** A name: mostly real ones, sometimes random, sometimes huge. */
  name(real: readonly string[]): string {
    if (this.chance(0.05)) return "n".repeat(this.int(900, 70_000));
    return this.chance(0.6) ? this.pick(real) : this.text(40);
  }

  device(): string {
    return this.chance(0.75) ? TEST_DEVICE : this.name(["sys/tg_test/2", "a/b/c", "", "SYS/TG_TEST/1"]);
  }

  numbers(n: number, lo: number, hi: number): number[] {
    return Array.from({ length: n }, () => this.int(lo, hi));
  }

  length(): number {
    return this.chance(0.03) ? this.int(10_000, 300_000) : this.int(0, 20);
  }

  /** A Value whose type code and member are each random, so most disagree. */
  value(): object {
    const type = this.chance(0.9) ? this.int(0, 31) : this.int(-5, 1000);
    const member = this.pick(MEMBERS);
    const n = this.length();
    const data: Record<string, unknown> = {
      boolean_value: this.chance(0.5), int_value: this.int(-(2 ** 31), 2 ** 31), uint_value: this.int(0, 2 ** 32),
      long64_value: String(this.int(-(2 ** 52), 2 ** 52)), ulong64_value: String(this.int(0, 2 ** 52)),
      float_value: this.random() * 1e6, double_value: this.chance(0.1) ? Number.NaN : this.random() * 1e300,
      string_value: this.text(50), state_value: this.int(0, 20),
      encoded_value: { encoded_format: this.text(10), encoded_data: this.bytes(this.int(0, 100)) },
      boolean_array: { values: Array.from({ length: n }, () => this.chance(0.5)) },
      int_array: { values: this.numbers(n, -(2 ** 31), 2 ** 31) },
      uint_array: { values: this.numbers(n, 0, 2 ** 32) },
      long64_array: { values: this.numbers(n, -(2 ** 40), 2 ** 40).map(String) },
      ulong64_array: { values: this.numbers(n, 0, 2 ** 40).map(String) },
      float_array: { values: this.numbers(n, -1000, 1000) },
      double_array: { values: this.numbers(n, -1e6, 1e6) },
      string_array: { values: Array.from({ length: Math.min(n, 2_000) }, () => this.text(10)) },
      state_array: { values: this.numbers(n, 0, 20) },
      encoded_array: { values: [{ encoded_format: "x", encoded_data: this.bytes(3) }] },
      long_string_array: { lvalue: this.numbers(n, -100, 100), svalue: [this.text(5)] },
      double_string_array: { dvalue: this.numbers(n, -100, 100), svalue: [this.text(5)] },
      raw: this.bytes(this.chance(0.5) ? n : this.int(0, 64)),
    };
    return { type, data: member, [member]: data[member] };
  }

  names(real: readonly string[]): string[] {
    if (this.chance(0.03)) return Array.from({ length: this.int(2_000, 20_000) }, () => this.pick(real));
    return Array.from({ length: this.int(0, 4) }, () => this.name(real));
  }

  /** A message the method's own serializer writes: valid protobuf with random content. */
  request(method: string): object {
    const device = this.device();
    const encoding = this.int(0, 3);
    const source = this.int(0, 4);
    switch (method) {
      case "BlackBox": return { device, n: this.int(-5, 100) };
      case "CommandInout": return { device, command: this.name(COMMANDS), argin: this.chance(0.9) ? this.value() : null, source, array_encoding: encoding };
      case "CommandQuery": return { device, command: this.name(COMMANDS) };
      case "ReadAttributes": return { device, names: this.names(ATTRIBUTES), source, array_encoding: encoding };
      case "WriteAttributes": case "WriteReadAttributes":
        return {
          device, values: Array.from({ length: this.int(0, 4) }, () => ({ name: this.name(ATTRIBUTES), value: this.value(), dim_x: this.int(0, 5), dim_y: this.int(0, 3) })),
          names: this.names(ATTRIBUTES), array_encoding: encoding,
        };
      case "GetAttributeConfig": return { device, names: this.names(ATTRIBUTES) };
      case "SetAttributeConfig":
        return { device, configs: [{ name: this.name(ATTRIBUTES), label: this.text(20), unit: this.text(5), min_value: this.text(6), max_value: this.text(6), format: this.text(8) }] };
      case "GetProperty": case "DeleteProperty": return { device, names: this.names(["polled_attr", "description", "x"]) };
      case "PutProperty": return { device, properties: [{ name: this.name(["fuzz_prop", "description"]), values: [this.text(30)] }] };
      case "ReadAttributeHistory": return { device, name: this.name(ATTRIBUTES), n: this.int(-3, 20), array_encoding: encoding };
      case "CommandInoutHistory": return { device, name: this.name(COMMANDS), n: this.int(-3, 20), array_encoding: encoding };
      case "Subscribe": return { device, attribute: this.name(ATTRIBUTES), event_type: this.int(0, 12) };
      default: return { device };
    }
  }

  /** Well-formed protobuf records with random field numbers and wire types. */
  records(): Buffer {
    const parts: Buffer[] = [];
    for (let i = this.int(1, 8); i > 0; i--) {
      const field = this.int(1, 30);
      const wire = this.pick([0, 1, 2, 5]);
      const tag = Buffer.from([(field << 3) | wire]);
      if (field >= 16) tag[0] = ((field << 3) | wire) & 0x7f | 0x80;
      const head = field >= 16 ? Buffer.concat([tag, Buffer.from([field >> 4])]) : tag;
      if (wire === 0) parts.push(head, Buffer.from([this.int(0, 128)]));
      else if (wire === 1) parts.push(head, this.bytes(8));
      else if (wire === 5) parts.push(head, this.bytes(4));
      else {
        const body = this.chance(0.5) ? this.bytes(this.int(0, 40)) : this.records();
        parts.push(head, Buffer.from([Math.min(body.length, 127)]), body.subarray(0, 127));
      }
    }
    return Buffer.concat(parts);
  }

  /** The bytes of one case. */
  payload(method: string): Buffer {
    const serialize = loadTangoProto().deviceService[method]!.requestSerialize as (v: object) => Buffer;
    const kind = this.int(0, 5);
    if (kind === 0) return this.bytes(this.chance(0.02) ? this.int(100_000, 2_000_000) : this.int(0, 200));
    if (kind === 1) return this.records();
    const valid = serialize(this.request(method));
    if (kind === 2 && valid.length > 0) return valid.subarray(0, this.int(0, valid.length));
    if (kind === 3 && valid.length > 0) {
      const flipped = Buffer.from(valid);
      for (let i = this.int(1, 4); i > 0; i--) flipped[this.int(0, flipped.length)] = this.int(0, 256);
      return flipped;
    }
    return valid;
  }
}

interface Outcome {
  readonly code: grpc.status;
  readonly hasDevFailed: boolean;
  readonly details: string;
}

function unaryRaw(client: grpc.Client, path: string, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, bytes, new grpc.Metadata(), { deadline: Date.now() + CALL_DEADLINE_MS },
      (err) => resolve(err === null
        ? { code: grpc.status.OK, hasDevFailed: false, details: "" }
        : { code: err.code, hasDevFailed: fromGrpcError(err) !== undefined, details: err.details }));
  });
}

function streamRaw(client: grpc.Client, path: string, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(path, identity, identity, bytes, new grpc.Metadata(), { deadline: Date.now() + STREAM_DEADLINE_MS });
    call.on("data", () => call.cancel());
    call.on("error", (err: grpc.ServiceError) => resolve({ code: err.code, hasDevFailed: fromGrpcError(err) !== undefined, details: err.details }));
    call.on("end", () => resolve({ code: grpc.status.OK, hasDevFailed: false, details: "" }));
  });
}

describe("fuzzing every RPC of tango.v1.Device", function () {
  this.timeout(180_000);
  let sp: ServerProcess;
  let client: grpc.Client;
  before(async () => {
    sp = await startServerProcess();
    client = new grpc.Client(sp.address, grpc.credentials.createInsecure(), {
      "grpc.max_send_message_length": 64 * 1024 * 1024, "grpc.max_receive_message_length": 64 * 1024 * 1024,
    });
  });
  after(async () => {
    client?.close();
    await sp?.close();
  });

  it(`answers ${CASES} random requests (seed ${SEED}) each with OK or a Tango error, and keeps answering Ping`, async () => {
    const service = loadTangoProto().deviceService;
    const methods = Object.keys(service);
    expect(methods).to.have.length.above(18);
    const fuzz = new Fuzzer(seededRandom(SEED));
    const ping = service.Ping!;
    const pingBytes = ping.requestSerialize({ device: TEST_DEVICE });
    const codes = new Map<string, number>();
    for (let done = 0; done < CASES; done += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, CASES - done) }, (_, i) => {
        const method = methods[(done + i) % methods.length]!;
        return { method, bytes: fuzz.payload(method), index: done + i };
      });
      const outcomes = await Promise.all(batch.map(({ method, bytes }) => {
        const def = service[method]!;
        return def.responseStream ? streamRaw(client, def.path, bytes) : unaryRaw(client, def.path, bytes);
      }));
      for (const [i, o] of outcomes.entries()) {
        const { method, bytes, index } = batch[i]!;
        const what = `case ${index} (${method}, ${bytes.length} bytes ${bytes.subarray(0, 24).toString("hex")}…): ${grpc.status[o.code]} ${o.details.slice(0, 200)}`;
        codes.set(grpc.status[o.code]!, (codes.get(grpc.status[o.code]!) ?? 0) + 1);
        if (o.code === grpc.status.OK) continue;
        if (method === "Subscribe" && (o.code === grpc.status.DEADLINE_EXCEEDED || o.code === grpc.status.CANCELLED)) continue;
        expect(o.code, what).to.not.equal(grpc.status.DEADLINE_EXCEEDED);
        if (o.code === grpc.status.RESOURCE_EXHAUSTED && !o.hasDevFailed) {
          expect(o.details, what).to.match(/larger than max/);
          continue;
        }
        expect(o.hasDevFailed, `${what}: a DevFailed in grpc-status-details-bin`).to.equal(true);
      }
      const alive = await unaryRaw(client, ping.path, pingBytes);
      expect(alive.code, `Ping after the batch ending at case ${done + batch.length}: ${alive.details}\n${sp.output().slice(-2000)}`).to.equal(grpc.status.OK);
    }
    expect(codes.get("INVALID_ARGUMENT") ?? 0, JSON.stringify([...codes])).to.be.above(100);
  });
});
