// The plot helpers without a kernel: the specs they build (data, scales,
// caps), the bucket scheme they share with the runtime's in-kernel
// histograms, units and labels, and the errors a cell gets.

import * as aq from "arquero";
import { afterEach, describe, expect, test } from "vitest";
import { bucketBounds } from "../../runtime/planner/aggregation.js";
import * as plot from "../../probes-lib/plot.js";
import { logSlot, logSlotBounds, scaleFromBounds } from "../../probes-lib/plot-buckets.js";
import { axisValues } from "../../probes-lib/plot-data.js";
import { setPlotRenderer } from "../../probes-lib/plot-host.js";
import { formatValue, pow2Label, unitOfColumn } from "../../probes-lib/plot-units.js";

type Spec = { data: { values: Record<string, unknown>[] }; encoding: Record<string, { scale?: { domain?: unknown[] }; axis?: Record<string, unknown> }>; layer?: Spec[] };
const spec = (p: plot.Plot) => p.spec as unknown as Spec;

afterEach(() => setPlotRenderer(undefined));

describe("units and labels", () => {
  test("log2 labels step by 1024: 1us, 2us ... 1ms; 1K, 2K ... 1M", () => {
    expect([0, 1, 9, 10, 11, 19, 20, 30, 35].map((e) => pow2Label(e, "ns"))).toEqual(["1ns", "2ns", "512ns", "1us", "2us", "512us", "1ms", "1s", "32s"]);
    expect([0, 9, 10, 21, 31].map((e) => pow2Label(e, "bytes"))).toEqual(["1", "512", "1K", "2M", "2G"]);
    expect(pow2Label(10, "ms")).toBe("1s");
  });

  test("exact values scale by 1000 for times, 1024 for sizes, 3 significant digits", () => {
    expect(formatValue(1024, "ns")).toBe("1.02us");
    expect(formatValue(1_500_000, "ns")).toBe("1.5ms");
    expect(formatValue(1536, "bytes")).toBe("1.5K");
    expect(formatValue(12345, "")).toBe("12345");
    expect(formatValue(0.123456, "")).toBe("0.123");
  });

  test("units from column names", () => {
    expect(["latency_ns", "dur_us", "wait_ms", "elapsed_s", "bytes", "size", "count", "pid"].map(unitOfColumn)).toEqual(["ns", "us", "ms", "s", "bytes", "bytes", "", ""]);
  });
});

describe("buckets match the runtime's in-kernel histograms", () => {
  test.each([0, 1, 2, 3])("log2 with %i sub-bucket bits: every slot's bounds and the slot of every bound", (subBits) => {
    const per = 2 ** subBits;
    const plan = { kind: "log2" as const, subBits, nslots: 1 + 40 * per, nonNegative: true };
    for (let slot = 0; slot < plan.nslots; slot++) {
      const [low, high] = bucketBounds(plan, slot);
      expect(logSlotBounds(slot, per)).toEqual([low, high]);
      // Slots too narrow to hold an integer are empty; the others hold their lower bound.
      if (slot === 0 || high > low) expect(logSlot(low, per)).toBe(slot);
    }
  });

  test("a table's bounds reveal the sub-buckets; empty buckets between are filled", () => {
    const scale = scaleFromBounds([1024, 1280, 2048], [1280, 1536, 2560], "ns");
    expect(scale.log).toBe(true);
    expect(scale.buckets.map((b) => `${b.label}=${b.from}`)).toEqual(["1us=1.02us", "1.28us=1.28us", "1.54us=1.54us", "1.79us=1.79us", "2us=2.05us"]);
    expect(scale.tickLabels).toEqual(["1us", "2us"]);
    const linear = scaleFromBounds([0, 30, -Infinity, 90], [10, 40, 0, Infinity], "ms");
    expect(linear.log).toBe(false);
    // The runtime's linear histograms: [min + i*step, ...) and two open buckets at the ends.
    expect(linear.buckets.map((b) => b.label)).toEqual(["<0ms", "0ms", "10ms", "20ms", "30ms", "40ms", "50ms", "60ms", "70ms", "80ms", "≥90ms"]);
  });
});

