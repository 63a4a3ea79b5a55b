import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { CmdArgType } from "../../src/core/index.js";
import { ArrayEncoding, decodeValue, encodeValue, loadTangoProto, type WireValue } from "../../src/grpc/index.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";

const identity = (b: Buffer): Buffer => b;
const MiB = 1024 * 1024;

/** A client on a connection of its own (grpc-js otherwise shares one per target). */
function connect(sp: ServerProcess): grpc.Client {
  return new grpc.Client(sp.address, grpc.credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
    "grpc.max_send_message_length": 256 * MiB,
    "grpc.max_receive_message_length": 256 * MiB,
    "grpc-node.flow_control_window": MiB,
  });
}

function callRaw(client: grpc.Client, method: string, bytes: Buffer, deadlineMs: number): Promise<Buffer> {
  const def = loadTangoProto().deviceService[method]!;
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(def.path, identity, identity, bytes, new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res!)));
  });
}

const PING = loadTangoProto().deviceService.Ping!.requestSerialize({ device: "sys/tg_test/1" });

/**
 * Runs `work` while another connection pings the server back to back; returns how long the work
 * took and the longest a ping waited meanwhile.
 */
async function withPings(other: grpc.Client, work: () => Promise<unknown>): Promise<{ workMs: number; longestPingMs: number }> {
  let done = false;
  let longestPingMs = 0;
  const pinging = (async () => {
    while (!done) {
      const started = performance.now();
      await callRaw(other, "Ping", PING, 30_000);
      longestPingMs = Math.max(longestPingMs, performance.now() - started);
    }
  })();
  const started = performance.now();
  try {
    await work();
  } finally {
    done = true;
  }
  const workMs = performance.now() - started;
  await pinging;
  return { workMs, longestPingMs };
}

/** A CommandInout echo of `value` as DevVarCharArray, with the argin and reply in `encoding`. */
function echoRequest(value: Uint8Array, encoding: ArrayEncoding): Buffer {
  return loadTangoProto().deviceService.CommandInout!.requestSerialize({
    device: "sys/tg_test/1", command: "DevVarCharArray", array_encoding: encoding,
    argin: encodeValue({ type: CmdArgType.DevVarCharArray, value }, encoding),
  });
}

async function residentBytes(sp: ServerProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${sp.httpPort}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("process_resident_memory_bytes "));
  if (line === undefined) throw new Error("no process_resident_memory_bytes in /metrics");
  return Number(line.slice(line.indexOf(" ") + 1));
}

describe("large requests against a server process", function () {
  this.timeout(120_000);

  describe("with the default limits", () => {
    let sp: ServerProcess;
    const clients: grpc.Client[] = [];
    before(async () => { sp = await startServerProcess(); });
    after(async () => {
      for (const c of clients.splice(0)) c.close();
      await sp?.close();
    });

    it("echoes a 16 MiB packed DevVarCharArray without stalling a Ping on another connection", async () => {
      const echo = connect(sp);
      const pinger = connect(sp);
      clients.push(echo, pinger);
      const value = Uint8Array.from({ length: 16 * MiB }, (_, i) => (i * 7) & 255);
      await callRaw(pinger, "Ping", PING, 10_000);
      const bytes = await withPings(pinger, () => callRaw(echo, "CommandInout", echoRequest(value, ArrayEncoding.BYTES), 60_000));
      let reply: Buffer | undefined;
      const residentBefore = await residentBytes(sp);
      const packed = await withPings(pinger, async () => {
        reply = await callRaw(echo, "CommandInout", echoRequest(value, ArrayEncoding.PACKED), 60_000);
      });
      const grownMiB = ((await residentBytes(sp)) - residentBefore) / MiB;
      const argout = (loadTangoProto().deviceService.CommandInout!.responseDeserialize(reply!) as { argout: WireValue }).argout;
      expect(argout.data).to.equal("uint_array");
      expect(Buffer.from(decodeValue(argout).value as Uint8Array).equals(Buffer.from(value))).to.equal(true);
      // Before: 3.8 s for the echo, and a Ping on another connection waited 3.3 s. The figures
      // are relative to the same echo as bytes, with room for a loaded 2-core machine.
      const figures = `server grown by ${grownMiB.toFixed(0)} MiB; packed ${packed.workMs.toFixed(0)} ms (longest ping ${packed.longestPingMs.toFixed(0)} ms), bytes ${bytes.workMs.toFixed(0)} ms (longest ping ${bytes.longestPingMs.toFixed(0)} ms)`;
      if (process.env.TANGO_TEST_FIGURES !== undefined) console.log(`      ${figures}`);
      expect(packed.longestPingMs, figures).to.be.below(Math.max(1_000, 3 * bytes.longestPingMs));
      expect(packed.workMs, figures).to.be.below(Math.max(2_000, 6 * bytes.workMs));
      // Before, the server grew from 83 MiB to 1.3 GB: 16 M JS numbers each way.
      expect(grownMiB, figures).to.be.below(400);
    });
  });

  describe("with a memory guard", () => {
    let sp: ServerProcess;
    const clients: grpc.Client[] = [];
    before(async () => { sp = await startServerProcess({ limits: { maxPackedArrayBytes: 256 * MiB, maxHeapBytes: 256 * MiB } }); });
    after(async () => {
      for (const c of clients.splice(0)) c.close();
      await sp?.close();
    });

    it("refuses a 200 MiB request from its length prefix without growing the server by hundreds of MiB", async () => {
      const client = connect(sp);
      clients.push(client);
      await callRaw(client, "Ping", PING, 10_000);
      const before = await residentBytes(sp);
      const started = performance.now();
      const err = await callRaw(client, "Ping", Buffer.alloc(200 * MiB), 60_000).then(() => undefined, (e: unknown) => e as grpc.ServiceError);
      expect(err?.code, String(err)).to.equal(grpc.status.RESOURCE_EXHAUSTED);
      const grownMiB = ((await residentBytes(sp)) - before) / MiB;
      expect(grownMiB, `the server grew by ${grownMiB.toFixed(0)} MiB in ${(performance.now() - started).toFixed(0)} ms`).to.be.below(100);
      await callRaw(client, "Ping", PING, 10_000);
    });
  });
});
