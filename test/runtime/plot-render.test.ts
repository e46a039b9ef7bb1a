// Every plot kind rendered to SVG by the host renderer (vega-lite -> vega ->
// headless View -> SVG), from tables shaped like probe results. The marks are
// counted and read back through their ARIA labels (vega writes each mark's
// data there), the axes through their titles and tick labels. A PNG of each
// is written to /tmp/probebook-plots to be looked at.

import { existsSync } from "node:fs";
import * as aq from "arquero";
import { describe, expect, test } from "vitest";
import * as plot from "../../probes-lib/plot.js";
import { PlotRenderError, renderVegaLiteSvg } from "../../runtime/plot/render-svg.js";
import { cpuProfile, cpuSeries, latencyHistogram, latencySeries, opensByFile, runtimeLatencyHistogram } from "./fixtures/plot-tables.js";
import { axisLabels, marks, RSVG_CONVERT, texts, writePng } from "./fixtures/svg.js";

async function render(name: string, p: plot.Plot): Promise<string> {
  const svg = await renderVegaLiteSvg(JSON.stringify(p.spec));
  const png = writePng(name, svg);
  if (RSVG_CONVERT) expect(existsSync(png!)).toBe(true);
  return svg;
}

describe("histogram", () => {
  test("a log2 histogram table: one bar per bucket, empty ones kept, labelled 1us, 2us, 4us", async () => {
    const p = plot.histogram(latencyHistogram(), { unit: "ns" });
    expect(p.summary).toBe("log2 histogram of value: 1,322 counted in 11 buckets, 1us to 1ms, by comm (2 values)");
    const svg = await render("histogram-log2", p);
    const bars = marks(svg, "bar");
    // 11 buckets (2^10..2^20 ns) for each of 2 processes.
    expect(bars).toHaveLength(22);
    expect(bars).toContain("value (log2 buckets, 1us = 1024ns): 16us; count: 480; bucket from: 16.4us; comm: nginx");
    expect(bars).toContain("value (log2 buckets, 1us = 1024ns): 32us; count: 0; bucket from: 32.8us; comm: nginx");
    expect(bars).toContain("value (log2 buckets, 1us = 1024ns): 64us; count: 300; bucket from: 65.5us; comm: postgres");
    expect(texts(svg, "axis-title")).toEqual(["value (log2 buckets, 1us = 1024ns)", "count", "count"]);
    expect(axisLabels(svg)[0]).toEqual(["1us", "2us", "4us", "8us", "16us", "32us", "64us", "128us", "256us", "512us", "1ms"]);
    // One row header per process, largest first.
    expect(texts(svg, "title-text")).toEqual(["comm", "nginx", "postgres"]);
  });

  test("the runtime's histogram (lower, upper, count; 4 sub-buckets per power of two) labels only powers of two", async () => {
    const p = plot.histogram(runtimeLatencyHistogram());
    expect(p.summary).toBe("log2 histogram of latency: 288 counted in 14 buckets, 1us to 10.2us, by comm (1 value)");
    const svg = await render("histogram-runtime", p);
    const bars = marks(svg, "bar");
    expect(bars).toHaveLength(14);
    expect(bars[0]).toBe("latency (log2 buckets, 1us = 1024ns): 1us; count: 50; bucket from: 1.02us; comm: cat");
    expect(bars[1]).toBe("latency (log2 buckets, 1us = 1024ns): 1.28us; count: 120; bucket from: 1.28us; comm: cat");
    expect(bars.filter((b) => b.includes("count: 0;"))).toHaveLength(8);
    expect(axisLabels(svg)[0]).toEqual(["1us", "2us", "4us", "8us"]);
  });

  test("raw values bucketed by log2 in JavaScript", async () => {
    const sizes = [0, 1, 3, 3, 700, 1000, 1024, 5000, 5000, 70_000];
    const p = plot.histogram(aq.table({ bytes: Uint32Array.from(sizes) }), { value: "bytes" });
    const svg = await render("histogram-raw", p);
    const counts = marks(svg, "bar").map((b) => /^bytes \(log2 buckets, 1K = 1024\): ([^;]+); count: (\d+)/.exec(b)!.slice(1).join("="));
    // Small whole counts get whole ticks.
    expect(axisLabels(svg)[1]).toEqual(["0", "1", "2"]);
    expect(counts).toEqual(["0=1", "1=1", "2=2", "4=0", "8=0", "16=0", "32=0", "64=0", "128=0", "256=0", "512=2", "1K=1", "2K=0", "4K=2", "8K=0", "16K=0", "32K=0", "64K=1"]);
  });
});

