// One client of bench/node-lines/run.sh: sequential DevDouble command_inout through DeviceProxy
// for 4 s after 1 s of warm-up; prints calls/s. Usage: node client.mjs <port>
import { DeviceProxy } from "../../dist/src/client/index.js";

const proxy = new DeviceProxy(`tango://127.0.0.1:${process.argv[2]}/sys/tg_test/1#dbase=no`);
for (let i = 0; i < 50; i++) {
  try { await proxy.ping(); break; } catch { await new Promise((resolve) => setTimeout(resolve, 100)); }
}
let end = Date.now() + 1000;
while (Date.now() < end) await proxy.commandInout("DevDouble", 1.5);
let calls = 0;
const t0 = process.hrtime.bigint();
end = Date.now() + 4000;
while (Date.now() < end) { await proxy.commandInout("DevDouble", 1.5); calls++; }
console.log(Math.round(calls / (Number(process.hrtime.bigint() - t0) / 1e9)));
await proxy.close();
