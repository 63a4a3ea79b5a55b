import { expect } from "chai";
import { Registry } from "prom-client";
import { DurationRecord, RecordHistogram } from "../../src/metrics/index.js";

describe("DurationRecord", () => {
  it("counts a sample equal to a bound in that bound's bucket, as Prometheus's le", () => {
    const r = new DurationRecord([0.001, 0.01, 0.1]);
    for (const s of [0, 0.001, 0.0011, 0.01, 0.05, 0.1, 0.2, 7]) r.observe(s);
    expect(r.buckets).to.deep.equal([2, 2, 2, 2]);
    expect(r.cumulative()).to.deep.equal([2, 4, 6, 8]);
    expect(r.count).to.equal(8);
    expect(r.sumSeconds).to.be.closeTo(7.3621, 1e-12);
  });

  it("starts with every bucket at zero", () => {
    const r = new DurationRecord([1, 2]);
    expect(r.cumulative()).to.deep.equal([0, 0, 0]);
    expect([r.count, r.sumSeconds]).to.deep.equal([0, 0]);
  });
});

describe("RecordHistogram", () => {
  it("exposes each record as cumulative buckets, +Inf, sum and count, in text and JSON", async () => {
    const registry = new Registry();
    const a = new DurationRecord([0.5, 1]);
    a.observe(0.25);
    a.observe(0.75);
    a.observe(3);
    new RecordHistogram({
      name: "test_duration_seconds", help: "A test histogram.", labelNames: ["op"], buckets: [0.5, 1], registry,
      series: () => [{ labels: { op: "a" }, record: a }],
    });
    const text = await registry.metrics();
    expect(text).to.equal([
      "# HELP test_duration_seconds A test histogram.",
      "# TYPE test_duration_seconds histogram",
      'test_duration_seconds_bucket{op="a",le="0.5"} 1',
      'test_duration_seconds_bucket{op="a",le="1"} 2',
      'test_duration_seconds_bucket{op="a",le="+Inf"} 3',
      'test_duration_seconds_sum{op="a"} 4',
      'test_duration_seconds_count{op="a"} 3',
      "",
    ].join("\n"));
    const [json] = await registry.getMetricsAsJSON();
    expect(json?.values.map((v) => [(v as { metricName?: string }).metricName, v.labels, v.value])).to.deep.equal([
      ["test_duration_seconds_bucket", { op: "a", le: 0.5 }, 1],
      ["test_duration_seconds_bucket", { op: "a", le: 1 }, 2],
      ["test_duration_seconds_bucket", { op: "a", le: "+Inf" }, 3],
      ["test_duration_seconds_sum", { op: "a" }, 4],
      ["test_duration_seconds_count", { op: "a" }, 3],
    ]);
  });
});