test("line: a time series of 3 CPUs, boot-relative ns as seconds since the first row", async () => {
  const p = plot.line(cpuSeries(), { x: "time_ns", y: "count", color: "cpu" });
  expect(p.summary).toBe("line plot of count by time_ns: 90 points, 3 lines by cpu");
  const svg = await render("line", p);
  expect(marks(svg, "line mark")).toHaveLength(3);
  const points = marks(svg, "point");
  expect(points).toHaveLength(90);
  expect(points).toContain("time (s since first row): 0; count: 1000; cpu: 0");
  expect(points).toContain("time (s since first row): 29; count: 3000; cpu: 2".replace("3000", String(3000 + Math.round(300 * Math.sin(29 / 3 + 2)))));
  expect(texts(svg, "axis-title")).toEqual(["time (s since first row)", "count"]);
  expect(axisLabels(svg)[0]).toEqual(["0", "2", "4", "6", "8", "10", "12", "14", "16", "18", "20", "22", "24", "26", "28", "30"]);
  expect(texts(svg, "legend-title")).toEqual(["cpu"]);
  expect(texts(svg, "legend-label")).toEqual(["2", "1", "0"]);
});

describe("heatmap", () => {
  test("a histogram series: intervals across, every log2 bucket up (empty ones too), largest on top", async () => {
    const p = plot.heatmap(latencySeries(), { x: "time_ns", y: "low", color: "count", unit: "ns" });
    expect(p.summary).toBe("heatmap of low over time_ns: 4,805 counted in 20 intervals × 11 buckets (2us to 2ms)");
    const svg = await render("heatmap-series", p);
    const cells = marks(svg, "rect mark");
    // 3 buckets for 20 s, 3 more from second 10.
    expect(cells).toHaveLength(90);
    expect(cells).toContain("time (s since first row): 0; low (log2 buckets, 1us = 1024ns): 4us; t1: 1; count: 100; time (s since first row) from: 0; low from: 4.1us");
    expect(cells).toContain("time (s since first row): 19; low (log2 buckets, 1us = 1024ns): 1ms; t1: 20; count: 44; time (s since first row) from: 19; low from: 1.05ms");
    expect(texts(svg, "axis-title")).toEqual(["time (s since first row)", "low (log2 buckets, 1us = 1024ns)"]);
    expect(axisLabels(svg)[1]).toEqual(["2ms", "1ms", "512us", "256us", "128us", "64us", "32us", "16us", "8us", "4us", "2us"]);
    expect(texts(svg, "legend-title")).toEqual(["count"]);
  });

  test("events: time binned into columns, raw latencies into log2 buckets, rows counted", async () => {
    const time: bigint[] = [];
    const latency: number[] = [];
    for (let s = 0; s < 10; s++) {
      for (let j = 0; j < 100; j++) {
        time.push(7_000_000_000n + BigInt(s) * 1_000_000_000n + BigInt(j) * 9_000_000n);
        latency.push(3000);
      }
      if (s >= 5) {
        for (let j = 0; j < 20; j++) {
          time.push(7_000_000_000n + BigInt(s) * 1_000_000_000n + BigInt(j) * 40_000_000n);
          latency.push(1_500_000);
        }
      }
    }
    const p = plot.heatmap(aq.table({ time_ns: BigUint64Array.from(time), latency_ns: Float64Array.from(latency) }), { x: "time_ns", y: "latency_ns", columns: 10 });
    expect(p.summary).toBe("heatmap of latency_ns over time_ns: 1,100 events in 10 intervals × 10 buckets (2us to 1ms)");
    const svg = await render("heatmap-events", p);
    const cells = marks(svg, "rect mark");
    expect(cells).toHaveLength(15);
    expect(cells.filter((c) => /latency_ns \(log2 buckets, 1us = 1024ns\): 2us; t1: [\d.]+; events: 100;/.test(c))).toHaveLength(10);
    expect(cells.filter((c) => /latency_ns \(log2 buckets, 1us = 1024ns\): 1ms; t1: [\d.]+; events: 20;/.test(c))).toHaveLength(5);
    expect(axisLabels(svg)[1]).toEqual(["1ms", "512us", "256us", "128us", "64us", "32us", "16us", "8us", "4us", "2us"]);
  });
});

