import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

/*
 * A developer's tool beside profile-request-path.ts: runs bench-server.js (the bench's server)
 * under V8's sampling heap profiler, counting objects the GC has already collected too, so that
 * the short-lived allocations of each call show where they are made. On SIGUSR2 it writes the
 * profile to $HEAP_PROFILE_FILE (a .heapprofile, which Chrome DevTools opens). Usage: as
 * bench-server.js, with HEAP_PROFILE_FILE set.
 */
const out = process.env["HEAP_PROFILE_FILE"];
if (out === undefined) throw new Error("set HEAP_PROFILE_FILE");
const session = new Session();
session.connect();
await session.post("HeapProfiler.startSampling", {
  samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
});
process.on("SIGUSR2", () => {
  void session.post("HeapProfiler.stopSampling").then(({ profile }) => writeFileSync(out, JSON.stringify(profile)));
});
await import("./bench-server.js");