describe("time axes", () => {
  const at = "test";
  test("boot-relative ns become seconds since the first row, precisely", () => {
    const t = aq.table({ time_ns: BigUint64Array.from([9_007_199_254_740_993n, 9_007_199_754_740_993n, 9_007_201_254_740_993n]) });
    expect(axisValues(t, "time_ns", at)).toEqual({ values: [0, 0.5, 2], type: "quantitative", title: "time (s since first row)", unit: "s" });
  });

  test("wall-clock ns, epoch-ms time columns and Dates become dates", () => {
    const ns = aq.table({ ts_ns: BigUint64Array.from([1_700_000_000_123_000_000n]) });
    expect(axisValues(ns, "ts_ns", at)).toEqual({ values: [1_700_000_000_123], type: "temporal", title: "ts_ns (UTC)", unit: "" });
    const ms = aq.table({ time: Float64Array.from([1_700_000_000_000, 1_700_000_001_000]) });
    expect(axisValues(ms, "time", at).type).toBe("temporal");
    const dates = aq.table({ when: [new Date(5000)] });
    expect(axisValues(dates, "when", at)).toEqual({ values: [5000], type: "temporal", title: "when (UTC)", unit: "" });
    expect(axisValues(aq.table({ interval: [0, 1] }), "interval", at)).toEqual({ values: [0, 1], type: "quantitative", title: "interval", unit: "" });
  });
});

describe("specs", () => {
  test("a runtime histogram's meta names the value and its unit; several keys are summed over and the summary says so", () => {
    const t = aq.table({ pid: [1, 2], comm: ["a", "b"], lower: [1024, 2048], upper: [2048, 4096], count: [3, 4] });
    Object.defineProperty(t, "meta", { value: { declaration: { kind: "aggregate", value: { op: "hist_log2", field: "bytes" } } } });
    const p = plot.histogram(t);
    expect(p.summary).toBe("log2 histogram of bytes: 7 counted in 2 buckets, 1K to 2K (summed over pid, comm: pass { by } for one histogram per key)");
    expect(spec(p).data.values).toEqual([
      { bucket: "1K", from: "1K", count: 3 },
      { bucket: "2K", from: "2K", count: 4 },
    ]);
  });

  test("a runtime histogram series: time is each interval's end, so cells span [time - every, time]", () => {
    const t0 = 1_700_000_000_000;
    const series = aq.table({
      interval: Uint32Array.from([0, 0, 1]),
      time: Float64Array.from([t0, t0, t0 + 500]),
      lower: Float64Array.from([1024, 4096, 1024]),
      upper: Float64Array.from([1280, 5120, 1280]),
      count: Float64Array.from([5, 1, 7]),
    });
    Object.defineProperty(series, "meta", { value: { declaration: { kind: "latency", everyMs: 500, value: { op: "hist_log2" } } } });
    const p = plot.heatmap(series, { x: "time", y: "lower", color: "count" });
    expect(p.summary).toBe("heatmap of latency over time: 13 counted in 2 intervals × 9 buckets (1us to 4us)");
    expect(spec(p).data.values).toEqual([
      { t0: t0 - 500, t1: t0, bucket: "1us", from: "1.02us", count: 5 },
      { t0: t0 - 500, t1: t0, bucket: "4us", from: "4.1us", count: 1 },
      { t0: t0, t1: t0 + 500, bucket: "1us", from: "1.02us", count: 7 },
    ]);
    expect(spec(p).encoding.x).toMatchObject({ field: "t0", type: "temporal" });
    expect(spec(p).encoding.y!.axis).toEqual({ values: ["1us", "2us", "4us"] });
  });

  test("line plots keep at most 5,000 points, every n-th of each line over the whole range, and say so", () => {
    const n = 12_000;
    const t = aq.table({ x: Float64Array.from({ length: n }, (_, i) => Math.floor(i / 2)), y: Float64Array.from({ length: n }, (_, i) => i % 7), k: Array.from({ length: n }, (_, i) => (i % 2 ? "b" : "a")) });
    const p = plot.line(t, { x: "x", y: "y", color: "k" });
    const values = spec(p).data.values as { x: number; series: string }[];
    expect(values).toHaveLength(4000);
    expect(values.filter((v) => v.series === "a").map((v) => v.x).slice(0, 3)).toEqual([0, 3, 6]);
    expect(values[values.length - 1]).toMatchObject({ x: 5997, series: "b" });
    expect(p.summary).toBe("line plot of y by x: 4,000 points, 2 lines by k (every 3rd point of each line drawn, 4,000 of 12,000: filter or aggregate the table to see all)");
  });

  test("bar without y counts rows per category", () => {
    const p = plot.bar(aq.table({ comm: ["a", "b", "a", "c", "a", "b"] }), { x: "comm" });
    expect(spec(p).data.values).toEqual([
      { category: "a", value: 3 },
      { category: "b", value: 2 },
      { category: "c", value: 1 },
    ]);
    expect(p.summary).toBe("bar chart of rows by comm: 3 bars, largest a (3)");
  });

  test("flame graphs take arrays of frames, leaf first if told, and leave out frames too narrow to see", () => {
    const t = aq.table({ frames: [["read", "main"], ["write", "main"], ["tiny", "main"]], samples: [600, 399, 1] });
    const p = plot.flame(t, { stack: "frames", leafFirst: true, minFraction: 0.01 });
    expect(p.summary).toBe("flame graph of 1,000 samples: 4 frames, 2 deep (1 frames narrower than 1% of the samples left out)");
    const boxes = spec(p).layer![0]!.data.values.map((v) => `${v.name}@${v.depth}:${v.x0}-${v.x1}`);
    expect(boxes).toEqual(["all@0:0-1000", "main@1:0-1000", "read@2:0-600", "write@2:601-1000"]);
  });

  test("outside the kernel a plot has no SVG; with a renderer installed it has", () => {
    const p = plot.bar(aq.table({ k: ["a"], v: [1] }), { x: "k", y: "v" });
    expect(Object.keys(p._repr_mimebundle_())).toEqual(["application/vnd.vegalite.v5+json", "text/plain"]);
    expect(() => p.toSVG()).toThrow("this plot can't be rendered to SVG here: no renderer is installed (inside a probebook notebook the kernel renders plots)");
    const seen: string[] = [];
    setPlotRenderer((json) => {
      seen.push(json);
      return "<svg/>";
    });
    expect(p._repr_mimebundle_()["image/svg+xml"]).toBe("<svg/>");
    p._repr_mimebundle_();
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!).$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
  });

  test("plot.vegaLite copies the spec", () => {
    const mine = { data: { values: [{ a: 1 }] }, mark: "point" };
    const p = plot.vegaLite(mine, "my plot");
    mine.mark = "bar";
    expect(p.spec.mark).toBe("point");
    expect(p.summary).toBe("my plot");
    expect(() => plot.vegaLite({ data: { values: [{ a: 1n }] } })).toThrow(/the spec must be plain JSON .*convert BigInt values with Number\(\) first/);
  });
});

