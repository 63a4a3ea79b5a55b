import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Session } from "node:inspector/promises";
import { DeviceProxy } from "../src/client/index.js";
import { ARRAY_DEVICE } from "./large-data.js";
import { callWindow, warmUp, type Call } from "./measure.js";
import { CLIENT_CPU, distScript, pinSelf, startProcess } from "./processes.js";
import { DEVICE } from "./request-reply.js";
import type { ClientTransport } from "./transports.js";

/*
 * A developer's tool, not part of `npm run bench`: the DeviceProxy's calls/s and client CPU per
 * call (this process, pinned to CLIENT_CPU) against one tango-grpc server (pinned to SERVER_CPU),
 * sequentially or with --in-flight n; with --cpu-prof file, a V8 CPU profile of the client over
 * the measured windows. Built first, as the bench:
 *   npx tsc -p tsconfig.build.json && node dist/bench/profile-client.js [--transport http2] [--op cmd|ping|read|array]
 *     [--in-flight 1] [--seconds 2] [--windows 3] [--doubles 1000] [--warm-up 3000] [--cpu-prof client.cpuprofile]
 */
const { values: args } = parseArgs({
  options: {
    transport: { type: "string", default: "http2" },
    op: { type: "string", default: "cmd" },
    "in-flight": { type: "string", default: "1" },
    seconds: { type: "string", default: "2" },
    windows: { type: "string", default: "3" },
    doubles: { type: "string", default: "1000" },
    "warm-up": { type: "string", default: "3000" },
    "cpu-prof": { type: "string" },
  },
});

const dir = mkdtempSync(join(tmpdir(), "tango-grpc-profile-client-"));
const config = join(dir, "server.json");
writeFileSync(config, JSON.stringify({
  server: "TangoTest", instance: "bench",
  classes: [{ name: "TangoTest", devices: [{ name: DEVICE }] }, { name: "ArrayBench", devices: [{ name: ARRAY_DEVICE }] }],
}));
pinSelf(CLIENT_CPU);
const server = await startProcess(distScript("./bench-server.js"), ["--config", config],
  { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_LOG_LEVEL: "info" });
const dev = new DeviceProxy(`tango://127.0.0.1:${server.grpcPort}/${DEVICE}`, { transport: args.transport as ClientTransport });
const big = Float64Array.from({ length: Number(args.doubles) }, (_, i) => i + 0.5);
const calls: Record<string, Call> = {
  ping: () => dev.ping(),
  cmd: () => dev.commandInout("DevDouble", 3.14),
  read: () => dev.readAttribute("double_scalar"),
  array: () => dev.commandInout("DevVarDoubleArray", big),
};
const call = calls[args.op];
if (call === undefined) throw new Error(`--op takes ${Object.keys(calls).join(", ")}`);
const inFlight = Number(args["in-flight"]);
try {
  await warmUp(call, Number(args["warm-up"]), Math.min(inFlight, 16));
  let session: Session | undefined;
  if (args["cpu-prof"] !== undefined) {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 50 });
    await session.post("Profiler.start");
  }
  for (let w = 0; w < Number(args.windows); w++) {
    const before = process.cpuUsage();
    const f = await callWindow(call, inFlight, Number(args.seconds), server.cpuNs);
    const used = process.cpuUsage(before);
    const n = f.calls ?? 1;
    console.log(`${args.op} ${args.transport} ×${inFlight}: ${Math.round(f.callsPerSecond)} calls/s, p50 ${f.p50Ms.toFixed(3)} ms, `
      + `client ${f.clientCpuUs?.toFixed(1)} µs/call (user ${(used.user / n).toFixed(1)}, system ${(used.system / n).toFixed(1)}), server ${f.serverCpuUs?.toFixed(1)} µs/call`);
  }
  if (session !== undefined) {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(args["cpu-prof"]!, JSON.stringify(profile));
    session.disconnect();
  }
} finally {
  dev.close();
  await server.stop();
}
