import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { Device } from "../../src/device/index.js";
import { registerTangoMetrics } from "../../src/metrics/index.js";
import { parseSamples } from "../support/prom-text.js";
import { CTX, startServer } from "../support/test-server.js";

class Plain extends Device {}

describe("tango_store_* metrics", () => {
  let dir: string;
  let ts: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-store-metrics-"));
    ts = await startServer({ classes: { Plain }, devices: { Plain: ["a/b/c"] }, config: { storePath: join(dir, "store.jsonl") } });
  });
  afterEach(async () => {
    await ts.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("count the fsyncs that concurrent PutProperty calls share, and the records they carried", async () => {
    const registry = new Registry();
    registerTangoMetrics(registry, ts.server, { version: "9.9.9" });
    await ts.server.api.putProperty(CTX, "a/b/c", [{ name: "First", values: ["0"] }]);
    await Promise.all(Array.from({ length: 100 }, (_, i) => ts.server.api.putProperty(CTX, "a/b/c", [{ name: `P${i}`, values: [String(i)] }])));
    const samples = parseSamples(await registry.metrics());
    const value = (name: string): number => samples.find((s) => s.name === name)?.value ?? NaN;
    expect(value("tango_store_records_total")).to.equal(101);
    expect(value("tango_store_fsyncs_total")).to.be.within(1, 6);
    expect(value("tango_store_write_errors_total")).to.equal(0);
    expect(value("tango_store_file_bytes")).to.be.above(100 * 30);
  });
});