describe("errors name the problem and the fix", () => {
  test("not a table, unknown columns, missing options", () => {
    expect(() => plot.bar([1, 2] as never, { x: "a" })).toThrow("plot.bar(table, { x, y }): the first argument must be an arquero table (what a probe returns, or aq.table({...})), not an array");
    const t = aq.table({ comm: ["a"], count: [1] });
    expect(() => plot.bar(t, { x: "pid" })).toThrow('plot.bar(table, { x, y }): the table has no column "pid" (for x); its columns are: comm, count');
    expect(() => plot.heatmap(t, undefined as never)).toThrow('plot.heatmap(table, { x, y }): say which columns to use, e.g. plot.heatmap(t, { x: "time_ns", y: "latency_ns" })');
    expect(() => plot.histogram(aq.table({ a: [1], b: [2] }))).toThrow('plot.histogram(table, ...): say which column to bucket, e.g. { value: "a" }, or pass a histogram table with columns lower, upper, count. Columns: a, b');
    expect(() => plot.histogram(aq.table({ v: ["x"] }), { value: "v", bins: 10 })).toThrow('plot.histogram(table, ...): column "v" must hold numbers, but row 0 is "x"');
    expect(() => plot.bar(t, { x: "comm", top: 0 })).toThrow("plot.bar(table, { x, y }): top must be a whole number from 1 to 1000, not 0");
    expect(() => plot.flame(aq.table({ stack: [42] }))).toThrow('plot.flame(table, { stack, value }): column "stack" must hold folded stacks ("main;read;vfs_read") or arrays of frame names, but row 0 is number');
  });
});
