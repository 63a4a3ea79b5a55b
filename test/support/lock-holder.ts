// A client process that locks a device and then waits to be killed (the lock must end with its
// connection). Run: node --import tsx lock-holder.ts <host:port> <device> <validity s>
import { DeviceProxy } from "../../src/client/index.js";

const [address = "", device = "", validity = "60"] = process.argv.slice(2);
const admin = await DeviceProxy.adminOf(address);
await admin.commandInout("LockDevice", { lvalue: [Number(validity)], svalue: [device] });
process.stdout.write(`locked ${process.pid}\n`);
// Keeps the process (and its connection) alive until the test kills it.
setInterval(() => undefined, 60_000);