test("bar: the top 10 of 40 files, largest first, horizontal for long names", async () => {
  const p = plot.bar(opensByFile(), { x: "filename", y: "count", top: 10 });
  expect(p.summary).toBe("bar chart of count by filename: 10 bars, largest /etc/ld.so.cache (900); top 10 of 40 categories drawn (set { top } to see more)");
  const svg = await render("bar-top10", p);
  const bars = marks(svg, "bar");
  expect(bars).toHaveLength(10);
  expect(bars[0]).toBe("count: 900; filename: /etc/ld.so.cache");
  expect(texts(svg, "axis-title")).toEqual(["count", "filename"]);
  expect(axisLabels(svg)[1]).toEqual([
    "/etc/ld.so.cache",
    "/proc/self/maps",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/var/lib/app/chunk-003.dat",
    "/var/lib/app/chunk-004.dat",
    "/var/lib/app/chunk-005.dat",
    "/var/lib/app/chunk-006.dat",
    "/var/lib/app/chunk-007.dat",
    "/var/lib/app/chunk-008.dat",
    "/var/lib/app/chunk-009.dat",
  ]);
});

test("flame: 3-level stacks merged into a partition, root at the bottom, labels where they fit", async () => {
  const p = plot.flame(cpuProfile());
  expect(p.summary).toBe("flame graph of 1,000 samples: 10 frames, 3 deep");
  const svg = await render("flame", p);
  const frames = marks(svg, "rect mark").map((m) => /function: ([^;]+); samples: (\d+)/.exec(m)!.slice(1).join("="));
  expect(frames).toEqual(["all=1000", "main=1000", "gc=200", "mark=120", "sweep=80", "handle_request=650", "parse_json=400", "render_html=250", "idle=150", "epoll_wait=150"]);
  // Each frame spans its callers' share: handle_request starts where gc (sorted first) ends.
  expect(marks(svg, "rect mark").find((m) => m.includes("function: handle_request;"))).toMatch(/^x0: 200; depth: 2; x1: 850; top: 3; color: rgb\(\d+,\d+,\d+\); function: handle_request; samples: 650; % of samples: 65$/);
  expect(marks(svg, "text mark").map((m) => /label: (.*)$/.exec(m)![1]).sort()).toEqual(["all", "epoll_wait", "gc", "handle_request", "idle", "main", "mark", "parse_json", "render_html", "sweep"]);
});

test("specs that load data are refused: rendering has no file or network access", async () => {
  const spec = { data: { url: "file:///etc/passwd", format: { type: "csv" } }, mark: "point", encoding: { x: { field: "root", type: "nominal" } } };
  await expect(renderVegaLiteSvg(JSON.stringify(spec))).rejects.toThrow(PlotRenderError);
  await expect(renderVegaLiteSvg(JSON.stringify(spec))).rejects.toThrow(/without file or network access/);
  await expect(renderVegaLiteSvg("{not json")).rejects.toThrow("the plot's spec is not JSON");
});
